import type { Ports } from '#shared/aws/ports.ts';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { intakeReceipts, pendingObjects } from '../lib/receipts.ts';
import { table } from '../lib/summary.ts';
import { agencyOf, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * `codetrail intake receipts`: what intake took in from every dropped file, as the receipts record it:
 * the file by object id (never its key, which an EMR export can name after the patient), its SHA-256, how many charts were read, accepted, quarantined, superseded and duplicate, how
 * many runs it took, and where the quarantine report is. `--json` prints the receipts themselves;
 * `--locked` reads the copies in the Object-Locked audit bucket instead.
 */
export async function runIntakeReceipts(
  target: Pick<Target, 'agencies' | 'description'> & { ports: Pick<Ports, 'artifacts'> },
  opts: { agency?: string; json?: boolean; locked?: boolean },
): Promise<string> {
  // Read as compliance does (the agency's read-only role, enforced against the local stack).
  const agency = agencyOf(target, opts.agency);
  const receipts = await actAs(agencyRole(PERSON_ROLES.compliance, agency), () =>
    intakeReceipts(target.ports, agency, opts.locked ? 'audit' : 'artifacts'),
  );
  if (opts.json) return JSON.stringify(receipts, null, 2);
  if (receipts.length === 0) return 'No file has been taken in yet.';
  return table(
    [
      'object',
      'format',
      'sha256',
      'read',
      'accepted',
      'quarantined',
      'superseded',
      'duplicates',
      'runs',
      'report',
    ],
    receipts.map((r) => [
      r.objectId,
      r.format,
      r.sha256 ? r.sha256.slice(0, 12) : '(not read)',
      r.counts.read,
      r.counts.accepted,
      r.counts.quarantined,
      r.counts.superseded,
      r.counts.duplicates,
      r.segments,
      r.quarantineReport ?? '',
    ]),
  );
}

/**
 * `codetrail intake pending`: dropped objects no receipt accounts for yet, and why that may be. By object
 * id; `--keys` adds each one's key, for an operator to find it in S3 (an export job's file name may carry
 * a patient's name, so it is printed only when asked for).
 */
export async function runIntakePending(
  ports: Pick<Ports, 'artifacts'>,
  opts: { agency?: string; json?: boolean; keys?: boolean },
): Promise<string> {
  const pending = await pendingObjects(ports, opts);
  if (opts.json) return JSON.stringify(pending, null, 2);
  if (pending.length === 0) return 'Every dropped object has its intake receipt.';
  return table(
    ['object', ...(opts.keys ? ['key'] : []), 'bytes', 'why'],
    pending.map((p) => [p.objectId, ...(opts.keys ? [p.key ?? ''] : []), p.size, p.why]),
  );
}
