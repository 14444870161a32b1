import { TRAIL_SUBJECTS } from '#shared/topology.ts';
import { type ChainedEvent, chainLink, GENESIS_HASH } from './chain.ts';

/** The subject the chainer records the messages it refuses under, in the agency whose group they came in. */
export const REFUSED_MESSAGES_SUBJECT = TRAIL_SUBJECTS.refusedMessages;

/**
 * Where an agency's chain is kept (the audit table in AWS). Every write is conditional, so even two
 * chainers of one agency at once (which the FIFO queue's message group prevents) could not fork it.
 */
export interface ChainLinks {
  /** The event as recorded (in the audit table) under its agency, subject and id; undefined if none is. */
  recorded(agencyId: string, subject: string, eventId: string): Promise<Record<string, unknown> | undefined>;
  /** The agency's newest link; undefined while its chain is empty. */
  last(agencyId: string): Promise<ChainedEvent | undefined>;
  at(agencyId: string, seq: number): Promise<ChainedEvent | undefined>;
  /**
   * Claims place `seq` for the event id, if the id has no claim (or, with `replacing`, if its claim is
   * that place): returns the place its claim holds afterwards.
   */
  claim(agencyId: string, eventId: string, seq: number, replacing?: number): Promise<number>;
  /** Adds the link; throws if its place is taken. */
  add(link: ChainedEvent): Promise<void>;
}

/** Where an agency's chain stands: the place and hash the next link continues from. */
export interface ChainTip {
  nextSeq: number;
  lastHash: string;
}

export async function chainTip(links: ChainLinks, agencyId: string): Promise<ChainTip> {
  const last = await links.last(agencyId);
  return last ? { nextSeq: last.seq + 1, lastHash: last.hash } : { nextSeq: 0, lastHash: GENESIS_HASH };
}

/**
 * Links one event at the tip of its agency's chain, once: an event id already linked (a retry, a
 * redelivery) is left out. Its place is claimed before the link is written, so a run that stops between
 * the two is finished by the next, and a claim the chain has moved past without its link (the run
 * stopped, and another event took the place) is claimed again at the tip. Returns the new tip.
 */
export async function linkEvent(
  links: ChainLinks,
  agencyId: string,
  tip: ChainTip,
  item: { eventId: string; event: Record<string, unknown>; sentBy?: string },
): Promise<ChainTip> {
  const link = chainLink(agencyId, tip.nextSeq, item.eventId, tip.lastHash, item.event, item.sentBy);
  const claimed = await links.claim(agencyId, item.eventId, tip.nextSeq);
  if (claimed > tip.nextSeq)
    throw new Error(`${agencyId}'s chain: event ${item.eventId} claims a place past the tip`);
  if (claimed < tip.nextSeq) {
    const there = await links.at(agencyId, claimed);
    if (there?.eventId === item.eventId) return tip;
    if ((await links.claim(agencyId, item.eventId, tip.nextSeq, claimed)) !== tip.nextSeq)
      throw new Error(`${agencyId}'s chain: event ${item.eventId} could not be claimed again`);
  }
  await links.add(link);
  return { nextSeq: link.seq + 1, lastHash: link.hash };
}
