import type { Clock } from '#shared/aws/ports.ts';
import { SEAL_EVERY_MINUTES, SEGMENT_MAX_EVENTS } from '#shared/topology.ts';
import { canonical } from './canonical.ts';
import type { ChainedEvent } from './chain.ts';
import { type DigestFile, isQuiet, quietSeal, type Segment, segmentOf, signDigest } from './segments.ts';
import type { AuditSigner } from './signer.ts';
import { digestSigned, parseDigest } from './verify.ts';

/** The sealer's view of the chain: links in order from a sequence number, and where sealing stopped. */
export interface SealedChain {
  /** Up to `limit` links of the agency's chain from `fromSeq` on, in order. */
  links(agencyId: string, fromSeq: number, limit: number): Promise<ChainedEvent[]>;
  /** The agency's last sealed digest; undefined before its first. */
  lastDigest(agencyId: string): Promise<DigestFile | undefined>;
  /** Records `digest` as the agency's last, if the last is still `previous` (one sealer at a time). */
  sealed(agencyId: string, digest: DigestFile, previous: DigestFile | undefined): Promise<void>;
}

/** The Object-Locked audit bucket's trail: objects written once, never replaced. */
export interface TrailObjects {
  /** Writes the object unless its key holds one: false when one was there (left as it is). */
  writeOnce(key: string, text: string): Promise<boolean>;
  read(key: string): Promise<string | undefined>;
}

export interface SealReport {
  agencyId: string;
  segments: number;
  events: number;
  /** A quiet digest was sealed: nothing new for a period. */
  quiet?: boolean;
}

/**
 * A quiet digest is sealed when nothing new was chained and the agency's newest digest is this old: once
 * per sealing period (a little under it, so an hourly run that fires a few seconds early still seals).
 */
export const QUIET_SEAL_AFTER_MINUTES = Math.floor(SEAL_EVERY_MINUTES * 0.9);

/**
 * Seals an agency's newly chained events into the trail: segments of at most `maxEvents`, each with
 * its signed digest, until nothing is left unsealed. Objects are written once, so a run that stopped
 * half-way (a segment written, its digest not; a digest written, not yet recorded as the last) is
 * finished from what it left in the bucket (a digest only if this key signed it), never written over; anything there that this chain did not
 * seal stops the sealer loudly.
 */
export async function sealAgency(
  agencyId: string,
  chain: SealedChain,
  bucket: TrailObjects,
  signer: AuditSigner,
  clock: Clock,
  maxEvents: number = SEGMENT_MAX_EVENTS,
): Promise<SealReport> {
  const report: SealReport = { agencyId, segments: 0, events: 0 };
  let previous = await chain.lastDigest(agencyId);
  // A quiet seal that stopped after writing its digest, before recording it: take it up first, or the
  // next segment would be aimed at its place and the sealer stuck there for good.
  if (previous) previous = await quietLeftBehind(agencyId, chain, bucket, signer, previous);
  for (;;) {
    const fromSeq = previous ? previous.lastSeq + 1 : 0;
    let events = await chain.links(agencyId, fromSeq, maxEvents);
    if (events.length === 0) {
      // Nothing new: a quiet digest once a period, so the trail's end is always recent (an agency with
      // nothing sealed yet has no trail to keep recent).
      const now = clock.now();
      if (
        report.segments === 0 &&
        previous &&
        now.getTime() - Date.parse(previous.signedAt) >= QUIET_SEAL_AFTER_MINUTES * 60_000
      ) {
        await sealQuiet(agencyId, chain, bucket, signer, previous, now.toISOString());
        report.quiet = true;
      }
      return report;
    }
    let segment = segmentOf(agencyId, events, previous);
    if (!(await bucket.writeOnce(segment.key, segment.text))) {
      // A run that stopped after writing this segment: seal exactly the events it holds.
      const held = (await bucket.read(segment.key)) ?? '';
      const count = held.split('\n').length - 1;
      events = events.slice(0, count);
      if (count > 0) segment = segmentOf(agencyId, events, previous);
      if (count === 0 || held !== segment.text)
        throw new Error(`${agencyId}: ${segment.key} holds what this chain did not seal; nothing is sealed`);
    }
    // Signed once, after its segment is in the bucket.
    let digest = await signDigest(segment, signer, clock.now().toISOString());
    // A run that stopped after writing this digest: keep the one in the bucket if it signs this segment.
    if (!(await bucket.writeOnce(segment.digestKey, `${JSON.stringify(digest)}\n`)))
      digest = await heldDigest(agencyId, bucket, segment, digest, signer);
    await chain.sealed(agencyId, digest, previous);
    report.segments += 1;
    report.events += events.length;
    previous = digest;
  }
}

/** Seals a quiet period's digest after `previous`: written once, as a segment's digest is. */
async function sealQuiet(
  agencyId: string,
  chain: SealedChain,
  bucket: TrailObjects,
  signer: AuditSigner,
  previous: DigestFile,
  signedAt: string,
): Promise<void> {
  const quiet = quietSeal(agencyId, previous);
  let digest = await signDigest(quiet, signer, signedAt);
  if (!(await bucket.writeOnce(quiet.digestKey, `${JSON.stringify(digest)}\n`))) {
    digest = await heldDigest(agencyId, bucket, quiet, digest, signer);
  }
  await chain.sealed(agencyId, digest, previous);
}

/**
 * The quiet digest after `previous` a stopped run wrote and did not record, recorded now (the newest
 * digest after it); `previous` when there is none. One read of the bucket per run.
 */
async function quietLeftBehind(
  agencyId: string,
  chain: SealedChain,
  bucket: TrailObjects,
  signer: AuditSigner,
  previous: DigestFile,
): Promise<DigestFile> {
  const next = quietSeal(agencyId, previous);
  const text = await bucket.read(next.digestKey);
  if (text === undefined) return previous;
  const held = parseDigest(text, agencyId, next.stated.index);
  // Anything else there is left for the sealing below to find (and stop at, loudly).
  if (
    !held ||
    !isQuiet(held) ||
    !sameSegment(held, { ...held, ...next.stated }) ||
    held.keyId !== signer.keyId ||
    !digestSigned(held, [await signer.publicKeyPem()])
  )
    return previous;
  await chain.sealed(agencyId, held, previous);
  return held;
}

/**
 * The digest a run that stopped after writing it left in the bucket, if it is the one this run would
 * write (the same segment, or the same quiet period, in the same place, signed by this key); anything
 * else there stops the sealer loudly.
 */
async function heldDigest(
  agencyId: string,
  bucket: TrailObjects,
  seal: Pick<Segment, 'digestKey' | 'stated'>,
  digest: DigestFile,
  signer: AuditSigner,
): Promise<DigestFile> {
  const text = await bucket.read(seal.digestKey);
  const held = text === undefined ? undefined : parseDigest(text, agencyId, seal.stated.index);
  if (
    !held ||
    !sameSegment(held, digest) ||
    held.keyId !== signer.keyId ||
    !digestSigned(held, [await signer.publicKeyPem()])
  )
    throw new Error(`${agencyId}: ${seal.digestKey} holds what this chain did not seal; nothing is sealed`);
  return held;
}

/** Whether two digests state the same segment in the same place (they differ in when, how and by which key version signed). */
function sameSegment(a: DigestFile, b: DigestFile): boolean {
  const stated = ({ signedAt: _at, signature: _sig, keyId: _key, ...rest }: DigestFile) => canonical(rest);
  return stated(a) === stated(b);
}
