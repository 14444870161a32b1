import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import type { BucketName } from '#shared/topology.ts';
import { type ArtifactStore, isPreconditionFailed } from './ports.ts';

/**
 * Chart artifacts, receipts, manifests and quarantined drops in S3, addressed by logical bucket name.
 *
 * Encryption: the requests deliberately send no `x-amz-server-side-encryption` header. Sending `aws:kms`
 * without a key id makes S3 use the AWS managed key `aws/s3`, not the bucket's customer-managed default
 * key; leaving it out lets every object take the bucket's default SSE-KMS CMK (set by the stack). The
 * emulator ignores encryption either way, so only the CDK assertions can check it.
 */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: Record<BucketName, string>,
  ) {}

  bucketName(bucket: BucketName): string {
    const name = this.buckets[bucket];
    if (!name) throw new PhiFreeError(`bucket ${bucket} is not configured`);
    return name;
  }

  async putJson(
    bucket: BucketName,
    key: string,
    body: unknown,
    options: { once?: boolean } = {},
  ): Promise<void> {
    try {
      await this.put(bucket, key, JSON.stringify(body), 'application/json', options.once ?? false);
    } catch (err) {
      // Written once, never replaced. Writers of such objects name them by a hash of what they hold, so
      // one already there is this write's: a resubmission, or a retry of a write that went through.
      if (options.once && isPreconditionFailed(err)) return;
      throw err;
    }
  }

  putText(
    bucket: BucketName,
    key: string,
    body: string,
    contentType = 'text/plain; charset=utf-8',
  ): Promise<void> {
    return this.put(bucket, key, body, contentType);
  }

  putBytes(
    bucket: BucketName,
    key: string,
    body: Uint8Array,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    return this.put(bucket, key, body, contentType);
  }

  private async put(
    bucket: BucketName,
    key: string,
    body: string | Uint8Array,
    contentType: string,
    once = false,
  ) {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucketName(bucket),
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(once ? { IfNoneMatch: '*' } : {}),
      }),
    );
  }

  getText(bucket: BucketName, key: string): Promise<string> {
    return this.getObjectText(this.bucketName(bucket), key);
  }

  async getObjectText(bucket: string, key: string, versionId?: string): Promise<string> {
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    if (!out.Body) throw new PhiFreeError(`GetObject in ${bucket} returned no body`);
    return out.Body.transformToString('utf-8');
  }

  async openObject(
    bucket: string,
    key: string,
    options: { versionId?: string; start?: number; ifMatch?: string } = {},
  ): Promise<AsyncIterable<Uint8Array>> {
    const start = options.start ?? 0;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(options.versionId ? { VersionId: options.versionId } : {}),
          ...(start > 0 ? { Range: `bytes=${start}-` } : {}),
          // ETags travel quoted in HTTP; listings hand them to us bare.
          ...(options.ifMatch ? { IfMatch: `"${options.ifMatch.replaceAll('"', '')}"` } : {}),
        }),
      );
      if (!out.Body) throw new PhiFreeError(`GetObject in ${bucket} returned no body`);
      // In Node the SDK's body is an IncomingMessage: a Readable, which is an async iterable of Buffers.
      return out.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (err) {
      // A range that starts at the end of the object: a resumed read that has nothing left to read.
      if (start > 0 && (err as { name?: string }).name === 'InvalidRange') return emptyStream();
      throw err;
    }
  }

  async tagObject(bucket: BucketName, key: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.s3.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucketName(bucket),
        Key: key,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }

  async copyObject(
    fromBucket: string,
    fromKey: string,
    toBucket: BucketName,
    toKey: string,
    versionId?: string,
  ): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucketName(toBucket),
        Key: toKey,
        // S3 wants the source URL-encoded; keep the slashes that separate the key's segments.
        CopySource: `${fromBucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`,
      }),
    );
  }

  async *list(
    bucket: BucketName,
    prefix: string,
  ): AsyncIterable<{ key: string; etag: string; size: number }> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucketName(bucket),
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        // S3 returns the ETag quoted; S3 event records carry it bare, and that is what ledgers compare.
        yield { key: object.Key, etag: (object.ETag ?? '').replaceAll('"', ''), size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}
