import { sha256Hex } from '#shared/identity/identifiers.ts';
import { canonical, canonicalHash } from './canonical.ts';

/** The previous hash of an agency's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit event as the chain holds it: its place in its agency's chain, and the hashes that bind it there. */
export interface ChainedEvent {
  agencyId: string;
  /** 0, 1, 2… within the agency: one chainer per agency assigns them, so the chain cannot fork. */
  seq: number;
  /** The event's own id (its type, subject and idempotency key, hashed): a retry has the same one. */
  eventId: string;
  prevHash: string;
  /** SHA-256 of the canonical form of everything above and the event. */
  hash: string;
  event: Record<string, unknown>;
  /**
   * Who AWS says handed the event to the chainer (the SQS SenderId of its message, as the staff member
   * it is registered as: `staff:<id>`, else `sender:<SenderId>`), not who the event says acted: for a
   * person's own event (a chart opened, a documentation request) that is its verified actor. Absent from
   * links made before it was kept; covered by the hash when present.
   */
  sentBy?: string;
}

/** A link but for its hash: what the hash covers (`sentBy` only when the link has one). */
export function linkBody(e: Omit<ChainedEvent, 'hash'>): Omit<ChainedEvent, 'hash'> {
  const body = { agencyId: e.agencyId, seq: e.seq, eventId: e.eventId, prevHash: e.prevHash, event: e.event };
  return e.sentBy === undefined ? body : { ...body, sentBy: e.sentBy };
}

/** What a chained event's hash covers: all of it but the hash. */
export function chainedHash(e: Omit<ChainedEvent, 'hash'>): string {
  return canonicalHash(linkBody(e));
}

/** Where an agency's chain stands: its next sequence number and its last hash. */
export interface ChainHead {
  nextSeq: number;
  lastHash: string;
  /** Event ids already chained: a retried event (the same id) is chained once. */
  chained: ReadonlySet<string>;
}

export function emptyHead(): ChainHead {
  return { nextSeq: 0, lastHash: GENESIS_HASH, chained: new Set() };
}

/**
 * Appends events to one agency's chain, in the order given; an event whose id is chained already is
 * left out (a retry). Pure: the caller is the one chainer of the agency, and stores what this returns.
 */
export function appendToChain(
  agencyId: string,
  head: ChainHead,
  events: readonly { eventId: string; event: Record<string, unknown>; sentBy?: string }[],
): { chained: ChainedEvent[]; head: ChainHead } {
  const seen = new Set(head.chained);
  const chained: ChainedEvent[] = [];
  let { nextSeq, lastHash } = head;
  for (const { eventId, event, sentBy } of events) {
    if (seen.has(eventId)) continue;
    seen.add(eventId);
    const link = chainLink(agencyId, nextSeq, eventId, lastHash, event, sentBy);
    chained.push(link);
    nextSeq += 1;
    lastHash = link.hash;
  }
  return { chained, head: { nextSeq, lastHash, chained: seen } };
}

/** The link that puts `event` at `seq` of its agency's chain, after `prevHash`; refused unless plain JSON. */
export function chainLink(
  agencyId: string,
  seq: number,
  eventId: string,
  prevHash: string,
  event: Record<string, unknown>,
  sentBy?: string,
): ChainedEvent {
  plainJson(eventId, event);
  const link = linkBody({ agencyId, seq, eventId, prevHash, event, sentBy });
  return { ...link, hash: chainedHash(link) };
}

/**
 * An audit event's identity: what happened, to what, under which idempotency key. Deliberately not `at`,
 * so a retry stamped a few seconds later is the same event (recorded once, chained once).
 */
export function auditEventId(event: { type: string; subject: string; idempotencyKey: string }): string {
  return sha256Hex(`${event.type}|${event.subject}|${event.idempotencyKey}`).slice(0, 24);
}

/**
 * An event is chained only as plain JSON, whose canonical form reads back as itself: a function, a Map,
 * a lone surrogate or an infinite number would hash as something else than what a reader sees, or not
 * at all. Refused with the event's id (never its content).
 */
function plainJson(eventId: string, event: Record<string, unknown>): void {
  try {
    const text = canonical(event);
    // What JSON would store of it, and what a reader parses back, must both be what is hashed.
    if (canonical(JSON.parse(JSON.stringify(event))) === text && canonical(JSON.parse(text)) === text) return;
  } catch {
    // Refused below.
  }
  throw new Error(`audit event ${eventId} is not plain JSON: it cannot be chained`);
}
