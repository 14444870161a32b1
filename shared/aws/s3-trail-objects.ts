import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TrailObjects } from '#shared/audit-trail/sealer.ts';
import { isPreconditionFailed } from './ports.ts';

/**
 * The trail's objects in the Object-Locked audit bucket, each written with `If-None-Match: *`: S3 refuses
 * to replace one, so a sealer that stopped half-way finds what it wrote rather than writing it again.
 */
export class S3TrailObjects implements TrailObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async writeOnce(key: string, text: string): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: key.endsWith('.ndjson') ? 'application/x-ndjson' : 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (err) {
      if (isPreconditionFailed(err)) return false;
      throw err;
    }
  }

  async read(key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body?.transformToString('utf-8');
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
}
