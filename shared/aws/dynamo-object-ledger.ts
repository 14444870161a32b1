import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { isConditionalCheckFailed, itemFromConditionalFailure } from './dynamo-conditional.ts';
import { scanAll } from './dynamo-paged.ts';
import type { LedgerEntry, ObjectLedger } from './ports.ts';
import { META_SK, OBJECT_PREFIX, objectPk, withoutKeys } from './table-keys.ts';

/** Which source objects a stage has taken in, so an S3 event delivered twice creates nothing new. */
export class DynamoObjectLedger implements ObjectLedger {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async begin(entry: LedgerEntry): Promise<{ claimed: boolean; existing?: LedgerEntry }> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...entry, pk: objectPk(entry.objectId), sk: META_SK },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const fromError = itemFromConditionalFailure(err);
      const existing = fromError ? withoutKeys<LedgerEntry>(fromError) : await this.get(entry.objectId);
      return existing ? { claimed: false, existing } : { claimed: false };
    }
  }

  async finish(objectId: string, counts: Record<string, number>, finishedAt: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: objectPk(objectId), sk: META_SK },
          UpdateExpression: 'SET #status = :done, counts = :counts, finishedAt = :finishedAt',
          // Finishing twice (a retry) rewrites the same values; finishing what was never begun is a bug.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'DONE', ':counts': counts, ':finishedAt': finishedAt },
        }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new PhiFreeError(`ledger entry ${objectId} was never begun`);
      throw err;
    }
  }

  async takeOver(
    objectId: string,
    args: { segment: number; now: string; leaseUntil: string },
  ): Promise<boolean> {
    return this.conditionalUpdate(objectId, {
      UpdateExpression: 'SET #segment = :next, leaseUntil = :lease',
      // An entry begun before segments existed has none: it counts as segment 0.
      ConditionExpression: `#status = :processing AND ${args.segment === 0 ? '(attribute_not_exists(#segment) OR #segment = :segment)' : '#segment = :segment'} AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)`,
      ExpressionAttributeNames: { '#status': 'status', '#segment': 'segment' },
      ExpressionAttributeValues: {
        ':processing': 'PROCESSING',
        ':segment': args.segment,
        ':next': args.segment + 1,
        ':now': args.now,
        ':lease': args.leaseUntil,
      },
    });
  }

  async saveCheckpoint(
    objectId: string,
    args: { segment: number; checkpoint?: Record<string, unknown>; leaseUntil: string },
  ): Promise<boolean> {
    const withCheckpoint = args.checkpoint !== undefined;
    return this.conditionalUpdate(objectId, {
      UpdateExpression: withCheckpoint
        ? 'SET #checkpoint = :checkpoint, leaseUntil = :lease'
        : 'SET leaseUntil = :lease',
      ConditionExpression: '#status = :processing AND #segment = :segment',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#segment': 'segment',
        ...(withCheckpoint ? { '#checkpoint': 'checkpoint' } : {}),
      },
      ExpressionAttributeValues: {
        ':processing': 'PROCESSING',
        ':segment': args.segment,
        ':lease': args.leaseUntil,
        ...(withCheckpoint ? { ':checkpoint': args.checkpoint } : {}),
      },
    });
  }

  private async conditionalUpdate(
    objectId: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({ TableName: this.table, Key: { pk: objectPk(objectId), sk: META_SK }, ...update }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async get(objectId: string): Promise<LedgerEntry | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: objectPk(objectId), sk: META_SK },
        ConsistentRead: true,
      }),
    );
    return out.Item ? withoutKeys<LedgerEntry>(out.Item) : undefined;
  }

  /** A Scan: for the CLI and summaries, not a hot path. */
  async *list(): AsyncIterable<LedgerEntry> {
    for await (const item of scanAll(this.dynamo, {
      TableName: this.table,
      FilterExpression: 'begins_with(pk, :object) AND sk = :meta',
      ExpressionAttributeValues: { ':object': OBJECT_PREFIX, ':meta': META_SK },
    })) {
      yield withoutKeys<LedgerEntry>(item);
    }
  }
}
