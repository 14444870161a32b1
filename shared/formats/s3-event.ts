import type { SourceObject } from '#shared/aws/ports.ts';
import type { S3EventMessage } from '#shared/model/messages.ts';

/**
 * The objects an S3 event notification announces as created under `prefix`. Keys arrive URL-encoded
 * with '+' for spaces; a versioned bucket's version id names the object's content better than its ETag.
 */
export function createdObjects(event: S3EventMessage, prefix: string): SourceObject[] {
  const out: SourceObject[] = [];
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated')) continue;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!key.startsWith(prefix)) continue;
    const source: SourceObject = {
      bucket: record.s3.bucket.name,
      key,
      etag: record.s3.object.versionId ?? record.s3.object.eTag ?? 'none',
    };
    if (record.s3.object.versionId) source.versionId = record.s3.object.versionId;
    if (record.s3.object.size !== undefined) source.size = record.s3.object.size;
    if (record.s3.object.eTag !== undefined) source.eTag = record.s3.object.eTag;
    out.push(source);
  }
  return out;
}
