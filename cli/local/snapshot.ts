import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '#shared/aws/clients.ts';
import type { ArtifactStore } from '#shared/aws/ports.ts';
import { BUCKETS, type BucketName } from '#shared/topology.ts';

/**
 * The embedded S3 and SQS keep everything in memory, so `start --serve` writes their contents to
 * .codetrail/snapshot/ on shutdown and puts them back on start. (DynamoDB keeps its own files.)
 */
export interface SnapshotManifest {
  objects: { bucket: BucketName; key: string }[];
  queues: Record<string, string[]>;
  seenObjects: string[];
}

export async function saveSnapshot(
  dir: string,
  artifacts: ArtifactStore,
  queueUrls: Record<string, string>,
  seenObjects: string[],
): Promise<SnapshotManifest> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest: SnapshotManifest = { objects: [], queues: {}, seenObjects };
  for (const bucket of BUCKETS) {
    for await (const o of artifacts.list(bucket, '')) {
      const path = join(dir, 's3', bucket, o.key);
      mkdirSync(dirname(path), { recursive: true });
      // Bytes as stored: a dropped file need not be UTF-8, and its receipt hash is of its bytes.
      const chunks: Uint8Array[] = [];
      for await (const chunk of await artifacts.openObject(artifacts.bucketName(bucket), o.key))
        chunks.push(chunk);
      writeFileSync(path, Buffer.concat(chunks));
      manifest.objects.push({ bucket, key: o.key });
    }
  }
  for (const [name, url] of Object.entries(queueUrls)) {
    manifest.queues[name] = await queueBodies(url);
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

type Inspected = {
  messages: {
    ready: { body: string }[];
    delayed: { body: string }[];
    inflight: { message: { body: string } }[];
  };
};

/**
 * Every message on a queue, in flight or not: a reviewer's receive hides a message for a while, and a
 * snapshot must not lose it. SQS has no such read, so this asks fauxqs's own inspection endpoint.
 */
async function queueBodies(queueUrl: string): Promise<string[]> {
  const url = new URL(queueUrl);
  const name = url.pathname.split('/').pop() ?? '';
  const res = await fetch(`${url.origin}/_fauxqs/queues/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`cannot inspect queue ${name}: HTTP ${res.status}`);
  const { messages } = (await res.json()) as Inspected;
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((m) => m.message)].map(
    (m) => m.body,
  );
}

export async function restoreSnapshot(
  dir: string,
  artifacts: ArtifactStore,
  clients: AwsClients,
  queueUrls: Record<string, string>,
): Promise<(SnapshotManifest & { unrestored: Record<string, string[]> }) | undefined> {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return undefined;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as SnapshotManifest;
  // A queue this stack no longer has (a snapshot from another layout or configuration): named, not lost unseen.
  const unrestored: Record<string, string[]> = {};
  for (const o of manifest.objects) {
    await artifacts.putBytes(o.bucket, o.key, readFileSync(join(dir, 's3', o.bucket, o.key)));
  }
  for (const [name, bodies] of Object.entries(manifest.queues)) {
    const url = queueUrls[name];
    if (!url) {
      if (bodies.length > 0) unrestored[name] = bodies;
      continue;
    }
    for (let i = 0; i < bodies.length; i += 10) {
      await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
        }),
      );
    }
  }
  return { ...manifest, unrestored };
}
