import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectTaggingCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  followLocalObjectTags,
  installLocalObjectTags,
  localObjectTags,
  persistLocalObjectTags,
  refuseLocalTagging,
} from '#cli/local/object-tags.ts';

// The local S3 tags (the embedded S3 has no tagging API): answered by SDK middleware, kept in memory, and
// with `start --serve` in a file that commands run from other processes follow. The tagging calls never
// reach the network, so a client pointed nowhere serves.
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
installLocalObjectTags({ s3 });
const dir = mkdtempSync(join(tmpdir(), 'codetrail-tags-'));

function tag(key: string, tags: Record<string, string>) {
  return s3.send(
    new PutObjectTaggingCommand({
      Bucket: 'art',
      Key: key,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

describe('local object tags', () => {
  it('answers PutObjectTagging and GetObjectTagging from the store, the whole set at a time', async () => {
    await tag('charts/a/ck1/v1.json', { 'codetrail-qa': 'review' });
    await tag('charts/a/ck1/v1.json', { 'codetrail-qa': 'review', 'codetrail-billing': 'batched' });
    expect(localObjectTags('art', 'charts/a/ck1/v1.json')).toEqual({
      'codetrail-qa': 'review',
      'codetrail-billing': 'batched',
    });
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket: 'art', Key: 'charts/a/ck1/v1.json' }));
    expect(got.TagSet).toHaveLength(2);
    await tag('charts/a/ck1/v1.json', { 'codetrail-billing': 'batched' });
    expect(localObjectTags('art', 'charts/a/ck1/v1.json')).toEqual({ 'codetrail-billing': 'batched' });
  });

  it('keeps them in a file another process follows, and takes them back after a restart', async () => {
    const file = join(dir, 'object-tags.jsonl');
    // A restart: what the file held comes back, and the file is compacted to the current set.
    writeFileSync(
      file,
      [
        { o: 'art/charts/a/ck2/v1.json', t: { 'codetrail-qa': 'review' } },
        { o: 'art/charts/a/ck2/v1.json', t: null },
        { o: 'art/charts/a/ck3/v1.json', t: { 'codetrail-billing': 'batched' } },
      ]
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    persistLocalObjectTags(file);
    expect(localObjectTags('art', 'charts/a/ck2/v1.json')).toBeUndefined();
    expect(localObjectTags('art', 'charts/a/ck3/v1.json')).toEqual({ 'codetrail-billing': 'batched' });
    const compacted = readFileSync(file, 'utf8');
    expect(compacted).not.toContain('ck2');

    const follower = followLocalObjectTags(file);
    expect(follower('art', 'charts/a/ck3/v1.json')).toEqual({ 'codetrail-billing': 'batched' });
    await tag('charts/a/ck4/v1.json', { 'codetrail-qa': 'review' });
    expect(follower('art', 'charts/a/ck4/v1.json')).toEqual({ 'codetrail-qa': 'review' });
    // A line still being written is read once it is whole.
    appendFileSync(file, '{"o":"art/charts/a/ck5/v1.json","t":{"codetrail-qa"');
    expect(follower('art', 'charts/a/ck5/v1.json')).toBeUndefined();
    appendFileSync(file, ':"review"}}\n');
    expect(follower('art', 'charts/a/ck5/v1.json')).toEqual({ 'codetrail-qa': 'review' });
    // Cut short: read again from the start.
    writeFileSync(file, `${JSON.stringify({ o: 'art/charts/a/ck6/v1.json', t: { x: 'y' } })}\n`);
    expect(follower('art', 'charts/a/ck4/v1.json')).toBeUndefined();
    expect(follower('art', 'charts/a/ck6/v1.json')).toEqual({ x: 'y' });
    // Compacted by a restart into a file as long or longer (a new file renamed into place): read anew,
    // a damaged line skipped.
    const longer = join(dir, 'longer.jsonl');
    writeFileSync(
      longer,
      `not json\n${JSON.stringify({ o: 'art/charts/a/ck7/v1.json', t: { 'codetrail-qa': 'review' } })}\n`.repeat(
        3,
      ),
    );
    renameSync(longer, file);
    expect(follower('art', 'charts/a/ck6/v1.json')).toBeUndefined();
    expect(follower('art', 'charts/a/ck7/v1.json')).toEqual({ 'codetrail-qa': 'review' });
  });

  it('refuses tagging calls on the clients of a command run against another process', async () => {
    const other = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    refuseLocalTagging({ s3: other });
    await expect(
      other.send(new PutObjectTaggingCommand({ Bucket: 'art', Key: 'k', Tagging: { TagSet: [] } })),
    ).rejects.toThrow('set by its own process');
    await expect(other.send(new GetObjectTaggingCommand({ Bucket: 'art', Key: 'k' }))).rejects.toThrow(
      'set by its own process',
    );
  });

  it('follows a file that does not exist yet as holding no tags', () => {
    expect(followLocalObjectTags(join(dir, 'absent.jsonl'))('art', 'k')).toBeUndefined();
  });
});
