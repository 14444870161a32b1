import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import { BatchManifest, BILLING_CONTRACT } from '#shared/model/batch.ts';
import { BatchReady } from '#shared/model/messages.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';

/** Why a batch failed its checks: nothing of it is written, its message stays for another look. */
export class BatchVerificationError extends Error {}

/**
 * A coded batch, downloaded and checked: the manifest and the CSV against the message's hashes, every
 * member's chart file against its SHA-256, and the members against `membersSha256`. Throws
 * BatchVerificationError naming the first mismatch.
 */
export async function downloadVerified(
  target: Target,
  ready: BatchReady,
): Promise<{ manifestText: string; csvText: string; charts: { claimRef: string; text: string }[] }> {
  if (ready.contract !== BILLING_CONTRACT)
    throw new BatchVerificationError(`unknown contract ${ready.contract}`);
  const manifestText = await target.ports.artifacts.getText('artifacts', ready.manifestKey);
  if (sha256Hex(manifestText) !== ready.manifestSha256)
    throw new BatchVerificationError('the manifest does not match the SHA-256 in the message');
  const csvText = await target.ports.artifacts.getText('artifacts', ready.csvKey);
  if (sha256Hex(csvText) !== ready.csvSha256)
    throw new BatchVerificationError('the CSV does not match the SHA-256 in the message');
  const raw = JSON.parse(manifestText) as { members?: unknown };
  const manifest = BatchManifest.parse(raw);
  if (manifest.batchId !== ready.batchId || manifest.chartCount !== manifest.members.length)
    throw new BatchVerificationError('the manifest is not the batch the message names');
  // Over the members as written (the parsed model reorders keys and fills defaults).
  if (sha256Hex(JSON.stringify(raw.members)) !== manifest.membersSha256)
    throw new BatchVerificationError('the members do not match membersSha256');
  const charts: { claimRef: string; text: string }[] = [];
  for (const m of manifest.members) {
    const text = await target.ports.artifacts.getText('artifacts', m.artifactKey);
    if (sha256Hex(text) !== m.sha256)
      throw new BatchVerificationError(`the chart file of ${m.claimRef} does not match its SHA-256`);
    charts.push({ claimRef: m.claimRef, text });
  }
  return { manifestText, csvText, charts };
}

/** Writes a file readable by its owner only (the batch carries PHI). */
function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * `codetrail billing pull --out DIR`: takes the coded batches waiting for billing, downloads and checks
 * each, writes it under DIR/<batchId>/ (manifest.json, batch.csv, charts/<claimRef>.json; owner-only
 * permissions) and only then deletes its message. A batch that fails its checks is reported, not
 * written, and its message goes back to the queue.
 */
export async function runBillingPull(target: Target, opts: { out: string; max?: number }): Promise<string> {
  const url = target.resources.queueUrls['coded-batches'];
  if (!url) throw new Error('the coded-batches queue is not known for this target');
  const rows: (string | number)[][] = [];
  const seen = new Set<string>();
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  while (rows.length < max) {
    const got = await target.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }),
    );
    const m = got.Messages?.[0];
    if (!m?.MessageId || seen.has(m.MessageId)) break;
    seen.add(m.MessageId);
    const ready = BatchReady.parse(JSON.parse(m.Body ?? '{}'));
    try {
      const batch = await downloadVerified(target, ready);
      const dir = join(opts.out, ready.batchId);
      mkdirSync(join(dir, 'charts'), { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      chmodSync(join(dir, 'charts'), 0o700);
      writePrivate(join(dir, 'manifest.json'), batch.manifestText);
      writePrivate(join(dir, 'batch.csv'), batch.csvText);
      for (const c of batch.charts) writePrivate(join(dir, 'charts', `${c.claimRef}.json`), c.text);
      await target.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
      );
      await audit(target, ready.agencyId, ready.batchId, 'batch.pulled', {
        chartCount: ready.chartCount,
        manifestSha256: ready.manifestSha256,
      });
      rows.push([
        ready.batchId,
        ready.agencyId,
        ready.lineOfBusiness,
        ready.payerType,
        ready.chartCount,
        ready.flagged,
        dir,
      ]);
    } catch (err) {
      if (!(err instanceof BatchVerificationError)) throw err;
      await target.clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      await audit(target, ready.agencyId, ready.batchId, 'batch.verification-failed', {
        reason: err.message,
      });
      rows.push([
        ready.batchId,
        ready.agencyId,
        ready.lineOfBusiness,
        ready.payerType,
        ready.chartCount,
        ready.flagged,
        `NOT WRITTEN: ${err.message}`,
      ]);
      break; // the same message would come straight back: stop here, a person has to look
    }
  }
  if (rows.length === 0) return 'No coded batch is waiting.';
  return table(['batch', 'agency', 'line', 'payer', 'charts', 'flagged', 'written to'], rows);
}

/** `codetrail billing pull --ack BATCH`: the billing team has the batch: ACCEPTED, in the audit log. */
export async function runBillingAck(target: Target, batchId: string): Promise<string> {
  const batch = await target.ports.batches.get(batchId);
  if (!batch) throw new Error(`no batch ${batchId}`);
  const at = new Date().toISOString();
  if (!(await target.ports.batches.settle(batchId, { status: 'ACCEPTED', at })))
    return `${batchId} is ${batch.status}: only a handed-off batch can be acknowledged`;
  await audit(target, batch.agencyId, batchId, 'batch.accepted', { chartCount: batch.chartCount });
  return `${batchId}: accepted`;
}

/**
 * `codetrail billing pull --reject BATCH --reason TEXT`: the billing team refuses the batch (REJECTED,
 * in the audit log); its charts go back to READY_FOR_BILLING, each with the reason.
 */
export async function runBillingReject(target: Target, batchId: string, reason: string): Promise<string> {
  const batch = await target.ports.batches.get(batchId);
  if (!batch) throw new Error(`no batch ${batchId}`);
  const at = new Date().toISOString();
  const settled = await target.ports.batches.settle(batchId, { status: 'REJECTED', at, reason });
  if (!settled && batch.status !== 'REJECTED')
    return `${batchId} is ${batch.status}: only a handed-off batch can be rejected`;
  await audit(target, batch.agencyId, batchId, 'batch.rejected', { reason });
  let returned = 0;
  for (const c of batch.candidates) {
    const state = await target.ports.charts.get(c.chartKey, c.version);
    if (state?.status !== 'BATCHED' || state.batchId !== batchId) continue;
    const moved = await target.ports.charts.transition(
      c.chartKey,
      c.version,
      ['BATCHED'],
      'READY_FOR_BILLING',
      {
        billingRejection: { batchId, reason, at, by: target.actor },
      },
    );
    if (!moved.ok) continue;
    returned++;
    await target.ports.audit.record({
      type: 'chart.billing-rejected',
      agencyId: batch.agencyId,
      subject: chartSubject(c.chartKey, c.version),
      actor: target.actor,
      idempotencyKey: `billing-rejected:${batchId}`,
      at,
      detail: { batchId, reason },
    });
  }
  return `${batchId}: rejected; ${returned} chart(s) back to READY_FOR_BILLING`;
}

function audit(
  target: Target,
  agencyId: string,
  batchId: string,
  type: string,
  detail: Record<string, unknown>,
) {
  return target.ports.audit.record({
    type,
    agencyId,
    subject: `batch:${batchId}`,
    actor: target.actor,
    idempotencyKey: `${type}:${new Date().toISOString()}`,
    at: new Date().toISOString(),
    detail,
  });
}
