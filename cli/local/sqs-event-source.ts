import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsLambdaHandler } from '#shared/runtime/sqs-handler.ts';
import type { StageSpec } from '#shared/topology.ts';
import { lambdaContext } from './lambda-context.ts';
import { senderIdOf } from './sender-ids.ts';

export interface PollResult {
  received: number;
  failed: number;
  /** The handler threw: the whole batch comes back after the visibility timeout. */
  crashed: boolean;
}

/**
 * Feeds one stage's handler the way Lambda's SQS event source mapping does: receives up to the stage's
 * batch size (waiting out the batching window, scaled, when the batch is not full), invokes the handler
 * once per batch, deletes what succeeded and leaves the batchItemFailures (or, if the handler threw,
 * every message) to reappear after the visibility timeout and, past maxReceiveCount, move to the DLQ.
 */
export class SqsEventSource {
  constructor(
    private readonly sqs: SQSClient,
    private readonly stage: StageSpec,
    private readonly queueUrl: string,
    private readonly handler: SqsLambdaHandler,
    private readonly timeCompression: number,
  ) {}

  private async receive(max: number): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  private async collect(): Promise<Message[]> {
    const batch: Message[] = [];
    let windowUsed = this.stage.maxBatchingWindowSeconds === 0;
    while (batch.length < this.stage.batchSize) {
      const got = await this.receive(this.stage.batchSize - batch.length);
      batch.push(...got);
      if (got.length > 0) continue;
      if (windowUsed || batch.length === 0) break;
      // Lambda waits up to the batching window for a fuller batch; so do we, compressed.
      windowUsed = true;
      await new Promise((r) =>
        setTimeout(r, (this.stage.maxBatchingWindowSeconds * 1000) / this.timeCompression),
      );
    }
    return batch;
  }

  async pollOnce(): Promise<PollResult> {
    const messages = await this.collect();
    if (messages.length === 0) return { received: 0, failed: 0, crashed: false };
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    let failedIds: Set<string>;
    let crashed = false;
    try {
      const context = lambdaContext(
        `codetrail-${this.stage.name}`,
        this.stage.timeoutSeconds,
        this.stage.memoryMb,
      );
      // Lambda stops a handler at its timeout; so does this, or a hung handler would hang the run.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('handler timed out')), this.stage.timeoutSeconds * 1000);
      });
      const response = await Promise.race([this.handler(event, context), timeout]).finally(() =>
        clearTimeout(timer),
      );
      const ids = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      const known = new Set(messages.map((m) => m.MessageId));
      // As Lambda does: a failure naming no message of the batch fails the whole batch.
      if (ids.some((id) => !id || !known.has(id)))
        throw new Error('batchItemFailures names an unknown message');
      failedIds = new Set(ids);
    } catch {
      crashed = true;
      failedIds = new Set(messages.map((m) => m.MessageId ?? ''));
    }
    const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      // An undeleted message comes back after its visibility timeout; the handlers treat it as a no-op.
      if (out.Failed?.length)
        throw new Error(`could not delete ${out.Failed.length} message(s) from ${this.stage.queue}`);
    }
    return { received: messages.length, failed: failedIds.size, crashed };
  }

  private toRecord(m: Message): SQSRecord {
    const attrs = m.Attributes ?? {};
    const { senderId, messageAttributes } = senderIdOf(m);
    return {
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
        SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
        SenderId: senderId,
        ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        // A FIFO queue's records carry their group, deduplication id and sequence number, as Lambda's do.
        ...(attrs.MessageGroupId
          ? {
              MessageGroupId: attrs.MessageGroupId,
              MessageDeduplicationId: attrs.MessageDeduplicationId ?? '',
              SequenceNumber: attrs.SequenceNumber ?? '',
            }
          : {}),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(messageAttributes).map(([name, a]) => [
          name,
          {
            dataType: a.DataType ?? 'String',
            ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
            // Lambda's records carry a binary attribute base64-encoded.
            ...(a.BinaryValue !== undefined
              ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }
              : {}),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${this.stage.queue}`,
      awsRegion: 'us-east-1',
    };
  }
}
