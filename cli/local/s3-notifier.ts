import type { ArtifactStore, StageQueue } from '#shared/aws/ports.ts';
import { BUCKET_NOTIFICATIONS } from '#shared/topology.ts';

/**
 * Stands in for S3 event notifications, which the embedded S3 does not send: lists the notifying
 * prefixes and, for every object (key + ETag) not seen before, sends the S3 event record that S3 would
 * send to the stage's queue. Whoever wrote the object (the `drop` command, an EMR job) is notified alike.
 */
export class S3Notifier {
  private readonly seen = new Set<string>();

  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly queue: StageQueue,
    seen: Iterable<string> = [],
  ) {
    for (const s of seen) this.seen.add(s);
  }

  /** Returns how many notifications it sent. */
  async scan(): Promise<number> {
    let sent = 0;
    for (const n of BUCKET_NOTIFICATIONS) {
      const bucket = this.artifacts.bucketName(n.bucket);
      const events: unknown[] = [];
      const ids: string[] = [];
      for await (const object of this.artifacts.list(n.bucket, n.prefix)) {
        const id = `${bucket}/${object.key}#${object.etag}`;
        if (this.seen.has(id)) continue;
        ids.push(id);
        events.push({
          Records: [
            {
              eventVersion: '2.1',
              eventSource: 'aws:s3',
              awsRegion: 'us-east-1',
              eventTime: new Date().toISOString(),
              eventName: 'ObjectCreated:Put',
              s3: {
                s3SchemaVersion: '1.0',
                bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
                object: {
                  key: encodeURIComponent(object.key).replaceAll('%2F', '/'),
                  size: object.size,
                  eTag: object.etag,
                },
              },
            },
          ],
        });
      }
      await this.queue.send(n.queue, events);
      // Marked only once sent: a failed send leaves them to be announced on the next scan.
      for (const id of ids) this.seen.add(id);
      sent += events.length;
    }
    return sent;
  }

  markSeen(id: string): void {
    this.seen.add(id);
  }

  seenObjects(): string[] {
    return [...this.seen];
  }
}
