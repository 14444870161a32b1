import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartKeyOf, recordedSource } from '#shared/identity/identifiers.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';
import { homeHealthChart } from '../support/charts.ts';
import { failOnce } from '../support/fail-once.ts';
import { AGENCY, intake, ndjson, START, shortOfTime } from '../support/intake-harness.ts';
import { s3Event } from '../support/memory-ports.ts';

const KEY = 'exports/test-agency/charts.ndjson';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const chart = (id: string, version = 1) =>
  JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: id, version }));

/** Counts the charts the store is asked to create, and moves the clock on by `ms` at each. */
function countCreates(t: ReturnType<typeof intake>, ms = 0) {
  const create = t.mem.ports.charts.create;
  const counter = { calls: 0 };
  t.mem.ports.charts.create = async (state) => {
    counter.calls++;
    t.advance(ms);
    return create.call(t.mem.ports.charts, state);
  };
  return counter;
}

describe('a canonical file taken in one run', () => {
  it('is read once: the receipt has its hash and size, and no checkpoint is written', async () => {
    const t = intake();
    const body = ndjson(3);
    await t.drop(KEY, body);
    expect(t.reads).toEqual([{ key: KEY, start: 0 }]);
    expect(t.receipt(KEY)).toMatchObject({ sha256: sha256(body), bytes: body.length, segments: 1 });
    expect((await t.mem.ports.ledger.get(t.objectId(KEY)))?.checkpoint).toBeUndefined();
  });

  it('writes its receipt to the artifacts and audit buckets, audits it and marks the object done', async () => {
    const t = intake();
    const body = ndjson(2);
    await t.drop(KEY, body);
    const receiptKey = `receipts/${AGENCY}/${t.objectId(KEY)}.json`;
    const receipt = JSON.parse(t.mem.objects.get(`test-artifacts/${receiptKey}`) ?? '{}');
    expect(IntakeReceipt.parse(receipt)).toEqual({
      schemaVersion: 2,
      objectId: t.objectId(KEY),
      // By object id: the key (an export job's file name) is in no receipt.
      source: { objectId: t.objectId(KEY), bucket: 'test-intake', etag: 'e1', listingId: t.objectId(KEY) },
      agencyId: AGENCY,
      format: 'canonical',
      sha256: sha256(body),
      bytes: body.length,
      receivedAt: START,
      finishedAt: START,
      segments: 1,
      counts: { read: 2, accepted: 2, quarantined: 0, superseded: 0, duplicates: 0 },
      files: [],
      issueCount: 0,
    });
    expect(JSON.parse(t.mem.objects.get(`test-audit/${receiptKey}`) ?? '{}')).toEqual(receipt);
    expect(JSON.stringify(receipt)).not.toContain('charts.ndjson');
    expect(t.mem.events().filter((e) => e.subject.startsWith('object:'))).toEqual([
      {
        type: 'object.received',
        agencyId: AGENCY,
        subject: `object:${t.objectId(KEY)}`,
        actor: 'stage:intake',
        idempotencyKey: 'received',
        at: START,
        detail: {
          receipt: receiptKey,
          format: 'canonical',
          sha256: sha256(body),
          read: 2,
          accepted: 2,
          quarantined: 0,
          superseded: 0,
          duplicates: 0,
        },
      },
    ]);
    // A clean file sets nothing aside.
    expect([...t.mem.objects.keys()].filter((k) => k.includes('quarantine/'))).toEqual([]);
    expect(await t.mem.ports.ledger.get(t.objectId(KEY))).toMatchObject({
      status: 'DONE',
      finishedAt: START,
      counts: { read: 2, accepted: 2, quarantined: 0, superseded: 0, duplicates: 0 },
    });
  });

  it('reads the version of the object the S3 event names', async () => {
    const t = intake();
    t.mem.put('intake', KEY, ndjson(1));
    const event = s3Event('test-intake', KEY, 'e1');
    Object.assign(event.Records[0]?.s3.object ?? {}, { versionId: 'v7' });
    await t.service.handle(event);
    expect(t.reads).toEqual([{ key: KEY, start: 0, versionId: 'v7' }]);
    // Its object id from the version; the id a listing gives (key and content ETag) beside it.
    expect(t.receipt(KEY, 'v7')?.source).toEqual({
      objectId: t.objectId(KEY, 'v7'),
      bucket: 'test-intake',
      etag: 'v7',
      versionId: 'v7',
      listingId: t.objectId(KEY, 'e1'),
    });
  });

  it('labels each chart by its line and byte offset', async () => {
    const t = intake();
    const first = chart('L-1');
    await t.drop(KEY, `${first}\n${chart('L-2')}`);
    const state = await t.mem.ports.charts.get(await chartKeyOf(t.mem.ports.keys, AGENCY, 'L-2'), 1);
    expect(state?.sourceRecord).toBe(`line 2, byte ${first.length + 1}`);
    expect(state?.sourceObject).toBe(t.objectId(KEY));
  });
});

describe('what a canonical file sets aside', () => {
  it('reports a broken NDJSON line by its line alone, with the audit of the quarantine', async () => {
    const t = intake();
    await t.drop(KEY, `${chart('Q-1')}\n{oops\n${chart('Q-2')}`);
    const receipt = t.receipt(KEY);
    expect(receipt?.counts).toEqual({ read: 2, accepted: 2, quarantined: 1, superseded: 0, duplicates: 0 });
    const reportKey = `quarantine/${AGENCY}/${t.objectId(KEY)}/report.json`;
    expect(receipt?.quarantineReport).toBe(reportKey);
    expect(t.report(receipt).issues).toEqual([{ line: 2, reason: 'line is not valid JSON' }]);
    expect(t.mem.events().find((e) => e.type === 'object.quarantined')).toEqual({
      type: 'object.quarantined',
      agencyId: AGENCY,
      subject: `object:${t.objectId(KEY)}`,
      actor: 'stage:intake',
      idempotencyKey: 'quarantined',
      at: START,
      detail: { report: reportKey, issueCount: 1, quarantinedEntries: 1 },
    });
  });

  it('keeps the first 500 issues in full and counts every one', async () => {
    const t = intake();
    await t.drop(KEY, Array.from({ length: 501 }, () => '{oops').join('\n'));
    const receipt = t.receipt(KEY);
    expect(receipt?.issueCount).toBe(501);
    const report = t.report(receipt);
    expect(report.issueCount).toBe(501);
    expect(report.issues).toHaveLength(500);
    expect(report.issues[499]).toEqual({ line: 500, reason: 'line is not valid JSON' });
  });

  it('refuses a file outside exports/<agency>/ whole, reading it only to hash it', async () => {
    const t = intake();
    const key = 'exports/Not_An_Agency/charts.ndjson';
    const body = ndjson(2);
    await t.drop(key, body);
    const receipt = IntakeReceipt.parse(
      JSON.parse(t.mem.objects.get(`test-artifacts/receipts/unknown/${t.objectId(key)}.json`) ?? '{}'),
    );
    expect(receipt).toMatchObject({
      agencyId: 'unknown',
      sha256: sha256(body),
      bytes: body.length,
      counts: { read: 0, accepted: 0, quarantined: 1, superseded: 0, duplicates: 0 },
    });
    expect(t.report(receipt).issues).toEqual([{ reason: 'object is not under exports/<agency>/' }]);
    expect(t.reads).toEqual([{ key }]);
    expect(t.mem.take('validate')).toEqual([]);
  });

  it('refuses a file over the maximum unread, with the size the S3 event gave', async () => {
    const t = intake({ intake: { maxObjectBytes: 100 } });
    t.mem.put('intake', KEY, ndjson(2));
    const event = s3Event('test-intake', KEY, 'e1');
    Object.assign(event.Records[0]?.s3.object ?? {}, { size: 5000 });
    await t.service.handle(event);
    const receipt = t.receipt(KEY);
    expect(receipt).toMatchObject({ bytes: 5000, counts: { quarantined: 1 } });
    expect(receipt?.sha256).toBeUndefined();
    expect(t.report(receipt).issues).toEqual([
      { reason: 'file is larger than the configured maximum of 100 bytes' },
    ]);
    expect(t.reads).toEqual([]);
  });

  it('reads a file of exactly the maximum size', async () => {
    const body = ndjson(1);
    const t = intake({ intake: { maxObjectBytes: body.length } });
    t.mem.put('intake', KEY, body);
    const event = s3Event('test-intake', KEY, 'e1');
    Object.assign(event.Records[0]?.s3.object ?? {}, { size: body.length });
    await t.service.handle(event);
    expect(t.receipt(KEY)?.counts).toMatchObject({ accepted: 1, quarantined: 0 });
  });
});

describe('a canonical file over several runs', () => {
  it('sends the charts for validation 100 at a time, not all at the end', async () => {
    const t = intake({ intake: { concurrency: 4 } });
    await t.drop(KEY, ndjson(101));
    expect(t.sends.filter((s) => s.queue === 'validate').map((s) => s.count)).toEqual([100, 1]);
  });

  it('stops after a group of `concurrency` charts when time runs short, and goes on from there', async () => {
    const t = intake({ intake: { concurrency: 4 } });
    const body = ndjson(10);
    await t.drop(KEY, body, 'e1', shortOfTime(0));
    expect(t.mem.take('validate')).toHaveLength(4);
    expect(t.mem.take('intake')).toEqual([
      { kind: 'intake-continue', agencyId: AGENCY, objectId: t.objectId(KEY), segment: 1 },
    ]);
    // The continuation was taken off the queue above: send it again.
    await t.service.handle({
      kind: 'intake-continue',
      agencyId: AGENCY,
      objectId: t.objectId(KEY),
      segment: 1,
    });
    await t.continueAll();
    const fourth = body.split('\n').slice(0, 4).join('\n').length + 1;
    expect(t.reads.map((r) => r.start)).toEqual([0, fourth, undefined]);
    expect(t.receipt(KEY)).toMatchObject({ sha256: sha256(body), bytes: body.length, segments: 2 });
    expect(t.receipt(KEY)?.counts.accepted).toBe(10);
  });

  it('starts from the top when the saved checkpoint is not a canonical reader one', async () => {
    const t = intake();
    const body = ndjson(3);
    t.mem.put('intake', KEY, body);
    await t.mem.ports.ledger.begin({
      objectId: t.objectId(KEY),
      status: 'PROCESSING',
      stage: 'intake',
      source: recordedSource({ bucket: 'test-intake', key: KEY, etag: 'e1' }),
      startedAt: '2026-11-23T11:00:00.000Z',
      segment: 0,
      leaseUntil: '2026-11-23T11:06:00.000Z',
      checkpoint: {
        format: 'fhir-bulk',
        position: { offset: 10, line: 2, mode: 'lines' },
        tally: {
          counts: { read: 7, accepted: 7, quarantined: 0, superseded: 0, duplicates: 0 },
          issues: [],
          issueCount: 0,
        },
      },
    });
    await t.service.handle(s3Event('test-intake', KEY, 'e1'));
    expect(t.reads).toEqual([{ key: KEY, start: 0 }]);
    expect(t.receipt(KEY)?.counts).toEqual({
      read: 3,
      accepted: 3,
      quarantined: 0,
      superseded: 0,
      duplicates: 0,
    });
  });

  it('saves progress every checkpointEverySeconds, so a crash loses only the charts since', async () => {
    // Each chart takes a quarter of a second: a group of four, a second; progress is due every two.
    const t = intake({ intake: { concurrency: 4, checkpointEverySeconds: 2 } });
    const creates = countCreates(t, 250);
    failOnce(t.mem.ports.charts, 'create', () => creates.calls === 22, 'DynamoDB throttled');
    await expect(t.drop(KEY, ndjson(40))).rejects.toThrow('DynamoDB throttled');
    // Saved after the 8th and the 16th chart: the retry takes the 17th on again.
    const before = creates.calls;
    await t.service.handle(s3Event('test-intake', KEY, 'e1'));
    expect(creates.calls - before).toBe(24);
    expect(t.receipt(KEY)?.counts).toMatchObject({ read: 40, accepted: 40 });
  });

  it('only hashes again when a run died hashing a file it read over several runs', async () => {
    const t = intake({ intake: { concurrency: 4 } });
    const body = ndjson(10);
    await t.drop(KEY, body, 'e1', shortOfTime(0));
    const [next] = t.mem.take('intake');
    failOnce(
      t.ports.artifacts,
      'openObject',
      (_bucket, _key, options) => options?.start === undefined,
      'S3 reset',
    );
    await expect(t.service.handle(next)).rejects.toThrow('S3 reset');
    const reads = t.reads.length;
    await t.service.handle(next);
    expect(t.reads.slice(reads)).toEqual([{ key: KEY }]);
    expect(t.receipt(KEY)).toMatchObject({ sha256: sha256(body), bytes: body.length, segments: 3 });
    expect(t.receipt(KEY)?.counts).toMatchObject({ read: 10, accepted: 10 });
  });
});

describe('how a canonical file counts its charts', () => {
  it('counts an older version than one received as superseded, and sends it nowhere', async () => {
    const t = intake();
    await t.drop('exports/test-agency/v2.ndjson', chart('S-1', 2));
    t.mem.take('validate');
    await t.drop(KEY, chart('S-1', 1));
    expect(t.receipt(KEY)?.counts).toEqual({
      read: 1,
      accepted: 0,
      quarantined: 0,
      superseded: 1,
      duplicates: 0,
    });
    expect(t.mem.take('validate')).toEqual([]);
  });

  it('counts the same chart twice in one file once, and the second as a duplicate', async () => {
    const t = intake();
    await t.drop(KEY, `${chart('D-1')}\n${chart('D-1')}`);
    expect(t.receipt(KEY)?.counts).toEqual({
      read: 2,
      accepted: 1,
      quarantined: 0,
      superseded: 0,
      duplicates: 1,
    });
  });
});
