import { SEGMENT_MAX_EVENTS } from '#shared/topology.ts';
import { canonical } from './canonical.ts';
import type { ChainedEvent } from './chain.ts';
import { type DigestFile, sealSegment, segmentText, signedText } from './segments.ts';
import { type AuditSigner, signatureHolds } from './signer.ts';

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
  now: () => Date,
  maxEvents: number = SEGMENT_MAX_EVENTS,
): Promise<SealReport> {
  const report: SealReport = { agencyId, segments: 0, events: 0 };
  let previous = await chain.lastDigest(agencyId);
  for (;;) {
    const fromSeq = previous ? previous.lastSeq + 1 : 0;
    let events = await chain.links(agencyId, fromSeq, maxEvents);
    if (events.length === 0) return report;
    let sealed = await sealSegment(agencyId, events, previous, signer, now().toISOString());
    if (!(await bucket.writeOnce(sealed.key, sealed.text))) {
      // A run that stopped after writing this segment: seal exactly the events it holds.
      const held = (await bucket.read(sealed.key)) ?? '';
      const count = held.split('\n').length - 1;
      events = events.slice(0, count);
      if (count === 0 || held !== segmentText(events))
        throw new Error(`${agencyId}: ${sealed.key} holds what this chain did not seal; nothing is sealed`);
      sealed = await sealSegment(agencyId, events, previous, signer, now().toISOString());
    }
    let digest = sealed.digest;
    if (!(await bucket.writeOnce(sealed.digestKey, `${JSON.stringify(digest)}\n`))) {
      // A run that stopped after writing this digest: keep the one in the bucket if it signs this segment.
      const held = parseDigest(await bucket.read(sealed.digestKey));
      if (!held || !sameSegment(held, digest) || !(await signedByUs(held, signer)))
        throw new Error(
          `${agencyId}: ${sealed.digestKey} holds what this chain did not seal; nothing is sealed`,
        );
      digest = held;
    }
    await chain.sealed(agencyId, digest, previous);
    report.segments += 1;
    report.events += events.length;
    previous = digest;
  }
}

/** Whether this signer's key signed the digest: one signed otherwise is not ours to chain onto. */
async function signedByUs(digest: DigestFile, signer: AuditSigner): Promise<boolean> {
  if (digest.keyId !== signer.keyId || typeof digest.signature !== 'string') return false;
  return signatureHolds(
    await signer.publicKeyPem(),
    signedText(digest),
    Buffer.from(digest.signature, 'base64'),
  );
}

function parseDigest(text: string | undefined): DigestFile | undefined {
  try {
    return text ? (JSON.parse(text) as DigestFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two digests state the same segment in the same place (they differ in when, how and by which key version signed). */
function sameSegment(a: DigestFile, b: DigestFile): boolean {
  const stated = ({ signedAt: _at, signature: _sig, keyId: _key, ...rest }: DigestFile) => canonical(rest);
  return stated(a) === stated(b);
}
