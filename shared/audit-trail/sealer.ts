import type { Clock } from '#shared/aws/ports.ts';
import { SEGMENT_MAX_EVENTS } from '#shared/topology.ts';
import { canonical } from './canonical.ts';
import type { ChainedEvent } from './chain.ts';
import { type DigestFile, segmentOf, signDigest } from './segments.ts';
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
}

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
  for (;;) {
    const fromSeq = previous ? previous.lastSeq + 1 : 0;
    let events = await chain.links(agencyId, fromSeq, maxEvents);
    if (events.length === 0) return report;
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
    if (!(await bucket.writeOnce(segment.digestKey, `${JSON.stringify(digest)}\n`))) {
      // A run that stopped after writing this digest: keep the one in the bucket if it signs this segment.
      const text = await bucket.read(segment.digestKey);
      const held = text === undefined ? undefined : parseDigest(text, agencyId, segment.stated.index);
      if (
        !held ||
        !sameSegment(held, digest) ||
        held.keyId !== signer.keyId ||
        !digestSigned(held, [await signer.publicKeyPem()])
      )
        throw new Error(
          `${agencyId}: ${segment.digestKey} holds what this chain did not seal; nothing is sealed`,
        );
      digest = held;
    }
    await chain.sealed(agencyId, digest, previous);
    report.segments += 1;
    report.events += events.length;
    previous = digest;
  }
}

/** Whether two digests state the same segment in the same place (they differ in when, how and by which key version signed). */
function sameSegment(a: DigestFile, b: DigestFile): boolean {
  const stated = ({ signedAt: _at, signature: _sig, keyId: _key, ...rest }: DigestFile) => canonical(rest);
  return stated(a) === stated(b);
}
