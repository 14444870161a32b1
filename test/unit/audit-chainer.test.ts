import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChainerService } from '#functions/audit-chainer/service.ts';
import { auditEventId, chainedHash, GENESIS_HASH } from '#shared/audit-trail/chain.ts';
import { chainTip, linkEvent, REFUSED_MESSAGES_SUBJECT } from '#shared/audit-trail/chainer.ts';
import { chartOpenedEvent } from '#shared/audit-trail/person-events.ts';
import { summarize } from '#shared/audit-trail/story.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import type { StaffMember } from '#shared/model/config.ts';
import type { FifoItem } from '#shared/runtime/sqs-handler.ts';
import { MemoryChainLinks, syntheticEvent } from '../support/audit-trail.ts';

const AGENCY = 'agency-a';
/** The SenderId a stage's messages come with: its role's id, its session named for its function. */
const STAGE_SENDER = 'AROASTAGEROLE:codetrail-validation';

/** A stage's audit event. */
function sent(n: number, agencyId = AGENCY) {
  const { eventId: _id, event } = syntheticEvent(agencyId, n);
  return event;
}

/** A reviewer's chart opening, as their command records it in AWS (its actor their role session). */
const QA7_OPENED = chartOpenedEvent({
  agencyId: AGENCY,
  chartKey: `${AGENCY}.ck1`,
  version: 1,
  purpose: 'qa-review',
  actor: 'arn:aws:sts::111122223333:assumed-role/qa-reviewer/qa-7',
  at: '2026-12-01T10:00:00.000Z',
});

let messages = 0;
/** A message of the audit queue as the chainer gets it: its body, who SQS says sent it. */
function item(body: unknown, sender: string | undefined = STAGE_SENDER): FifoItem {
  messages += 1;
  return { messageId: `m-${messages}`, body, unreadable: false, sender };
}

/** What the audit queue carries for event `n`, recorded first as a stage records it. */
function delivery(links: MemoryChainLinks, n: number, agencyId = AGENCY) {
  return item(links.record(sent(n, agencyId)));
}

/** Each link continues the one before, from genesis, with its hash recomputed. */
function expectUnbroken(chain: ReturnType<MemoryChainLinks['chain']>) {
  chain.forEach((link, i) => {
    expect(link.seq).toBe(i);
    expect(link.prevHash).toBe(i === 0 ? GENESIS_HASH : chain[i - 1]?.hash);
    expect(link.hash).toBe(chainedHash(link));
  });
}

/** A chainer over `links`, its refusals recorded in the same table (and kept in `refused`). */
function chainer(
  links: MemoryChainLinks,
  errors: unknown[] = [],
  refused: AuditEvent[] = [],
  staff: StaffMember[] = [],
) {
  return createChainerService({
    links,
    audit: {
      record: async (event) => {
        refused.push(event);
        links.record(event);
      },
      list: async () => [],
    },
    agencies: ['agency-a', 'agency-b'],
    staff,
    clock: { now: () => new Date('2026-12-08T03:00:00.000Z') },
    onError: (e) => errors.push(e),
  });
}

describe('the audit chainer', () => {
  it("links an agency's events in the order sent, each to the one before, from genesis", async () => {
    const links = new MemoryChainLinks();
    const bodies = [0, 1, 2, 3].map((n) => delivery(links, n));
    expect(await chainer(links).chain(AGENCY, bodies)).toBe(4);
    const chain = links.chain(AGENCY);
    // Each event as recorded, in the order sent.
    expect(chain.map((l) => l.event)).toEqual([0, 1, 2, 3].map((n) => sent(n)));
    expect(chain.map((l) => l.eventId)).toEqual([0, 1, 2, 3].map((n) => auditEventId(sent(n))));
    expectUnbroken(chain);
  });

  it('links a retried event once, whether it comes at once or long after', async () => {
    const links = new MemoryChainLinks();
    await chainer(links).chain(AGENCY, [delivery(links, 0), delivery(links, 1), delivery(links, 0)]);
    const retried = links.record({ ...sent(1), at: '2027-01-01T00:00:00.000Z' });
    await chainer(links).chain(AGENCY, [delivery(links, 2), item(retried)]);
    const chain = links.chain(AGENCY);
    expect(chain.map((l) => l.event.idempotencyKey)).toEqual(['k0', 'k1', 'k2']);
    // The first recorded is the one chained: a retry's later `at` changes nothing.
    expect(chain[1]?.event.at).toBe(sent(1).at);
    expectUnbroken(chain);
  });

  it('finishes the link of a run that stopped after claiming its place', async () => {
    const links = new MemoryChainLinks();
    await chainer(links).chain(AGENCY, [delivery(links, 0)]);
    links.stopAfter = 'claim';
    const errors: unknown[] = [];
    expect(await chainer(links, errors).chain(AGENCY, [delivery(links, 1), delivery(links, 2)])).toBe(0);
    expect(errors).toHaveLength(1);
    expect(links.chain(AGENCY)).toHaveLength(1);
    // SQS delivers both again, in order.
    expect(await chainer(links).chain(AGENCY, [delivery(links, 1), delivery(links, 2)])).toBe(2);
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k0', 'k1', 'k2']);
    expectUnbroken(links.chain(AGENCY));
  });

  it('does not link twice an event whose link was written before the run stopped', async () => {
    const links = new MemoryChainLinks();
    links.stopAfter = 'add';
    expect(await chainer(links).chain(AGENCY, [delivery(links, 0), delivery(links, 1)])).toBe(0);
    expect(await chainer(links).chain(AGENCY, [delivery(links, 0), delivery(links, 1)])).toBe(2);
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k0', 'k1']);
    expectUnbroken(links.chain(AGENCY));
  });

  it('claims again at the tip an event whose place another took after its run stopped', async () => {
    const links = new MemoryChainLinks();
    // A stopped run claimed place 0 for k0 and wrote nothing else; k1 came first after it.
    links.stopAfter = 'claim';
    await chainer(links).chain(AGENCY, [delivery(links, 0)]);
    await chainer(links).chain(AGENCY, [delivery(links, 1)]);
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k1']);
    await chainer(links).chain(AGENCY, [delivery(links, 0)]);
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k1', 'k0']);
    expect(links.claims.get(`${AGENCY}#${auditEventId(sent(0))}`)).toBe(1);
    expectUnbroken(links.chain(AGENCY));
  });

  it('cannot fork: a second chainer at the same tip fails to write its link', async () => {
    const links = new MemoryChainLinks();
    const tip = await chainTip(links, AGENCY);
    const a = sent(0);
    const b = sent(1);
    await linkEvent(links, AGENCY, tip, { eventId: auditEventId(a), event: a });
    await expect(linkEvent(links, AGENCY, tip, { eventId: auditEventId(b), event: b })).rejects.toThrow(
      /taken/,
    );
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k0']);
  });

  it('keeps agencies in chains of their own', async () => {
    const links = new MemoryChainLinks();
    await chainer(links).chain('agency-a', [delivery(links, 0, 'agency-a'), delivery(links, 1, 'agency-a')]);
    await chainer(links).chain('agency-b', [delivery(links, 0, 'agency-b')]);
    expect(links.chain('agency-a')).toHaveLength(2);
    expect(links.chain('agency-b').map((l) => l.seq)).toEqual([0]);
  });

  it('links only what is recorded, as recorded; sets aside at once, recorded, what never can be', async () => {
    const links = new MemoryChainLinks();
    const errors: unknown[] = [];
    const refused: AuditEvent[] = [];
    const service = chainer(links, errors, refused);
    const first = delivery(links, 0);
    const notJson: FifoItem = { ...item(undefined, 'AROAPERSON:mallory'), unreadable: true };
    // Recorded under another event's id: the table's item was not what its key says.
    const other = delivery(links, 2);
    const { eventId: otherId, subject: otherSubject } = other.body as { eventId: string; subject: string };
    links.events.set(`${AGENCY}#${otherSubject}#${otherId}`, sent(3));
    const batch = [
      first,
      item({ type: 'x' }),
      // A message carrying an event rather than naming one: nothing it says is taken.
      item({ ...(first.body as object), ...sent(1) }),
      delivery(links, 1, 'agency-b'),
      // Named, never recorded (a forged message: a stage records its event before it sends).
      item({ ...(first.body as object), eventId: 'f'.repeat(24) }),
      other,
      notJson,
      delivery(links, 1),
    ];
    // Every message is taken: none holds up the agency's chain behind it.
    expect(await service.chain(AGENCY, batch)).toBe(batch.length);
    expect(links.chain(AGENCY).map((l) => l.event.idempotencyKey)).toEqual(['k0', 'k1']);
    expect(refused.map((e) => e.detail?.reason)).toEqual([
      'not an audit chain message',
      'not an audit chain message',
      "an audit event in another agency's group",
      'the audit event is not recorded',
      'the recorded audit event does not match its id',
      'the message is not JSON',
    ]);
    expect(errors).toHaveLength(6);
    // Each refusal names the message's sender as AWS gave it, and of what it said only an event id.
    expect(refused[3]).toMatchObject({
      type: 'audit.message-refused',
      agencyId: AGENCY,
      subject: REFUSED_MESSAGES_SUBJECT,
      actor: 'stage:audit-chainer',
      idempotencyKey: batch[4]?.messageId,
      detail: { sentBy: `sender:${STAGE_SENDER}`, eventId: 'f'.repeat(24) },
    });
    expect(refused[5]?.detail).toEqual({
      reason: 'the message is not JSON',
      sentBy: 'sender:AROAPERSON:mallory',
    });
    expect(summarize(refused[4] as AuditEvent)).toBe(
      `audit queue message refused: the recorded audit event does not match its id (sent by sender:${STAGE_SENDER}, naming event ${otherId})`,
    );
    // Recorded as any event is: the chainer links its own refusals when their messages come.
    const refusals = refused.map((e) =>
      item({ agencyId: AGENCY, subject: e.subject, eventId: auditEventId(e) }),
    );
    expect(await service.chain(AGENCY, refusals)).toBe(refusals.length);
    expect(links.chain(AGENCY).filter((l) => l.event.type === 'audit.message-refused')).toHaveLength(6);
    expectUnbroken(links.chain(AGENCY));
    await expect(service.chain('Not An Agency', [first])).rejects.toThrow(/not an agency id/);
    // A group that only looks like an agency: failed whole (to the DLQ), no trail begun for it.
    await expect(service.chain('agency-z', [delivery(links, 9, 'agency-z')])).rejects.toThrow(
      'the message group is not an agency this stack serves',
    );
    expect(links.chain('agency-z')).toEqual([]);
  });

  it('stops at a refusal it could not record, so SQS delivers that message and the rest again', async () => {
    const links = new MemoryChainLinks();
    const errors: unknown[] = [];
    const service = createChainerService({
      links,
      audit: { record: () => Promise.reject(new Error('throttled')), list: async () => [] },
      agencies: [AGENCY],
      staff: [],
      clock: { now: () => new Date() },
      onError: (e) => errors.push(e),
    });
    expect(await service.chain(AGENCY, [delivery(links, 0), item({ type: 'x' }), delivery(links, 1)])).toBe(
      1,
    );
    expect(links.chain(AGENCY)).toHaveLength(1);
    expect((errors.at(-1) as Error).message).toBe('throttled');
  });

  it('keeps with each link who AWS says sent it: the staff member registered for the sender, else the sender', async () => {
    const links = new MemoryChainLinks();
    const staff: StaffMember[] = [{ principal: 'AROAQAROLE', staffId: 'qa-7', roles: ['reviewer'] }];
    const opened = QA7_OPENED;
    const person = item(links.record(opened), 'AROAQAROLE:qa-7');
    expect(await chainer(links, [], [], staff).chain(AGENCY, [delivery(links, 0), person])).toBe(2);
    expect(links.chain(AGENCY).map((l) => l.sentBy)).toEqual([`sender:${STAGE_SENDER}`, 'staff:qa-7']);
    // Covered by the link's hash: a link that names another sender is not the link chained.
    const [, link] = links.chain(AGENCY);
    expect(chainedHash({ ...(link as NonNullable<typeof link>), sentBy: 'staff:qa-8' })).not.toBe(link?.hash);
    expectUnbroken(links.chain(AGENCY));
  });

  it("refuses what a person's role filed under its own subject as anything else, or sent as another person", async () => {
    const links = new MemoryChainLinks();
    const errors: unknown[] = [];
    const refused: AuditEvent[] = [];
    const service = chainer(links, errors, refused);
    // A reviewer may add items under `access` alone; each forgery is put there, and named on the queue.
    let forged = 0;
    const forge = (event: Record<string, unknown>, sender: string | null = 'AROAQAROLE:qa-7') => {
      forged += 1;
      // Each its own event (its own idempotency key), as each of a person's openings is.
      event = { ...event, idempotencyKey: `forged-${forged}` };
      const eventId = auditEventId(event as unknown as AuditEvent);
      links.events.set(`${AGENCY}#access#${eventId}`, event);
      return { ...item({ agencyId: AGENCY, subject: 'access', eventId }), sender: sender ?? undefined };
    };
    const opened = QA7_OPENED;
    const asChart = forge({ ...sent(5), subject: `chart:${AGENCY}.ck1:v1`, type: 'verdict.agree' });
    const asStage = forge({ ...opened, actor: 'stage:qa-result' });
    const otherKind = forge({ ...opened, type: 'verdict.agree' });
    // qa-8 records that qa-7 opened the chart: AWS says qa-8 sent it.
    const asAnother = forge(opened, 'AROAQAROLE:qa-8');
    const unsent = forge(opened, null);
    const locally = forge({ ...opened, actor: 'local:pat' }, 'AROALOCAL:sam');
    // An actor that names no role session cannot be vouched for, whoever sent it.
    const noSession = forge({ ...opened, actor: 'qa-7' });
    const asUser = forge({ ...opened, actor: 'arn:aws:iam::111122223333:user/qa-7' });
    // A sender that is not a role session (an IAM user's id) cannot vouch for a session.
    const fromUser = forge(opened, 'AIDAQAUSER');
    const forgeries = [asChart, asStage, otherKind, asAnother, unsent, locally, noSession, asUser, fromUser];
    expect(await service.chain(AGENCY, forgeries)).toBe(forgeries.length);
    expect(refused.map((e) => e.detail?.reason)).toEqual([
      'the recorded audit event is filed under another subject',
      'access: an event naming a stage as its actor',
      'access: an event of another kind than a person records',
      'access: the event names another person than the one who sent it',
      "access: a person's event sent with no sender identity",
      'access: the event names another person than the one who sent it',
      'access: an event whose actor names no role session',
      'access: an event whose actor names no role session',
      "access: a person's event not sent from a role session",
    ]);
    expect(links.chain(AGENCY)).toEqual([]);
    // The person's own event, as its command records it and sent by them, is chained; in any partition.
    const gov = forge({ ...opened, actor: 'arn:aws-us-gov:sts::111122223333:assumed-role/qa/qa-7' });
    expect(await service.chain(AGENCY, [forge(opened as unknown as Record<string, unknown>), gov])).toBe(2);
    expect(links.chain(AGENCY).map((l) => [l.event.type, l.sentBy])).toEqual([
      ['chart.opened', 'sender:AROAQAROLE:qa-7'],
      ['chart.opened', 'sender:AROAQAROLE:qa-7'],
    ]);
  });

  it('whatever the retries and stops, links each event once, in the order first sent, unbroken', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            n: fc.integer({ min: 0, max: 12 }),
            stop: fc.constantFrom(undefined, 'claim', 'add'),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (deliveries) => {
          const links = new MemoryChainLinks();
          const order: number[] = [];
          // Each delivery is retried until taken, as SQS redelivers a failed FIFO message.
          for (const { n, stop } of deliveries) {
            links.stopAfter = stop;
            while ((await chainer(links).chain(AGENCY, [delivery(links, n)])) === 0);
            links.stopAfter = undefined;
            if (!order.includes(n)) order.push(n);
          }
          const chain = links.chain(AGENCY);
          expect(chain.map((l) => l.event.idempotencyKey)).toEqual(order.map((n) => `k${n}`));
          expectUnbroken(chain);
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });
});
