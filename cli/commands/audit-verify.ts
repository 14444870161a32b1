import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AUDIT_TRAIL_PREFIX } from '#shared/audit-trail/segments.ts';
import { verifyTrail } from '#shared/audit-trail/verify.ts';

/**
 * `codetrail audit verify --dir DIR --public-key FILE`: checks a copy of the audit bucket's trail (for
 * example `aws s3 sync s3://<audit bucket>/audit-trail/ DIR`) with the signing key's public half alone,
 * so an external auditor needs no access to the stack. Prints one line per problem, naming the event,
 * segment or digest, then a summary; `ok` is false unless all holds (the command then exits 1).
 */
export function runAuditVerify(opts: { dir: string; publicKey: string; agency?: string[] }): {
  text: string;
  ok: boolean;
} {
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory())
    throw new Error(
      '--dir: not a folder; copy the trail there first (aws s3 sync s3://<audit bucket>/audit-trail/ DIR)',
    );
  if (!existsSync(opts.publicKey)) throw new Error('--public-key: no such file (the PEM of the signing key)');
  const files = new Map<string, string>();
  for (const path of filesBelow(opts.dir)) {
    const key = relative(opts.dir, path).split(sep).join('/');
    // A copy of the bucket's root or of its audit-trail/ folder: both read as the bucket's keys.
    files.set(
      key.startsWith(AUDIT_TRAIL_PREFIX) ? key : `${AUDIT_TRAIL_PREFIX}${key}`,
      readFileSync(path, 'utf8'),
    );
  }
  const report = verifyTrail(files, readFileSync(opts.publicKey, 'utf8'), opts.agency);
  const lines = report.problems.map(
    (p) =>
      `${p.kind}  ${p.agencyId}  segment ${p.segment}${p.seq === undefined ? '' : `  event ${p.seq}`}: ${p.detail}`,
  );
  const scope = `${report.events.toLocaleString('en-US')} event(s) in ${report.segments} segment(s) of ${report.agencies.join(', ') || 'no agency'}`;
  lines.push(
    report.ok
      ? `audit trail verified: ${scope}`
      : `audit trail NOT verified: ${report.problems.length} problem(s) in ${scope}`,
  );
  return { text: lines.join('\n'), ok: report.ok };
}

function* filesBelow(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesBelow(path);
    else if (entry.isFile()) yield path;
  }
}
