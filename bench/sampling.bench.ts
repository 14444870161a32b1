// `npm run bench -- sampling`: BENCH_DECISIONS (200,000) sampling decisions on one core as the
// qa-sampling stage makes them once the coder ledger is read: the coder's standing (probation, Wilson
// accuracy over 60 reviews, recent denials), every factor, the keyed draw, senior routing. The
// baseline is the keyed draw (HMAC-SHA256) alone. The ledger reads (a few DynamoDB queries per chart)
// are I/O and not measured here.
import { parseConfig } from '#shared/model/config.ts';
import type { CodedRecord, DenialMark, ReviewRecord } from '#shared/model/qa.ts';
import { coderStanding } from '#shared/sampling/coder-standing.ts';
import { samplingDraw } from '#shared/sampling/sampling-draw.ts';
import { decideSampling } from '#shared/sampling/sampling-policy.ts';
import { report } from './support.ts';

const N = Number(process.env.BENCH_DECISIONS ?? 200_000);
const KEY = 'b'.repeat(64);
const AT = '2026-11-20T12:00:00.000Z';
const config = parseConfig({ sampling: { risk: { clinicalGroups: { D: 0.3 } } } }).sampling;
const CODERS = 20;

const coded = (coder: string): CodedRecord[] =>
  Array.from({ length: 51 }, (_, i) => ({
    kind: 'coded',
    agencyId: 'a',
    coderId: coder,
    chartKey: `c${i}`,
    version: 1,
    codedAt: new Date(Date.parse('2026-06-01T00:00:00Z') + i * 86_400_000).toISOString(),
    lineOfBusiness: 'home_health',
  }));
const reviews = (coder: string): ReviewRecord[] =>
  Array.from({ length: 60 }, (_, i) => ({
    kind: 'review',
    agencyId: 'a',
    coderId: coder,
    chartKey: `c${i}`,
    version: 1,
    reviewerId: 'qa',
    reviewedAt: '2026-10-01T00:00:00Z',
    round: 'first',
    outcome: i % 25 === 0 ? 'corrected' : 'agree',
    lineOfBusiness: 'home_health',
    score: { chartAccurate: i % 11 !== 0, codesReviewed: 5, codesConfirmed: i % 25 === 0 ? 4 : 5 },
    corrections: [],
  }));
const denials = (coder: string): DenialMark[] =>
  coder.endsWith('3')
    ? [
        {
          kind: 'denial',
          agencyId: 'a',
          coderId: coder,
          chartKey: 'd',
          version: 1,
          deniedAt: '2026-11-01T00:00:00Z',
          reasonCodes: ['CO-146'],
        },
      ]
    : [];
const histories = Array.from({ length: CODERS }, (_, i) => {
  const coder = `coder-${i}`;
  // One coder still in probation; the others left it in August.
  const ended = i === 0 ? {} : { probationEndedAt: '2026-08-01T00:00:00Z' };
  return {
    coder,
    history: { firstCoded: coded(coder), reviews: reviews(coder), denials: denials(coder), ...ended },
  };
});
const charts = Array.from({ length: N }, (_, i) => ({
  chartKey: `ck${i.toString(16).padStart(10, '0')}`,
  version: 1,
  coderId: `coder-${i % CODERS}`,
  lineOfBusiness: i % 5 === 0 ? ('hospice' as const) : ('home_health' as const),
  findingRuleIds: i % 9 === 0 ? ['DX-DUPLICATE'] : [],
  ...(i % 4 === 0 ? { clinicalGroup: 'D' } : {}),
}));

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

// Warm-up, so both are measured with optimised code.
for (const c of charts.slice(0, 20_000)) samplingDraw(KEY, c.chartKey, c.version);
let sampled = 0;
const decideAll = () => {
  sampled = 0;
  for (const c of charts) {
    const h = histories[Number(c.coderId.slice(6))] ?? histories[0];
    if (!h) continue;
    const standing = coderStanding(c.coderId, h.history, config, AT);
    const d = decideSampling(
      c,
      { standing, categoryDenials: 0 },
      config,
      samplingDraw(KEY, c.chartKey, c.version),
    );
    if (d.sampled) sampled++;
  }
};
decideAll();
const hashSeconds = timed(() => {
  for (const c of charts) samplingDraw(KEY, c.chartKey, c.version);
});
const decideSeconds = timed(decideAll);
report(
  'sampling',
  `${(N / decideSeconds).toFixed(0)} decisions/s (standing over 51 coded charts, 60 reviews; every factor; keyed draw; ${((sampled / N) * 100).toFixed(1)}% sampled)`,
  `keyed draw alone ${(N / hashSeconds).toFixed(0)} draws/s`,
  N / decideSeconds / (N / hashSeconds),
);
