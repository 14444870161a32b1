import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Batch } from '#shared/model/batch.ts';
import { conditionalWrite } from './dynamo-conditional.ts';
import { scanAll } from './dynamo-paged.ts';
import type { BatchRef, BatchStore } from './ports.ts';
import { BATCH_PREFIX, batchPk, META_SK, withoutKeys } from './table-keys.ts';

/** Billing batches: written OPEN, claimed for hand-off (HANDING_OFF, with a lease), then HANDED_OFF once. */
export class DynamoBatchStore implements BatchStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Idempotent: a batch id names one batch, so when it already exists (a retry after a crash) the stored
   * one stands and this returns quietly; the caller reads it back to finish it.
   */
  async create(batch: Batch): Promise<void> {
    await conditionalWrite(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...batch, pk: batchPk(batch), sk: META_SK },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(batch: BatchRef): Promise<Batch | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: batchPk(batch), sk: META_SK },
        ConsistentRead: true,
      }),
    );
    return out.Item ? withoutKeys<Batch>(out.Item) : undefined;
  }

  async claim(batch: BatchRef, at: string, leaseExpiredBefore: string): Promise<boolean> {
    return conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: batchPk(batch), sk: META_SK },
          UpdateExpression: 'SET #status = :handing, claimedAt = :at',
          ConditionExpression: '#status = :open OR (#status = :handing AND claimedAt < :expired)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'OPEN',
            ':handing': 'HANDING_OFF',
            ':at': at,
            ':expired': leaseExpiredBefore,
          },
        }),
      ),
    );
  }

  async handOff(
    batch: BatchRef,
    changes: { manifestKey: string; chartCount: number; handedOffAt: string },
  ): Promise<boolean> {
    return conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: batchPk(batch), sk: META_SK },
          UpdateExpression:
            'SET #status = :handedOff, manifestKey = :manifestKey, chartCount = :chartCount, handedOffAt = :handedOffAt',
          ConditionExpression: '#status IN (:open, :handing)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'OPEN',
            ':handing': 'HANDING_OFF',
            ':handedOff': 'HANDED_OFF',
            ':manifestKey': changes.manifestKey,
            ':chartCount': changes.chartCount,
            ':handedOffAt': changes.handedOffAt,
          },
        }),
      ),
    );
  }

  settle(
    batch: BatchRef,
    answer: { status: 'ACCEPTED'; at: string } | { status: 'REJECTED'; at: string; reason: string },
  ): Promise<boolean> {
    const rejected = answer.status === 'REJECTED';
    return conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: batchPk(batch), sk: META_SK },
          UpdateExpression: rejected
            ? 'SET #status = :to, rejectedAt = :at, rejectionReason = :reason'
            : 'SET #status = :to, acceptedAt = :at',
          ConditionExpression: '#status = :handedOff',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':handedOff': 'HANDED_OFF',
            ':to': answer.status,
            ':at': answer.at,
            ...(rejected ? { ':reason': answer.reason } : {}),
          },
        }),
      ),
    );
  }

  /** A Scan: batches are few (one per billing window), and this serves the CLI and summaries. */
  async *list(): AsyncIterable<Batch> {
    for await (const item of scanAll(this.dynamo, {
      TableName: this.table,
      FilterExpression: 'begins_with(pk, :batch) AND sk = :meta',
      ExpressionAttributeValues: { ':batch': BATCH_PREFIX, ':meta': META_SK },
    })) {
      yield withoutKeys<Batch>(item);
    }
  }
}
