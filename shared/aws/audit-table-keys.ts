/**
 * The audit table's key layout. Audit events have a table of their own, so a grant on it says exactly
 * what a role may do to them: stages and people may only add an event (PutItem under `AUDIT#`), the
 * chainer only links them, the sealer only reads links and notes where it sealed. Keys hold identifiers
 * only, never PHI.
 *
 *   item                 pk                             sk
 *   audit event          AUDIT#<agencyId>#<subject>     EVT#<eventId>
 *   chain link           CHAIN#<agencyId>               SEQ#<seq:12>
 *   event id chained     CHAINED#<agencyId>#<eventId>   CLAIM
 *   sealed up to         SEAL#<agencyId>                HEAD
 */

/** An audit subject's partition, under its agency: a compliance role may be limited to `AUDIT#<agency>#*`. */
export function auditPk(agencyId: string, subject: string): string {
  return `AUDIT#${agencyId}#${subject}`;
}

export const AUDIT_EVENT_PREFIX = 'EVT#';

export function auditSk(eventId: string): string {
  return `${AUDIT_EVENT_PREFIX}${eventId}`;
}

/** One agency's chain: every link in one partition, in sequence order. */
export function chainPk(agencyId: string): string {
  return `CHAIN#${agencyId}`;
}

export const CHAIN_SEQ_PREFIX = 'SEQ#';

/** Zero-padded so links sort by sequence number (sort keys compare bytewise). */
export function chainSk(seq: number): string {
  return `${CHAIN_SEQ_PREFIX}${String(seq).padStart(12, '0')}`;
}

/** Which place in the chain an event id holds: a retried event finds its place taken and is chained once. */
export function chainedPk(agencyId: string, eventId: string): string {
  return `CHAINED#${agencyId}#${eventId}`;
}

export const CHAINED_SK = 'CLAIM';

/** Where an agency's sealed trail ends: its last digest. */
export function sealPk(agencyId: string): string {
  return `SEAL#${agencyId}`;
}

export const SEAL_SK = 'HEAD';
