import { summarize } from '#shared/audit-trail/story.ts';
import type { AuditEvent, Ports } from '#shared/aws/ports.ts';
import { batchManifestKey } from '#shared/billing/batch-files.ts';
import { agencyOfChartKey, parseChartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import { BATCH_ID } from '#shared/model/batch.ts';
import { AGENCY_ID, agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { table } from '../lib/summary.ts';
import { agencyNamedBy, agencyOf, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * `codetrail audit events SUBJECT`: the audit trail of one subject (`chart:<chartKey>:v<n>`,
 * `object:<objectId>`, `batch:<batchId>`, `coder:<agency>:<coder>`, an agency's `config` in force, the
 * audit queue's refused messages `audit-queue`), oldest first: what happened, when,
 * and who did it (a stage, or a person's verified identity). Read as the compliance role: read-only,
 * audit partitions alone. `--json` prints the events themselves.
 */
export async function runAuditEvents(
  target: Pick<Target, 'agencies' | 'description'> & { ports: Pick<Ports, 'audit'> },
  subject: string,
  opts: { json?: boolean; agency?: string } = {},
): Promise<string> {
  // A subject's events are kept under its agency: a chart's (its chartKey begins with it) or a coder's
  // (named in the subject), else the one asked for or the stack's only one.
  const agencyId = agencyNamedBy(target, opts.agency, agencyInSubject(subject), 'the subject');
  const events = await actAs(agencyRole(PERSON_ROLES.compliance, agencyId), () =>
    target.ports.audit.list(agencyId, subject),
  );
  if (opts.json) return JSON.stringify(events, null, 2);
  if (events.length === 0) return `No audit event names ${subject}.`;
  return table(
    ['at', 'event', 'actor', 'detail'],
    // What happened in a line (the story's words); `--json` gives the whole detail.
    events.map((e) => [e.at, e.type, e.actor, summarize(e).slice(0, 160)]),
  );
}

/** The agency a subject names: a chart's (`chart:<chartKey>:v<n>`, the chartKey leads with it) and a coder's do. */
export function agencyInSubject(subject: string): string | undefined {
  const chart = parseChartSubject(subject)?.chartKey;
  if (chart) return agencyOfChartKey(chart);
  const coder = /^coder:([^:]+):/.exec(subject)?.[1];
  return coder && AGENCY_ID.test(coder) ? coder : undefined;
}

/**
 * `codetrail audit batch BATCH`: whether the Object-Locked copy of a batch's manifest in the audit bucket
 * is the one billing handoff recorded (the SHA-256 its `batch.handed-off` event holds): proof, for an
 * audit, of what a batch billed. Read as the agency's compliance role. A copy that differs, or a batch
 * never handed off, is refused with one line (the command exits non-zero).
 */
export async function runAuditBatch(
  target: Pick<Target, 'agencies' | 'description'> & { ports: Pick<Ports, 'audit' | 'artifacts'> },
  batchId: string,
  opts: { agency?: string } = {},
): Promise<string> {
  // The value is not echoed: a mistyped argument can be anything.
  if (!BATCH_ID.test(batchId)) throw new Error('not a batch id (b<yyyymmdd>-<12 hex digits>)');
  const agency = agencyOf(target, opts.agency);
  return actAs(agencyRole(PERSON_ROLES.compliance, agency), async () => {
    const handedOff = handedOffManifest(await target.ports.audit.list(agency, `batch:${batchId}`));
    const recorded = handedOff?.manifestSha256;
    if (recorded === undefined) throw new Error(`${batchId}: ${agency} has no handed-off batch of that id`);
    const key = batchManifestKey(agency, batchId);
    const locked = sha256Hex(await target.ports.artifacts.getText('audit', key));
    if (locked !== recorded)
      throw new Error(
        `${batchId}: the Object-Locked manifest (sha256 ${locked.slice(0, 12)}) is not the one billing handoff recorded (${recorded.slice(0, 12)})`,
      );
    return `${batchId}: the Object-Locked manifest is the one billing handoff recorded at ${handedOff?.at} (sha256 ${recorded})`;
  });
}

/**
 * What a batch's `batch.handed-off` event recorded of its manifest: where it was written, its SHA-256 and
 * when; undefined when none of the events is one. Its Object-Locked copy is at `batchManifestKey`.
 */
export function handedOffManifest(
  events: readonly Pick<AuditEvent, 'type' | 'at' | 'detail'>[],
): { manifestKey?: string; manifestSha256?: string; at: string } | undefined {
  const event = events.find((e) => e.type === 'batch.handed-off');
  if (!event) return undefined;
  const { manifestKey, manifestSha256 } = event.detail ?? {};
  return {
    at: event.at,
    ...(typeof manifestKey === 'string' ? { manifestKey } : {}),
    ...(typeof manifestSha256 === 'string' ? { manifestSha256 } : {}),
  };
}
