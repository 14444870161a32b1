import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { membersSha256 } from '#shared/billing/batch-files.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import { BATCH_ID, type Batch, BatchManifest, BILLING_CONTRACT } from '#shared/model/batch.ts';
import { type BatchCheck, BatchReady, type BillingReply } from '#shared/model/messages.ts';
import { mapLimit } from '#shared/runtime/map-limit.ts';
import { agencyQueueUrl, agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { recordChartOpened } from '../lib/chart-access.ts';
import { writePrivate } from '../lib/files.ts';
import { table } from '../lib/summary.ts';
import { agencyOf, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';

/** Why a batch failed its checks: nothing of it is written, its message stays for another look. */
export class BatchVerificationError extends Error {
  constructor(
    readonly check: BatchCheck,
    message: string,
    readonly claimRef?: string,
  ) {
    super(message);
  }
}

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
    throw new BatchVerificationError('message-contract', `unknown contract ${ready.contract}`);
  const manifestText = await target.ports.artifacts.getText('artifacts', ready.manifestKey);
  if (sha256Hex(manifestText) !== ready.manifestSha256)
    throw new BatchVerificationError(
      'manifest-sha256',
      'the manifest does not match the SHA-256 in the message',
    );
  const csvText = await target.ports.artifacts.getText('artifacts', ready.csvKey);
  if (sha256Hex(csvText) !== ready.csvSha256)
    throw new BatchVerificationError('csv-sha256', 'the CSV does not match the SHA-256 in the message');
  const parsed = BatchManifest.safeParse(JSON.parse(manifestText));
  if (!parsed.success)
    throw new BatchVerificationError(
      'manifest-contract',
      'the manifest does not follow the billing contract',
    );
  const manifest = parsed.data;
  if (manifest.batchId !== ready.batchId || manifest.chartCount !== manifest.members.length)
    throw new BatchVerificationError('manifest-batch', 'the manifest is not the batch the message names');
  if (new Set(manifest.members.map((m) => m.claimRef)).size !== manifest.members.length)
    throw new BatchVerificationError('claim-ref-twice', 'the manifest lists a claimRef twice');
  if (membersSha256(manifest.members) !== manifest.membersSha256)
    throw new BatchVerificationError('members-sha256', 'the members do not match membersSha256');
  // Up to a thousand chart files: a few downloads at once, in manifest order.
  const charts = await mapLimit(manifest.members, DOWNLOAD_CONCURRENCY, async (m) => {
    let text: string;
    await recordChartOpened(
      target,
      { agencyId: ready.agencyId, chartKey: m.chartKey, version: m.version },
      'billing',
    );
    try {
      text = await target.ports.artifacts.getText('artifacts', m.artifactKey);
    } catch {
      throw new BatchVerificationError(
        'chart-unreadable',
        `the chart file of ${m.claimRef} cannot be read`,
        m.claimRef,
      );
    }
    if (sha256Hex(text) !== m.sha256)
      throw new BatchVerificationError(
        'chart-sha256',
        `the chart file of ${m.claimRef} does not match its SHA-256`,
        m.claimRef,
      );
    return { claimRef: m.claimRef, text };
  });
  return { manifestText, csvText, charts };
}

/**
 * `codetrail billing pull --out DIR`: takes the coded batches waiting for billing, downloads and checks
 * each, writes it under DIR/<batchId>/ (manifest.json, batch.csv, charts/<claimRef>.json; owner-only
 * permissions; written whole, then renamed into place) and only then deletes its message. A batch that
 * fails its checks is reported, not written, and its message goes back to the queue. A batch announced
 * twice (after a crash in billing handoff) is recognised by its manifest hash. Runs as the billing role:
 * what it did goes to the billing-reply stage, which audits it under the identity SQS saw send it.
 */
export function runBillingPull(
  target: Target,
  opts: { out: string; max?: number; agency?: string },
): Promise<string> {
  // One agency's batches, from its own queue, as its billing role.
  const agency = agencyOf(target, opts.agency);
  return actAs(agencyRole(PERSON_ROLES.billing, agency), () => pull(target, opts, agency));
}

async function pull(target: Target, opts: { out: string; max?: number }, agency: string): Promise<string> {
  const template = target.resources.queueUrls['coded-batches'];
  if (!template) throw new Error('the coded-batches queue is not known for this target');
  const url = agencyQueueUrl(template, agency);
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
    let written: string | undefined;
    try {
      const message = BatchReady.safeParse(JSON.parse(m.Body ?? '{}'));
      if (!message.success)
        throw new BatchVerificationError(
          'message-contract',
          'the message does not follow the billing contract',
        );
      ready = message.data;
      if (!BATCH_ID.test(ready.batchId))
        throw new BatchVerificationError('batch-id', 'the batch id is not one billing handoff makes');
      written = resolve(opts.out, ready.batchId);
      const manifestPath = join(written, 'manifest.json');
      // Written by an earlier pull that stopped before it deleted the message: not written again.
      if (existsSync(manifestPath) && sha256Hex(readFileSync(manifestPath, 'utf8')) === ready.manifestSha256)
        written = `${written} (already there)`;
      else writeBatch(await downloadVerified(target, ready), opts.out, written);
    } catch (err) {
      await putBack(target, url, m.ReceiptHandle);
      const reason =
        err instanceof BatchVerificationError
          ? err.message
          : `could not be checked (${err instanceof Error ? err.name : 'error'})`;
      // Only a batch id billing handoff makes names a batch the stage can record the refusal on.
      if (ready && BATCH_ID.test(ready.batchId)) {
        const failed = err instanceof BatchVerificationError ? err : undefined;
        await reply(target, {
          kind: 'batch-refused',
          agencyId: ready.agencyId,
          batchId: ready.batchId,
          check: failed?.check ?? 'unreadable',
          ...(failed?.claimRef ? { claimRef: failed.claimRef } : {}),
        });
      }
      rows.push(
        ready
          ? row(ready, `NOT WRITTEN: ${reason}`)
          : [m.MessageId, '', '', '', '', '', `NOT WRITTEN: ${reason}`],
      );
      break; // the same message would come straight back: stop here, a person has to look
    }
    // Written: told to billing-reply before the message goes, so a pull is never left unrecorded (the
    // stage records it once per coded-batches message and person, however often it is told).
    try {
      await reply(target, {
        kind: 'batch-pulled',
        agencyId: ready.agencyId,
        batchId: ready.batchId,
        manifestSha256: ready.manifestSha256,
        messageId: m.MessageId,
      });
    } catch (err) {
      // Written, but not recorded: the message goes back at once, for the next pull to record and take.
      await putBack(target, url, m.ReceiptHandle);
      throw err;
    }
    await target.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
    );
    rows.push(row(ready, written));
  }
  if (rows.length === 0) return 'No coded batch is waiting.';
  return table(['batch', 'agency', 'line', 'payer', 'charts', 'flagged', 'written to'], rows);
}

/** Writes a checked batch under `dir` (owner-only), whole: into a fresh folder, then renamed into place. */
function writeBatch(batch: Awaited<ReturnType<typeof downloadVerified>>, out: string, dir: string): void {
  mkdirSync(out, { recursive: true });
  // mkdtemp makes the folder owner-only (0700); a umask only ever takes bits away.
  const temp = mkdtempSync(join(out, `.${basename(dir)}-`));
  mkdirSync(join(temp, 'charts'), { mode: 0o700 });
  writePrivate(join(temp, 'manifest.json'), batch.manifestText);
  writePrivate(join(temp, 'batch.csv'), batch.csvText);
  for (const c of batch.charts) writePrivate(join(temp, 'charts', `${c.claimRef}.json`), c.text);
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
}

/**
 * Makes a taken message visible again at once, for the next pull. Best effort: if it fails, the message
 * comes back after its visibility timeout anyway, and the error that brought us here is the one to tell.
 */
async function putBack(target: Target, url: string, receiptHandle: string | undefined): Promise<void> {
  try {
    await target.clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  } catch {
    // the visibility timeout returns it
  }
}

/** A rejection's reason from a file (`-`: standard input). The path is not echoed: it may name a patient. */
function reasonFrom(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8').trim();
  } catch {
    throw new Error('--reason-file: that file cannot be read; give a readable file, or - for standard input');
  }
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

/** The billing team's answer, to the billing-reply stage: people never write the table themselves. */
function reply(target: Target, message: BillingReply): Promise<void> {
  return target.ports.queue.send('billing-reply', [message]);
}

function batchIdOf(option: string, value: string): string {
  // The value is not echoed: a mistyped argument can be anything.
  if (!BATCH_ID.test(value))
    throw new Error(`${option}: not a batch id (b<yyyymmdd>-<12 hex digits>, as billing pull lists them)`);
  return value;
}

/**
 * The batch an answer names, read as the billing role may (GetItem on batch items alone): a mistyped or
 * unknown id, or a batch no longer handed off, is refused here with a line saying why, before anything is
 * sent. The billing-reply stage checks again: it alone decides.
 */
async function answerable(target: Target, option: string, batchId: string, agency?: string): Promise<Batch> {
  const ref = { agencyId: agencyOf(target, agency), batchId: batchIdOf(option, batchId) };
  const batch = await actAs(agencyRole(PERSON_ROLES.billing, ref.agencyId), () =>
    target.ports.batches.get(ref),
  );
  if (!batch)
    throw new Error(`${option}: no batch ${ref.batchId} of ${ref.agencyId} in ${target.description}`);
  return batch;
}

/**
 * `codetrail billing pull --ack BATCH`: the billing team has the batch. The billing-reply stage marks it
 * ACCEPTED and audits it.
 */
export async function runBillingAck(target: Target, batchId: string, agency?: string): Promise<string> {
  const batch = await answerable(target, '--ack', batchId, agency);
  if (batch.status === 'ACCEPTED') return `${batch.batchId}: accepted already`;
  if (batch.status !== 'HANDED_OFF')
    throw new Error(
      `--ack: ${batch.batchId} is ${batch.status}; only a handed-off batch can be acknowledged`,
    );
  await actAs(agencyRole(PERSON_ROLES.billing, batch.agencyId), () =>
    reply(target, { kind: 'batch-accepted', agencyId: batch.agencyId, batchId: batch.batchId }),
  );
  return `${batch.batchId}: acknowledgement sent; billing-reply records it (see billing pull --status ${batch.batchId})`;
}

/**
 * `codetrail billing pull --reject BATCH --reason TEXT`: the billing team refuses the batch. The reason,
 * free text that may hold PHI, goes to the artifacts bucket under billing-notes/<agency>/<batchId>/; the message
 * names its key. The billing-reply stage marks the batch REJECTED and sends its charts back to billing
 * handoff, which makes a new batch of them (a chart with a newer version is superseded instead).
 */
export async function runBillingReject(
  target: Target,
  batchId: string,
  reason: string,
  agency?: string,
): Promise<string> {
  if (reason.trim() === '') throw new Error('--reason: say why the batch is refused');
  if (reason.length > 2000) throw new Error('--reason: at most 2,000 characters');
  const batch = await answerable(target, '--reject', batchId, agency);
  if (batch.status !== 'HANDED_OFF')
    throw new Error(`--reject: ${batch.batchId} is ${batch.status}; only a handed-off batch can be rejected`);
  const id = batch.batchId;
  const at = new Date().toISOString();
  const reasonKey = `billing-notes/${batch.agencyId}/${id}/${sha256Hex(`${reason}|${at}`).slice(0, 12)}.json`;
  await actAs(agencyRole(PERSON_ROLES.billing, batch.agencyId), async () => {
    // Written once: the role may add a reason, never replace one (its policy requires If-None-Match).
    await target.ports.artifacts.putJson('artifacts', reasonKey, { batchId: id, at, reason }, { once: true });
    await reply(target, { kind: 'batch-rejected', agencyId: batch.agencyId, batchId: id, reasonKey });
  });
  return `${id}: rejection sent; billing-reply records it and sends its charts back to billing handoff (see billing pull --status ${id})`;
}

/** `codetrail billing pull --status BATCH`: where a batch stands, as the billing role reads it. */
export async function runBillingStatus(target: Target, batchId: string, agency?: string): Promise<string> {
  const batch = await answerable(target, '--status', batchId, agency);
  const when = batch.acceptedAt ?? batch.rejectedAt ?? batch.handedOffAt ?? batch.createdAt;
  return `${batch.batchId}: ${batch.status} (${batch.agencyId}, ${batch.chartCount ?? batch.candidates.length} chart(s), since ${when})`;
}

/** The options of `codetrail billing pull`, as the command line gives them. */
export interface BillingOptions {
  out: string;
  max?: string;
  ack?: string;
  reject?: string;
  reason?: string;
  reasonFile?: string;
  status?: string;
  /** The agency whose batches: needed when the stack serves several. */
  agency?: string;
}

/**
 * `codetrail billing pull`: --status, --ack or --reject (with --reason or --reason-file) a batch, else
 * pull the waiting ones. A reason may hold PHI: `--reason-file` (`-` for standard input) keeps it out of
 * the shell's history.
 */
export async function runBilling(target: Target, opts: BillingOptions): Promise<string> {
  const asked = [opts.status && '--status', opts.ack && '--ack', opts.reject && '--reject'].filter(Boolean);
  if (asked.length > 1) throw new Error(`${asked.join(' and ')}: one at a time`);
  if (opts.reason !== undefined && opts.reasonFile !== undefined)
    throw new Error('--reason and --reason-file: give the reason one way');
  if ((opts.reason !== undefined || opts.reasonFile !== undefined) && !opts.reject)
    throw new Error('--reason and --reason-file go with --reject');
  if (opts.status) return runBillingStatus(target, opts.status, opts.agency);
  if (opts.ack) return runBillingAck(target, opts.ack, opts.agency);
  if (opts.reject) {
    if (opts.reasonFile === '-' && process.stdin.isTTY)
      process.stderr.write('Why is the batch refused? End with Ctrl-D.\n');
    const reason = opts.reasonFile !== undefined ? reasonFrom(opts.reasonFile) : opts.reason;
    if (!reason) throw new Error('--reject needs --reason or --reason-file: why the batch is refused');
    return runBillingReject(target, opts.reject, reason, opts.agency);
  }
  return runBillingPull(target, {
    out: opts.out,
    ...(opts.max ? { max: Number(opts.max) } : {}),
    ...(opts.agency ? { agency: opts.agency } : {}),
  });
}
