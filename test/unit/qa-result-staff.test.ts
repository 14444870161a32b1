import { describe, expect, it } from 'vitest';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { StaffMember } from '#shared/model/config.ts';
import type { QaResultMessage } from '#shared/model/messages.ts';
import {
  CHART_KEY,
  disputedState,
  NOW,
  type QaWorld,
  qaWorld,
  storedReview,
} from '../support/qa-result-world.ts';

/** The agency's QA staff, by the AWS identity SQS stamps on their messages (SenderId). */
const STAFF: StaffMember[] = [
  { principal: 'AIDAREVIEWER1', staffId: 'qa-1', roles: ['reviewer'] },
  { principal: 'AIDAREVIEWER2', staffId: 'qa-2', roles: ['reviewer'] },
  { principal: 'AIDASENIOR1', staffId: 'qa-senior', roles: ['senior'] },
  { principal: 'AIDALEAD1', staffId: 'qa-lead', roles: ['reviewer', 'senior'] },
  { principal: 'AROACODERS', staffId: 'coder-a', roles: ['coder'] },
];

const SENIOR_QUEUE: Partial<ChartState> = {
  sampling: {
    sampled: true,
    rule: 'probation',
    rate: 1,
    draw: 0.2,
    queue: 'qa-review-senior',
    reason: 'probation: coder-a is in probation',
    factors: [],
    senior: ['probation'],
  },
};

/** What became of the message: the audit event types it left. */
async function send(w: QaWorld, message: QaResultMessage, sender: string | undefined) {
  await w.service.handle(message, sender);
  return w.eventTypes();
}

describe('qa-result with staff configured: who may send what, by the identity SQS saw', () => {
  it('refuses a verdict sent by an identity that is not the reviewer it names, and records why', async () => {
    const w = await qaWorld({ staff: STAFF });
    await w.service.handle(w.verdict(), 'AROACODERS:coder-a-session');
    await w.service.handle(w.verdict({ reviewedAt: '2026-11-03T11:00:00Z' }), undefined);
    expect(w.mem.events()).toEqual(
      [
        ['staff:coder-a', '10:00', 'the sender is coder-a, not qa-1'],
        ['sender:unknown', '11:00', 'the message carries no sender identity'],
      ].map(([actor, time, reason]) => ({
        type: 'verdict.refused',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, 1),
        actor,
        at: NOW,
        idempotencyKey: `refused:verdict:qa-1:2026-11-03T${time}:00Z`,
        detail: { reason, claimed: 'qa-1', kind: 'verdict' },
      })),
    );
    expect((await w.state()).status).toBe('SAMPLED');
    expect(await w.ledger()).toEqual([]);
  });

  it.each([
    ['a reviewer', 'qa-1', 'AIDAREVIEWER1', {}, 'verdict.agree'],
    ['a senior', 'qa-senior', 'AIDASENIOR1', {}, 'verdict.agree'],
    [
      'a senior, on a chart sampled to senior review',
      'qa-senior',
      'AIDASENIOR1',
      SENIOR_QUEUE,
      'verdict.agree',
    ],
    ['a reviewer who is also a senior, on it', 'qa-lead', 'AIDALEAD1', SENIOR_QUEUE, 'verdict.agree'],
    [
      'a reviewer, on a chart not sampled yet',
      'qa-1',
      'AIDAREVIEWER1',
      { status: 'VALIDATED', sampling: undefined },
      'verdict.set-aside',
    ],
  ] as const)('takes the verdict of %s', async (_, reviewerId, sender, state, outcome) => {
    const w = await qaWorld({ staff: STAFF, state });
    expect(await send(w, w.verdict({ reviewerId }), sender)).toEqual([outcome]);
  });

  it("refuses a verdict from a reviewer of other agencies alone, and one naming another agency than its chart's", async () => {
    const branchOnly: StaffMember[] = [
      { principal: 'AIDAREVIEWER1', staffId: 'qa-1', roles: ['reviewer'], agencies: ['other-agency'] },
      {
        principal: 'AIDAREVIEWER2',
        staffId: 'qa-2',
        roles: ['reviewer'],
        agencies: ['other-agency', 'test-agency'],
      },
    ];
    const w = await qaWorld({ staff: branchOnly });
    expect(await send(w, w.verdict({ reviewerId: 'qa-1' }), 'AIDAREVIEWER1')).toEqual(['verdict.refused']);
    expect(w.mem.events()[0]?.detail).toMatchObject({ reason: 'qa-1 does not work for test-agency' });
    // The chart is test-agency's, whatever the message names: the refusal is filed where its compliance
    // role reads it.
    const named = await qaWorld({ staff: branchOnly });
    expect(
      await send(named, named.verdict({ reviewerId: 'qa-1', agencyId: 'other-agency' }), 'AIDAREVIEWER1'),
    ).toEqual(['verdict.refused']);
    expect(named.mem.events()[0]).toMatchObject({
      agencyId: 'test-agency',
      detail: { reason: "the message names other-agency; the chart is test-agency's" },
    });
    expect((await named.state()).status).toBe('SAMPLED');
    const ok = await qaWorld({ staff: branchOnly });
    expect(await send(ok, ok.verdict({ reviewerId: 'qa-2' }), 'AIDAREVIEWER2')).toEqual(['verdict.agree']);
  });

  it("refuses, even with no staff configured, a verdict naming another agency than its chart's", async () => {
    const w = await qaWorld();
    expect(await send(w, w.verdict({ agencyId: 'other-agency' }), undefined)).toEqual(['verdict.refused']);
    expect(w.mem.events()[0]?.agencyId).toBe('test-agency');
    expect((await w.state()).status).toBe('SAMPLED');
    // A version the table does not hold: its chartKey still says whose chart it is.
    const none = await qaWorld();
    expect(await send(none, none.verdict({ agencyId: 'other-agency', version: 9 }), undefined)).toEqual([
      'verdict.refused',
    ]);
    expect(none.mem.events()[0]).toMatchObject({
      agencyId: 'test-agency',
      detail: { reason: "the message names other-agency; the chart is test-agency's" },
    });
  });

  it('takes a verdict for an unknown chart version to set it aside', async () => {
    const w = await qaWorld({ staff: STAFF });
    await w.service.handle(w.verdict({ version: 2 }), 'AIDAREVIEWER1');
    expect(w.mem.events().map((e) => [e.type, e.detail?.reason])).toEqual([
      ['verdict.set-aside', 'no such chart version'],
    ]);
  });

  it.each([
    ['a reviewer', 'qa-1', 'AIDAREVIEWER1', 'qa-1 is a reviewer; the chart was sampled to senior review'],
    ['a coder', 'coder-a', 'AROACODERS:coder-a-session', 'coder-a is not a senior'],
  ])(
    'refuses the first verdict of %s on a chart sampled to senior review',
    async (_, reviewerId, sender, reason) => {
      const w = await qaWorld({ staff: STAFF, state: SENIOR_QUEUE });
      await w.service.handle(w.verdict({ reviewerId }), sender);
      expect(w.mem.events().map((e) => [e.type, e.detail?.reason])).toEqual([['verdict.refused', reason]]);
      expect((await w.state()).status).toBe('SAMPLED');
    },
  );

  it("takes a reviewer's blind second review of a chart first reviewed by a senior", async () => {
    const w = await qaWorld({
      staff: STAFF,
      state: {
        ...SENIOR_QUEUE,
        status: 'BATCHED',
        qa: storedReview({ reviewerId: 'qa-senior' }),
        secondReviewRequestedAt: '2026-11-03T10:00:01.000Z',
      },
    });
    expect(await send(w, w.verdict({ round: 'second', reviewerId: 'qa-2' }), 'AIDAREVIEWER2')).toEqual([
      'verdict.second-review',
    ]);
  });

  it('takes the dispute of the coder, and refuses one sent by anyone else', async () => {
    const w = await qaWorld({ staff: STAFF, state: { status: 'BATCHED', qa: storedReview() } });
    await w.service.handle(
      w.dispute({ coderId: 'qa-1', disputedAt: '2026-11-05T08:00:00Z' }),
      'AIDAREVIEWER1',
    );
    await w.service.handle(w.dispute(), 'AROACODERS:coder-a-session');
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.refused',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, 1),
        actor: 'staff:qa-1',
        at: NOW,
        idempotencyKey: 'refused:dispute:qa-1:2026-11-05T08:00:00Z',
        detail: { reason: 'qa-1 is not a coder', claimed: 'qa-1', kind: 'dispute' },
      },
      expect.objectContaining({ type: 'dispute.opened', actor: 'staff:coder-a' }),
    ]);
  });

  it('takes the decision of a senior, and refuses one by a reviewer', async () => {
    const w = await qaWorld({ staff: STAFF, state: disputedState() });
    await w.service.handle(
      w.resolution({ reviewerId: 'qa-2', resolvedAt: '2026-11-06T08:00:00Z' }),
      'AIDAREVIEWER2',
    );
    await w.service.handle(w.resolution(), 'AIDASENIOR1');
    expect(w.mem.events()).toEqual([
      {
        type: 'dispute.refused',
        agencyId: 'test-agency',
        subject: chartSubject(CHART_KEY, 1),
        actor: 'staff:qa-2',
        at: NOW,
        idempotencyKey: 'refused:dispute-resolution:qa-2:2026-11-06T08:00:00Z',
        detail: { reason: 'qa-2 is not a senior', claimed: 'qa-2', kind: 'dispute-resolution' },
      },
      expect.objectContaining({ type: 'dispute.overturned', actor: 'staff:qa-senior' }),
    ]);
  });
});

describe('qa-result without staff: the ids a message names are taken as given', () => {
  it('takes a verdict, a dispute and a decision whatever sent them', async () => {
    const w = await qaWorld({ state: { status: 'BATCHED', qa: storedReview() } });
    await w.service.handle(w.dispute(), 'AIDASOMEONE');
    await w.service.handle(w.resolution(), undefined);
    expect(w.eventTypes()).toEqual(['dispute.opened', 'dispute.overturned']);
  });
});
