import type { Ports } from '#shared/aws/ports.ts';
import { PERSON_ROLES } from '#shared/topology.ts';
import { table } from '../lib/summary.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * `codetrail audit events SUBJECT`: the audit trail of one subject (`chart:<chartKey>:v<n>`,
 * `object:<objectId>`, `batch:<batchId>`, `coder:<agency>:<coder>`), oldest first: what happened, when,
 * and who did it (a stage, or a person's verified identity). Read as the compliance role: read-only,
 * audit partitions alone. `--json` prints the events themselves.
 */
export async function runAuditEvents(
  ports: Pick<Ports, 'audit'>,
  subject: string,
  opts: { json?: boolean } = {},
): Promise<string> {
  const events = await actAs(PERSON_ROLES.compliance, () => ports.audit.list(subject));
  if (opts.json) return JSON.stringify(events, null, 2);
  if (events.length === 0) return `No audit event names ${subject}.`;
  return table(
    ['at', 'event', 'actor', 'detail'],
    events.map((e) => [e.at, e.type, e.actor, e.detail ? JSON.stringify(e.detail).slice(0, 120) : '']),
  );
}
