import { createHash } from 'node:crypto';
import type { KeyService, RecordedSource, SourceObject } from '#shared/aws/ports.ts';
import { AGENCY_ID } from '#shared/topology.ts';

/**
 * Non-PHI identifiers. The EMR's chart id is PHI (a medical record number), so keys, messages, logs and
 * metrics use the chartKey: the agency, then a keyed HMAC of (agency, chart id) that nobody without the
 * key can reverse or recompute from a guess. The agency leads so that every key made of it (`CHART#…`,
 * `charts/<agency>/…`, a review's sort key) carries it, and IAM can limit a person to some agencies.
 */
export async function chartKeyOf(keys: KeyService, agencyId: string, chartId: string): Promise<string> {
  const mac = await keys.mac(`chart|${agencyId}|${chartId}`);
  return `${agencyId}.ck${mac.slice(0, 30)}`;
}

/**
 * A chartKey's HMAC part (`ck…`), without the agency it is filed under: what identifiers derived from a
 * chartKey hash (claimRefs, sampling draws), so they depend on the chart alone and not on the key layout.
 */
export function chartDigest(chartKey: string): string {
  return agencyOfChartKey(chartKey) === undefined ? chartKey : chartKey.slice(chartKey.indexOf('.') + 1);
}

/** The agency a chartKey (as chartKeyOf makes it) begins with; undefined for anything else. */
export function agencyOfChartKey(chartKey: string): string | undefined {
  const dot = chartKey.indexOf('.');
  const agency = dot > 0 ? chartKey.slice(0, dot) : undefined;
  return agency && AGENCY_ID.test(agency) && chartKey.startsWith('.ck', dot) ? agency : undefined;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Identity of a source object: bucket, key and ETag/version together, so a re-drop of new bytes is new. */
export function objectIdOf(bucket: string, key: string, etag: string): string {
  return `ob${sha256Hex(`${bucket}|${key}|${etag}`).slice(0, 30)}`;
}

/** The object id of a listed object (ListObjectsV2 quotes ETags; S3 events do not). */
export function listingIdOf(bucket: string, key: string, eTag: string): string {
  return objectIdOf(bucket, key, eTag.replace(/^"|"$/g, ''));
}

/** What codetrail records of a source object: everything that identifies it but its key. */
export function recordedSource(source: SourceObject): RecordedSource {
  const out: RecordedSource = {
    objectId: objectIdOf(source.bucket, source.key, source.etag),
    bucket: source.bucket,
    etag: source.etag,
  };
  if (source.versionId !== undefined) out.versionId = source.versionId;
  if (source.size !== undefined) out.size = source.size;
  if (source.eTag !== undefined) out.listingId = listingIdOf(source.bucket, source.key, source.eTag);
  return out;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The claim reference billing puts in CLM01 (at most 20 characters; the 835 echoes it in CLP01).
 * Derived from the chartKey and version, so it is stable across retries and reveals nothing.
 */
export function claimRefOf(chartKey: string, version: number): string {
  const digest = createHash('sha256')
    .update(`${chartDigest(chartKey)}|${version}`)
    .digest();
  let out = 'CT';
  for (let i = 0; i < 14; i++) out += CROCKFORD[(digest[i] ?? 0) % 32];
  return out;
}

/** A claimRef as claimRefOf makes it: CT and 14 Crockford base-32 characters. */
export const CLAIM_REF = new RegExp(`^CT[${CROCKFORD}]{14}$`);

/**
 * The keyed HMAC of a billing system's own claim number (a billing mapping file maps it to a claimRef;
 * the 835 echoes it in CLP01). The number may be a patient account number: only this is kept.
 */
export async function claimAliasKeyOf(keys: KeyService, agencyId: string, number: string): Promise<string> {
  return keys.mac(`claim-alias|${agencyId}|${number}`);
}

/**
 * The keyed HMAC of a payer's own claim number (CLP07, the ICN or DCN): what the payer-claim index and
 * the audit trail keep of it, so an audit request that brings only the ICN finds its chart.
 */
export async function payerClaimKeyOf(keys: KeyService, agencyId: string, icn: string): Promise<string> {
  return keys.mac(`icn|${agencyId}|${icn.trim().toUpperCase()}`);
}

/**
 * The keyed HMAC of a patient's payer member id (the Medicare beneficiary id, MBI): what the member index
 * keeps of it. Written with or without dashes and in either case, an MBI is the same id.
 */
export async function memberKeyOf(keys: KeyService, agencyId: string, memberId: string): Promise<string> {
  return keys.mac(`member|${agencyId}|${memberId.replace(/[\s-]/g, '').toUpperCase()}`);
}

export function chartSubject(chartKey: string, version: number): string {
  return `chart:${chartKey}:v${version}`;
}

/** The chartKey and version a subject `chartSubject` made names; undefined for any other subject. */
export function parseChartSubject(subject: string): { chartKey: string; version: number } | undefined {
  const m = /^chart:([^:]+):v(\d+)$/.exec(subject);
  return m?.[1] && m[2] ? { chartKey: m[1], version: Number(m[2]) } : undefined;
}

/** `exports/<agency>/...` or `remittances/<agency>/...` -> agency, when the key follows the layout. */
export function agencyFromKey(key: string): string | undefined {
  const [, agency] = key.split('/');
  return agency && AGENCY_ID.test(agency) ? agency : undefined;
}
