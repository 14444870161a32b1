import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChainerService } from '#functions/audit-chainer/service.ts';
import { auditEventId, chainedHash, GENESIS_HASH } from '#shared/audit-trail/chain.ts';
import { chainTip, linkEvent } from '#shared/audit-trail/chainer.ts';
import { chartOpenedEvent } from '#shared/audit-trail/person-events.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { MemoryChainLinks, syntheticEvent } from '../support/audit-trail.ts';

const AGENCY = 'agency-a';

/** A stage's audit event. */
function sent(n: number, agencyId = AGENCY) {
  const { eventId: _id, event } = syntheticEvent(agencyId, n);
  return event;
}

/** What the audit queue carries for event `n`, recorded first as a stage records it. */
function delivery(links: MemoryChainLinks, n: number, agencyId = AGENCY) {
  return links.record(sent(n, agencyId));
}

/** Each link continues the one before, from genesis, with its hash recomputed. */
function expectUnbroken(chain: ReturnType<MemoryChainLinks['chain']>) {
  chain.forEach((link, i) => {
    expect(link.seq).toBe(i);
    expect(link.prevHash).toBe(i === 0 ? GENESIS_HASH : chain[i - 1]?.hash);
    expect(link.hash).toBe(chainedHash(link));
  });
}

function chainer(links: MemoryChainLinks, errors: unknown[] = []) {
  return createChainerService({ links, onError: (e) => errors.push(e) });
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
    await chainer(links).chain(AGENCY, [delivery(links, 2), retried]);
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

  it('links only what is recorded, as recorded: not what a message says, nor an event of another agency', async () => {
    const links = new MemoryChainLinks();
    const errors: unknown[] = [];
    const service = chainer(links, errors);
    const first = delivery(links, 0);
    expect(await service.chain(AGENCY, [first, { type: 'x' }, delivery(links, 1)])).toBe(1);
    // A message carrying an event rather than naming one: nothing it says is taken.
    expect(await service.chain(AGENCY, [{ ...first, ...sent(1) }])).toBe(0);
    expect(await service.chain(AGENCY, [delivery(links, 1, 'agency-b')])).toBe(0);
    // Named, never recorded (a forged message, or one sent before its event was put).
    expect(await service.chain(AGENCY, [{ ...first, eventId: 'f'.repeat(24) }])).toBe(0);
    // Recorded under another event's id: the table's item was not what its key says.
    const other = delivery(links, 2);
    links.events.set(`${AGENCY}#${other.subject}#${other.eventId}`, sent(3));
    expect(await service.chain(AGENCY, [other])).toBe(0);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'not an audit chain message',
      'not an audit chain message',
      "an audit event in another agency's group",
      'the audit event is not recorded',
      'the recorded audit event does not match its id',
    ]);
    expect(links.chain(AGENCY)).toHaveLength(1);
    await expect(service.chain('Not An Agency', [first])).rejects.toThrow(/not an agency id/);
  });

  it("refuses what a person's role filed under its own subject as anything else: a chart's event, a stage's, another kind", async () => {
    const links = new MemoryChainLinks();
    const errors: unknown[] = [];
    const service = chainer(links, errors);
    // A reviewer may add items under `access` alone; each forgery is put there, and named on the queue.
    const forge = (event: Record<string, unknown>) => {
      const eventId = auditEventId(event as unknown as AuditEvent);
      links.events.set(`${AGENCY}#access#${eventId}`, event);
      return { agencyId: AGENCY, subject: 'access', eventId };
    };
    const opened = chartOpenedEvent({
      agencyId: AGENCY,
      chartKey: `${AGENCY}.ck1`,
      version: 1,
      purpose: 'qa-review',
      actor: 'arn:aws:sts::1:assumed-role/r/qa-7',
      at: '2026-12-01T10:00:00.000Z',
    });
    const asChart = forge({ ...sent(5), subject: `chart:${AGENCY}.ck1:v1`, type: 'verdict.agree' });
    const asStage = forge({ ...opened, actor: 'stage:qa-result' });
    const otherKind = forge({ ...opened, type: 'verdict.agree' });
    for (const message of [asChart, asStage, otherKind])
      expect(await service.chain(AGENCY, [message])).toBe(0);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'the recorded audit event is filed under another subject',
      'access: an event naming a stage as its actor',
      'access: an event of another kind than a person records',
    ]);
    // The person's own event, as its command records it, is chained.
    expect(await service.chain(AGENCY, [forge(opened as unknown as Record<string, unknown>)])).toBe(1);
    expect(links.chain(AGENCY).map((l) => l.event.type)).toEqual(['chart.opened']);
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
