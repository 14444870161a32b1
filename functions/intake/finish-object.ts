import type * as z from 'zod';
import type { IntakeReceipt, ReceiptFile } from '#shared/model/receipt.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { quarantine } from '#shared/runtime/quarantine.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import type { ObjectRun } from './object-run.ts';
import { INTAKE_ACTOR } from './take-chart.ts';
import type { Tally } from './tally.ts';

export interface Finish {
  format: IntakeReceipt['format'];
  sha256: string | undefined;
  bytes: number;
  files?: z.infer<typeof ReceiptFile>[];
  resources?: Record<string, number>;
  unused?: Record<string, number>;
}

/**
 * Ends an object's intake: sends what is left for validation, quarantines with the report when anything
 * was set aside, writes the receipt to the artifacts and audit buckets, marks the ledger entry DONE and
 * records the audit event. Every step is idempotent, so a run that dies here is simply done again.
 */
export async function finishObject(
  deps: StageDeps,
  run: ObjectRun,
  tally: Tally,
  finish: Finish,
): Promise<string> {
  const { ports } = deps;
  const { counts, issues, issueCount } = tally.state;
  await ports.queue.send('validate', tally.forward.splice(0));
  let quarantineReport: string | undefined;
  if (issueCount > 0) {
    quarantineReport = await quarantine(deps, {
      bucket: 'intake',
      source: run.source,
      objectId: run.objectId,
      agencyId: run.agencyId,
      issues,
      issueCount,
      auditType: 'object.quarantined',
      actor: INTAKE_ACTOR,
      detail: { quarantinedEntries: counts.quarantined },
    });
  }
  const receipt: IntakeReceipt = {
    schemaVersion: 2,
    objectId: run.objectId,
    source: run.recorded,
    agencyId: run.agencyId,
    format: finish.format,
    bytes: finish.bytes,
    receivedAt: run.startedAt,
    finishedAt: deps.clock.now().toISOString(),
    segments: run.segment + 1,
    counts,
    files: finish.files ?? [],
    issueCount,
    // Absent ones are left out: JSON has no undefined.
    sha256: finish.sha256,
    resources: finish.resources,
    unused: finish.unused,
    quarantineReport,
  };
  const receiptKey = `receipts/${run.agencyId}/${run.objectId}.json`;
  await ports.artifacts.putJson('artifacts', receiptKey, receipt);
  await ports.artifacts.putJson('audit', receiptKey, receipt);
  // The audit event before DONE: once DONE, a redelivery does nothing more, so nothing may be left to do.
  await recordAudit(deps, {
    type: 'object.received',
    agencyId: run.agencyId,
    subject: `object:${run.objectId}`,
    actor: INTAKE_ACTOR,
    idempotencyKey: 'received',
    detail: {
      receipt: receiptKey,
      format: finish.format,
      ...(finish.sha256 ? { sha256: finish.sha256 } : {}),
      ...counts,
    },
  });
  await ports.ledger.finish(run.objectId, { ...counts }, receipt.finishedAt);
  return receiptKey;
}
