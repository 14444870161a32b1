import { describe, expect, it } from 'vitest';
import { objectIdOf, recordedSource, sha256Hex } from '#shared/identity/identifiers.ts';
import {
  AGENCY,
  csv,
  DENIALS_BUCKET,
  denialHarness,
  failOnce,
  interpose,
  START,
} from '../support/denial-ingestion-harness.ts';

const ACTOR = 'stage:denial-ingestion';
const HEADER = 'claim_ref,status,charge,paid';
const contentIdOf = (text: string) => `rc${sha256Hex(text).slice(0, 30)}`;

describe('denial ingestion: the same file twice', () => {
  it('does nothing, and reads nothing, when the same object is delivered again', async () => {
    const h = denialHarness();
    const claim = await h.billed('D-1');
    const key = 'remittances/test-agency/era.csv';
    await h.drop(key, csv(HEADER, `${claim.claimRef},paid,100,90`));
    const done = await h.mem.ports.ledger.get(h.objectId(key));
    expect(done).toMatchObject({
      status: 'DONE',
      stage: 'denial-ingestion',
      counts: { claims: 1, paid: 1, duplicates: 0 },
    });
    let reads = 0;
    interpose(h.mem.ports.artifacts, 'getObjectText', (original, ...args) => {
      reads++;
      return original(...args);
    });
    h.setNow('2026-11-24T09:00:00.000Z');
    await h.deliver(key);
    expect(reads).toBe(0);
    expect(await h.mem.ports.ledger.get(h.objectId(key))).toEqual(done);
    expect(h.events('object.duplicate-delivery')).toMatchObject([
      { subject: `object:${h.objectId(key)}`, actor: ACTOR },
    ]);
    expect(await h.chart(claim)).toMatchObject({ remittance: { adjudications: 1 } });
  });

  it.each([
    ['under another key', { key: 'remittances/test-agency/copy.csv', etag: 'r1', bucket: DENIALS_BUCKET }],
    [
      'uploaded again under the same key',
      { key: 'remittances/test-agency/era.csv', etag: 'r2', bucket: DENIALS_BUCKET },
    ],
    ['in another bucket', { key: 'remittances/test-agency/era.csv', etag: 'r1', bucket: 'test-archive' }],
  ])('records the same bytes %s as a duplicate file and applies nothing', async (_, copy) => {
    const h = denialHarness();
    const claim = await h.billed('D-2');
    const key = 'remittances/test-agency/era.csv';
    const text = csv(HEADER, `${claim.claimRef},paid,100,90`);
    await h.drop(key, text);
    expect(await h.mem.ports.ledger.get(contentIdOf(text))).toMatchObject({
      status: 'DONE',
      stage: 'denial-ingestion:content',
      counts: { unmatched: 0, readAtMs: Date.parse(START) },
    });
    h.setNow('2026-11-24T09:00:00.000Z');
    h.mem.objects.set(`${copy.bucket}/${copy.key}`, text);
    await h.service.handle({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: copy.bucket }, object: { key: copy.key, eTag: copy.etag } },
        },
      ],
    });
    const copyId = objectIdOf(copy.bucket, copy.key, copy.etag);
    expect(h.events('remittance.duplicate-file').map(({ at: _at, ...e }) => e)).toEqual([
      {
        type: 'remittance.duplicate-file',
        agencyId: AGENCY,
        subject: `object:${copyId}`,
        actor: ACTOR,
        idempotencyKey: 'duplicate-file',
        detail: { duplicateOf: h.objectId(key), sha256: sha256Hex(text) },
      },
    ]);
    expect(await h.mem.ports.ledger.get(copyId)).toMatchObject({
      status: 'DONE',
      counts: { duplicateFile: 1 },
    });
    expect(h.received()).toHaveLength(1);
    expect(await h.chart(claim)).toMatchObject({ remittance: { adjudications: 1 } });
  });

  it('finishes a delivery that died after its content was recorded, applying nothing twice', async () => {
    const h = denialHarness();
    const claim = await h.billed('D-3');
    const key = 'remittances/test-agency/era.csv';
    failOnce(h.mem.ports.ledger, 'finish', (objectId) => objectId === h.objectId(key), 'timed out');
    await expect(h.drop(key, csv(HEADER, `${claim.claimRef},paid,100,90`))).rejects.toThrow('timed out');
    await h.deliver(key);
    expect(h.events('remittance.duplicate-file')).toEqual([]);
    expect(await h.mem.ports.ledger.get(h.objectId(key))).toMatchObject({
      status: 'DONE',
      counts: { claims: 1, paid: 0, duplicates: 1 },
    });
    expect(await h.chart(claim)).toMatchObject({ status: 'PAID', remittance: { adjudications: 1 } });
  });

  it('leaves the content of a delivery that died PROCESSING, so a copy dropped meanwhile goes on', async () => {
    const h = denialHarness();
    const claim = await h.billed('D-8');
    const text = csv(HEADER, `${claim.claimRef},paid,100,90`);
    failOnce(h.mem.ports.charts, 'transition', () => true, 'timed out');
    await expect(h.drop('remittances/test-agency/era.csv', text)).rejects.toThrow('timed out');
    expect(await h.mem.ports.ledger.get(contentIdOf(text))).toMatchObject({
      status: 'PROCESSING',
      stage: 'denial-ingestion:content',
    });
    await h.drop('remittances/test-agency/copy.csv', text);
    expect(h.events('remittance.duplicate-file')).toEqual([]);
    expect((await h.chart(claim))?.status).toBe('PAID');
  });

  it('counts an answer already applied, re-exported in another file, as a duplicate', async () => {
    const h = denialHarness();
    const paid = await h.billed('D-4');
    const denied = await h.billed('D-5');
    const lines = [`${paid.claimRef},paid,100,90,`, `${denied.claimRef},denied,100,0,CO-146`];
    await h.drop('remittances/test-agency/a.csv', csv(`${HEADER},reason_codes`, ...lines));
    const events = h.mem.events().length;
    const charts = [await h.chart(paid), await h.chart(denied)];
    h.setNow('2026-11-24T09:00:00.000Z');
    // The same answers in another export, with a column the first did not have.
    await h.drop(
      'remittances/test-agency/b.csv',
      csv(`${HEADER},reason_codes,remark_codes`, ...lines.map((l) => `${l},`)),
    );
    expect(h.received()[1]).toMatchObject({ claims: 2, paid: 0, denied: 0, codingDenied: 0, duplicates: 2 });
    expect(h.mem.events().length).toBe(events + 1);
    expect(await h.marks()).toHaveLength(1);
    // Not written again: not even its updatedAt moves.
    expect([await h.chart(paid), await h.chart(denied)]).toEqual(charts);
  });
});

describe('denial ingestion: a copy read again after a billing mapping file', () => {
  const mapping = (claimRef: string) => csv('billing_claim_number,claim_ref', `ACCT 1,${claimRef}`);

  it('reads a copy of a file that left claims unmatched again once a mapping has come, dating it as the first', async () => {
    const h = denialHarness();
    const matched = await h.billed('R-1');
    const mapped = await h.billed('R-2');
    const text = csv(HEADER, `${matched.claimRef},paid,100,90`, 'ACCT 1,paid,100,80');
    await h.drop('remittances/test-agency/era.csv', text);
    expect(h.received()[0]).toMatchObject({ unmatched: 1 });
    h.setNow('2026-11-24T09:00:00.000Z');
    await h.drop('remittances/test-agency/mappings/m.csv', mapping(mapped.claimRef));
    h.setNow('2026-11-25T09:00:00.000Z');
    await h.drop('remittances/test-agency/era-again.csv', text);
    expect(h.events('remittance.duplicate-file')).toEqual([]);
    expect(h.received()[1]).toMatchObject({ claims: 2, paid: 1, duplicates: 1, unmatched: 0 });
    // Undated: it sorts by when these bytes were first taken in, not by this read.
    expect((await h.records(mapped))[0]?.sequence).toBe(`${START}##00000003`);
    expect(await h.mem.ports.ledger.get(contentIdOf(text))).toMatchObject({
      counts: { unmatched: 0, readAtMs: Date.parse('2026-11-25T09:00:00.000Z') },
    });
  });

  it('reads it again when the mapping came at the very instant the last read began', async () => {
    const h = denialHarness();
    const mapped = await h.billed('R-3');
    await h.drop(
      'remittances/test-agency/mappings/m.csv',
      csv('billing_claim_number,claim_ref', `ACCT 9,${mapped.claimRef}`),
    );
    const text = csv(HEADER, 'ACCT 1,paid,100,80');
    await h.drop('remittances/test-agency/era.csv', text);
    h.setNow('2026-11-25T09:00:00.000Z');
    await h.drop('remittances/test-agency/era-again.csv', text);
    expect(h.events('remittance.duplicate-file')).toEqual([]);
    expect(h.received()).toHaveLength(2);
  });

  it.each([
    ['every claim matched', (claimRef: string) => `${claimRef},paid,100,80`, true],
    ['the mapping came before the last read', () => 'ACCT 1,paid,100,80', false],
  ])('keeps a copy a duplicate when %s', async (_, line, mappingAfter) => {
    const h = denialHarness();
    const claim = await h.billed('R-4');
    const other = await h.billed('R-5');
    const text = csv(HEADER, line(claim.claimRef));
    const otherMapping = csv('billing_claim_number,claim_ref', `ACCT 7,${other.claimRef}`);
    if (!mappingAfter) await h.drop('remittances/test-agency/mappings/m.csv', otherMapping);
    h.setNow('2026-11-24T09:00:00.000Z');
    await h.drop('remittances/test-agency/era.csv', text);
    h.setNow('2026-11-25T09:00:00.000Z');
    if (mappingAfter) await h.drop('remittances/test-agency/mappings/m.csv', otherMapping);
    h.setNow('2026-11-26T09:00:00.000Z');
    await h.drop('remittances/test-agency/era-again.csv', text);
    expect(h.events('remittance.duplicate-file')).toHaveLength(1);
  });

  it('keeps a copy of a file that left claims unmatched a duplicate while no mapping file has come', async () => {
    const h = denialHarness();
    const text = csv(HEADER, 'ACCT 1,paid,100,80');
    await h.drop('remittances/test-agency/era.csv', text);
    await h.drop('remittances/test-agency/era-again.csv', text);
    expect(h.events('remittance.duplicate-file')).toHaveLength(1);
  });

  it.each([
    ['without unmatched counts, once any mapping has come', { claims: 1 }, true, false],
    ['without the time of its read, once any mapping has come', { claims: 1, unmatched: 1 }, true, false],
    ['without unmatched counts, while no mapping has come', { claims: 1 }, false, true],
  ])(
    'reads again a copy finished before the counts were kept %s',
    async (_, counts, withMapping, duplicate) => {
      const h = denialHarness();
      const claim = await h.billed('R-6');
      const text = csv(HEADER, `${claim.claimRef},paid,100,80`);
      const first = { bucket: DENIALS_BUCKET, key: 'remittances/test-agency/old.csv', etag: 'o1' };
      await h.mem.ports.ledger.begin({
        objectId: contentIdOf(text),
        status: 'PROCESSING',
        stage: 'denial-ingestion:content',
        source: recordedSource(first),
        startedAt: '2026-11-01T00:00:00.000Z',
      });
      await h.mem.ports.ledger.finish(contentIdOf(text), counts, '2026-11-01T00:00:01.000Z');
      if (withMapping) await h.mem.ports.remittances.noteMappingChange(AGENCY, '2026-11-02T00:00:00.000Z');
      await h.drop('remittances/test-agency/era.csv', text);
      expect(h.events('remittance.duplicate-file')).toHaveLength(duplicate ? 1 : 0);
      expect((await h.chart(claim))?.status).toBe(duplicate ? 'BATCHED' : 'PAID');
    },
  );

  it('goes on with a copy whose first was never finished, dating its answers as that first copy', async () => {
    const h = denialHarness();
    const claim = await h.billed('R-7');
    const text = csv(HEADER, `${claim.claimRef},paid,100,80`);
    // The first copy's delivery died part-way: its content entry is still PROCESSING.
    await h.mem.ports.ledger.begin({
      objectId: contentIdOf(text),
      status: 'PROCESSING',
      stage: 'denial-ingestion:content',
      source: recordedSource({
        bucket: DENIALS_BUCKET,
        key: 'remittances/test-agency/first.csv',
        etag: 'f1',
      }),
      startedAt: '2026-11-20T08:00:00.000Z',
    });
    await h.drop('remittances/test-agency/era.csv', text);
    expect(h.events('remittance.duplicate-file')).toEqual([]);
    expect((await h.records(claim))[0]?.sequence).toBe('2026-11-20T08:00:00.000Z##00000002');
  });
});
