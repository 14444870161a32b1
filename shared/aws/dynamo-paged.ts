import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Page = {
  Items?: Record<string, unknown>[];
  Count?: number;
  LastEvaluatedKey?: Record<string, unknown>;
};

/** Every page, each fetched from where the last one ended. */
async function* allPages(
  fetch: (startKey: Record<string, unknown> | undefined) => Promise<Page>,
): AsyncGenerator<Page> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await fetch(startKey);
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

async function* allItems(
  fetch: (startKey: Record<string, unknown> | undefined) => Promise<Page>,
): AsyncGenerator<Record<string, unknown>> {
  for await (const page of allPages(fetch)) yield* page.Items ?? [];
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

/** How many items a Query matches: counted by DynamoDB (Select COUNT), no item sent back. */
export async function countAll(
  dynamo: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Select'>,
): Promise<number> {
  let count = 0;
  for await (const page of allPages((startKey) =>
    dynamo.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: startKey })),
  ))
    count += page.Count ?? 0;
  return count;
}
