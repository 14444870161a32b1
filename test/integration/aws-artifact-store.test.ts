import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { isPreconditionFailed } from '#shared/aws/ports.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'artifacts' });

describe('S3ArtifactStore on fauxqs', () => {
  it('maps logical buckets to the provisioned ones', () => {
    expect(stack.ports.artifacts.bucketName('artifacts')).toBe(`${stack.prefix}-artifacts`);
    expect(stack.ports.artifacts.bucketName('intake')).toBe(stack.resources.buckets.intake);
  });

  it('puts JSON and text with their content types and reads them back', async () => {
    await stack.ports.artifacts.putJson('artifacts', 'charts/agency-a/ck1/v1.json', { a: 1, b: ['x'] });
    expect(
      JSON.parse(await stack.ports.artifacts.getText('artifacts', 'charts/agency-a/ck1/v1.json')),
    ).toEqual({
      a: 1,
      b: ['x'],
    });
    await stack.ports.artifacts.putText('audit', 'receipts/r1.csv', 'a,b\n1,2\n', 'text/csv');
    await stack.ports.artifacts.putText('audit', 'receipts/r2.txt', 'plain — ünïcode');
    const head = await stack.clients.s3.send(
      new HeadObjectCommand({ Bucket: stack.resources.buckets.audit, Key: 'receipts/r1.csv' }),
    );
    expect(head.ContentType).toBe('text/csv');
    expect(await stack.ports.artifacts.getText('audit', 'receipts/r2.txt')).toBe('plain — ünïcode');
    await expect(stack.ports.artifacts.getText('audit', 'receipts/none')).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('writes a note once and never over it, as S3 refuses If-None-Match (the embedded S3 does not: the local runtime does)', async () => {
    const key = 'qa-notes/agency-a/ck1/v1-n1.json';
    await stack.ports.artifacts.putJson('artifacts', key, { note: 'first' }, { once: true });
    // Refused as S3 refuses it, and taken as written (such keys hash what they hold): the first stays.
    await stack.ports.artifacts.putJson('artifacts', key, { note: 'second' }, { once: true });
    expect(JSON.parse(await stack.ports.artifacts.getText('artifacts', key))).toEqual({ note: 'first' });
    // Without `once`, a write goes over it, as S3's does.
    await stack.ports.artifacts.putJson('artifacts', key, { note: 'third' });
    expect(JSON.parse(await stack.ports.artifacts.getText('artifacts', key))).toEqual({ note: 'third' });
  });

  it('reads a source object by its real bucket name and copies it into quarantine', async () => {
    const key = 'exports/agency-a/drop 1+(x).ndjson';
    await stack.ports.artifacts.putText('intake', key, '{"chart":1}\n', 'application/x-ndjson');
    const real = stack.ports.artifacts.bucketName('intake');
    expect(await stack.ports.artifacts.getObjectText(real, key)).toBe('{"chart":1}\n');
    await stack.ports.artifacts.copyObject(real, key, 'intake', 'quarantine/agency-a/o1/source');
    expect(await stack.ports.artifacts.getText('intake', 'quarantine/agency-a/o1/source')).toBe(
      '{"chart":1}\n',
    );
  });

  it('streams an object from any byte offset, and nothing from its end', async () => {
    const body = Buffer.from(`${'{"a":1}\n'.repeat(50_000)}tail`);
    await stack.ports.artifacts.putText('intake', 'exports/agency-a/big.ndjson', body.toString());
    const real = stack.ports.artifacts.bucketName('intake');
    const read = async (start: number) => {
      const chunks: Uint8Array[] = [];
      for await (const c of await stack.ports.artifacts.openObject(real, 'exports/agency-a/big.ndjson', {
        start,
      }))
        chunks.push(c);
      return Buffer.concat(chunks);
    };
    expect((await read(0)).equals(body)).toBe(true);
    expect((await read(123_457)).equals(body.subarray(123_457))).toBe(true);
    expect((await read(body.length)).length).toBe(0);
  });

  it('reads an object only while it still has the ETag it was listed with', async () => {
    await stack.ports.artifacts.putText('intake', 'exports/agency-a/drop/Patient.ndjson', '{"v":1}\n');
    const real = stack.ports.artifacts.bucketName('intake');
    let etag = '';
    for await (const o of stack.ports.artifacts.list('intake', 'exports/agency-a/drop/')) etag = o.etag;
    await expect(
      stack.ports.artifacts.openObject(real, 'exports/agency-a/drop/Patient.ndjson', { ifMatch: etag }),
    ).resolves.toBeDefined();
    await stack.ports.artifacts.putText('intake', 'exports/agency-a/drop/Patient.ndjson', '{"v":2}\n');
    const failed = await stack.ports.artifacts
      .openObject(real, 'exports/agency-a/drop/Patient.ndjson', { ifMatch: etag, start: 3 })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isPreconditionFailed(failed)).toBe(true);
  });

  it('lists a prefix with sizes and bare ETags', async () => {
    for (const i of [1, 2, 3])
      await stack.ports.artifacts.putText('denials', `remittances/agency-a/f${i}.835`, `ISA*${i}`);
    await stack.ports.artifacts.putText('denials', 'quarantine/agency-a/x', 'no');
    const listed: { key: string; etag: string; size: number }[] = [];
    for await (const o of stack.ports.artifacts.list('denials', 'remittances/')) listed.push(o);
    expect(listed.map((o) => o.key)).toEqual([
      'remittances/agency-a/f1.835',
      'remittances/agency-a/f2.835',
      'remittances/agency-a/f3.835',
    ]);
    expect(listed.every((o) => /^[0-9a-f]{32}$/.test(o.etag) && o.size === 5)).toBe(true);
  });
});

describe('object tags on the local S3', () => {
  it('sets the whole tag set, reads it back, and leaves the object itself as it was', async () => {
    const { GetObjectTaggingCommand } = await import('@aws-sdk/client-s3');
    const key = 'charts/agency-a/ck9/v1.json';
    await stack.ports.artifacts.putJson('artifacts', key, { chart: 9 });
    await stack.ports.artifacts.tagObject('artifacts', key, { 'codetrail-qa': 'review' });
    const tagging = await stack.clients.s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.resources.buckets.artifacts, Key: key }),
    );
    expect(tagging.TagSet).toEqual([{ Key: 'codetrail-qa', Value: 'review' }]);
    // The embedded S3 would take `PUT ?tagging` as a PutObject: the object must be untouched.
    expect(JSON.parse(await stack.ports.artifacts.getText('artifacts', key))).toEqual({ chart: 9 });
    // A copy takes its source's tags (S3's default); a write leaves the new version untagged.
    const real = stack.ports.artifacts.bucketName('artifacts');
    await stack.ports.artifacts.copyObject(real, key, 'artifacts', 'charts/agency-a/ck9/copy.json');
    const tagsOf = async (k: string) =>
      (await stack.clients.s3.send(new GetObjectTaggingCommand({ Bucket: real, Key: k }))).TagSet;
    expect(await tagsOf('charts/agency-a/ck9/copy.json')).toEqual([{ Key: 'codetrail-qa', Value: 'review' }]);
    await stack.ports.artifacts.putJson('artifacts', key, { chart: 9 });
    expect(await tagsOf(key)).toEqual([]);
  });
});
