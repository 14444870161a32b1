import { bulkDropRole } from '#functions/intake/fhir-drop.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { listingIdOf } from '#shared/identity/identifiers.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';

/**
 * Every intake receipt (optionally one agency's), oldest first: from the artifacts bucket, or with
 * `bucket: 'audit'` the Object-Locked copies, which nobody can change for the retention period.
 */
export async function intakeReceipts(
  ports: Pick<Ports, 'artifacts'>,
  agency?: string,
  bucket: 'artifacts' | 'audit' = 'artifacts',
): Promise<IntakeReceipt[]> {
  const out: IntakeReceipt[] = [];
  for await (const object of ports.artifacts.list(bucket, agency ? `receipts/${agency}/` : 'receipts/')) {
    if (!object.key.endsWith('.json')) continue;
    out.push(readReceipt(JSON.parse(await ports.artifacts.getText(bucket, object.key))));
  }
  return out.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.objectId.localeCompare(b.objectId));
}

export interface PendingObject {
  /** The object id its receipt will carry (from the listing's key and ETag). */
  objectId: string;
  /** Only when asked for: the export job's file name, which may carry a patient's name. */
  key?: string;
  size: number;
  why: string;
}

/**
 * Objects under exports/ that no receipt accounts for: in flight, failed (see the DLQ), or files of a
 * FHIR drop whose manifest or marker has not arrived (or did not list them). A reconciliation for
 * whoever must show that nothing dropped was left behind.
 */
export async function pendingObjects(
  ports: Pick<Ports, 'artifacts'>,
  opts: { agency?: string; keys?: boolean } = {},
): Promise<PendingObject[]> {
  // Receipts name files by object id; a listing gives keys and content ETags, so both sides are
  // compared by the object id those give (a versioned bucket's receipts carry it as `listingId`).
  const accounted = new Set<string>();
  for (const r of await intakeReceipts(ports, opts.agency)) {
    accounted.add(r.source.listingId ?? r.objectId);
    for (const f of r.files) accounted.add(f.objectId);
  }
  const bucket = ports.artifacts.bucketName('intake');
  const out: PendingObject[] = [];
  for await (const o of ports.artifacts.list(
    'intake',
    opts.agency ? `exports/${opts.agency}/` : 'exports/',
  )) {
    const objectId = listingIdOf(bucket, o.key, o.etag);
    if (accounted.has(objectId)) continue;
    out.push({
      objectId,
      ...(opts.keys ? { key: o.key } : {}),
      size: o.size,
      why:
        bulkDropRole(o.key) === 'part'
          ? 'a file of a FHIR drop: waiting for its manifest or .done marker, or not listed in it'
          : 'not taken in yet: in flight, or its run failed (see the dead-letter queue)',
    });
  }
  return out;
}

/**
 * A receipt as stored, in the current shape. Schema 1 receipts (before files were recorded by object id
 * alone) are read too, their object keys left out: the Object-Locked copies can never be rewritten.
 */
export function readReceipt(stored: unknown): IntakeReceipt {
  const r = stored as {
    schemaVersion?: unknown;
    objectId?: string;
    source?: Record<string, unknown>;
    files?: Record<string, unknown>[];
  };
  if (r?.schemaVersion !== 1) return IntakeReceipt.parse(stored);
  const { key: _key, ...source } = r.source ?? {};
  return IntakeReceipt.parse({
    ...r,
    schemaVersion: 2,
    source: { objectId: r.objectId, ...source },
    files: (r.files ?? []).map(({ key: _fileKey, ...file }) => ({ objectId: 'unknown (schema 1)', ...file })),
  });
}
