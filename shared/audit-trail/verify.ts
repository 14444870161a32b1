import { sha256Text } from './canonical.ts';
import { type ChainedEvent, chainedHash } from './chain.ts';
import { type DigestFile, digestKey, digestSha256, segmentKey, signedText } from './segments.ts';
import { signatureHolds } from './signer.ts';

/** What can be wrong with an agency's trail, each named so an auditor knows exactly what to look at. */
export type TrailProblemKind =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'missing-segment'
  | 'missing-digest'
  | 'altered-digest'
  | 'bad-signature'
  | 'broken-digest-chain'
  | 'broken-event-chain';

export interface TrailProblem {
  kind: TrailProblemKind;
  agencyId: string;
  /** The segment (and digest) index. */
  segment: number;
  /** The event's sequence number in its agency's chain, where one event is named. */
  seq?: number;
  detail: string;
}

export interface TrailReport {
  ok: boolean;
  agencies: string[];
  segments: number;
  /** Events the signed digests vouch for. */
  events: number;
  problems: TrailProblem[];
}

/**
 * Checks every agency's trail in the audit bucket's files (`files`: key to text, as read with the
 * bucket's read access alone) against the signing key's public half: each digest's signature, the chain
 * of digests, each segment against its digest, and each event against the hash the digest signed. Every
 * problem is named: the event modified, deleted, inserted or reordered, the segment or digest missing
 * or altered. Pure: the caller reads the files.
 *
 * What a chain of signed digests cannot show by itself: a trail cut short at its end (the newest
 * segments and digests removed together). Compare the newest digest's `signedAt` with when the stack last
 * wrote (every hour while it works).
 */
export function verifyTrail(
  files: ReadonlyMap<string, string>,
  publicKeyPem: string,
  onlyAgencies?: readonly string[],
): TrailReport {
  const byAgency = new Map<string, Set<number>>();
  for (const key of files.keys()) {
    const m = /^audit-trail\/([^/]+)\/(?:segments|digests)\/(\d{10})\.(?:ndjson|json)$/.exec(key);
    if (!m?.[1] || !m[2]) continue;
    if (onlyAgencies && !onlyAgencies.includes(m[1])) continue;
    byAgency.set(m[1], (byAgency.get(m[1]) ?? new Set()).add(Number(m[2])));
  }
  const problems: TrailProblem[] = [];
  let segments = 0;
  let events = 0;
  for (const [agencyId, indices] of [...byAgency].sort(([a], [b]) => a.localeCompare(b))) {
    const last = Math.max(...indices);
    let previous: { digest: DigestFile; trusted: boolean } | undefined;
    for (let index = 0; index <= last; index++) {
      segments += 1;
      const problem = (kind: TrailProblemKind, detail: string, seq?: number) =>
        problems.push({ kind, agencyId, segment: index, ...(seq === undefined ? {} : { seq }), detail });
      const digestText = files.get(digestKey(agencyId, index));
      const segment = files.get(segmentKey(agencyId, index));
      const digest = digestText === undefined ? undefined : parseDigest(digestText);
      if (digestText === undefined) problem('missing-digest', `digest ${index} is not in the bucket`);
      else if (!digest || digest.agencyId !== agencyId || digest.index !== index)
        problem('altered-digest', `digest ${index} is not a digest of this agency and place`);
      if (segment === undefined) problem('missing-segment', `segment ${index} is not in the bucket`);
      if (!digest || digest.agencyId !== agencyId || digest.index !== index) {
        previous = undefined;
        continue;
      }
      const trusted = signatureHolds(
        publicKeyPem,
        signedText(digest),
        Buffer.from(digest.signature, 'base64'),
      );
      if (!trusted) problem('bad-signature', `digest ${index}'s signature does not hold`);
      // Each digest names the one before: a digest taken out, changed or slipped in breaks the chain.
      const expectedPrevious = index === 0 ? null : previous ? digestSha256(previous.digest) : undefined;
      if (expectedPrevious !== undefined && digest.previousDigestSha256 !== expectedPrevious)
        problem('broken-digest-chain', `digest ${index} does not name digest ${index - 1} as it is`);
      // The first event of a segment chains to the last of the one before.
      if (previous && digest.chainStart !== previous.digest.eventHashes.at(-1))
        problem('broken-event-chain', `segment ${index} does not continue segment ${index - 1}'s chain`);
      events += digest.eventHashes.length;
      if (segment !== undefined && sha256Text(segment) !== digest.segmentSha256)
        for (const p of eventProblems(segment, digest)) problem(p.kind, p.detail, p.seq);
      previous = { digest, trusted };
    }
  }
  return { ok: problems.length === 0, agencies: [...byAgency.keys()].sort(), segments, events, problems };
}

function parseDigest(text: string): DigestFile | undefined {
  try {
    const d = JSON.parse(text) as DigestFile;
    return Array.isArray(d.eventHashes) && typeof d.signature === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A segment that is not the one its digest signed, event by event: each line's event, its hash
 * recomputed from its content, found (or not) among the hashes the digest signed. Found out of order:
 * reordered. Not found, where a signed event is missing at its sequence number: modified. Not found
 * otherwise: inserted. Signed and never found: deleted.
 */
function eventProblems(
  text: string,
  digest: DigestFile,
): { kind: TrailProblemKind; seq?: number; detail: string }[] {
  const out: { kind: TrailProblemKind; seq?: number; detail: string }[] = [];
  const position = new Map(digest.eventHashes.map((h, i) => [h, i]));
  const found = new Set<number>();
  const unmatched: { line: number; seq: number | undefined }[] = [];
  let furthest = -1;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const event = parseEvent(line);
    const at = event ? position.get(chainedHash(event)) : undefined;
    if (at === undefined || found.has(at)) {
      unmatched.push({ line: i + 1, seq: event?.seq });
      continue;
    }
    found.add(at);
    if (at < furthest)
      out.push({
        kind: 'reordered',
        seq: digest.firstSeq + at,
        detail: `event ${digest.firstSeq + at} stands after event ${digest.firstSeq + furthest}`,
      });
    furthest = Math.max(furthest, at);
  }
  const missing = new Set(digest.eventHashes.map((_, i) => i).filter((i) => !found.has(i)));
  for (const { line, seq } of unmatched) {
    // A line claiming a signed place whose event is gone is that event, changed; a line whose claim is
    // unreadable takes the place its line stands at, when that place is missing.
    const claimed = seq !== undefined ? seq - digest.firstSeq : line - 1;
    if (missing.has(claimed)) {
      missing.delete(claimed);
      out.push({
        kind: 'modified',
        seq: digest.firstSeq + claimed,
        detail: `event ${digest.firstSeq + claimed} is not the event signed (line ${line})`,
      });
    } else out.push({ kind: 'inserted', detail: `line ${line} holds an event no digest signed` });
  }
  for (const i of [...missing].sort((a, b) => a - b))
    out.push({ kind: 'deleted', seq: digest.firstSeq + i, detail: `event ${digest.firstSeq + i} is gone` });
  return out;
}

function parseEvent(line: string): ChainedEvent | undefined {
  try {
    const e = JSON.parse(line) as ChainedEvent;
    return typeof e.seq === 'number' && typeof e.eventId === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}
