import { describe, expect, it } from 'vitest';
import { sourceKeysKey } from '#functions/intake/source-keys.ts';
import { IntakeContinuation } from '#shared/model/messages.ts';
import {
  AGENCY,
  bulkFiles,
  chartOf,
  intake,
  ndjson,
  putDrop,
  shortOfTime,
} from '../support/intake-harness.ts';

/**
 * An export job may name a file after the patient, so intake records a dropped file by object id: its key
 * reaches no ledger entry, checkpoint, message or receipt. A run continued from a message (which names the
 * object by id only) finds the key where the run before it saved it, in intake's scratch space.
 */
const NAMED = 'exports/test-agency/Doe_Jane_DOB_1931-07-19.ndjson';
const PLANTED = /Doe_Jane|1931-07-19/;

/**
 * What intake wrote beside the file: every S3 object but the dropped files, their quarantine copies, the
 * charts as received and the saved keys; every ledger entry; every audit event.
 */
async function recordsBesideTheFile(t: ReturnType<typeof intake>): Promise<string> {
  const objects = [...t.mem.objects].filter(
    ([k]) =>
      !/^test-(intake\/(exports|quarantine)|artifacts\/charts)\//.test(k) &&
      !k.startsWith('test-intake/keys/'),
  );
  const ledger = [];
  for await (const entry of t.mem.ports.ledger.list()) ledger.push(entry);
  expect(objects.length).toBeGreaterThan(1);
  return JSON.stringify([objects, ledger, t.mem.events()]);
}

describe('a dropped file named after a patient', () => {
  it('continued over several runs, is recorded by object id only; its key waits under keys/', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    await t.drop(NAMED, ndjson(4), 'e1', shortOfTime(2));
    const id = t.objectId(NAMED);
    const continuation = t.mem.take('intake');
    expect(continuation).toHaveLength(1);
    expect(JSON.stringify(continuation)).not.toMatch(PLANTED);
    expect(JSON.stringify(await t.mem.ports.ledger.get(id))).not.toMatch(PLANTED);
    expect(JSON.parse(t.mem.objects.get(`test-intake/${sourceKeysKey(AGENCY, id)}`) ?? '{}')).toEqual({
      key: NAMED,
    });
    for (const m of continuation) await t.service.handle(IntakeContinuation.parse(m));
    await t.continueAll();
    const receipt = t.receipt(NAMED);
    expect(receipt?.counts.accepted).toBe(4);
    expect(receipt?.segments).toBeGreaterThan(1);
    expect(JSON.stringify(await t.mem.ports.ledger.get(id))).not.toMatch(PLANTED);
    expect(await recordsBesideTheFile(t)).not.toMatch(PLANTED);
  });

  it('taken in one run, leaves no saved key behind', async () => {
    const t = intake();
    await t.drop(NAMED, ndjson(2));
    expect([...t.mem.objects.keys()].filter((k) => k.startsWith('test-intake/keys/'))).toEqual([]);
    expect(await recordsBesideTheFile(t)).not.toMatch(PLANTED);
  });

  it('saves the key again at every continuation, so its expiry counts from the newest message', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    const put = t.ports.artifacts.putJson;
    const saves: string[] = [];
    t.ports.artifacts.putJson = (bucket, key, body) => {
      if (key.startsWith('keys/')) saves.push(key);
      return put(bucket, key, body);
    };
    await t.drop(NAMED, ndjson(6), 'e1', shortOfTime(2));
    await t.continueAll(() => shortOfTime(2));
    expect(t.receipt(NAMED)?.segments).toBeGreaterThan(2);
    expect(saves.length).toBe((t.receipt(NAMED)?.segments ?? 0) - 1);
  });

  it('takes an AccessDenied for the saved key as the key being gone (S3 says so without ListBucket)', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    await t.drop(NAMED, ndjson(4), 'e1', shortOfTime(2));
    const id = t.objectId(NAMED);
    t.ports.artifacts.getText = async () => {
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    };
    const [message] = t.mem.take('intake');
    await expect(t.service.handle(IntakeContinuation.parse(message))).rejects.toThrow(
      `${id}: the keys its earlier run saved are gone (expired?)`,
    );
  });

  it('fails a continuation whose saved key is gone, naming the object by id only', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    await t.drop(NAMED, ndjson(4), 'e1', shortOfTime(2));
    const id = t.objectId(NAMED);
    t.mem.objects.delete(`test-intake/${sourceKeysKey(AGENCY, id)}`);
    const [message] = t.mem.take('intake');
    const failure = await t.service.handle(IntakeContinuation.parse(message)).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure?.message).toBe(`${id}: the keys its earlier run saved are gone (expired?)`);
  });
});

describe('a FHIR drop in a folder named after a patient', () => {
  it('keeps its file keys in the scratch space, in the order its checkpoint counts them, and nowhere else', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    const folder = 'exports/test-agency/Doe_Jane_1931-07-19/';
    const files = bulkFiles([chartOf('K-1'), chartOf('K-2')]);
    putDrop(t, folder, files);
    await t.drop(`${folder}.done`, '', 'e1', shortOfTime(1));
    const id = t.objectId(`${folder}.done`);
    const saved = JSON.parse(t.mem.objects.get(`test-intake/${sourceKeysKey(AGENCY, id)}`) ?? '{}');
    expect(saved).toEqual({
      key: `${folder}.done`,
      files: [...files.keys()].sort().map((name) => `${folder}${name}`),
    });
    expect(JSON.stringify(await t.mem.ports.ledger.get(id))).not.toMatch(PLANTED);
    await t.continueAll();
    const receipt = t.receipt(`${folder}.done`);
    expect(receipt?.counts.accepted).toBe(2);
    expect(receipt?.files.map((f) => f.objectId)).toEqual(saved.files.map((k: string) => t.fileId(k)));
    expect(await recordsBesideTheFile(t)).not.toMatch(PLANTED);
  });
});
