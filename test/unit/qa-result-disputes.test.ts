import { describe, expect, it } from 'vitest';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState, QaOutcome } from '#shared/model/chart-state.ts';
import type { Dispute } from '#shared/model/messages.ts';
import { failOnce } from '../support/fail-once.ts';
import {
  ARTIFACT_KEY,
  CHART_KEY,
  disputedState,
  FIX,
  NOW,
  qaWorld,
  SENDER_ACTOR,
  storedReview,
} from '../support/qa-result-world.ts';

const SUBJECT = chartSubject(CHART_KEY, 1);
/** A chart billed with qa-1's two corrections: the principal (major) and a specificity one (minor). */
const REVIEWED: Partial<ChartState> = { status: 'BATCHED', qa: storedReview() };

describe('qa-result: a coder disputes corrections of the review', () => {
  it('records the dispute once and sends it to senior review, by neither the coder nor the reviewer', async () => {
    const w = await qaWorld({ state: REVIEWED });
    const dispute = w.dispute({ corrections: [1, 0, 1], noteKey: 'notes/why.txt' });
    await w.service.handle(dispute);
    await w.service.handle(dispute);
    const state = await w.state();
    expect(state.dispute).toEqual({ corrections: [0, 1], disputedAt: '2026-11-05T09:00:00Z' });
    expect(state.disputeRequestedAt).toBe(NOW);
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.opened',
        agencyId: 'test-agency',
        subject: SUBJECT,
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: 'dispute',
        detail: { corrections: [1, 0, 1], noteKey: 'notes/why.txt' },
      },
    ]);
    expect(w.take('qa-review-senior')).toEqual([
      {
        kind: 'review-request',
        purpose: 'dispute',
        notBy: ['coder-a', 'qa-1'],
        agencyId: 'test-agency',
        chartKey: CHART_KEY,
        version: 1,
        coderId: 'coder-a',
        artifactKey: ARTIFACT_KEY,
        reason: 'dispute of correction(s) 1, 0, 1',
        requestedAt: NOW,
      },
    ]);
    expect(w.mem.sent).toEqual([]);
  });

  it('names the identity that sent the dispute as its actor, not who the body says submitted it', async () => {
    const w = await qaWorld({ state: REVIEWED });
    await w.service.handle(w.dispute({ submittedBy: 'local:coder-a' }), 'AROACODER:coder-a');
    expect(w.events('dispute.opened').map((e) => e.actor)).toEqual(['sender:AROACODER:coder-a']);
  });

  it('sends the dispute to senior review when a crash cut the first delivery short', async () => {
    const w = await qaWorld({ state: REVIEWED });
    failOnce(w.deps.ports.queue, 'send', () => true, 'SQS unavailable');
    await expect(w.service.handle(w.dispute())).rejects.toThrow('SQS unavailable');
    expect((await w.state()).disputeRequestedAt).toBeUndefined();
    await w.service.handle(w.dispute());
    expect(w.take('qa-review-senior')).toHaveLength(1);
    expect((await w.state()).disputeRequestedAt).toBe(NOW);
    expect(w.eventTypes()).toEqual(['dispute.opened']);
  });

  it('sends nothing again for a redelivery that read the chart before the first delivery sent the request', async () => {
    const w = await qaWorld({ state: REVIEWED });
    await w.service.handle(w.dispute());
    expect(w.take('qa-review-senior')).toHaveLength(1);
    // The copy read the chart while the first delivery was still sending (dispute stored, not yet sent).
    const charts = w.deps.ports.charts;
    const get = charts.get.bind(charts);
    let stale = true;
    charts.get = async (chartKey, version) => {
      const current = await get(chartKey, version);
      if (!stale || !current) return current;
      stale = false;
      const { disputeRequestedAt: _, ...beforeTheRequest } = current;
      return beforeTheRequest;
    };
    await w.service.handle(w.dispute());
    expect(stale).toBe(false);
    expect(w.take('qa-review-senior')).toEqual([]);
  });

  const NO_REVIEW = 'the chart version has no QA review';
  it.each<[string, Partial<ChartState>, Partial<Dispute>, string]>([
    ['an unknown chart version', REVIEWED, { version: 2 }, NO_REVIEW],
    ['a chart not reviewed yet', {}, {}, NO_REVIEW],
    ['another coder', REVIEWED, { coderId: 'coder-b' }, 'only the coder of the chart may dispute its review'],
    [
      'a review that agreed',
      { ...REVIEWED, qa: storedReview({ outcome: 'agree', corrections: [] }) },
      {},
      'the review made no correction',
    ],
    [
      'a review stored without its corrections',
      { ...REVIEWED, qa: storedReview({ corrections: undefined }) },
      {},
      'the review made no correction',
    ],
    [
      'a correction past the last',
      REVIEWED,
      { corrections: [2] },
      'the review has 2 correction(s): index out of range',
    ],
    [
      'one correction of two past the last',
      REVIEWED,
      { corrections: [0, 5] },
      'the review has 2 correction(s): index out of range',
    ],
    [
      'a review already disputed',
      disputedState(),
      { disputedAt: '2026-11-07T09:00:00Z' },
      'a dispute of this review is already open or decided',
    ],
  ])('is set aside for %s', async (_, state, over, reason) => {
    const w = await qaWorld({ state });
    const before = await w.state();
    const dispute = w.dispute(over);
    await w.service.handle(dispute);
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.set-aside',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, dispute.version),
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: `dispute-set-aside:${dispute.disputedAt}`,
        detail: { reason },
      },
    ]);
    expect(await w.state()).toEqual(before);
    expect(w.mem.sent).toEqual([]);
  });
});

describe('qa-result: a senior reviewer decides a dispute', () => {
  it('records an overturned dispute in the ledger and the audit trail, and on the chart', async () => {
    const w = await qaWorld({ state: disputedState({ reviewedAt: '2026-11-03T05:00:00-05:00' }) });
    const resolution = w.resolution({
      noteKey: 'notes/decision.txt',
      resolvedAt: '2026-11-06T04:00:00-05:00',
    });
    await w.service.handle(resolution);
    await w.service.handle(resolution);
    const score = { chartAccurate: true, codesReviewed: 2, codesConfirmed: 1 };
    expect(await w.disputes()).toStrictEqual([
      {
        kind: 'dispute',
        agencyId: 'test-agency',
        coderId: 'coder-a',
        chartKey: CHART_KEY,
        version: 1,
        reviewedAt: '2026-11-03T10:00:00.000Z',
        resolvedAt: '2026-11-06T09:00:00.000Z',
        reviewerId: 'qa-senior',
        outcome: 'overturned',
        corrections: [0],
        score,
      },
    ]);
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.overturned',
        agencyId: 'test-agency',
        subject: SUBJECT,
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: 'dispute-resolution',
        detail: { reviewerId: 'qa-senior', corrections: [0], score, noteKey: 'notes/decision.txt' },
      },
    ]);
    expect((await w.state()).disputeResolution).toEqual({
      outcome: 'overturned',
      reviewerId: 'qa-senior',
      resolvedAt: '2026-11-06T04:00:00-05:00',
    });
    expect(w.mem.sent).toEqual([]);
  });

  it('names the identity that sent the decision as its actor, not who the body says submitted it', async () => {
    const w = await qaWorld({ state: disputedState() });
    await w.service.handle(
      w.resolution({ outcome: 'upheld', submittedBy: 'local:senior' }),
      'AROASENIOR:lee',
    );
    expect(w.events('dispute.upheld').map((e) => e.actor)).toEqual(['sender:AROASENIOR:lee']);
  });

  const major = FIX.principal;
  const minor = FIX.specificity;
  it.each<[string, Partial<QaOutcome>, number[], 'upheld' | 'overturned', [boolean, number, number]]>([
    ['overturned: the principal correction stops counting', {}, [0], 'overturned', [true, 2, 1]],
    ['overturned: both corrections stop counting', {}, [0, 1], 'overturned', [true, 2, 2]],
    [
      'overturned, a rejected review keeping a correction stays rejected',
      { outcome: 'rejected' },
      [0],
      'overturned',
      [false, 2, 1],
    ],
    [
      'overturned, a rejected review left with none counts as agreed',
      { outcome: 'rejected' },
      [0, 1],
      'overturned',
      [true, 2, 2],
    ],
    [
      'overturned, the minor correction only',
      { corrections: [minor, major] },
      [1],
      'overturned',
      [true, 2, 1],
    ],
    // The stored score stands, even one today's scoring would not give.
    [
      'upheld: the review counts as it was scored',
      { score: { chartAccurate: false, codesReviewed: 5, codesConfirmed: 3 } },
      [0],
      'upheld',
      [false, 5, 3],
    ],
    ['upheld, a review stored unscored is scored whole', { score: undefined }, [0], 'upheld', [false, 2, 0]],
  ])('%s', async (_, review, disputed, outcome, [chartAccurate, codesReviewed, codesConfirmed]) => {
    const w = await qaWorld({ state: disputedState(review, disputed) });
    await w.service.handle(w.resolution({ outcome }));
    const [record, ...more] = await w.disputes();
    expect(more).toEqual([]);
    expect(record?.score).toEqual({ chartAccurate, codesReviewed, codesConfirmed });
    expect(w.events(`dispute.${outcome}`).map((e) => e.detail?.score)).toEqual([record?.score]);
  });

  const NO_DISPUTE = 'no dispute is open for this chart version';
  const NOT_THEM = 'a dispute is decided by someone other than the coder and the reviewer';
  it.each([
    ['an unknown chart version', disputedState(), { version: 2 }, NO_DISPUTE],
    ['a chart not reviewed yet', {}, {}, NO_DISPUTE],
    ['a review nobody disputed', REVIEWED, {}, NO_DISPUTE],
    ['the coder', disputedState(), { reviewerId: 'coder-a' }, NOT_THEM],
    ['the first reviewer', disputedState(), { reviewerId: 'qa-1' }, NOT_THEM],
  ] as const)('is set aside when it comes for %s', async (_, state, over, reason) => {
    const w = await qaWorld({ state });
    const before = await w.state();
    const resolution = w.resolution(over);
    await w.service.handle(resolution);
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.set-aside',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, resolution.version),
        actor: SENDER_ACTOR,
        at: NOW,
        idempotencyKey: `resolution-set-aside:${resolution.reviewerId}:2026-11-06T09:00:00Z`,
        detail: { reason },
      },
    ]);
    expect(await w.state()).toEqual(before);
    expect(await w.disputes()).toEqual([]);
  });

  it.each([
    ['another senior', { reviewerId: 'qa-senior-2' }],
    ['the same senior at another time', { resolvedAt: '2026-11-06T10:00:00Z' }],
    ['the same senior, at the same time, the other way', { outcome: 'upheld' }],
  ] as const)('decides once: a later decision by %s is set aside', async (_, over) => {
    const w = await qaWorld({ state: disputedState() });
    await w.service.handle(w.resolution());
    await w.service.handle(w.resolution({ submittedBy: 'local:senior', ...over }), 'AROASENIOR:kim');
    expect(w.events('dispute.set-aside').map((e) => [e.actor, e.detail?.reason])).toEqual([
      ['sender:AROASENIOR:kim', 'the dispute is already decided'],
    ]);
    expect((await w.disputes()).map((d) => d.outcome)).toEqual(['overturned']);
    expect((await w.state()).disputeResolution?.reviewerId).toBe('qa-senior');
  });
});
