import { describe, expect, it } from 'vitest';
import { correctedArtifactKey, createQaResultService } from '#functions/qa-result/service.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { homeHealthChart } from '../support/charts.ts';
import { losingToADyingWinner } from '../support/lost-race.ts';
import { ARTIFACT_KEY, CHART_KEY, FIX, NOW, qaWorld, SENDER_ACTOR } from '../support/qa-result-world.ts';

const SUBJECT = chartSubject(CHART_KEY, 1);
const BILLING = [{ kind: 'chart', agencyId: 'test-agency', chartKey: CHART_KEY, version: 1 }];

/** The chart as the reviewer's corrections leave it, judged by the rules as qa-result judges it. */
const recheck = (diagnoses: { sequence: number; code: string }[]) =>
  checkChart({ ...homeHealthChart(), diagnoses }, tablesInForce);

describe('qa-result: a first review of a sampled chart', () => {
  it('passes an agreed chart to billing, scored into the coder ledger and audited', async () => {
    const w = await qaWorld();
    // An offset time: the ledger sorts by the UTC instant.
    await w.service.handle(w.verdict({ reviewedAt: '2026-11-03T05:00:00-05:00', noteKey: 'notes/n-1.txt' }));
    const state = await w.state();
    expect(state.status).toBe('QA_PASSED');
    expect(state.qa).toEqual({
      outcome: 'agree',
      reviewerId: 'qa-1',
      reviewedAt: '2026-11-03T05:00:00-05:00',
      corrections: [],
      score: { chartAccurate: true, codesReviewed: 2, codesConfirmed: 2 },
    });
    expect(await w.ledger()).toStrictEqual([
      {
        kind: 'review',
        agencyId: 'test-agency',
        coderId: 'coder-a',
        chartKey: CHART_KEY,
        version: 1,
        reviewerId: 'qa-1',
        reviewedAt: '2026-11-03T10:00:00.000Z',
        round: 'first',
        outcome: 'agree',
        lineOfBusiness: 'home_health',
        score: { chartAccurate: true, codesReviewed: 2, codesConfirmed: 2 },
        category: 'I69',
        corrections: [],
      },
    ]);
    expect(w.mem.events()).toEqual([
      {
        type: 'verdict.agree',
        agencyId: 'test-agency',
        subject: SUBJECT,
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: 'verdict',
        detail: {
          status: 'QA_PASSED',
          reviewerId: 'qa-1',
          coderId: 'coder-a',
          corrections: [],
          score: { chartAccurate: true, codesReviewed: 2, codesConfirmed: 2 },
          noteKey: 'notes/n-1.txt',
        },
      },
    ]);
    expect(w.take('billing')).toEqual(BILLING);
    expect(w.mem.sent).toEqual([]);
  });

  it('names the identity SQS says sent the verdict as its actor, never who the body says submitted it', async () => {
    const w = await qaWorld();
    await w.service.handle(w.verdict({ submittedBy: 'arn:aws:iam::111122223333:user/someone-else' }));
    expect(w.events('verdict.agree').map((e) => e.actor)).toEqual([SENDER_ACTOR]);
    // A message with no sender identity (never so from SQS) acts as nobody in particular.
    const v = await qaWorld();
    await v.service.handle(v.verdict(), undefined);
    expect(v.events('verdict.agree').map((e) => e.actor)).toEqual(['sender:unknown']);
  });

  it('records a review of a chart without a principal category under no category', async () => {
    const w = await qaWorld({ state: { principalCategory: undefined } });
    await w.service.handle(w.verdict());
    const [review] = await w.ledger();
    expect(review && 'category' in review ? review.category : 'absent').toBeUndefined();
    expect(review?.outcome).toBe('agree');
  });

  it('bills a corrected chart from a corrected copy beside the original, grouped by the corrected codes', async () => {
    const w = await qaWorld({ state: { grouping: stateGrouping() } });
    // The principal replaced by the heart failure code, the second diagnosis removed: another clinical group.
    const corrections = [
      { ...FIX.principal, code: 'I50.22' },
      { sequence: 2, remove: true, category: 'unsupported-code', severity: 'major', direction: 'over-coded' },
    ] as const;
    await w.service.handle(w.verdict({ outcome: 'corrected', corrections: [...corrections] }));
    const state = await w.state();
    const key = correctedArtifactKey(ARTIFACT_KEY, {
      reviewerId: 'qa-1',
      reviewedAt: '2026-11-03T10:00:00Z',
    });
    const check = recheck([{ sequence: 1, code: 'I50.22' }]);
    expect(check.grouping?.hipps).toBe('1HA11');
    expect(state).toMatchObject({
      status: 'QA_CORRECTED',
      grouping: check.grouping,
      qa: {
        outcome: 'corrected',
        originalDiagnoses: [
          { sequence: 1, code: 'I69.351' },
          { sequence: 2, code: 'I50.22' },
        ],
        correctedDiagnoses: [{ sequence: 1, code: 'I50.22' }],
        findings: check.findings,
        correctedArtifactKey: key,
        score: { chartAccurate: false, codesReviewed: 2, codesConfirmed: 0 },
      },
    });
    expect(state.queries).toBeUndefined();
    const billed = JSON.parse(await w.mem.ports.artifacts.getText('artifacts', key));
    expect(billed).toEqual({
      ...homeHealthChart(),
      diagnoses: [{ sequence: 1, code: 'I50.22', system: 'ICD-10-CM' }],
    });
    const original = JSON.parse(await w.mem.ports.artifacts.getText('artifacts', ARTIFACT_KEY));
    expect(original).toEqual(homeHealthChart());
    // The ledger keeps how each correction was classified, not the codes.
    expect((await w.ledger()).map((r) => r.corrections)).toStrictEqual([
      [
        { category: 'principal-selection', severity: 'major', direction: 'neutral' },
        { category: 'unsupported-code', severity: 'major', direction: 'over-coded' },
      ],
    ]);
    expect(w.events('verdict.corrected').map((e) => e.detail?.corrections)).toEqual([corrections]);
    expect(w.take('billing')).toEqual(BILLING);
  });

  it('sends a chart whose corrected codes the rules reject back to the coder, with no corrected copy', async () => {
    const w = await qaWorld();
    await w.service.handle(
      w.verdict({ outcome: 'corrected', corrections: [{ ...FIX.specificity, code: 'I50' }] }),
    );
    const state = await w.state();
    expect(state.status).toBe('REJECTED');
    expect(state.qa?.findings?.map((f) => `${f.ruleId}:${f.severity}`)).toContain('DX-BILLABLE:reject');
    expect(state.qa?.correctedArtifactKey).toBeUndefined();
    expect(state.queries).toBeUndefined();
    expect([...w.mem.objects.keys()]).toEqual([`test-artifacts/${ARTIFACT_KEY}`]);
    expect(w.events('verdict.corrected').map((e) => e.detail?.status)).toEqual(['REJECTED']);
    expect(w.take('billing')).toEqual([]);
  });

  it('holds a chart whose corrected codes raise a documentation query in QUERY_OPEN, with its queries', async () => {
    // The OASIS says there is no pressure ulcer; the reviewer adds a stage 3 one (HH-OASIS-CONDITIONS).
    const chart = homeHealthChart();
    const w = await qaWorld({
      chart: { oasis: { ...chart.oasis, items: { ...chart.oasis?.items, M1306: '0' } } },
    });
    const ulcer = { ...FIX.added, sequence: 2, code: 'L89.153' };
    await w.service.handle(w.verdict({ outcome: 'corrected', corrections: [ulcer] }));
    const state = await w.state();
    expect(state.status).toBe('QUERY_OPEN');
    expect(state.queries?.map(({ ruleId, openedAt }) => ({ ruleId, openedAt }))).toEqual([
      { ruleId: 'HH-OASIS-CONDITIONS', openedAt: NOW },
    ]);
    expect(state.qa?.correctedArtifactKey).toBeUndefined();
    expect(w.take('billing')).toEqual([]);
  });

  it('sends a rejected chart back to the coder unbilled, the chart scored inaccurate', async () => {
    const w = await qaWorld();
    await w.service.handle(w.verdict({ outcome: 'rejected', corrections: [FIX.specificity] }));
    const state = await w.state();
    expect(state.status).toBe('REJECTED');
    expect(state.qa?.findings).toBeUndefined();
    expect((await w.ledger()).map((r) => [r.outcome, r.score])).toEqual([
      ['rejected', { chartAccurate: false, codesReviewed: 2, codesConfirmed: 1 }],
    ]);
    expect(w.take('billing')).toEqual([]);
  });

  it.each(['agree', 'rejected'] as const)(
    'keeps the grouping of the codes as coded when the verdict is %s (only corrections regroup)',
    async (outcome) => {
      const w = await qaWorld({ state: { grouping: stateGrouping() } });
      await w.service.handle(
        w.verdict(outcome === 'agree' ? { outcome } : { outcome, corrections: [FIX.specificity] }),
      );
      expect((await w.state()).grouping).toEqual(stateGrouping());
    },
  );

  it('keeps no HIPPS of the codes as coded when the corrected principal does not group', async () => {
    const w = await qaWorld({ state: { grouping: stateGrouping() } });
    await w.service.handle(
      w.verdict({ outcome: 'corrected', corrections: [{ ...FIX.principal, code: 'R69' }] }),
    );
    const state = await w.state();
    expect(state.status).toBe('QA_CORRECTED');
    expect(state.grouping).toBeUndefined();
  });

  it('gives the first of two verdicts racing for the chart the review; the other is set aside', async () => {
    const w = await qaWorld();
    await Promise.all([
      w.service.handle(w.verdict({ reviewerId: 'qa-1' })),
      w.service.handle(w.verdict({ reviewerId: 'qa-2', outcome: 'rejected' })),
    ]);
    // Either may win: the winner's review, status, ledger record and event; the other is set aside, as
    // a verdict arriving a moment later would be, and scores nothing.
    const state = await w.state();
    const winner = state.qa?.reviewerId;
    expect(winner === 'qa-1' ? ['QA_PASSED', 'verdict.agree'] : ['REJECTED', 'verdict.rejected']).toEqual([
      state.status,
      ...w.eventTypes().filter((t) => t !== 'verdict.set-aside'),
    ]);
    expect(w.eventTypes().filter((t) => t === 'verdict.set-aside')).toHaveLength(1);
    expect((await w.ledger()).map((r) => r.reviewerId)).toEqual([winner]);
  });
});

describe('qa-result: verdicts that are set aside', () => {
  it.each([
    ['an unknown chart version', {}, { version: 2 }, 'no such chart version'],
    [
      'a chart not sampled yet',
      { status: 'VALIDATED', sampling: undefined },
      {},
      'chart is VALIDATED, not awaiting QA review',
    ],
    [
      'a chart another reviewer reviewed',
      {
        status: 'QA_PASSED',
        qa: { outcome: 'agree', reviewerId: 'qa-2', reviewedAt: '2026-11-03T09:00:00Z' },
      },
      {},
      'chart is QA_PASSED, not awaiting QA review',
    ],
    [
      'a chart the same reviewer reviewed at another time',
      {
        status: 'QA_PASSED',
        qa: { outcome: 'agree', reviewerId: 'qa-1', reviewedAt: '2026-11-03T09:00:00Z' },
      },
      {},
      'chart is QA_PASSED, not awaiting QA review',
    ],
  ] as const)('sets aside, changing nothing, a verdict for %s', async (_, state, over, reason) => {
    const w = await qaWorld({ state });
    const before = await w.state();
    const verdict = w.verdict({ ...over, outcome: 'rejected', corrections: [] });
    await w.service.handle(verdict);
    await w.service.handle(verdict);
    expect(w.mem.events()).toEqual([
      {
        type: 'verdict.set-aside',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, verdict.version),
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: 'set-aside:qa-1:2026-11-03T10:00:00Z',
        detail: { reason, outcome: 'rejected' },
      },
    ]);
    expect(await w.state()).toEqual(before);
    expect(await w.ledger()).toEqual([]);
    expect(w.mem.sent).toEqual([]);
  });

  it('records each set-aside verdict once, by its reviewer and time, under the identity that sent it', async () => {
    const w = await qaWorld({ state: { status: 'NOT_SAMPLED' } });
    await w.service.handle(w.verdict({ submittedBy: 'local:pat' }), 'AROAPAT:pat');
    await w.service.handle(w.verdict({ reviewedAt: '2026-11-03T11:00:00Z' }));
    expect(w.events('verdict.set-aside').map((e) => [e.actor, e.idempotencyKey])).toEqual([
      ['sender:AROAPAT:pat', 'set-aside:qa-1:2026-11-03T10:00:00Z'],
      [SENDER_ACTOR, 'set-aside:qa-1:2026-11-03T11:00:00Z'],
    ]);
  });

  it('sets aside the coder reviewing their own chart, and puts the request back on its queue', async () => {
    const w = await qaWorld({
      state: {
        sampling: {
          sampled: true,
          rule: 'probation',
          rate: 1,
          draw: 0.2,
          queue: 'qa-review-senior',
          reason: 'probation: coder-a is in probation',
          factors: [],
        },
      },
    });
    await w.service.handle(w.verdict({ reviewerId: 'coder-a' }));
    expect((await w.state()).status).toBe('SAMPLED');
    expect(w.events('verdict.set-aside').map((e) => e.detail)).toEqual([
      { reason: 'a reviewer never reviews their own coding', outcome: 'agree' },
    ]);
    expect(w.take('qa-review-senior')).toEqual([
      {
        kind: 'review-request',
        purpose: 'review',
        notBy: ['coder-a'],
        agencyId: 'test-agency',
        chartKey: CHART_KEY,
        version: 1,
        coderId: 'coder-a',
        artifactKey: ARTIFACT_KEY,
        reason: 'probation: coder-a is in probation',
        requestedAt: NOW,
      },
    ]);
    expect(await w.ledger()).toEqual([]);
  });
});

describe('qa-result: where a corrected chart is kept', () => {
  it.each([
    ['a chart stored as .json', 'charts/a/ck/v1-abc.json', 'charts/a/ck/v1-abc.qa-5aa4e9c86211.json'],
    ['a key without an extension', 'charts/a/ck/v1-abc', 'charts/a/ck/v1-abc.qa-5aa4e9c86211.json'],
  ])('names the copy after the verdict beside %s', (_, key, copy) => {
    expect(correctedArtifactKey(key, { reviewerId: 'qa-1', reviewedAt: '2026-11-03T10:00:00Z' })).toBe(copy);
  });

  it('gives each verdict its own copy', () => {
    const keys = new Set(
      [
        { reviewerId: 'qa-1', reviewedAt: '2026-11-03T10:00:00Z' },
        { reviewerId: 'qa-2', reviewedAt: '2026-11-03T10:00:00Z' },
        { reviewerId: 'qa-1', reviewedAt: '2026-11-03T10:00:01Z' },
      ].map((v) => correctedArtifactKey('charts/a/ck/v1-abc.json', v)),
    );
    expect(keys.size).toBe(3);
  });
});

/** The grouping validation stored for the chart as coded. */
function stateGrouping() {
  const grouping = recheck(homeHealthChart().diagnoses).grouping;
  if (!grouping) throw new Error('the fixture chart does not group');
  return grouping;
}

describe('qa-result: the same verdict delivered twice at once', () => {
  it('finishes the review itself when it lost the race to a delivery that died after its write', async () => {
    const w = await qaWorld();
    const racing = losingToADyingWinner(w.mem.ports.charts, (dying) =>
      createQaResultService({ ...w.deps, ports: { ...w.deps.ports, charts: dying } }).handle(w.verdict()),
    );
    const loser = createQaResultService({ ...w.deps, ports: { ...w.deps.ports, charts: racing } });
    await loser.handle(w.verdict());
    expect((await w.state()).status).toBe('QA_PASSED');
    expect(w.eventTypes()).toEqual(['verdict.agree']);
    expect((await w.ledger()).map((r) => r.reviewerId)).toEqual(['qa-1']);
    expect(w.take('billing')).toHaveLength(1);
  });
});
