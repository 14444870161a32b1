import { describe, expect, it } from 'vitest';
import { createBillingHandoffService } from '#functions/billing-handoff/service.ts';
import { createDenialIngestionService } from '#functions/denial-ingestion/service.ts';
import { createIntakeService } from '#functions/intake/service.ts';
import { createQaResultService } from '#functions/qa-result/service.ts';
import { createQaSamplingService } from '#functions/qa-sampling/service.ts';
import { createValidationService } from '#functions/validation/service.ts';
import type { StageQueue } from '#shared/aws/ports.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import {
  BatchReady,
  ChartMessage,
  ReviewRequest,
  S3EventMessage,
  type Verdict,
} from '#shared/model/messages.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import type { QueueName, StageName } from '#shared/topology.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { expectNoPhiIn } from '../support/expect-no-phi.ts';
import { failOnce } from '../support/fail-once.ts';
import { fixedClock, memoryPorts, s3Event } from '../support/memory-ports.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';
import { testConfig } from '../support/test-agencies.ts';

function pipeline(sampling: Record<string, unknown> = SAMPLE_NOTHING) {
  const mem = memoryPorts();
  const config = testConfig({ sampling });
  /** Every message a stage sent, kept: mem.take() removes what settle() hands on. */
  const everySent: { queue: QueueName; body: unknown }[] = [];
  // Each stage gets the ports its Lambda has: it may send only to its topology queues.
  const deps = (stage: StageName) => {
    const ports = mem.portsFor(stage);
    const queue: StageQueue = {
      async send(q, messages, agency) {
        await ports.queue.send(q, messages, agency);
        everySent.push(...messages.map((body) => ({ queue: q, body: structuredClone(body) })));
      },
    };
    return { ports: { ...ports, queue }, config, clock: fixedClock() };
  };
  // The repository's tables in force for each chart's period, as the stages' handlers use them.
  const tables = tablesInForce;
  const svc = {
    intake: createIntakeService(deps('intake')),
    validation: createValidationService({ ...deps('validation'), tables }),
    sampling: createQaSamplingService(deps('qa-sampling')),
    qaResult: createQaResultService({ ...deps('qa-result'), tables }),
    billing: createBillingHandoffService(deps('billing-handoff')),
    denials: createDenialIngestionService(deps('denial-ingestion')),
  };
  async function drop(key: string, body: string, etag = 'e1') {
    mem.put('intake', key, body);
    await svc.intake.handle(S3EventMessage.parse(s3Event('test-intake', key, etag)));
  }
  /** Drains the Lambda queues in stage order, as the event sources would. */
  async function settle() {
    for (let round = 0; round < 10; round++) {
      const validate = mem.take('validate');
      const sample = mem.take('sample');
      const billing = mem.take('billing');
      if (!validate.length && !sample.length && !billing.length) return;
      for (const m of validate) await svc.validation.handle(ChartMessage.parse(m));
      for (const m of sample) await svc.sampling.handle(ChartMessage.parse(m));
      if (billing.length)
        await svc.billing.handle(billing.map((body, i) => ({ messageId: String(i), body })));
    }
  }
  const status = async (agencyId: string, chartId: string, version = 1) =>
    (await mem.ports.charts.get(await chartKeyOf(mem.ports.keys, agencyId, chartId), version))?.status;
  return { mem, svc, drop, settle, status, everySent };
}

/** A first-round verdict on version 1 of a chart by qa-1, agreeing unless `over` says otherwise. */
function verdictOn(chartKey: string, over: Partial<Verdict> = {}): Verdict {
  return {
    kind: 'verdict',
    agencyId: 'test-agency',
    chartKey,
    version: 1,
    reviewerId: 'qa-1',
    round: 'first',
    outcome: 'agree',
    corrections: [],
    reviewedAt: '2026-11-03T10:00:00Z',
    ...over,
  };
}

/** A pipeline whose one chart (coder-a's, dropped and settled) waits on the first reviewers' queue. */
async function sampledForReview() {
  const p = pipeline({ ...SAMPLE_NOTHING, coderRates: { 'coder-a': 1 }, senior: { probation: false } });
  await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
  await p.settle();
  return p;
}

describe('the stages, chained over in-memory ports', () => {
  it('takes a clean chart from intake to a batch handed to billing', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1001')).toBe('BATCHED');
    const [ready] = p.mem.take('coded-batches').map((m) => BatchReady.parse(m));
    expect(ready?.chartCount).toBe(1);
    const manifest = JSON.parse(await p.mem.ports.artifacts.getText('artifacts', ready?.manifestKey ?? ''));
    expect(manifest.members[0].claimRef).toMatch(/^CT[0-9A-Z]{14}$/);
    expect(JSON.stringify(manifest)).not.toContain('HH-1001');
    // The file it bills is tagged for billing, and only for billing: the billing role reads only such files.
    expect(p.mem.objectTags.get(`test-artifacts/${manifest.members[0].artifactKey}`)).toEqual({
      'codetrail-billing': 'batched',
    });
  });

  it('keeps PHI out of every queue message', async () => {
    const p = pipeline({ baseRate: 1, secondReviewRate: 0 });
    const chart = homeHealthChart({
      payer: { type: 'medicare', name: 'Medicare', memberId: 'SYN-MBR-SECRET' },
    });
    // A file named after its patient, as EMR exports often are.
    await p.drop('exports/test-agency/Zulu_Yankee_1940-01-01.json', JSON.stringify(chart));
    await p.settle();
    // In probation (a new coder), so sampled to senior review; the verdict sends it on to billing.
    const [request] = p.mem.take('qa-review-senior').map((m) => ReviewRequest.parse(m));
    await p.svc.qaResult.handle(verdictOn(request?.chartKey ?? ''));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1001')).toBe('BATCHED');
    // Every queue a stage sends to on this path was sent to: a scan of nothing would prove nothing.
    expect(new Set(p.everySent.map((m) => m.queue))).toEqual(
      new Set(['validate', 'sample', 'qa-review-senior', 'billing', 'coded-batches']),
    );
    expectNoPhiIn(JSON.stringify(p.everySent), 'the queue messages');
  });

  it('quarantines a bad line with a report and lets the good charts flow', async () => {
    const p = pipeline();
    const lines = [
      JSON.stringify(homeHealthChart({ chartId: 'HH-1' })),
      '{not json',
      JSON.stringify({ ...homeHealthChart({ chartId: 'HH-3' }), coderId: undefined }),
      JSON.stringify(hospiceChart({ chartId: 'HS-4' })),
    ];
    await p.drop('exports/test-agency/mixed.ndjson', lines.join('\n'));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1')).toBe('BATCHED');
    expect(await p.status('test-agency', 'HS-4')).toBe('BATCHED');
    const reports = [...p.mem.objects.keys()].filter(
      (k) => k.startsWith('test-intake/quarantine/') && k.endsWith('report.json'),
    );
    expect(reports).toHaveLength(1);
    const report = JSON.parse(p.mem.objects.get(reports[0] ?? '') ?? '{}');
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 2, reason: 'line is not valid JSON' }),
        expect.objectContaining({ line: 3, path: 'coderId' }),
      ]),
    );
    expect(p.mem.events().map((e) => e.type)).toContain('object.quarantined');
  });

  it('creates nothing new when the same object is delivered twice', async () => {
    const p = pipeline();
    const body = JSON.stringify(homeHealthChart());
    await p.drop('exports/test-agency/a.json', body);
    await p.drop('exports/test-agency/a.json', body);
    expect(p.mem.take('validate')).toHaveLength(1);
    expect(p.mem.events().map((e) => e.type)).toContain('object.duplicate-delivery');
  });

  it('records an older version that arrives after a newer one as superseded', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/v2.json', JSON.stringify(homeHealthChart({ version: 2 })));
    await p.drop('exports/test-agency/v1.json', JSON.stringify(homeHealthChart({ version: 1 })));
    expect(await p.status('test-agency', 'HH-1001', 1)).toBe('SUPERSEDED');
    expect(await p.status('test-agency', 'HH-1001', 2)).toBe('RECEIVED');
  });

  it('rejects a non-billable code and opens a query for a missing CTI', async () => {
    const p = pipeline();
    await p.drop(
      'exports/test-agency/b.json',
      JSON.stringify([
        homeHealthChart({
          chartId: 'HH-X',
          diagnoses: [{ sequence: 1, code: 'I50.2', system: 'ICD-10-CM' }],
        }),
        hospiceChart({
          chartId: 'HS-Y',
          hospice: { benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' } },
          documents: [],
        }),
      ]),
    );
    await p.settle();
    expect(await p.status('test-agency', 'HH-X')).toBe('REJECTED');
    expect(await p.status('test-agency', 'HS-Y')).toBe('QUERY_OPEN');
  });

  it('sends a sampled chart to QA once, and a correction on to billing with both code sets kept', async () => {
    const p = pipeline({ ...SAMPLE_NOTHING, coderRates: { 'coder-a': 1 }, senior: { coders: ['coder-a'] } });
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1001')).toBe('SAMPLED');
    const [request] = p.mem.take('qa-review-senior').map((m) => ReviewRequest.parse(m));
    expect(request?.reason).toContain('coder-rate');
    // A redelivered sampling message does not put the chart on the review queue again.
    await p.svc.sampling.handle({
      kind: 'chart',
      agencyId: 'test-agency',
      chartKey: request?.chartKey ?? '',
      version: 1,
    });
    expect(p.mem.take('qa-review-senior')).toHaveLength(0);

    await p.svc.qaResult.handle(
      verdictOn(request?.chartKey ?? '', {
        outcome: 'corrected',
        corrections: [
          { sequence: 2, code: 'I50.32', category: 'specificity', severity: 'minor', direction: 'neutral' },
        ],
      }),
    );
    await p.settle();
    const state = await p.mem.ports.charts.get(request?.chartKey ?? '', 1);
    expect(state?.status).toBe('BATCHED');
    expect(state?.qa?.originalDiagnoses?.[1]?.code).toBe('I50.22');
    expect(state?.qa?.correctedDiagnoses?.[1]?.code).toBe('I50.32');
    // Billing reads the corrected file it bills; the reviewed file keeps its review tag alone.
    const tags = (key: string | undefined) => p.mem.objectTags.get(`test-artifacts/${key}`);
    expect(tags(state?.qa?.correctedArtifactKey)).toEqual({ 'codetrail-billing': 'batched' });
    expect(tags(state?.artifactKey)).toEqual({ 'codetrail-qa': 'review' });
  });

  it('tags a reviewed chart billed as coded for review and billing both, and tags it again when re-exported', async () => {
    const p = await sampledForReview();
    const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
    await p.svc.qaResult.handle(verdictOn(request?.chartKey ?? ''));
    await p.settle();
    const state = await p.mem.ports.charts.get(request?.chartKey ?? '', 1);
    expect(state?.status).toBe('BATCHED');
    const both = { 'codetrail-qa': 'review', 'codetrail-billing': 'batched' };
    expect(p.mem.objectTags.get(`test-artifacts/${state?.artifactKey}`)).toEqual(both);
    // The same export again: the file is written again (untagged in S3), and gets both tags back.
    p.mem.objectTags.clear();
    await p.drop('exports/test-agency/a-again.json', JSON.stringify(homeHealthChart()), 'e2');
    expect(p.mem.objectTags.get(`test-artifacts/${state?.artifactKey}`)).toEqual(both);
  });

  it('tags a sampled chart re-exported before billing for review alone', async () => {
    const p = await sampledForReview();
    const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
    const state = await p.mem.ports.charts.get(request?.chartKey ?? '', 1);
    p.mem.objectTags.clear();
    await p.drop('exports/test-agency/a-again.json', JSON.stringify(homeHealthChart()), 'e2');
    expect(p.mem.objectTags.get(`test-artifacts/${state?.artifactKey}`)).toEqual({
      'codetrail-qa': 'review',
    });
  });

  it('puts a sampled chart on the review board, and takes it off when a newer version supersedes it unreviewed', async () => {
    const p = await sampledForReview();
    const [entry] = await p.mem.ports.reviews.pending('test-agency', 'qa-review');
    expect(entry).toMatchObject({ purpose: 'review', queue: 'qa-review', version: 1, notBy: ['coder-a'] });
    expect(entry?.shown).toMatchObject({ status: 'SAMPLED', sampling: { sampled: true } });
    await p.drop('exports/test-agency/b.json', JSON.stringify(homeHealthChart({ version: 2 })));
    await p.settle();
    expect((await p.mem.ports.reviews.pending('test-agency', 'qa-review')).map((e) => e.version)).toEqual([
      2,
    ]);
  });

  it("takes a chart sampled to senior review off the seniors' board when a newer version supersedes it", async () => {
    const p = pipeline({ ...SAMPLE_NOTHING, coderRates: { 'coder-a': 1 }, senior: { coders: ['coder-a'] } });
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    expect(
      (await p.mem.ports.reviews.pending('test-agency', 'qa-review-senior')).map((e) => e.version),
    ).toEqual([1]);
    await p.drop('exports/test-agency/b.json', JSON.stringify(homeHealthChart({ version: 2 })));
    await p.settle();
    expect(
      (await p.mem.ports.reviews.pending('test-agency', 'qa-review-senior')).map((e) => e.version),
    ).toEqual([2]);
  });

  it('closes the entry of a verdict delivered again after its chart moved on (a crash before the follow-ups)', async () => {
    const p = await sampledForReview();
    const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
    const chartKey = request?.chartKey ?? '';
    // The first delivery stored the review, then died; a newer export superseded the version meanwhile.
    const verdict = verdictOn(chartKey, { outcome: 'agree', reviewedAt: '2026-11-03T10:00:00Z' });
    await p.mem.ports.charts.transition(chartKey, 1, ['SAMPLED'], 'SUPERSEDED', {
      qa: { outcome: 'agree', reviewerId: 'qa-1', reviewedAt: '2026-11-03T10:00:00Z', corrections: [] },
    });
    expect(await p.mem.ports.reviews.pending('test-agency', 'qa-review')).toHaveLength(1);
    await p.svc.qaResult.handle(verdict);
    expect(await p.mem.ports.reviews.pending('test-agency', 'qa-review')).toEqual([]);
  });

  it('leaves the billing tag a concurrent batching set, when a re-export tags the file from an older state', async () => {
    const p = await sampledForReview();
    const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
    const chartKey = request?.chartKey ?? '';
    const state = await p.mem.ports.charts.get(chartKey, 1);
    // Billing handoff batches the chart and tags its file just as intake, having read the state before
    // that, tags the file it wrote again.
    const artifacts = p.mem.ports.artifacts;
    const tagObject = artifacts.tagObject.bind(artifacts);
    let raced = false;
    artifacts.tagObject = async (bucket, key, tags) => {
      if (!raced) {
        raced = true;
        await p.mem.ports.charts.transition(chartKey, 1, ['SAMPLED'], 'BATCHED', {
          batchId: 'b20261123-0123456789ab',
        });
        await tagObject(bucket, key, { 'codetrail-qa': 'review', 'codetrail-billing': 'batched' });
      }
      return tagObject(bucket, key, tags);
    };
    await p.drop('exports/test-agency/a-again.json', JSON.stringify(homeHealthChart()), 'e2');
    expect(p.mem.objectTags.get(`test-artifacts/${state?.artifactKey}`)).toEqual({
      'codetrail-qa': 'review',
      'codetrail-billing': 'batched',
    });
  });

  it('sets aside a verdict for a chart that is not awaiting review', async () => {
    const p = pipeline();
    await p.svc.qaResult.handle(verdictOn('ck-unknown'));
    expect(p.mem.events().map((e) => e.type)).toContain('verdict.set-aside');
    expect(p.mem.take('billing')).toHaveLength(0);
  });

  it('traces a denial to the batched chart and reports an unknown chart id', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    p.mem.put(
      'denials',
      'remittances/test-agency/d.json',
      JSON.stringify({
        agencyId: 'test-agency',
        denials: [
          { chartId: 'HH-1001', reasonCodes: ['CO-16'], remarkCodes: ['N290'] },
          { chartId: 'NOPE', reasonCodes: ['CO-4'] },
        ],
      }),
    );
    const event = S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/d.json'));
    await p.svc.denials.handle(event);
    await p.svc.denials.handle(event);
    expect(await p.status('test-agency', 'HH-1001')).toBe('DENIED');
    expect(p.mem.events().filter((e) => e.type === 'object.duplicate-delivery')).toHaveLength(1);
    const report = [...p.mem.objects.entries()].find(
      ([k]) => k.startsWith('test-denials/quarantine/') && k.endsWith('report.json'),
    );
    expect(report?.[1]).toContain('no chart with this id');
  });

  it('finishes a batch a crashed delivery left open', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    for (const m of p.mem.take('validate')) await p.svc.validation.handle(ChartMessage.parse(m));
    for (const m of p.mem.take('sample')) await p.svc.sampling.handle(ChartMessage.parse(m));
    const billing = p.mem.take('billing');
    const failing = {
      ...p.mem.ports,
      queue: {
        send: async () => {
          throw new Error('SQS down');
        },
      },
    };
    const crashing = createBillingHandoffService({
      ports: failing,
      config: testConfig({}),
      clock: fixedClock(),
    });
    await expect(crashing.handle(billing.map((body, i) => ({ messageId: String(i), body })))).rejects.toThrow(
      'SQS down',
    );
    const items = billing.map((body, i) => ({ messageId: String(i), body }));
    // While the crashed holder's claim is live, a redelivery waits: deferred (to come again), not failed.
    expect(await p.svc.billing.handle(items)).toEqual({ failed: [], deferred: ['0'] });
    const later = createBillingHandoffService({
      ports: p.mem.ports,
      config: testConfig({}),
      clock: fixedClock('2026-11-23T12:05:00.000Z'),
    });
    expect(await later.handle(items)).toEqual({ failed: [], deferred: [] });
    const batches = [];
    for await (const b of p.mem.ports.batches.list()) batches.push(b);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.status).toBe('HANDED_OFF');
    expect(p.mem.take('coded-batches')).toHaveLength(1);
  });

  it('hands a batch to billing once when the same charts are delivered twice at once', async () => {
    const p = pipeline();
    await p.drop(
      'exports/test-agency/a.json',
      JSON.stringify([homeHealthChart({ chartId: 'A' }), homeHealthChart({ chartId: 'B' })]),
    );
    for (const m of p.mem.take('validate')) await p.svc.validation.handle(ChartMessage.parse(m));
    for (const m of p.mem.take('sample')) await p.svc.sampling.handle(ChartMessage.parse(m));
    const items = p.mem.take('billing').map((body, i) => ({ messageId: String(i), body }));
    await Promise.all([p.svc.billing.handle(items), p.svc.billing.handle(items)]);
    const ready = p.mem.take('coded-batches').map((m) => BatchReady.parse(m));
    expect(ready).toHaveLength(1);
    expect(ready[0]?.chartCount).toBe(2);
  });

  it('supersedes an older version still on its way when a newer export arrives, so only one is billed', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/v1.json', JSON.stringify(homeHealthChart({ version: 1 })));
    for (const m of p.mem.take('validate')) await p.svc.validation.handle(ChartMessage.parse(m));
    await p.drop('exports/test-agency/v2.json', JSON.stringify(homeHealthChart({ version: 2 })));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1001', 1)).toBe('SUPERSEDED');
    expect(await p.status('test-agency', 'HH-1001', 2)).toBe('BATCHED');
    expect(p.mem.events().filter((e) => e.type === 'chart.superseded')).toHaveLength(1);
  });

  it('supersedes, and audits, a version sent back by billing when a newer one has come meanwhile', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/v1.json', JSON.stringify(homeHealthChart({ version: 1 })));
    await p.settle();
    await p.drop('exports/test-agency/v2.json', JSON.stringify(homeHealthChart({ version: 2 })), 'e2');
    // Billing rejected v1's batch meanwhile: v1 is ready for billing again, and comes back to the stage.
    const key = await chartKeyOf(p.mem.ports.keys, 'test-agency', 'HH-1001');
    await p.mem.ports.charts.transition(key, 1, ['BATCHED'], 'READY_FOR_BILLING');
    await p.svc.billing.handle([
      { messageId: 'r1', body: { kind: 'chart', agencyId: 'test-agency', chartKey: key, version: 1 } },
    ]);
    expect(await p.mem.ports.charts.get(key, 1)).toMatchObject({ status: 'SUPERSEDED', supersededBy: 2 });
    expect(
      p.mem.events().filter((e) => e.type === 'chart.superseded' && e.actor === 'stage:billing-handoff'),
    ).toHaveLength(1);
  });

  it('denies the billed version even when a later re-export was not billed', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/v1.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    const broken = homeHealthChart({
      version: 2,
      diagnoses: [{ sequence: 1, code: 'I50.2', system: 'ICD-10-CM' }],
    });
    await p.drop('exports/test-agency/v2.json', JSON.stringify(broken));
    await p.settle();
    expect(await p.status('test-agency', 'HH-1001', 2)).toBe('REJECTED');
    p.mem.put(
      'denials',
      'remittances/test-agency/d.json',
      JSON.stringify({ agencyId: 'test-agency', denials: [{ chartId: 'HH-1001', reasonCodes: ['CO-16'] }] }),
    );
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/d.json')),
    );
    expect(await p.status('test-agency', 'HH-1001', 1)).toBe('DENIED');
  });

  it('records the audit event a crash between the transition and the audit write would have lost', async () => {
    const p = pipeline();
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    const [message] = p.mem.take('validate');
    const flaky = {
      ...p.mem.ports,
      audit: {
        ...p.mem.ports.audit,
        record: async () => {
          throw new Error('DynamoDB throttled');
        },
      },
    };
    const crashing = createValidationService({
      ports: flaky,
      config: testConfig({}),
      clock: fixedClock(),
      tables: tablesInForce,
    });
    await expect(crashing.handle(ChartMessage.parse(message))).rejects.toThrow('throttled');
    await p.svc.validation.handle(ChartMessage.parse(message));
    expect(p.mem.events().map((e) => e.type)).toContain('chart.validated');
    expect(p.mem.take('sample')).toHaveLength(1);
  });
});

/** A chart of coder-a sampled (a manager's rate of 1), and the review request it leaves. */
async function sampledChart(extra: Record<string, unknown> = {}) {
  const p = pipeline({
    ...SAMPLE_NOTHING,
    coderRates: { 'coder-a': 1 },
    senior: { probation: false },
    ...extra,
  });
  await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
  await p.settle();
  const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
  if (!request) throw new Error('not sampled');
  const verdict = (over: Partial<Verdict>): Verdict => verdictOn(request.chartKey, over);
  const reviews = async () => {
    const out = [];
    for await (const r of p.mem.ports.coders.reviews('test-agency', 'coder-a')) out.push(r);
    return out;
  };
  return { p, request, verdict, reviews };
}

describe('the QA review loop over in-memory ports', () => {
  it('records the coded chart in the coder ledger once, however often sampling runs', async () => {
    const { p, request } = await sampledChart();
    await p.svc.sampling.handle({
      kind: 'chart',
      agencyId: 'test-agency',
      chartKey: request.chartKey,
      version: 1,
    });
    expect(await p.mem.ports.coders.firstCoded('test-agency', 'coder-a', 10)).toHaveLength(1);
    const state = await p.mem.ports.charts.get(request.chartKey, 1);
    expect(state?.principalCategory).toBe('I69');
    const factors = state?.sampling?.factors.map((f) => f.factor) ?? [];
    expect(factors[0]).toBe('coder-rate');
    expect(factors).toEqual(expect.arrayContaining(['base-rate', 'probation']));
  });

  it('scores a correction into the ledger, once, and a duplicate verdict changes nothing', async () => {
    const { p, verdict, reviews, request } = await sampledChart();
    const corrected = verdict({
      outcome: 'corrected',
      corrections: [
        { sequence: 2, code: 'I50.32', category: 'specificity', severity: 'minor', direction: 'neutral' },
        {
          sequence: 9,
          code: 'E11.9',
          category: 'missed-comorbidity',
          severity: 'major',
          direction: 'under-coded',
        },
      ],
    });
    await p.svc.qaResult.handle(corrected);
    await p.svc.qaResult.handle(corrected);
    await p.settle();
    const [review, ...more] = await reviews();
    expect(more).toEqual([]);
    expect(review).toMatchObject({
      outcome: 'corrected',
      reviewerId: 'qa-1',
      category: 'I69',
      score: { chartAccurate: false, codesReviewed: 3, codesConfirmed: 1 },
    });
    const state = await p.mem.ports.charts.get(request.chartKey, 1);
    expect(state?.status).toBe('BATCHED');
    expect(state?.qa?.correctedDiagnoses?.find((d) => d.sequence === 2)?.code).toBe('I50.32');
    expect(state?.qa?.correctedDiagnoses?.find((d) => d.sequence === 9)?.code).toBe('E11.9');
    expect(p.mem.events().filter((e) => e.type === 'verdict.corrected')).toHaveLength(1);
    // Billing gets the corrected chart; the chart as received stays as it was.
    const [ready] = p.mem.take('coded-batches').map((m) => BatchReady.parse(m));
    const manifest = JSON.parse(await p.mem.ports.artifacts.getText('artifacts', ready?.manifestKey ?? ''));
    expect(manifest.members[0]).toMatchObject({
      qaCorrected: true,
      artifactKey: state?.qa?.correctedArtifactKey,
    });
    const billed = JSON.parse(
      await p.mem.ports.artifacts.getText('artifacts', manifest.members[0].artifactKey),
    );
    expect(billed.diagnoses.map((d: { code: string }) => d.code)).toEqual(['I69.351', 'I50.32', 'E11.9']);
    const original = JSON.parse(await p.mem.ports.artifacts.getText('artifacts', state?.artifactKey ?? ''));
    expect(original.diagnoses.map((d: { code: string }) => d.code)).toEqual(['I69.351', 'I50.22']);
  });

  it('sets aside a verdict by the coder of the chart, and puts the chart back on the review queue', async () => {
    const { p, verdict, reviews, request } = await sampledChart();
    await p.svc.qaResult.handle(verdict({ reviewerId: 'coder-a' }));
    expect((await p.mem.ports.charts.get(request.chartKey, 1))?.status).toBe('SAMPLED');
    expect(await reviews()).toEqual([]);
    const aside = p.mem.events().find((e) => e.type === 'verdict.set-aside');
    expect(aside?.detail).toMatchObject({ reason: 'a reviewer never reviews their own coding' });
    expect(p.mem.take('qa-review').map((m) => ReviewRequest.parse(m))).toMatchObject([
      { purpose: 'review', chartKey: request.chartKey, notBy: ['coder-a'] },
    ]);
  });

  it('holds a chart whose corrected codes raise a documentation query in QUERY_OPEN, unbilled', async () => {
    const { p, verdict, request } = await sampledChart();
    // The OASIS says there is no pressure ulcer; the reviewer adds a stage 3 one: a clinician query
    // (HH-OASIS-CONDITIONS), so the chart waits for the clinician instead of going to billing.
    const state = await p.mem.ports.charts.get(request.chartKey, 1);
    const raw = JSON.parse(await p.mem.ports.artifacts.getText('artifacts', state?.artifactKey ?? ''));
    raw.oasis.items.M1306 = '0';
    await p.mem.ports.artifacts.putJson('artifacts', state?.artifactKey ?? '', raw);
    await p.svc.qaResult.handle(
      verdict({
        outcome: 'corrected',
        corrections: [
          {
            sequence: 2,
            code: 'L89.153',
            category: 'missed-comorbidity',
            severity: 'major',
            direction: 'under-coded',
          },
        ],
      }),
    );
    await p.settle();
    const after = await p.mem.ports.charts.get(request.chartKey, 1);
    expect(after?.status).toBe('QUERY_OPEN');
    expect(after?.queries?.map((q) => q.ruleId)).toContain('HH-OASIS-CONDITIONS');
    expect(p.mem.take('coded-batches')).toEqual([]);
  });

  it('takes the identity SQS saw, not the ids a message names, once staff are configured', async () => {
    const { p, verdict, reviews, request } = await sampledChart();
    const staffed = createQaResultService({
      ports: p.mem.portsFor('qa-result'),
      config: testConfig({
        sampling: { ...SAMPLE_NOTHING, senior: { probation: false } },
        staff: [
          { principal: 'AIDAREVIEWER1', staffId: 'qa-1', roles: ['reviewer'] },
          { principal: 'AROACODERS', staffId: 'coder-a', roles: ['coder'] },
        ],
      }),
      clock: fixedClock(),
      tables: tablesInForce,
    });
    // The coder's role session names qa-1: refused. The reviewer's own identity: accepted.
    await staffed.handle(verdict({}), 'AROACODERS:coder-a-session');
    expect((await p.mem.ports.charts.get(request.chartKey, 1))?.status).toBe('SAMPLED');
    const refused = p.mem.events().find((e) => e.type === 'verdict.refused');
    expect(refused?.detail).toMatchObject({ reason: 'the sender is coder-a, not qa-1' });
    await staffed.handle(verdict({}), undefined);
    await staffed.handle(verdict({}), 'AIDAREVIEWER1');
    expect((await p.mem.ports.charts.get(request.chartKey, 1))?.status).toBe('QA_PASSED');
    expect(await reviews()).toHaveLength(1);
  });
});

describe('blind second reviews and disputes over in-memory ports', () => {
  async function reviewed(extra: Record<string, unknown> = {}) {
    const { p, request, verdict, reviews } = await sampledChart(extra);
    return { p, chartKey: request.chartKey, verdict, ledger: reviews };
  }

  it('sends a keyed share of first verdicts for a blind second review, by someone else, recorded as round two', async () => {
    const { p, chartKey, verdict, ledger } = await reviewed({ secondReviewRate: 1 });
    await p.svc.qaResult.handle(verdict({}));
    await p.settle();
    const [second] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
    expect(second).toMatchObject({
      purpose: 'second-review',
      notBy: ['coder-a', 'qa-1'],
      reason: 'blind second review',
    });
    expect(JSON.stringify(second)).not.toContain('agree');
    // On the review board: the first review answered, the second waiting, shown nothing of the first.
    const board = () => p.mem.ports.reviews.pending('test-agency', 'qa-review');
    expect((await board()).map((e) => [e.purpose, e.notBy])).toEqual([
      ['second-review', ['coder-a', 'qa-1']],
    ]);
    const shown = (await board())[0]?.shown ?? {};
    expect(Object.keys(shown).sort()).toEqual(['findings', 'sampling']);
    expect(
      (
        await p.mem.ports.reviews.get({
          agencyId: 'test-agency',
          queue: 'qa-review',
          chartKey,
          version: 1,
          purpose: 'review',
        })
      )?.closedAt,
    ).toBeDefined();
    // The first reviewer cannot give it; another reviewer can, once.
    await p.svc.qaResult.handle(verdict({ round: 'second', reviewedAt: '2026-11-04T10:00:00Z' }));
    // Set aside, and the request put back for someone who may answer it (the CLI had taken it).
    expect(p.mem.take('qa-review').map((m) => ReviewRequest.parse(m).purpose)).toEqual(['second-review']);
    const other = verdict({
      round: 'second',
      reviewerId: 'qa-2',
      outcome: 'corrected',
      reviewedAt: '2026-11-04T11:00:00Z',
      corrections: [
        { sequence: 2, code: 'I50.32', category: 'specificity', severity: 'minor', direction: 'neutral' },
      ],
    });
    await p.svc.qaResult.handle(other);
    await p.svc.qaResult.handle(other);
    expect(await board()).toEqual([]);
    const state = await p.mem.ports.charts.get(chartKey, 1);
    expect(state?.status).toBe('BATCHED');
    expect(state?.secondReview).toEqual({
      reviewerId: 'qa-2',
      outcome: 'corrected',
      reviewedAt: '2026-11-04T11:00:00Z',
    });
    expect((await ledger()).map((r) => [r.round, r.reviewerId])).toEqual([
      ['first', 'qa-1'],
      ['second', 'qa-2'],
    ]);
    const reasons = p.mem
      .events()
      .filter((e) => e.type === 'verdict.set-aside')
      .map((e) => e.detail?.reason);
    expect(reasons).toEqual(['a second review is by someone other than the coder and the first reviewer']);
  });

  it('sends no second review at rate 0', async () => {
    const { p, verdict } = await reviewed({ secondReviewRate: 0 });
    await p.svc.qaResult.handle(verdict({}));
    expect(p.mem.take('qa-review')).toEqual([]);
  });

  it('routes a dispute to senior review, and an overturned correction stops counting against the coder', async () => {
    const { p, chartKey, verdict } = await reviewed({ secondReviewRate: 0 });
    await p.svc.qaResult.handle(
      verdict({
        outcome: 'corrected',
        corrections: [
          {
            sequence: 1,
            code: 'I69.354',
            category: 'principal-selection',
            severity: 'major',
            direction: 'neutral',
          },
          { sequence: 2, code: 'I50.32', category: 'specificity', severity: 'minor', direction: 'neutral' },
        ],
      }),
    );
    await p.settle();
    const dispute = {
      kind: 'dispute' as const,
      agencyId: 'test-agency',
      chartKey,
      version: 1,
      coderId: 'coder-a',
      corrections: [0],
      disputedAt: '2026-11-05T09:00:00Z',
    };
    await p.svc.qaResult.handle({ ...dispute, coderId: 'coder-b' });
    await p.svc.qaResult.handle(dispute);
    await p.svc.qaResult.handle(dispute);
    const requests = p.mem.take('qa-review-senior').map((m) => ReviewRequest.parse(m));
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ purpose: 'dispute', notBy: ['coder-a', 'qa-1'] });
    // The senior is shown the review and the disputed correction, from the board.
    const [waiting] = await p.mem.ports.reviews.pending('test-agency', 'qa-review-senior');
    // Not the first reviewers' to read: a dispute's entry shows the first review.
    expect(await p.mem.ports.reviews.pending('test-agency', 'qa-review')).toEqual([]);
    expect(waiting).toMatchObject({ purpose: 'dispute', queue: 'qa-review-senior' });
    expect(waiting?.shown).toMatchObject({ dispute: { corrections: [0] }, review: { reviewerId: 'qa-1' } });
    const resolution = {
      kind: 'dispute-resolution' as const,
      agencyId: 'test-agency',
      chartKey,
      version: 1,
      reviewerId: 'qa-senior',
      outcome: 'overturned' as const,
      resolvedAt: '2026-11-06T09:00:00Z',
    };
    await p.svc.qaResult.handle({ ...resolution, reviewerId: 'qa-1' });
    // Set aside, and the request put back for a senior who may decide it.
    expect(p.mem.take('qa-review-senior').map((m) => ReviewRequest.parse(m).purpose)).toEqual(['dispute']);
    await p.svc.qaResult.handle(resolution);
    expect(await p.mem.ports.reviews.pending('test-agency', 'qa-review-senior')).toEqual([]);
    const [record, ...more] = await p.mem.ports.coders.disputes('test-agency', 'coder-a');
    expect(more).toEqual([]);
    // Without the overturned principal correction: the chart is accurate, two of two codes kept but one.
    expect(record).toMatchObject({
      outcome: 'overturned',
      corrections: [0],
      score: { chartAccurate: true, codesReviewed: 2, codesConfirmed: 1 },
    });
    expect((await p.mem.ports.charts.get(chartKey, 1))?.disputeResolution).toMatchObject({
      outcome: 'overturned',
    });
    const types = p.mem.events().map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['dispute.set-aside', 'dispute.opened', 'dispute.overturned']),
    );
    const asides = p.mem
      .events()
      .filter((e) => e.type === 'dispute.set-aside')
      .map((e) => e.detail?.reason);
    expect(asides).toEqual([
      'only the coder of the chart may dispute its review',
      'a dispute is decided by someone other than the coder and the reviewer',
    ]);
  });
});

describe('coding-related denials in the coder ledger', () => {
  async function deniedWith(reasonCodes: string[], corrected = false) {
    const p = pipeline({
      ...SAMPLE_NOTHING,
      coderRates: corrected ? { 'coder-a': 1 } : {},
      senior: { probation: false },
    });
    await p.drop('exports/test-agency/a.json', JSON.stringify(homeHealthChart()));
    await p.settle();
    if (corrected) {
      const [request] = p.mem.take('qa-review').map((m) => ReviewRequest.parse(m));
      await p.svc.qaResult.handle(
        verdictOn(request?.chartKey ?? '', {
          outcome: 'corrected',
          corrections: [
            {
              sequence: 1,
              code: 'I50.32',
              category: 'principal-selection',
              severity: 'major',
              direction: 'neutral',
            },
          ],
        }),
      );
      await p.settle();
    }
    const denial = JSON.stringify({
      agencyId: 'test-agency',
      denials: [{ chartId: 'HH-1001', reasonCodes }],
    });
    p.mem.put('denials', 'remittances/test-agency/d.json', denial);
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/d.json')),
    );
    // The same file again changes nothing.
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/d.json')),
    );
    return p.mem.ports.coders.denials('test-agency', 'coder-a', '2000-01-01T00:00:00Z');
  }

  it('records a denial whose CARC feeds coder feedback, once, under the principal category', async () => {
    const marks = await deniedWith(['CO-146', 'CO-16']);
    expect(marks).toMatchObject([{ reasonCodes: ['CO-146'], category: 'I69' }]);
    expect(marks[0]?.qaCorrected).toBeUndefined();
  });

  it('records nothing for a CARC that needs its remark codes (partial) or is not a coding matter', async () => {
    expect(await deniedWith(['CO-16', 'PR-1'])).toEqual([]);
  });

  it('marks a denial of a chart billed with QA-corrected codes, under the billed principal category', async () => {
    const marks = await deniedWith(['CO-146'], true);
    expect(marks).toMatchObject([{ category: 'I50', qaCorrected: true }]);
  });
});

describe('denial ingestion over in-memory ports: CSV, mapping file, JSON by claimRef, bad files', () => {
  async function billed(p: ReturnType<typeof pipeline>, ids: string[]) {
    for (const [i, id] of ids.entries())
      await p.drop(
        `exports/test-agency/${id}.json`,
        JSON.stringify(homeHealthChart({ chartId: id })),
        `e${i}`,
      );
    await p.settle();
    const refs: Record<string, string> = {};
    for (const id of ids) {
      const s = await p.mem.ports.charts.get(await chartKeyOf(p.mem.ports.keys, 'test-agency', id), 1);
      refs[id] = s?.claimRef ?? '';
    }
    return refs;
  }
  const handle = async (p: ReturnType<typeof pipeline>, key: string, body: string, etag = 'r1') => {
    p.mem.put('denials', key, body);
    await p.svc.denials.handle(S3EventMessage.parse(s3Event('test-denials', key, etag)));
  };
  const received = (p: ReturnType<typeof pipeline>) =>
    p.mem
      .events()
      .filter((e) => e.type === 'remittance.received')
      .map((e) => e.detail);

  it('applies a CSV denial export and a billing mapping file; unknown codes are listed, not quarantined', async () => {
    const p = pipeline();
    const refs = await billed(p, ['C-1', 'C-2', 'C-3']);
    await handle(
      p,
      'remittances/test-agency/mappings/m.csv',
      `billing_claim_number,claim_ref\nACCT 77,${refs['C-3']}\nbad,NOTAREF\n`,
    );
    await handle(
      p,
      'remittances/test-agency/era.csv',
      [
        'claim_ref,status,charge,paid,reason_codes,remark_codes,payer_id',
        `${refs['C-1']},paid,100,90,CO-45:10,,MAC`,
        `${refs['C-2']},denied,100,0,CO-16,MA66,MAC`,
        'ACCT 77,denied,100,0,CO-999,,MAC',
      ].join('\n'),
    );
    expect(await p.status('test-agency', 'C-1')).toBe('PAID');
    expect(await p.status('test-agency', 'C-2')).toBe('DENIED');
    expect(await p.status('test-agency', 'C-3')).toBe('DENIED');
    const c2 = await p.mem.ports.charts.get(await chartKeyOf(p.mem.ports.keys, 'test-agency', 'C-2'), 1);
    expect(c2).toMatchObject({
      denial: { family: 'coding', coderRelated: true },
      rework: { family: 'coding' },
    });
    const [detail] = received(p);
    expect(detail).toMatchObject({
      format: 'csv',
      claims: 3,
      paid: 1,
      denied: 2,
      codingDenied: 1,
      unknownCodes: ['999'],
    });
    expect(detail?.report).toBeUndefined();
    const mapping = p.mem.events().find((e) => e.type === 'claim-mapping.received');
    expect(mapping?.detail).toMatchObject({ mapped: 1, issues: 1 });
    // The billing system's own number is kept as a keyed HMAC only: not in audit events or records.
    const records = [];
    for await (const r of p.mem.ports.remittances.list('test-agency')) records.push(r);
    expect(records).toHaveLength(3);
    expect(JSON.stringify([p.mem.events(), records])).not.toContain('ACCT 77');
  });

  it('matches the JSON denial file by claimRef, and reports a file that is no 835', async () => {
    const p = pipeline();
    const refs = await billed(p, ['J-1']);
    await handle(
      p,
      'remittances/test-agency/d.json',
      JSON.stringify({
        agencyId: 'test-agency',
        denials: [{ claimRef: refs['J-1'], reasonCodes: ['CO-197'] }],
      }),
    );
    expect(await p.status('test-agency', 'J-1')).toBe('DENIED');
    await handle(p, 'remittances/test-agency/garbage.835', 'this is not X12 at all', 'r2');
    const reports = [...p.mem.objects.entries()].filter(
      ([k]) => k.includes('/quarantine/') && k.endsWith('report.json'),
    );
    expect(reports.map(([, v]) => v).join()).toContain('no 835 transaction set');
    expect(received(p).at(-1)).toMatchObject({ format: 'x12-835', claims: 0 });
  });

  it('lands a reversal and its correction in the payer order when the reversal failed once', async () => {
    const p = pipeline();
    const refs = await billed(p, ['R-1']);
    const csv = [
      'claim_ref,status,charge,paid,reason_codes,paid_date,trace_number',
      `${refs['R-1']},paid,100,90,CO-45:10,2026-11-20,T1`,
      `${refs['R-1']},reversal,-100,-90,CO-45:-10,2026-11-20,T1`,
      `${refs['R-1']},paid,100,85,CO-45:15,2026-11-20,T1`,
    ].join('\n');
    failOnce(p.mem.ports.remittances, 'record', (r) => r.disposition === 'reversal', 'throttled');
    await expect(handle(p, 'remittances/test-agency/r.csv', csv)).rejects.toThrow('throttled');
    // The correction was not applied before its reversal: the delivery failed and is retried whole.
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/r.csv', 'r1')),
    );
    const state = await p.mem.ports.charts.get(await chartKeyOf(p.mem.ports.keys, 'test-agency', 'R-1'), 1);
    expect(state).toMatchObject({
      status: 'PAID',
      remittance: { netPaid: 85, adjudications: 3, lastDisposition: 'paid' },
    });
  });

  it('counts a JSON denial file dropped under two keys once', async () => {
    const p = pipeline();
    await billed(p, ['J-2']);
    const file = JSON.stringify({
      agencyId: 'test-agency',
      denials: [{ chartId: 'J-2', reasonCodes: ['CO-146'] }],
    });
    await handle(p, 'remittances/test-agency/a.json', file, 'x1');
    await handle(p, 'remittances/test-agency/b.json', file, 'x2');
    const state = await p.mem.ports.charts.get(await chartKeyOf(p.mem.ports.keys, 'test-agency', 'J-2'), 1);
    expect(state?.remittance?.adjudications).toBe(1);
    expect(await p.mem.ports.coders.denials('test-agency', 'coder-a', '2000-01-01T00:00:00Z')).toHaveLength(
      1,
    );
  });

  it('records one coder mark when a delivery died between writing the answer and moving the chart', async () => {
    const p = pipeline();
    const refs = await billed(p, ['K-1']);
    const csv = ['claim_ref,status,charge,paid,reason_codes', `${refs['K-1']},denied,100,0,CO-146`].join(
      '\n',
    );
    failOnce(p.mem.ports.charts, 'transition', (...args) => args[3] === 'DENIED', 'timed out');
    await expect(handle(p, 'remittances/test-agency/k.csv', csv)).rejects.toThrow('timed out');
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/k.csv', 'r1')),
    );
    expect(await p.status('test-agency', 'K-1')).toBe('DENIED');
    expect(await p.mem.ports.coders.denials('test-agency', 'coder-a', '2000-01-01T00:00:00Z')).toHaveLength(
      1,
    );
    const audits = p.mem.events().filter((e) => e.type === 'rework.opened');
    expect(audits).toHaveLength(1);
  });

  it("keeps the latest denial as the chart's denial when another delivery brought it", async () => {
    const p = pipeline();
    const refs = await billed(p, ['L-1']);
    const charts = p.mem.ports.charts;
    failOnce(charts, 'transition', (...args) => args[3] === 'DENIED', 'timed out');
    // The denial (the payer's later answer) is written, then its delivery dies before moving the chart.
    const denied = [
      'claim_ref,status,charge,paid,reason_codes,paid_date',
      `${refs['L-1']},denied,100,0,CO-146,2026-11-21`,
    ];
    await expect(handle(p, 'remittances/test-agency/l-denied.csv', denied.join('\n'))).rejects.toThrow(
      'timed out',
    );
    // An earlier payment arrives in another file: the denial it reads back is the claim's latest answer.
    const paid = [
      'claim_ref,status,charge,paid,reason_codes,paid_date',
      `${refs['L-1']},paid,100,90,CO-45:10,2026-11-20`,
    ];
    await handle(p, 'remittances/test-agency/l-paid.csv', paid.join('\n'), 'r2');
    const key = await chartKeyOf(p.mem.ports.keys, 'test-agency', 'L-1');
    const records = await p.mem.ports.remittances.forVersion(key, 1);
    const denial = records.find((r) => r.disposition === 'denied');
    expect(await charts.get(key, 1)).toMatchObject({
      status: 'DENIED',
      denial: { denialId: denial?.remitId, family: 'coding', coderRelated: true },
    });
    // The denied file, retried, opens the rework its delivery did not.
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/l-denied.csv', 'r1')),
    );
    expect(await charts.get(key, 1)).toMatchObject({
      status: 'DENIED',
      rework: { denialId: denial?.remitId },
    });
  });

  it('sorts an undated answer by when its file was first taken in, not by when a retry applied it', async () => {
    const config = testConfig({ sampling: SAMPLE_NOTHING });
    const p = pipeline();
    const refs = await billed(p, ['U-1']);
    let now = '2026-11-23T12:00:00.000Z';
    const clock = { now: () => new Date(now) };
    const denials = createDenialIngestionService({
      ports: p.mem.portsFor('denial-ingestion'),
      config,
      clock,
    });
    failOnce(p.mem.ports.remittances, 'record', (r) => r.disposition === 'denied', 'throttled');
    const deliver = async (key: string, lines: string[]) => {
      p.mem.put('denials', key, ['claim_ref,status,charge,paid,reason_codes', ...lines].join('\n'));
      await denials.handle(S3EventMessage.parse(s3Event('test-denials', key, 'r1')));
    };
    // The first file (no dates in it) pays, then denies; the denial fails and the delivery is retried.
    const first = [`${refs['U-1']},paid,100,90,`, `${refs['U-1']},denied,100,0,CO-16`];
    await expect(deliver('remittances/test-agency/u-1.csv', first)).rejects.toThrow('throttled');
    // A later file pays the claim again, before the first file's retry lands three days on.
    now = '2026-11-24T12:00:00.000Z';
    await deliver('remittances/test-agency/u-2.csv', [`${refs['U-1']},paid,100,80,`]);
    now = '2026-11-26T12:00:00.000Z';
    await deliver('remittances/test-agency/u-1.csv', first);
    // The denial sorts with its file (taken in on the 23rd), before the later file's payment.
    const key = await chartKeyOf(p.mem.ports.keys, 'test-agency', 'U-1');
    const records = await p.mem.ports.remittances.forVersion(key, 1);
    expect(
      records.find((r) => r.disposition === 'denied')?.sequence.startsWith('2026-11-23T12:00:00.000Z#'),
    ).toBe(true);
    expect(await p.mem.ports.charts.get(key, 1)).toMatchObject({
      status: 'PAID',
      remittance: { adjudications: 3, lastDisposition: 'paid', netPaid: 170 },
    });
  });

  it('fails the file, not the process, when a claim lookup fails while others are under way', async () => {
    const p = pipeline();
    await billed(p, ['F-1']);
    const ledger = p.mem.ports.remittances;
    const aliasOf = ledger.aliasOf.bind(ledger);
    let calls = 0;
    ledger.aliasOf = async (...args) => {
      calls++;
      if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 20));
      if (calls === 3) throw new Error('throttled');
      return aliasOf(...args);
    };
    const lines = ['ACCT 1', 'ACCT 2', 'ACCT 3', 'ACCT 4'].map((n) => `${n},paid,100,90`);
    // The third lookup fails while the first is still waited on: the delivery rejects (and is retried);
    // an unhandled rejection would fail this test run.
    await expect(
      handle(p, 'remittances/test-agency/f.csv', ['claim_ref,status,charge,paid', ...lines].join('\n')),
    ).rejects.toThrow('throttled');
    expect(calls).toBe(4);
  });

  it('resolves the overpayment of a corrected paid claim when its replacement is paid, retried and audited', async () => {
    const p = pipeline();
    const refs = await billed(p, ['O-1']);
    await handle(
      p,
      'remittances/test-agency/o-paid.csv',
      ['claim_ref,status,charge,paid', `${refs['O-1']},paid,100,90`].join('\n'),
    );
    // Recoded after payment: version 2 opens a possible overpayment on version 1.
    await p.drop(
      'exports/test-agency/o-1-v2.json',
      JSON.stringify(homeHealthChart({ chartId: 'O-1', version: 2 })),
      'e9',
    );
    await p.settle();
    const key = await chartKeyOf(p.mem.ports.keys, 'test-agency', 'O-1');
    expect((await p.mem.ports.charts.get(key, 1))?.overpayment).toMatchObject({ byVersion: 2 });
    const v2 = (await p.mem.ports.charts.get(key, 2))?.claimRef ?? '';
    const charts = p.mem.ports.charts;
    const transition = charts.transition.bind(charts);
    let raced = 1;
    charts.transition = async (...args) => {
      // A late reversal of version 1 moves it to ADJUSTED between our read and our write.
      if (args[1] === 1 && args.at(4) && raced-- > 0) {
        const before = (await charts.get(key, 1))?.remittance;
        if (!before) throw new Error('version 1 has no remittance');
        await transition(key, 1, ['PAID'], 'ADJUSTED', {
          remittance: { ...before, netPaid: 0, lastDisposition: 'reversal', adjudications: 2 },
        });
        return transition(...args);
      }
      return transition(...args);
    };
    failOnce(p.mem.ports.audit, 'record', (e) => e.type === 'overpayment.resolved', 'crashed');
    const csv = ['claim_ref,status,charge,paid', `${v2},paid,100,80`].join('\n');
    await expect(handle(p, 'remittances/test-agency/o-v2.csv', csv, 'r3')).rejects.toThrow('crashed');
    const [paid] = await p.mem.ports.remittances.forVersion(key, 2);
    expect(await charts.get(key, 1)).toMatchObject({
      status: 'ADJUSTED',
      overpayment: { resolvedAt: paid?.receivedAt },
    });
    // The retry finds the item resolved by this payment and records the audit event it missed.
    await p.svc.denials.handle(
      S3EventMessage.parse(s3Event('test-denials', 'remittances/test-agency/o-v2.csv', 'r3')),
    );
    expect(p.mem.events().filter((e) => e.type === 'overpayment.resolved')).toHaveLength(1);
  });
});
