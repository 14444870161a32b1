import { type BatchResultErrorEntry, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { agencyQueueUrl, isHumanQueue, type QueueName } from '#shared/topology.ts';
import type { StageQueue } from './ports.ts';

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Bytes of message bodies per SendMessageBatch call. SQS allows more today (1 MiB), but 256 KiB is the
 * limit every SQS consumer and tool has long assumed, and our messages are small identifiers anyway.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

export interface SqsStageQueueOptions {
  /** Attempts per entry, the first included. */
  maxAttempts?: number;
  /** Backoff before retry n is a random delay up to baseDelayMs * 2^(n-1), capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected by tests so retries take no time. */
  sleep?: (ms: number) => Promise<void>;
}

type Entry = { id: string; body: string };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits entries into SendMessageBatch calls: at most 10 each and at most MAX_BATCH_BYTES of bodies. */
export function toBatches(entries: readonly Entry[]): Entry[][] {
  const batches: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.body, 'utf8');
    if (current.length > 0 && (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    // A body over the limit on its own still goes, alone: SQS accepts or rejects it by the queue's limit.
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends stage messages as JSON. SendMessageBatch can succeed as a call yet fail some entries (throttling,
 * an internal error); those, and only those, are sent again with jittered exponential backoff. Entries
 * failed by the sender's fault (too large, bad characters) would fail the same way again, so they are
 * not retried. If anything is still unsent at the end, send throws so the caller's message is retried
 * (and SQS redelivers it): downstream stages are idempotent, so the repeats that may cause are harmless.
 */
export class SqsStageQueue implements StageQueue {
  /** A Lambda queue's URL, or the agency's own queue of a human kind (its URL a template). */
  private urlFor(queue: QueueName, configured: string, agency: string | undefined): string {
    if (!isHumanQueue(queue)) return configured;
    if (agency === undefined) throw new PhiFreeError(`queue ${queue} is one per agency: name the agency`);
    try {
      return agencyQueueUrl(configured, agency);
    } catch {
      throw new PhiFreeError(`queue ${queue}: no queue for that agency`);
    }
  }

  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Partial<Record<QueueName, string>>,
    options: SqsStageQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 2_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  async send(queue: QueueName, messages: readonly unknown[], agency?: string): Promise<void> {
    if (messages.length === 0) return;
    const configured = this.queueUrls[queue];
    if (!configured) throw new PhiFreeError(`queue ${queue} is not configured`);
    const url = this.urlFor(queue, configured, agency);
    // Ids are positions in this send: unique within every call, and they map failures back to messages.
    const entries = messages.map((m, i) => ({ id: `m${i}`, body: JSON.stringify(m) }));
    const unsent: BatchResultErrorEntry[] = [];
    for (const batch of toBatches(entries)) unsent.push(...(await this.sendBatch(url, batch)));
    if (unsent.length > 0) {
      const codes = [...new Set(unsent.map((f) => f.Code ?? 'unknown'))].join(', ');
      throw new PhiFreeError(
        `queue ${queue}: ${unsent.length} of ${messages.length} messages were not sent (${codes})`,
      );
    }
  }

  /** Returns the entries that are still failed after every attempt. */
  private async sendBatch(url: string, batch: Entry[]): Promise<BatchResultErrorEntry[]> {
    const byId = new Map(batch.map((e) => [e.id, e]));
    const given: BatchResultErrorEntry[] = [];
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: pending.map((e) => ({ Id: e.id, MessageBody: e.body })),
        }),
      );
      const retry: Entry[] = [];
      const retryFailures: BatchResultErrorEntry[] = [];
      for (const failure of out.Failed ?? []) {
        const entry = failure.Id ? byId.get(failure.Id) : undefined;
        if (failure.SenderFault || !entry) given.push(failure);
        else {
          retry.push(entry);
          retryFailures.push(failure);
        }
      }
      if (retry.length === 0) return given;
      if (attempt >= this.maxAttempts) return [...given, ...retryFailures];
      const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      await this.sleep(Math.random() * ceiling);
      pending = retry;
    }
  }
}
