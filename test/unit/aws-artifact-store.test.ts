import { CopyObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '#shared/aws/s3-artifact-store.ts';

const s3Mock = mockClient(S3Client);
const buckets = { intake: 'ct-intake', denials: 'ct-denials', artifacts: 'ct-artifacts', audit: '' };
const store = () => new S3ArtifactStore(new S3Client({ region: 'us-east-1' }), buckets);

beforeEach(() => s3Mock.reset());

describe('S3ArtifactStore requests', () => {
  it('lists across continuation tokens', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({
        IsTruncated: true,
        NextContinuationToken: 't1',
        Contents: [{ Key: 'a', ETag: '"e1"', Size: 1 }],
      })
      .resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'b', ETag: '"e2"', Size: 2 }] });
    const listed = [];
    for await (const o of store().list('intake', 'exports/')) listed.push(o);
    expect(listed).toEqual([
      { key: 'a', etag: 'e1', size: 1 },
      { key: 'b', etag: 'e2', size: 2 },
    ]);
    const calls = s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Bucket: 'ct-intake', Prefix: 'exports/', ContinuationToken: undefined },
      { Bucket: 'ct-intake', Prefix: 'exports/', ContinuationToken: 't1' },
    ]);
  });

  it('leaves encryption to the bucket default CMK (no aws/s3 key by accident)', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await store().putJson('artifacts', 'charts/x.json', { a: 1 });
    const input = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toEqual({
      Bucket: 'ct-artifacts',
      Key: 'charts/x.json',
      Body: '{"a":1}',
      ContentType: 'application/json',
    });
    expect(input).not.toHaveProperty('ServerSideEncryption');
  });

  it('URL-encodes the copy source, keeping its slashes', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    await store().copyObject('src-bucket', 'exports/a b/c+d.ndjson', 'intake', 'quarantine/x/source');
    expect(s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'ct-intake',
      Key: 'quarantine/x/source',
      CopySource: 'src-bucket/exports/a%20b/c%2Bd.ndjson',
    });
  });

  it('refuses a bucket that is not configured', () => {
    expect(() => store().bucketName('audit')).toThrow(/audit/);
  });
});
