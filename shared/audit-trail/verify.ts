import { sha256Hex } from '#shared/identity/identifiers.ts';
import { SEAL_EVERY_MINUTES } from '#shared/topology.ts';
import { canonical } from './canonical.ts';
import { type ChainedEvent, chainedHash, GENESIS_HASH, linkBody } from './chain.ts';
import {
  type DigestFile,
  digestKey,
  digestSha256,
  isQuiet,
  lastHashOf,
  parseTrailKey,
  segmentKey,
  signedText,
} from './segments.ts';
import { DIGEST_SIGNING_ALGORITHM, signatureHolds } from './signer.ts';

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
  | 'broken-event-chain'
  /** The newest digest is older than the sealer's schedule allows: the trail's end may be cut off. */
  | 'stale-trail';

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
  /** Segments sealed outside the window asked for: their digests checked, their events not read. */
  outsideWindow: number;
  /** Quiet digests (periods with nothing new): signed and chained, sealing no segment. */
  quietDigests: number;
  /** Each agency's newest signed digest, when it was signed: where its trail ends. */
  endsAt: Record<string, string>;
  problems: TrailProblem[];
}

/**
 * How old an agency's newest digest may be when its trail is checked as of a time: two sealing periods
 * and a quarter of an hour (a quiet period gets a digest too, so only a trail cut short, or a sealer that
 * stopped, has an older end).
 */
export const TRAIL_STALE_AFTER_MINUTES = 2 * SEAL_EVERY_MINUTES + 15;

/**
 * A window of time to check the events of (`--from`, `--to`): ISO instants, both included. Every digest
 * is checked whatever the window (its signature, its place in the chain), since the chain runs through
 * them all; only the segments sealed in the window are read and checked event by event.
 */
export interface TrailWindow {
  from: string;
  to: string;
}

/**
 * Whether a segment was sealed in the window: it holds what was chained after the previous digest was
 * signed and before its own was, and that stretch meets the window.
 */
export function sealedInWindow(
  signedAt: string,
  previousSignedAt: string | undefined,
  window?: TrailWindow,
): boolean {
  if (!window) return true;
  return signedAt >= window.from && (previousSignedAt === undefined || previousSignedAt <= window.to);
}

/**
 * Checks every agency's trail in the audit bucket's files (`files`: key to text, as read with the
 * bucket's read access alone) against the signing key's public half: each digest's signature, the chain
 * of digests and of events across them, each segment against its digest, and each event against the hash
 * the digest signed. Every problem is named: the event modified, deleted, inserted or reordered, the
 * segment or digest missing or altered. Pure: the caller reads the files. `agencies`, when given, are
 * checked alone, and each must have a trail.
 *
 * What a chain of signed digests cannot show by itself: a trail cut short at its end (the newest
 * segments and digests removed together). The sealer seals a quiet digest in a period with nothing new,
 * so, given when the trail was read (`asOf`), an agency whose newest digest is older than two periods is
 * named (`stale-trail`).
 */
export function verifyTrail(
  files: ReadonlyMap<string, string>,
  /** The signing key's public half, or each of them when the key was replaced (old digests keep theirs). */
  publicKeyPem: string | readonly string[],
  agencies?: readonly string[],
  window?: TrailWindow,
  /**
   * When the trail was read (an ISO instant): each agency's newest digest must then be recent
   * (`TRAIL_STALE_AFTER_MINUTES`), or its trail may be cut short at its end. Not checked when absent.
   */
  asOf?: string,
): TrailReport {
  const byAgency = new Map<string, Set<number>>((agencies ?? []).map((a) => [a, new Set<number>()]));
  for (const key of files.keys()) {
    const parsed = parseTrailKey(key);
    if (!parsed || (agencies && !agencies.includes(parsed.agencyId))) continue;
    byAgency.set(parsed.agencyId, (byAgency.get(parsed.agencyId) ?? new Set()).add(parsed.index));
  }
  const report: TrailReport = {
    ok: true,
    agencies: [...byAgency.keys()].sort(),
    segments: 0,
    events: 0,
    outsideWindow: 0,
    quietDigests: 0,
    endsAt: {},
    problems: [],
  };
  for (const agencyId of report.agencies)
    checkAgency(
      files,
      typeof publicKeyPem === 'string' ? [publicKeyPem] : publicKeyPem,
      agencyId,
      byAgency.get(agencyId) ?? new Set(),
      report,
      window,
    );
  if (asOf !== undefined)
    for (const agencyId of report.agencies) {
      const endsAt = report.endsAt[agencyId];
      let last = -1;
      for (const index of byAgency.get(agencyId) ?? []) if (index > last) last = index;
      if (endsAt && Date.parse(asOf) - Date.parse(endsAt) > TRAIL_STALE_AFTER_MINUTES * 60_000)
        report.problems.push({
          kind: 'stale-trail',
          agencyId,
          segment: last,
          detail: `the newest digest was signed at ${endsAt}, more than ${TRAIL_STALE_AFTER_MINUTES} minutes before ${asOf}: the trail may be cut short at its end, or the sealer has stopped`,
        });
    }
  report.ok = report.problems.length === 0;
  return report;
}

function checkAgency(
  files: ReadonlyMap<string, string>,
  publicKeys: readonly string[],
  agencyId: string,
  indices: ReadonlySet<number>,
  report: TrailReport,
  window: TrailWindow | undefined,
): void {
  const at = (segment: number) => (kind: TrailProblemKind, detail: string, seq?: number) =>
    report.problems.push({ kind, agencyId, segment, ...(seq === undefined ? {} : { seq }), detail });
  if (indices.size === 0) at(0)('missing-segment', `${agencyId} has no trail in the bucket`);
  // The last digest whose signature held: the next one must continue it.
  let previous: DigestFile | undefined;
  // When the digest before was signed, whether or not it held: where a segment's sealing began.
  let previousSignedAt: string | undefined;
  let expected = 0;
  for (const index of [...indices].sort((a, b) => a - b)) {
    // Places with neither file: one problem per gap, however wide (a hostile key can name any index).
    if (index > expected) {
      const places = index - expected === 1 ? `${expected}` : `${expected} to ${index - 1}`;
      at(expected)('missing-segment', `segment ${places} is not in the bucket`);
      at(expected)('missing-digest', `digest ${places} is not in the bucket`);
      report.segments += index - expected;
      previous = undefined;
    }
    expected = index + 1;
    report.segments += 1;
    const problem = at(index);
    const digestText = files.get(digestKey(agencyId, index));
    const segment = files.get(segmentKey(agencyId, index));
    // Parsed once: a digest that is not one is named below, after what its absence says of the segment.
    const digest = digestText === undefined ? undefined : parseDigest(digestText, agencyId, index);
    const sealedAt = digest?.signedAt;
    const lastSignedAt = previousSignedAt;
    previousSignedAt = typeof sealedAt === 'string' ? sealedAt : undefined;
    // Outside the window a segment is not read (a digest missing or unreadable does not say when).
    const inWindow = typeof sealedAt !== 'string' || sealedInWindow(sealedAt, lastSignedAt, window);
    if (!inWindow) report.outsideWindow += 1;
    // Whether its signature holds, once: an unsigned digest says nothing, not even that it sealed no segment.
    const signed = digest !== undefined && digestSigned(digest, publicKeys);
    // A quiet digest seals no segment: one in its place was put there.
    const quiet = signed && isQuiet(digest);
    if (quiet) {
      report.segments -= 1;
      report.quietDigests += 1;
    }
    if (segment === undefined && inWindow && !quiet)
      problem('missing-segment', `segment ${index} is not in the bucket`);
    if (segment !== undefined && quiet)
      problem('inserted', `segment ${index} is in the bucket where digest ${index} sealed none`);
    if (digestText === undefined) {
      problem('missing-digest', `digest ${index} is not in the bucket`);
      previous = undefined;
      continue;
    }
    if (!digest) {
      problem('altered-digest', `digest ${index} is not a digest of ${agencyId} at ${index}`);
      previous = undefined;
      continue;
    }
    if (!signed) {
      // Nothing an unsigned digest says is used: not its segment, not as the next one's predecessor.
      problem('bad-signature', `digest ${index}'s signature does not hold`);
      previous = undefined;
      continue;
    }
    // Each digest names the one before, and its events continue that one's: nothing taken out between.
    if (
      index === 0 &&
      (digest.previousDigestSha256 !== null || digest.firstSeq !== 0 || digest.chainStart !== GENESIS_HASH)
    )
      problem('broken-event-chain', `digest 0 does not start ${agencyId}'s chain`);
    if (previous) {
      if (digest.previousDigestSha256 !== digestSha256(previous))
        problem('broken-digest-chain', `digest ${index} does not name digest ${index - 1} as it is`);
      if (digest.chainStart !== lastHashOf(previous) || digest.firstSeq !== previous.lastSeq + 1)
        problem('broken-event-chain', `segment ${index} does not continue segment ${index - 1}'s chain`);
    }
    report.events += digest.eventHashes.length;
    if (!report.endsAt[agencyId] || digest.signedAt > (report.endsAt[agencyId] ?? ''))
      report.endsAt[agencyId] = digest.signedAt;
    if (inWindow && segment !== undefined && !quiet && sha256Hex(segment) !== digest.segmentSha256) {
      const found = eventProblems(segment, digest);
      for (const p of found) problem(p.kind, p.detail, p.seq);
      // Lines rewritten without changing any event (another encoding, another layout): still not the file signed.
      if (found.length === 0)
        problem('modified', `segment ${index} is not the file signed, though its events are`);
    }
    previous = digest;
  }
}

/** A digest file as the sealer writes it, of this agency and place; undefined for anything else. */
export function parseDigest(text: string, agencyId: string, index: number): DigestFile | undefined {
  try {
    const d = JSON.parse(text) as DigestFile;
    // A segment's digest names its segment and at least one event; a quiet one, neither.
    const seals =
      d.segmentKey === null
        ? d.segmentSha256 === null && Array.isArray(d.eventHashes) && d.eventHashes.length === 0
        : d.segmentKey === segmentKey(agencyId, index) &&
          typeof d.segmentSha256 === 'string' &&
          Array.isArray(d.eventHashes) &&
          d.eventHashes.length > 0;
    const ok =
      d.schemaVersion === 1 &&
      d.algorithm === DIGEST_SIGNING_ALGORITHM &&
      d.agencyId === agencyId &&
      d.index === index &&
      seals &&
      d.eventHashes.every((h) => typeof h === 'string') &&
      typeof d.signedAt === 'string' &&
      Number.isSafeInteger(d.firstSeq) &&
      d.lastSeq - d.firstSeq + 1 === d.eventHashes.length &&
      typeof d.chainStart === 'string' &&
      typeof d.signature === 'string';
    return ok ? d : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the digest's signature holds: decoded strictly (base64 with nothing added), over its body. */
export function digestSigned(digest: DigestFile, publicKeys: readonly string[]): boolean {
  try {
    const signature = Buffer.from(digest.signature, 'base64');
    if (signature.toString('base64') !== digest.signature) return false;
    const text = signedText(digest);
    return publicKeys.some((key) => signatureHolds(key, text, signature));
  } catch {
    // A body no canonical form exists for (an infinite number, a lone surrogate) was never signed.
    return false;
  }
}

/**
 * A segment that is not the one its digest signed, event by event. A line is a signed event only if it
 * is, byte for byte, that event's canonical form with its hash recomputed (nothing added, no field
 * rewritten). Signed events found out of order: those outside the longest run in order are reordered.
 * A line that is no signed event, where a signed event is missing at its sequence number: modified;
 * otherwise: inserted. Signed and never found: deleted.
 */
function eventProblems(
  text: string,
  digest: DigestFile,
): { kind: TrailProblemKind; seq?: number; detail: string }[] {
  const out: { kind: TrailProblemKind; seq?: number; detail: string }[] = [];
  const position = new Map(digest.eventHashes.map((h, i) => [h, i]));
  const found: number[] = [];
  const foundSet = new Set<number>();
  const unmatched: { line: number; seq: number | undefined }[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const event = signedEvent(line);
    const at = event ? position.get(event.hash) : undefined;
    if (at === undefined || foundSet.has(at)) unmatched.push({ line: i + 1, seq: event?.seq ?? seqOf(line) });
    else {
      found.push(at);
      foundSet.add(at);
    }
  }
  const inOrder = longestIncreasing(found);
  for (const p of found)
    if (!inOrder.has(p))
      out.push({
        kind: 'reordered',
        seq: digest.firstSeq + p,
        detail: `event ${digest.firstSeq + p} is out of its place`,
      });
  const missing = new Set(digest.eventHashes.map((_, i) => i).filter((i) => !foundSet.has(i)));
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

/** The line's event with its hash recomputed, if the line is exactly that event's canonical form. */
function signedEvent(line: string): ChainedEvent | undefined {
  try {
    const e = JSON.parse(line) as ChainedEvent;
    if (typeof e.seq !== 'number' || typeof e.eventId !== 'string') return undefined;
    if (e.sentBy !== undefined && typeof e.sentBy !== 'string') return undefined;
    const rebuilt = linkBody(e);
    const hash = chainedHash(rebuilt);
    return canonical({ ...rebuilt, hash }) === line ? { ...rebuilt, hash } : undefined;
  } catch {
    // No canonical form (an infinite number, a lone surrogate, nesting past the stack): not a signed event.
    return undefined;
  }
}

/** The sequence number a line claims, if it can be read at all. */
function seqOf(line: string): number | undefined {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** The values of the longest strictly increasing subsequence (patience sorting, O(n log n)). */
function longestIncreasing(values: readonly number[]): Set<number> {
  const tails: number[] = [];
  const tailAt: number[] = [];
  const before: number[] = [];
  for (const [i, v] of values.entries()) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tails[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = v;
    tailAt[lo] = i;
    before[i] = lo > 0 ? (tailAt[lo - 1] as number) : -1;
  }
  const kept = new Set<number>();
  for (let i = tailAt[tails.length - 1] ?? -1; i >= 0; i = before[i] as number) kept.add(values[i] as number);
  return kept;
}
