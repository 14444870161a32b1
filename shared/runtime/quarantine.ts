import type { SourceObject } from '#shared/aws/ports.ts';
import { recordedSource } from '#shared/identity/identifiers.ts';
import { recordAudit } from './audit.ts';
import type { StageDeps } from './stage-deps.ts';

/** A report lists this many problems in full and counts the rest, so a garbage file stays small. */
export const MAX_REPORTED_ISSUES = 1000;

/**
 * Sets bad input aside: copies the source object to quarantine/<agency>/<objectId>/source in its own
 * bucket, writes the machine-readable report beside it, and records the audit event. Returns the
 * report's key. Every write is idempotent, so a redelivered object reports the same way.
 */
export async function quarantine(
  deps: StageDeps,
  args: {
    bucket: 'intake' | 'denials';
    source: SourceObject;
    objectId: string;
    agencyId: string;
    issues: readonly unknown[];
    /** All the problems found, when `issues` holds only the first of them. */
    issueCount?: number;
    auditType: string;
    actor: string;
    detail?: Record<string, unknown>;
  },
): Promise<string> {
  const { ports } = deps;
  const issueCount = args.issueCount ?? args.issues.length;
  const prefix = `quarantine/${args.agencyId}/${args.objectId}`;
  const report = `${prefix}/report.json`;
  await ports.artifacts.copyObject(
    args.source.bucket,
    args.source.key,
    args.bucket,
    `${prefix}/source`,
    args.source.versionId,
  );
  await ports.artifacts.putJson(args.bucket, report, {
    schemaVersion: 1,
    objectId: args.objectId,
    source: recordedSource(args.source),
    reportedAt: deps.clock.now().toISOString(),
    issueCount,
    issues: args.issues.slice(0, MAX_REPORTED_ISSUES),
  });
  await recordAudit(deps, {
    type: args.auditType,
    agencyId: args.agencyId,
    subject: `object:${args.objectId}`,
    actor: args.actor,
    idempotencyKey: 'quarantined',
    detail: { report, issueCount, ...args.detail },
  });
  return report;
}
