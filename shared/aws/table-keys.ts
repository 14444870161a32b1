import type { CoderRecord } from '#shared/model/qa.ts';

/**
 * The table's key layout (audit events have their own table: audit-table-keys.ts), in one place so every adapter, the local provisioner and the tests agree.
 * Keys hold identifiers only (chartKey is a keyed HMAC, objectId/batchId are derived ids): never PHI.
 *
 *   item                 pk                      sk                 gsi1pk                               gsi1sk
 *   chart version        CHART#<chartKey>        V#<version:10>     AGENCY#<agencyId>#STATUS#<status>    <updatedAt>#<chartKey>#<version:10>
 *   latest pointer       CHART#<chartKey>        LATEST             -                                    -
 *   batch                BATCH#<agencyId>#<batchId>   META          -                                    -
 *   object ledger        OBJECT#<objectId>       META               -                                    -
 *   coder profile        CODER#<agency>#<coder>  PROFILE            AGENCY#<agencyId>#CODERS             <coderId>
 *   coder record         CODER#<agency>#<coder>  <KIND>#<at>#<chartKey>#<version:10>[#<round>]   -     -
 *   probation exit       CODER#<agency>#<coder>  PROBATION-EXIT     -                                    -
 *   category denial      DXCAT#<agency>#<cat>    DENIAL#<at>#<chartKey>#<version:10>              -     -
 *   claim index          CLAIMREF#<claimRef>     META               -                                    -
 *   claim alias          CLAIMALIAS#<agency>#<hmac of the billing system's number>  META  -            -
 *   payer claim number   ICN#<agency>#<hmac of the payer's ICN, CLP07>  META  -                          -
 *   member id index      MEMBER#<agency>#<hmac of the payer member id>  <chartKey>#<version:10>  -        -
 *   remittance record    CHART#<chartKey>        REMIT#<version:10>#<remitId>   AGENCY#<agencyId>#REMIT   <receivedAt>#<remitId>
 *   review board entry   REVIEWS#<agencyId>#<queue>   <chartKey>#<version:10>#<purpose>   -        -
 */

export const PK = 'pk';
export const SK = 'sk';
export const GSI1 = 'gsi1';
export const GSI1_PK = 'gsi1pk';
export const GSI1_SK = 'gsi1sk';

/** Attributes that are the table's plumbing, not part of the domain object stored in the item. */
const KEY_ATTRIBUTES = new Set([PK, SK, GSI1_PK, GSI1_SK]);

export const META_SK = 'META';
export const LATEST_SK = 'LATEST';

/** Zero-padded so versions sort numerically as strings (sk and gsi1sk are compared bytewise). */
export function padVersion(version: number): string {
  return String(version).padStart(10, '0');
}

export const CHART_PREFIX = 'CHART#';
export const VERSION_PREFIX = 'V#';

export function chartPk(chartKey: string): string {
  return `${CHART_PREFIX}${chartKey}`;
}

export function versionSk(version: number): string {
  return `${VERSION_PREFIX}${padVersion(version)}`;
}

/** gsi1 partition for chart versions: one agency's charts in one status. */
export function chartStatusPk(agencyId: string, status: string): string {
  return `AGENCY#${agencyId}#STATUS#${status}`;
}

/** gsi1 sort key for chart versions: oldest-updated first, so "stuck longer than N hours" is a range query. */
export function chartStatusSk(updatedAt: string, chartKey: string, version: number): string {
  return `${updatedAt}#${chartKey}#${padVersion(version)}`;
}

export const BATCH_PREFIX = 'BATCH#';

/**
 * A batch's partition carries its agency, as every partition a person's role reads does: IAM
 * (`dynamodb:LeadingKeys` `BATCH#<agency>#*`) can then limit a billing team to its agencies.
 */
export function batchPk(batch: { agencyId: string; batchId: string }): string {
  return `${BATCH_PREFIX}${batch.agencyId}#${batch.batchId}`;
}

export const OBJECT_PREFIX = 'OBJECT#';

export function objectPk(objectId: string): string {
  return `${OBJECT_PREFIX}${objectId}`;
}

/** The domain object inside an item: the item without its key attributes. */
export function withoutKeys<T>(item: Record<string, unknown>, alsoDrop: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(k) && !alsoDrop.includes(k)) out[k] = v;
  return out as T;
}

/** The coder ledger: one partition per coder of an agency (coder ids are staff ids, not PHI). */
export function coderPk(agencyId: string, coderId: string): string {
  return `CODER#${agencyId}#${coderId}`;
}

export const CODER_PROFILE_SK = 'PROFILE';
export const PROBATION_EXIT_SK = 'PROBATION-EXIT';

/** gsi1 partition listing an agency's coders. */
export function agencyCodersPk(agencyId: string): string {
  return `AGENCY#${agencyId}#CODERS`;
}

/** Sort key of a coder record: its kind, then time, so "the first N coded" and "since" are range queries. */
export function coderRecordSk(
  kind: 'CODED' | 'REVIEW' | 'DENIAL' | 'DISPUTE',
  at: string,
  chartKey: string,
  version: number,
  round?: string,
): string {
  return `${kind}#${at}#${chartKey}#${padVersion(version)}${round ? `#${round}` : ''}`;
}

/** Coding-related denials of one ICD-10-CM category across an agency's coders. */
export function categoryPk(agencyId: string, category: string): string {
  return `DXCAT#${agencyId}#${category}`;
}

/** Where a coder ledger record lives: the coder's partition, sorted by kind and time. */
export function coderRecordKey(record: CoderRecord): { pk: string; sk: string } {
  const pk = coderPk(record.agencyId, record.coderId);
  if (record.kind === 'coded')
    return { pk, sk: coderRecordSk('CODED', record.codedAt, record.chartKey, record.version) };
  if (record.kind === 'review')
    return {
      pk,
      sk: coderRecordSk('REVIEW', record.reviewedAt, record.chartKey, record.version, record.round),
    };
  if (record.kind === 'dispute')
    return { pk, sk: coderRecordSk('DISPUTE', record.resolvedAt, record.chartKey, record.version) };
  return { pk, sk: coderRecordSk('DENIAL', record.deniedAt, record.chartKey, record.version) };
}

/** Which chart version a claimRef names (billing handoff writes it; the 835's CLP01 is looked up by it). */
export function claimRefPk(claimRef: string): string {
  return `CLAIMREF#${claimRef}`;
}

/** A billing-supplied mapping: the billing system's own claim number (keyed HMAC, never the number). */
export function claimAliasPk(agencyId: string, aliasKey: string): string {
  return `CLAIMALIAS#${agencyId}#${aliasKey}`;
}

/**
 * A payer's own claim number (CLP07, the ICN) of an agency: its keyed HMAC, never the number. Names the
 * claimRef of the claim it first answered, so a reversal or an audit request that brings only the ICN
 * finds the claim.
 */
export function payerClaimPk(agencyId: string, icnKey: string): string {
  return `ICN#${agencyId}#${icnKey}`;
}

/**
 * A payer member id (the Medicare beneficiary id) of an agency, as its keyed HMAC: the chart versions
 * that name it sort under it by chartKey and version.
 */
export function memberPk(agencyId: string, memberKey: string): string {
  return `MEMBER#${agencyId}#${memberKey}`;
}

/** A chart version under a member's partition: by chartKey, then version. */
export function memberSk(chartKey: string, version: number): string {
  return `${chartKey}#${padVersion(version)}`;
}

/** When an agency's billing mapping entries last changed: a resent remittance is read again only after. */
export function claimMappingsPk(agencyId: string): string {
  return `CLAIMMAPPINGS#${agencyId}`;
}

export const REMIT_PREFIX = 'REMIT#';

export function remittanceSk(version: number, remitId: string): string {
  return `${REMIT_PREFIX}${padVersion(version)}#${remitId}`;
}

/** gsi1 partition of an agency's remittance records, by the time they were applied (denial metrics). */
export function agencyRemittancesPk(agencyId: string): string {
  return `AGENCY#${agencyId}#REMIT`;
}

/**
 * The review board of an agency's review queue: one item per chart version waiting for (or past) a QA
 * review. One partition per queue, so a reviewer's role reads its own queue's entries and not the
 * senior's (a dispute's entry shows the first review, which a blind second reviewer must not see).
 */
export function reviewsPk(agencyId: string, queue: string): string {
  return `REVIEWS#${agencyId}#${queue}`;
}

export function reviewSk(chartKey: string, version: number, purpose: string): string {
  return `${chartKey}#${padVersion(version)}#${purpose}`;
}
