import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Page = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };

/** Every item of every page, fetching each page from where the last one ended. */
async function* allItems(
  fetch: (startKey: Record<string, unknown> | undefined) => Promise<Page>,
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await fetch(startKey);
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Every item a filtered Scan matches, page by page. A Scan reads the whole table, so it serves local
 * runs, summaries and small agencies; anything on a hot path or at scale queries gsi1 instead.
 */
export function scanAll(
  dynamo: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>> {
  return allItems((startKey) => dynamo.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey })));
}

/** Every item a Query matches, page by page (a `Limit` sets the page size, not the total). */
export function queryAll(
  dynamo: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>> {
  return allItems((startKey) => dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
}
