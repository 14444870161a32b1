import { bulkDropRole } from '#functions/intake/fhir-drop.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';

/** Every intake receipt in the artifacts bucket (optionally one agency's), oldest first. */
export async function intakeReceipts(
  ports: Pick<Ports, 'artifacts'>,
  agency?: string,
): Promise<IntakeReceipt[]> {
  const out: IntakeReceipt[] = [];
  for await (const object of ports.artifacts.list(
    'artifacts',
    agency ? `receipts/${agency}/` : 'receipts/',
  )) {
    if (!object.key.endsWith('.json')) continue;
    out.push(IntakeReceipt.parse(JSON.parse(await ports.artifacts.getText('artifacts', object.key))));
  }
  return out.sort(
    (a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.source.key.localeCompare(b.source.key),
  );
}

export interface PendingObject {
  key: string;
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
  agency?: string,
): Promise<PendingObject[]> {
  const accounted = new Set<string>();
  for (const r of await intakeReceipts(ports, agency)) {
    accounted.add(r.source.key);
    for (const f of r.files) accounted.add(f.key);
  }
  const out: PendingObject[] = [];
  for await (const o of ports.artifacts.list('intake', agency ? `exports/${agency}/` : 'exports/')) {
    if (accounted.has(o.key)) continue;
    out.push({
      key: o.key,
      size: o.size,
      why:
        bulkDropRole(o.key) === 'part'
          ? 'a file of a FHIR drop: waiting for its manifest or .done marker, or not listed in it'
          : 'not taken in yet: in flight, or its run failed (see the dead-letter queue)',
    });
  }
  return out;
}
