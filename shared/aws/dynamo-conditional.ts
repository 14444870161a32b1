import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type RawAttributeValue, unmarshallItem } from './attribute-value.ts';

/**
 * By name, not instanceof: lib-dynamodb may carry its own copy of client-dynamodb, whose exception class
 * would then differ from the one this module could import.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/**
 * The item as it was when the condition failed, when DynamoDB returned it (requests pass
 * ReturnValuesOnConditionCheckFailure: ALL_OLD). dynalite ignores that parameter, so callers fall back
 * to a consistent GetItem when this is undefined; in AWS it saves that read.
 */
export function itemFromConditionalFailure(err: unknown): Record<string, unknown> | undefined {
  const raw = (err as { Item?: Record<string, RawAttributeValue> }).Item;
  if (!raw || Object.keys(raw).length === 0) return undefined;
  return unmarshallItem(raw);
}

/** Sends a conditional write: true when it happened, false when its condition failed; other errors throw. */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** Puts an item only when none has its key: true when written, false when it was already there. */
export function putOnce(
  dynamo: DynamoDBDocumentClient,
  table: string,
  item: Record<string, unknown>,
): Promise<boolean> {
  return conditionalWrite(
    dynamo.send(
      new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
}
