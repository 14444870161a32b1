import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { membersSha256 } from '#shared/billing/batch-files.ts';
import { chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import { BATCH_ID, BatchManifest, BILLING_CONTRACT } from '#shared/model/batch.ts';
import { BatchReady, type ChartMessage } from '#shared/model/messages.ts';
import { chartMessage } from '#shared/runtime/forward.ts';
import { mapLimit } from '#shared/runtime/map-limit.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';

/** Why a batch failed its checks: nothing of it is written, its message stays for another look. */
export class BatchVerificationError extends Error {}

const DOWNLOAD_CONCURRENCY = 8;

/**
 * A coded batch, downloaded and checked: the manifest and the CSV against the message's hashes, every
 * member's chart file against its SHA-256, and the members against `membersSha256`. Throws
 * BatchVerificationError naming a mismatch.
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
  const parsed = BatchManifest.safeParse(JSON.parse(manifestText));
  if (!parsed.success) throw new BatchVerificationError('the manifest does not follow the billing contract');
  const manifest = parsed.data;
  if (manifest.batchId !== ready.batchId || manifest.chartCount !== manifest.members.length)
    throw new BatchVerificationError('the manifest is not the batch the message names');
  if (new Set(manifest.members.map((m) => m.claimRef)).size !== manifest.members.length)
    throw new BatchVerificationError('the manifest lists a claimRef twice');
  if (membersSha256(manifest.members) !== manifest.membersSha256)
    throw new BatchVerificationError('the members do not match membersSha256');
  // Up to a thousand chart files: a few downloads at once, in manifest order.
  const charts = await mapLimit(manifest.members, DOWNLOAD_CONCURRENCY, async (m) => {
    let text: string;
    try {
      text = await target.ports.artifacts.getText('artifacts', m.artifactKey);
    } catch {
      throw new BatchVerificationError(`the chart file of ${m.claimRef} cannot be read`);
    }
    if (sha256Hex(text) !== m.sha256)
      throw new BatchVerificationError(`the chart file of ${m.claimRef} does not match its SHA-256`);
    return { claimRef: m.claimRef, text };
  });
  return { manifestText, csvText, charts };
}

/** Writes a new file readable by its owner only (the batch carries PHI). */
function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

/**
 * `codetrail billing pull --out DIR`: takes the coded batches waiting for billing, downloads and checks
 * each, writes it under DIR/<batchId>/ (manifest.json, batch.csv, charts/<claimRef>.json; owner-only
 * permissions; written whole, then renamed into place) and only then deletes its message. A batch that
 * fails its checks is reported and audited, not written, and its message goes back to the queue. A
 * batch announced twice (after a crash in billing handoff) is recognised by its manifest hash.
 */
export async function runBillingPull(target: Target, opts: { out: string; max?: number }): Promise<string> {
  const url = target.resources.queueUrls['coded-batches'];
  if (!url) throw new Error('the coded-batches queue is not known for this target');
  if (opts.max !== undefined && !(Number.isInteger(opts.max) && opts.max > 0))
    throw new Error('--max: a whole number above 0');
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
    let ready: BatchReady | undefined;
    try {
      const message = BatchReady.safeParse(JSON.parse(m.Body ?? '{}'));
      if (!message.success)
        throw new BatchVerificationError('the message does not follow the billing contract');
      ready = message.data;
      if (!BATCH_ID.test(ready.batchId))
        throw new BatchVerificationError('the batch id is not one billing handoff makes');
      const dir = resolve(opts.out, ready.batchId);
      const manifestPath = join(dir, 'manifest.json');
      if (
        existsSync(manifestPath) &&
        sha256Hex(readFileSync(manifestPath, 'utf8')) === ready.manifestSha256
      ) {
        await target.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
        );
        rows.push(row(ready, `${dir} (already there)`));
        continue;
      }
      const batch = await downloadVerified(target, ready);
      mkdirSync(opts.out, { recursive: true });
      // mkdtemp makes the folder owner-only (0700); a umask only ever takes bits away.
      const temp = mkdtempSync(join(opts.out, `.${ready.batchId}-`));
      mkdirSync(join(temp, 'charts'), { mode: 0o700 });
      writePrivate(join(temp, 'manifest.json'), batch.manifestText);
      writePrivate(join(temp, 'batch.csv'), batch.csvText);
      for (const c of batch.charts) writePrivate(join(temp, 'charts', `${c.claimRef}.json`), c.text);
      rmSync(dir, { recursive: true, force: true });
      renameSync(temp, dir);
      await target.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
      );
      await audit(target, ready.agencyId, ready.batchId, 'batch.pulled', {
        chartCount: ready.chartCount,
        manifestSha256: ready.manifestSha256,
      });
      rows.push(row(ready, dir));
    } catch (err) {
      await target.clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      const reason =
        err instanceof BatchVerificationError
          ? err.message
          : `could not be checked (${err instanceof Error ? err.name : 'error'})`;
      if (ready) await audit(target, ready.agencyId, ready.batchId, 'batch.verification-failed', { reason });
      rows.push(
        ready
          ? row(ready, `NOT WRITTEN: ${reason}`)
          : [m.MessageId, '', '', '', '', '', `NOT WRITTEN: ${reason}`],
      );
      break; // the same message would come straight back: stop here, a person has to look
    }
  }
  if (rows.length === 0) return 'No coded batch is waiting.';
  return table(['batch', 'agency', 'line', 'payer', 'charts', 'flagged', 'written to'], rows);
}

function row(ready: BatchReady, where: string): (string | number)[] {
  return [
    ready.batchId,
    ready.agencyId,
    ready.lineOfBusiness,
    ready.payerType,
    ready.chartCount,
    ready.flagged,
    where,
  ];
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
 * in the audit log). The reason, free text that may hold PHI, goes to the artifacts bucket; the table
 * and the audit log keep its key. Its charts go back to READY_FOR_BILLING with it, and to billing
 * handoff, which makes a new batch of them; a chart with a newer version is superseded instead (the
 * newer version is the one billed).
 */
export async function runBillingReject(target: Target, batchId: string, reason: string): Promise<string> {
  if (reason.length > 2000) throw new Error('--reason: at most 2,000 characters');
  const batch = await target.ports.batches.get(batchId);
  if (!batch) throw new Error(`no batch ${batchId}`);
  const at = new Date().toISOString();
  const reasonKey = `billing-notes/${batch.agencyId}/${batchId}-${sha256Hex(`${reason}|${at}`).slice(0, 12)}.json`;
  await target.ports.artifacts.putJson('artifacts', reasonKey, { batchId, by: target.actor, at, reason });
  const settled = await target.ports.batches.settle(batchId, { status: 'REJECTED', at, reason: reasonKey });
  if (!settled && batch.status !== 'REJECTED')
    return `${batchId} is ${batch.status}: only a handed-off batch can be rejected`;
  await audit(target, batch.agencyId, batchId, 'batch.rejected', { reasonKey });
  const requeue: ChartMessage[] = [];
  for (const c of batch.candidates) {
    // Every version in one read: this one's state, and whether a newer one came meanwhile.
    const versions = await target.ports.charts.versions(c.chartKey);
    const state = versions.find((v) => v.version === c.version);
    if (state?.status !== 'BATCHED' || state.batchId !== batchId) continue;
    const latest = versions.reduce((n, v) => Math.max(n, v.version), c.version);
    const to = latest > c.version ? 'SUPERSEDED' : 'READY_FOR_BILLING';
    const moved = await target.ports.charts.transition(c.chartKey, c.version, ['BATCHED'], to, {
      billingRejection: { batchId, reasonKey, at, by: target.actor },
      ...(to === 'SUPERSEDED' ? { supersededBy: latest } : {}),
    });
    if (!moved.ok) continue;
    await target.ports.audit.record({
      type: 'chart.billing-rejected',
      agencyId: batch.agencyId,
      subject: chartSubject(c.chartKey, c.version),
      actor: target.actor,
      idempotencyKey: `billing-rejected:${batchId}`,
      at,
      detail: { batchId, reasonKey, now: to },
    });
    if (to === 'READY_FOR_BILLING') requeue.push(chartMessage(moved.state));
  }
  if (requeue.length > 0) await target.ports.queue.send('billing', requeue);
  return `${batchId}: rejected; ${requeue.length} chart(s) back to READY_FOR_BILLING and sent to billing handoff again`;
}

function audit(
  target: Target,
  agencyId: string,
  batchId: string,
  type: string,
  detail: Record<string, unknown>,
) {
  const at = new Date().toISOString();
  return target.ports.audit.record({
    type,
    agencyId,
    subject: `batch:${batchId}`,
    actor: target.actor,
    idempotencyKey: `${type}:${at}`,
    at,
    detail,
  });
}

/** `codetrail billing pull`: --ack or --reject (with --reason) a batch, else pull the waiting ones. */
export function runBilling(
  target: Target,
  opts: { out: string; max?: string; ack?: string; reject?: string; reason?: string },
): Promise<string> {
  if (opts.ack) return runBillingAck(target, opts.ack);
  if (opts.reject) {
    if (!opts.reason) throw new Error('--reject needs --reason: why the batch is refused');
    return runBillingReject(target, opts.reject, opts.reason);
  }
  return runBillingPull(target, opts.max ? { out: opts.out, max: Number(opts.max) } : { out: opts.out });
}
