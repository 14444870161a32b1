import type { SourceObject } from '#shared/aws/ports.ts';
import { agencyFromKey, recordedSource } from '#shared/identity/identifiers.ts';
import { recordAudit } from './audit.ts';
import type { StageDeps } from './stage-deps.ts';

export interface ObjectClaim {
  objectId: string;
  /** From the key layout `<prefix>/<agency>/...`; `unknown` when the key does not follow it. */
  agencyId: string;
  startedAt: string;
  /** The object was taken in completely before: this delivery is a duplicate and must do nothing. */
  done: boolean;
}

/**
 * Records that a stage is taking in a dropped object, in the object ledger. A duplicate delivery of an
 * object already done is recorded in the audit log and reported `done`; one whose first delivery died
 * part-way is taken in again (every write after this is idempotent).
 */
export async function claimObject(
  deps: StageDeps,
  source: SourceObject,
  stage: string,
): Promise<ObjectClaim> {
  const recorded = recordedSource(source);
  const { objectId } = recorded;
  const agencyId = agencyFromKey(source.key) ?? 'unknown';
  const startedAt = deps.clock.now().toISOString();
  const claim = await deps.ports.ledger.begin({
    objectId,
    status: 'PROCESSING',
    stage,
    source: recorded,
    startedAt,
  });
  const done = !claim.claimed && claim.existing?.status === 'DONE';
  if (done) {
    await recordAudit(deps, {
      type: 'object.duplicate-delivery',
      agencyId,
      subject: `object:${objectId}`,
      actor: `stage:${stage}`,
      idempotencyKey: `duplicate:${startedAt}`,
    });
  }
  return { objectId, agencyId, startedAt, done };
}
