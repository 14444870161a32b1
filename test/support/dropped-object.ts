import type { ArtifactStore } from '#shared/aws/ports.ts';
import { listingIdOf } from '#shared/identity/identifiers.ts';
import type { BucketName } from '#shared/topology.ts';

/**
 * The object id codetrail records a dropped file by (receipts, ledger, reports never hold its key), found
 * as `codetrail intake pending` finds it: from a listing's key and ETag.
 */
export async function droppedObjectId(
  artifacts: Pick<ArtifactStore, 'list' | 'bucketName'>,
  bucket: BucketName,
  key: string,
): Promise<string> {
  for await (const o of artifacts.list(bucket, key))
    if (o.key === key) return listingIdOf(artifacts.bucketName(bucket), key, o.etag);
  throw new Error(`${key} is not in the ${bucket} bucket`);
}
