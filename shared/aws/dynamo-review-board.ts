import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './dynamo-conditional.ts';
import { queryAll } from './dynamo-paged.ts';
import type { ReviewBoard, ReviewEntry, ReviewQueue, ReviewSlot } from './ports.ts';
import { reviewSk, reviewsPk, withoutKeys } from './table-keys.ts';

/**
 * Closed entries are kept this long (DynamoDB's TTL removes them after): a listing reads them before it
 * filters them out, so they are kept briefly.
 */
export const CLOSED_KEPT_DAYS = 7;

/**
 * The review board in the table: `REVIEWS#<agency>#<queue>`, one item per chart version and purpose. A
 * queue's pending reviews are one Query of its partition, never a scan; each QA role may read its own
 * queue's partitions and no other (`dynamodb:LeadingKeys`).
 */
export class DynamoReviewBoard implements ReviewBoard {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async open(entry: ReviewEntry): Promise<void> {
    await conditionalWrite(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...entry, ...this.key(entry) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async close(slot: ReviewSlot, at: string): Promise<void> {
    const expiresAt = Math.floor(Date.parse(at) / 1000) + CLOSED_KEPT_DAYS * 86_400;
    await conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(slot),
          // Closed once. With no entry yet (a version superseded before qa-sampling opened it), a closed
          // stub is left, so the open that follows does nothing.
          UpdateExpression: 'SET closedAt = :at, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':at': at, ':exp': expiresAt },
        }),
      ),
    );
  }

  async get(slot: ReviewSlot): Promise<ReviewEntry | undefined> {
    const out = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: this.key(slot) }));
    return out.Item ? withoutKeys<ReviewEntry>(out.Item, ['expiresAt']) : undefined;
  }

  async pending(agencyId: string, queue: ReviewQueue): Promise<ReviewEntry[]> {
    const out: ReviewEntry[] = [];
    for await (const item of queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(closedAt)',
      ExpressionAttributeValues: { ':pk': reviewsPk(agencyId, queue) },
    }))
      out.push(withoutKeys<ReviewEntry>(item, ['expiresAt']));
    return out.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  private key(slot: ReviewSlot) {
    return {
      pk: reviewsPk(slot.agencyId, slot.queue),
      sk: reviewSk(slot.chartKey, slot.version, slot.purpose),
    };
  }
}
