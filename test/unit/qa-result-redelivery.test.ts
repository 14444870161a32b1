import { describe, expect, it } from 'vitest';
import { createQaResultService } from '#functions/qa-result/service.ts';
import { failOnce } from '../support/fail-once.ts';
import { CHART_KEY, FIX, NOW, qaWorld, storedReview } from '../support/qa-result-world.ts';

const BILLING = { kind: 'chart', agencyId: 'test-agency', chartKey: CHART_KEY, version: 1 };
/** The keyed draw of the chart's blind second review under the test key (not its sampling draw, 0.6563). */
const SECOND_REVIEW_DRAW = 0.7436491993721575;

describe('qa-result: a verdict delivered again', () => {
  it('changes nothing: one review, one audit event, billing told again', async () => {
    const w = await qaWorld();
    const verdict = w.verdict({ outcome: 'corrected', corrections: [FIX.specificity] });
    await w.service.handle(verdict);
    const after = await w.state();
    await w.service.handle(verdict);
    expect(await w.state()).toEqual(after);
    expect((await w.ledger()).map((r) => r.reviewerId)).toEqual(['qa-1']);
    expect(w.eventTypes()).toEqual(['verdict.corrected']);
    // Billing hands a chart version off once however often it hears of it.
    expect(w.take('billing')).toEqual([BILLING, BILLING]);
  });

  it('finishes the follow-ups a crash after the chart moved cut short, once', async () => {
    const w = await qaWorld();
    failOnce(w.mem.ports.audit, 'record', (e) => e.type === 'verdict.agree', 'DynamoDB throttled');
    await expect(w.service.handle(w.verdict())).rejects.toThrow('throttled');
    expect((await w.state()).status).toBe('QA_PASSED');
    expect(w.take('billing')).toEqual([]);
    await w.service.handle(w.verdict());
    expect(w.eventTypes()).toEqual(['verdict.agree']);
    expect((await w.ledger()).map((r) => r.outcome)).toEqual(['agree']);
    expect(w.take('billing')).toEqual([BILLING]);
  });

  it.each([
    ['rejected', 'REJECTED'],
    ['corrected', 'QUERY_OPEN'],
  ] as const)('finishes a %s verdict left %s, unbilled', async (outcome, status) => {
    const w = await qaWorld({ state: { status, qa: storedReview({ outcome }) } });
    await w.service.handle(w.verdict({ outcome, corrections: [FIX.principal, FIX.specificity] }));
    expect(w.events(`verdict.${outcome}`).map((e) => e.detail?.status)).toEqual([status]);
    expect((await w.ledger()).map((r) => r.outcome)).toEqual([outcome]);
    expect(w.take('billing')).toEqual([]);
  });

  it('does nothing for a chart that has moved on since (superseded by a newer export)', async () => {
    const w = await qaWorld({ state: { status: 'SUPERSEDED', qa: storedReview({ outcome: 'agree' }) } });
    await w.service.handle(w.verdict());
    expect(w.mem.events()).toEqual([]);
    expect(await w.ledger()).toEqual([]);
    expect(w.mem.sent).toEqual([]);
  });

  it.each([
    ['agree', true],
    ['rejected', false],
  ] as const)(
    'scores an unscored review stored by an earlier release (%s) as a chart without codes',
    async (outcome, chartAccurate) => {
      // The first releases stored the outcome only: no score, no corrections.
      const qa = { outcome, reviewerId: 'qa-1', reviewedAt: '2026-11-03T10:00:00Z' };
      const w = await qaWorld({ state: { status: outcome === 'agree' ? 'QA_PASSED' : 'REJECTED', qa } });
      await w.service.handle(w.verdict({ outcome }));
      const [review] = await w.ledger();
      expect(review).toMatchObject({
        outcome,
        score: { chartAccurate, codesReviewed: 0, codesConfirmed: 0 },
        corrections: [],
      });
      expect(w.mem.events().map((e) => e.detail?.score)).toEqual([undefined]);
    },
  );
});

describe('qa-result: the blind second review a first verdict may ask for', () => {
  it.each([
    ['under the rate', SECOND_REVIEW_DRAW + 0.0001, 1],
    ['on the rate', SECOND_REVIEW_DRAW, 0],
    ['over the rate, under the sampling draw', 0.7, 0],
    ['at rate 0', 0, 0],
  ])('asks for it with the chart draw %s', async (_, rate, requests) => {
    const w = await qaWorld({ sampling: { secondReviewRate: rate } });
    await w.service.handle(w.verdict({ outcome: 'rejected', corrections: [] }));
    expect(w.take('qa-review')).toHaveLength(requests);
    expect((await w.state()).secondReviewRequestedAt).toBe(requests ? NOW : undefined);
  });

  it('asks once, by someone other than the coder and the first reviewer, telling nothing of the verdict', async () => {
    const w = await qaWorld({ sampling: { secondReviewRate: 1 } });
    const verdict = w.verdict({ outcome: 'corrected', corrections: [FIX.specificity] });
    await w.service.handle(verdict);
    await w.service.handle(verdict);
    expect(w.take('qa-review')).toEqual([
      {
        kind: 'review-request',
        purpose: 'second-review',
        notBy: ['coder-a', 'qa-1'],
        agencyId: 'test-agency',
        chartKey: CHART_KEY,
        version: 1,
        coderId: 'coder-a',
        artifactKey: (await w.state()).artifactKey,
        reason: 'blind second review',
        requestedAt: NOW,
      },
    ]);
  });

  it('does not wait on the key service when second reviews are off', async () => {
    const w = await qaWorld({ sampling: { secondReviewRate: 0 } });
    const keys = {
      mac: async () => {
        throw new Error('KMS unavailable');
      },
    };
    const service = createQaResultService({ ...w.deps, ports: { ...w.deps.ports, keys } });
    await service.handle(w.verdict());
    expect((await w.state()).status).toBe('QA_PASSED');
    expect(w.take('billing')).toEqual([BILLING]);
  });
});
