import type { AuditEvent } from '#shared/aws/ports.ts';
import type { StageDeps } from './stage-deps.ts';

/** Records an audit event stamped with the stage's clock; the idempotency key keeps retries to one record. */
export function recordAudit(deps: StageDeps, event: Omit<AuditEvent, 'at'>): Promise<void> {
  return deps.ports.audit.record({ ...event, at: deps.clock.now().toISOString() });
}
