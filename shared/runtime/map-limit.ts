/**
 * `fn` over `items` with at most `limit` calls in flight, results in input order. The stages wait on
 * DynamoDB and S3 one request at a time per chart; a few charts at once keeps the Lambda busy without
 * bursting past the table's or the bucket's request rates.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
