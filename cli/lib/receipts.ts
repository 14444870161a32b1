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
