import { sha256Hex } from '#shared/identity/identifiers.ts';
import { AUDIT_TRAIL_PREFIX } from '#shared/topology.ts';
import { canonical } from './canonical.ts';
import { type ChainedEvent, chainedHash, GENESIS_HASH } from './chain.ts';
import { type AuditSigner, DIGEST_SIGNING_ALGORITHM } from './signer.ts';

/**
 * An agency's chain reaches the Object-Locked audit bucket in segments (one file of canonical events,
 * one per line), each with a signed digest file. The digests chain as CloudTrail's do: each names the
 * SHA-256 of the one before, so a segment or digest taken out, put back changed, or inserted shows.
 */

const padded = (index: number) => String(index).padStart(10, '0');

export function segmentKey(agencyId: string, index: number): string {
  return `${AUDIT_TRAIL_PREFIX}${agencyId}/segments/${padded(index)}.ndjson`;
}

export function digestKey(agencyId: string, index: number): string {
  return `${AUDIT_TRAIL_PREFIX}${agencyId}/digests/${padded(index)}.json`;
}

/** What a trail object's key names: its agency, whether a segment or a digest, and its index. */
export function parseTrailKey(
  key: string,
): { agencyId: string; kind: 'segment' | 'digest'; index: number } | undefined {
  if (!key.startsWith(AUDIT_TRAIL_PREFIX)) return undefined;
  const m = /^([^/]+)\/(segments|digests)\/(\d{10})\.(?:ndjson|json)$/.exec(
    key.slice(AUDIT_TRAIL_PREFIX.length),
  );
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { agencyId: m[1], kind: m[2] === 'segments' ? 'segment' : 'digest', index: Number(m[3]) };
}

/** A segment's file: each event's canonical form, one per line. */
export function segmentText(events: readonly ChainedEvent[]): string {
  return events.map((e) => `${canonical(e)}\n`).join('');
}

/** What a digest states about its segment; signed as its canonical form. */
export interface DigestBody {
  schemaVersion: 1;
  agencyId: string;
  index: number;
  /** Null in a quiet digest: an hour with nothing to seal has a digest and no segment. */
  segmentKey: string | null;
  segmentSha256: string | null;
  firstSeq: number;
  lastSeq: number;
  /** The hash the segment's first event chains to (the last of the segment before). */
  chainStart: string;
  /** Every event's hash, in order: a verifier names exactly which event changed, went or came. */
  eventHashes: string[];
  /** SHA-256 of the previous digest file's canonical form; null for an agency's first. */
  previousDigestSha256: string | null;
  signedAt: string;
  keyId: string;
  algorithm: typeof DIGEST_SIGNING_ALGORITHM;
}

export interface DigestFile extends DigestBody {
  /** Base64 of the signature over the body's canonical form. */
  signature: string;
}

/**
 * What the next digest names: the SHA-256 of this one's signed body. Not of its file: an ECDSA signature
 * has more than one valid form, and the chain must not depend on which one a file holds.
 */
export function digestSha256(digest: DigestBody): string {
  return sha256Hex(signedText(digest));
}

/** The canonical text a digest's signature covers: its body, without the signature. */
export function signedText(digest: DigestBody): string {
  const { signature: _signature, ...body } = digest as DigestFile;
  return canonical(body);
}

/** The hash the next segment's first event chains to: the last event's (a quiet digest's, where it began). */
export function lastHashOf(digest: Pick<DigestBody, 'eventHashes' | 'chainStart'>): string {
  return digest.eventHashes.at(-1) ?? digest.chainStart;
}

/** Whether a digest is a quiet one: it seals no events and names no segment. */
export function isQuiet(digest: Pick<DigestBody, 'segmentKey'>): boolean {
  return digest.segmentKey === null;
}

/**
 * A quiet digest's body: an agency's sealing period with nothing new to seal still gets a signed digest,
 * chained to the one before, as CloudTrail delivers a digest file every hour whether or not there were
 * logs. So the trail's newest digest is never older than a period or two, and a trail cut short at its
 * end (its newest segments and digests removed together) shows: its newest digest is too old.
 */
export function quietSeal(agencyId: string, previous: DigestFile): Pick<Segment, 'digestKey' | 'stated'> {
  const index = previous.index + 1;
  return {
    digestKey: digestKey(agencyId, index),
    stated: {
      schemaVersion: 1,
      agencyId,
      index,
      segmentKey: null,
      segmentSha256: null,
      firstSeq: previous.lastSeq + 1,
      lastSeq: previous.lastSeq,
      chainStart: lastHashOf(previous),
      eventHashes: [],
      previousDigestSha256: digestSha256(previous),
    },
  };
}

/** A segment ready to write: its file, where it and its digest go, and what its digest will state. */
export interface Segment {
  key: string;
  text: string;
  digestKey: string;
  /** The digest's body but for when, by which key and how it is signed. */
  stated: Omit<DigestBody, 'signedAt' | 'keyId' | 'algorithm'>;
}

/**
 * The next segment of an agency's chain. `events` continue the chain where the previous segment ended
 * (the caller's chainer hands them over in order).
 */
export function segmentOf(
  agencyId: string,
  events: readonly ChainedEvent[],
  previous: DigestFile | undefined,
): Segment {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new Error('a segment holds at least one event');
  // The one writer of the trail seals only an unbroken chain: an event lost before sealing stops it
  // here, loudly, rather than leaving a gap the signatures would vouch for.
  const from = previous
    ? { seq: previous.lastSeq + 1, hash: lastHashOf(previous) }
    : { seq: 0, hash: GENESIS_HASH };
  for (const [i, e] of events.entries()) {
    const before = i === 0 ? from.hash : events[i - 1]?.hash;
    if (
      e.agencyId !== agencyId ||
      e.seq !== from.seq + i ||
      e.prevHash !== before ||
      e.hash !== chainedHash(e)
    )
      throw new Error(`${agencyId}'s chain is broken at ${from.seq + i}: nothing is sealed`);
  }
  const index = previous ? previous.index + 1 : 0;
  const text = segmentText(events);
  return {
    key: segmentKey(agencyId, index),
    text,
    digestKey: digestKey(agencyId, index),
    stated: {
      schemaVersion: 1,
      agencyId,
      index,
      segmentKey: segmentKey(agencyId, index),
      segmentSha256: sha256Hex(text),
      firstSeq: first.seq,
      lastSeq: last.seq,
      chainStart: first.prevHash,
      eventHashes: events.map((e) => e.hash),
      previousDigestSha256: previous ? digestSha256(previous) : null,
    },
  };
}

/** The segment's (or a quiet period's) digest, signed now: its body's canonical form, signed by the signer's key. */
export async function signDigest(
  segment: Pick<Segment, 'stated'>,
  signer: AuditSigner,
  signedAt: string,
): Promise<DigestFile> {
  const body: DigestBody = {
    ...segment.stated,
    signedAt,
    keyId: signer.keyId,
    algorithm: DIGEST_SIGNING_ALGORITHM,
  };
  const signature = (await signer.sign(canonical(body))).toString('base64');
  return { ...body, signature };
}

/** The next segment of an agency's chain and its signed digest (`segmentOf`, then `signDigest`). */
export async function sealSegment(
  agencyId: string,
  events: readonly ChainedEvent[],
  previous: DigestFile | undefined,
  signer: AuditSigner,
  signedAt: string,
): Promise<{ key: string; text: string; digestKey: string; digest: DigestFile }> {
  const segment = segmentOf(agencyId, events, previous);
  return {
    key: segment.key,
    text: segment.text,
    digestKey: segment.digestKey,
    digest: await signDigest(segment, signer, signedAt),
  };
}
