import { describe, expect, it } from 'vitest';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { CHART_KEY, FIX, NOW, qaWorld, SENDER_ACTOR, storedReview } from '../support/qa-result-world.ts';

/** A chart billed after qa-1's first review, sent for a blind second review. */
const SENT_FOR_SECOND: Partial<ChartState> = {
  status: 'BATCHED',
  qa: storedReview(),
  secondReviewRequestedAt: '2026-11-03T10:00:01.000Z',
};

describe('qa-result: a blind second review', () => {
  it('is scored into the ledger as round two and audited, and changes nothing about the chart', async () => {
    const w = await qaWorld({ state: SENT_FOR_SECOND });
    const before = await w.state();
    const second = w.verdict({
      round: 'second',
      reviewerId: 'qa-2',
      outcome: 'corrected',
      corrections: [FIX.unsupported],
      reviewedAt: '2026-11-04T06:00:00-05:00',
      submittedBy: 'local:qa-2',
    });
    await w.service.handle(second);
    await w.service.handle(second);
    const score = { chartAccurate: true, codesReviewed: 2, codesConfirmed: 1 };
    expect(await w.ledger()).toStrictEqual([
      {
        kind: 'review',
        agencyId: 'test-agency',
        coderId: 'coder-a',
        chartKey: CHART_KEY,
        version: 1,
        reviewerId: 'qa-2',
        reviewedAt: '2026-11-04T11:00:00.000Z',
        round: 'second',
        outcome: 'corrected',
        lineOfBusiness: 'home_health',
        score,
        category: 'I69',
        corrections: [{ category: 'unsupported-code', severity: 'minor', direction: 'over-coded' }],
      },
    ]);
    expect(w.mem.events()).toEqual([
      {
        type: 'verdict.second-review',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, 1),
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: 'second-review',
        detail: { reviewerId: 'qa-2', firstReviewerId: 'qa-1', outcome: 'corrected', score },
      },
    ]);
    expect(await w.state()).toEqual({
      ...before,
      secondReview: { reviewerId: 'qa-2', outcome: 'corrected', reviewedAt: '2026-11-04T06:00:00-05:00' },
    });
    expect(w.mem.sent).toEqual([]);
  });

  it('is audited under the identity that sent it', async () => {
    const w = await qaWorld({ state: SENT_FOR_SECOND });
    await w.service.handle(w.verdict({ round: 'second', reviewerId: 'qa-2' }), 'AROAQA:qa-2');
    expect(w.events('verdict.second-review').map((e) => e.actor)).toEqual(['sender:AROAQA:qa-2']);
  });

  const NOT_REQUESTED = 'no second review was requested for this chart version';
  const NOT_THEM = 'a second review is by someone other than the coder and the first reviewer';
  it.each([
    ['an unknown chart version', {}, { version: 2 }, NOT_REQUESTED],
    ['a chart still waiting for its first review', {}, {}, NOT_REQUESTED],
    [
      'a reviewed chart not sent for one',
      { ...SENT_FOR_SECOND, secondReviewRequestedAt: undefined },
      {},
      NOT_REQUESTED,
    ],
    ['the coder', SENT_FOR_SECOND, { reviewerId: 'coder-a' }, NOT_THEM],
    ['the first reviewer', SENT_FOR_SECOND, { reviewerId: 'qa-1' }, NOT_THEM],
  ] as const)('is set aside for %s', async (_, state, over, reason) => {
    const w = await qaWorld({ state });
    const before = await w.state();
    const verdict = w.verdict({
      round: 'second',
      reviewerId: 'qa-2',
      reviewedAt: '2026-11-04T10:00:00Z',
      ...over,
    });
    await w.service.handle(verdict);
    expect(w.mem.events()).toEqual([
      {
        type: 'verdict.set-aside',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, verdict.version),
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: `set-aside:${verdict.reviewerId}:2026-11-04T10:00:00Z`,
        detail: { reason, outcome: 'agree' },
      },
    ]);
    expect(await w.state()).toEqual(before);
    expect(await w.ledger()).toEqual([]);
  });

  it.each([
    ['another reviewer', { reviewerId: 'qa-3' }],
    ['the same reviewer at another time', { reviewedAt: '2026-11-04T12:00:00Z' }],
  ])('is done once: a later one by %s is set aside', async (_, over) => {
    const w = await qaWorld({ state: SENT_FOR_SECOND });
    await w.service.handle(
      w.verdict({ round: 'second', reviewerId: 'qa-2', reviewedAt: '2026-11-04T10:00:00Z' }),
    );
    await w.service.handle(
      w.verdict({ round: 'second', reviewerId: 'qa-2', reviewedAt: '2026-11-04T10:00:00Z', ...over }),
    );
    expect(w.events('verdict.set-aside').map((e) => e.detail?.reason)).toEqual([
      'the second review is already done',
    ]);
    expect((await w.state()).secondReview).toEqual({
      reviewerId: 'qa-2',
      outcome: 'agree',
      reviewedAt: '2026-11-04T10:00:00Z',
    });
    expect((await w.ledger()).map((r) => [r.reviewerId, r.reviewedAt])).toEqual([
      ['qa-2', '2026-11-04T10:00:00.000Z'],
    ]);
  });

  it('goes to one of two reviewers giving it at once; the other is set aside', async () => {
    const w = await qaWorld({ state: SENT_FOR_SECOND });
    await Promise.all(
      ['qa-2', 'qa-3'].map((reviewerId) =>
        w.service.handle(
          w.verdict({ round: 'second', reviewerId, reviewedAt: '2026-11-04T10:00:00Z' }),
          `AROAQA:${reviewerId}`,
        ),
      ),
    );
    const owner = (await w.state()).secondReview?.reviewerId;
    expect(w.eventTypes().sort()).toEqual(['verdict.second-review', 'verdict.set-aside']);
    expect(w.events('verdict.set-aside').map((e) => e.actor)).toEqual([
      owner === 'qa-2' ? 'sender:AROAQA:qa-3' : 'sender:AROAQA:qa-2',
    ]);
    expect((await w.ledger()).map((r) => r.reviewerId)).toEqual([owner]);
  });
});
