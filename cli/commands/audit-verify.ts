import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrailKey } from '#shared/audit-trail/segments.ts';
import { type TrailReport, verifyTrail } from '#shared/audit-trail/verify.ts';
import { AUDIT_TRAIL_PREFIX } from '#shared/topology.ts';
import { filesBelow } from '../lib/files.ts';
import { readStackTrail, stackPublicKey, trailWindow } from '../lib/stack-trail.ts';
import { agencyOf, type Target } from '../lib/target.ts';

/**
 * `codetrail audit verify --dir DIR --public-key FILE`: checks a copy of the audit bucket's trail (for
 * example `aws s3 sync s3://<audit bucket>/audit-trail/ DIR`) with the signing key's public half alone,
 * so an external auditor needs no access to the stack. Prints one line per problem, naming the event,
 * segment or digest, then a summary; `ok` is false unless all holds (the command then exits 1).
 */
export function runAuditVerify(opts: {
  dir: string;
  publicKey: string | string[];
  agency?: string[];
  from?: string;
  to?: string;
  /** When the copy was made (an ISO instant): each agency's trail must then end recently. */
  asOf?: string;
}): {
  text: string;
  ok: boolean;
} {
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory())
    throw new Error(
      '--dir: not a folder; copy the trail there first (aws s3 sync s3://<audit bucket>/audit-trail/ DIR)',
    );
  const keys = readPublicKeys(opts.publicKey);
  const files = new Map<string, string>();
  for (const key of filesBelow(opts.dir)) {
    // A copy of the bucket's root or of its audit-trail/ folder: both read as the bucket's keys.
    files.set(
      key.startsWith(AUDIT_TRAIL_PREFIX) ? key : `${AUDIT_TRAIL_PREFIX}${key}`,
      readFileSync(join(opts.dir, key), 'utf8'),
    );
  }
  const asOf = opts.asOf === undefined ? undefined : isoInstant(opts.asOf);
  const report = verifyTrail(files, keys, opts.agency, trailWindow(opts.from, opts.to), asOf);
  const rendered = renderTrailReport(report);
  if (asOf !== undefined) return rendered;
  // Without --as-of, where each trail ends, for the auditor to hold against when the copy was made.
  const ends = Object.entries(report.endsAt).map(([agency, at]) => `${agency} at ${at}`);
  if (ends.length === 0) return rendered;
  return {
    ...rendered,
    text: `${rendered.text}\ntrail ends: ${ends.join('; ')} (give --as-of, when the copy was made, to check none is cut short)`,
  };
}

/** An ISO 8601 instant (`2026-12-08T14:00:00Z`), as `--as-of` takes it. */
function isoInstant(value: string): string {
  const ms = Date.parse(value);
  const shaped = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(
    value,
  );
  // A day that does not exist (2026-02-30) would roll over into the next month: refused, not moved.
  const day = shaped?.[1];
  const real =
    day !== undefined && new Date(Date.parse(`${day}T00:00:00Z`)).toISOString().slice(0, 10) === day;
  if (!shaped || !real || Number.isNaN(ms))
    throw new Error('--as-of: not an instant (e.g. 2026-12-08T14:00:00Z, when the copy was made)');
  return new Date(ms).toISOString();
}

/** The public halves `--public-key` names (one, or each key the trail was ever signed with), read. */
export function readPublicKeys(files: string | string[]): string[] {
  const list = typeof files === 'string' ? [files] : files;
  if (list.some((f) => !existsSync(f)))
    throw new Error('--public-key: no such file (the PEM of the signing key)');
  return list.map((f) => readFileSync(f, 'utf8'));
}

/**
 * `codetrail audit verify [--agency A ...]` on a stack: reads each agency's trail from the stack's audit
 * bucket as its compliance role, and checks it with the signing key's public half (`--public-key`, or the
 * stack's own when none is given).
 */
export async function runStackAuditVerify(
  target: Target,
  opts: { agency?: string[]; publicKey?: string | string[]; from?: string; to?: string; asOf?: Date },
): Promise<{ text: string; ok: boolean }> {
  const named = Boolean(opts.agency?.length);
  const agencies = named ? (opts.agency ?? []).map((a) => agencyOf(target, a)) : target.agencies;
  const [first] = agencies;
  if (!first) throw new Error('name the agencies with --agency: the stack does not list its agencies');
  const given = opts.publicKey === undefined ? undefined : readPublicKeys(opts.publicKey);
  const window = trailWindow(opts.from, opts.to);
  const files = await readStackTrail(target.ports.artifacts, agencies, window);
  // An agency named must have a trail; of all the stack serves, one with nothing sealed yet (a new or
  // quiet agency) is said, not failed.
  const withTrail = new Set([...files.keys()].map((k) => parseTrailKey(k)?.agencyId));
  const sealed = named ? agencies : agencies.filter((a) => withTrail.has(a));
  const unsealed = agencies.filter((a) => !sealed.includes(a));
  const note = unsealed.length > 0 ? `\nnothing sealed yet for ${unsealed.join(', ')}` : '';
  const [firstSealed] = sealed;
  if (!firstSealed) return { text: `nothing sealed yet for ${unsealed.join(', ')}`, ok: true };
  const publicKey = given ? given : await stackPublicKey(target.clients, target.resources, firstSealed);
  // As of now: a stack's trail ends within two sealing periods, or it was cut short (or the sealer stopped).
  const report = renderTrailReport(
    verifyTrail(files, publicKey, sealed, window, (opts.asOf ?? new Date()).toISOString()),
  );
  return { text: `${report.text}${note}`, ok: report.ok };
}

/** One line per problem, naming the event, segment or digest, then a summary line. */
function renderTrailReport(report: TrailReport): { text: string; ok: boolean } {
  const lines = report.problems.map(
    (p) =>
      `${p.kind}  ${p.agencyId}  segment ${p.segment}${p.seq === undefined ? '' : `  event ${p.seq}`}: ${p.detail}`,
  );
  const outside =
    report.outsideWindow > 0
      ? ` (${report.outsideWindow} sealed outside the window: digests checked, events not read)`
      : '';
  const quiet = report.quietDigests > 0 ? ` and ${report.quietDigests} quiet digest(s)` : '';
  const scope = `${report.events.toLocaleString('en-US')} event(s) in ${report.segments} segment(s)${quiet}${outside} of ${report.agencies.join(', ') || 'no agency'}`;
  lines.push(
    report.ok
      ? `audit trail verified: ${scope}`
      : `audit trail NOT verified: ${report.problems.length} problem(s) in ${scope}`,
  );
  return { text: lines.join('\n'), ok: report.ok };
}
