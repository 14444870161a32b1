import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';
import {
  AGENCY,
  bulkFiles,
  chartOf,
  dropWithManifest,
  dropWithMarker,
  intake,
  putDrop,
  START,
} from '../support/intake-harness.ts';

const FOLDER = 'exports/test-agency/drop/';
const DONE = `${FOLDER}.done`;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The drop's partition files, as keys under its work prefix. */
function spills(t: ReturnType<typeof intake>, trigger = DONE) {
  const prefix = `work/${AGENCY}/${t.objectId(trigger)}/`;
  return t.texts
    .filter((w) => w.key.startsWith(prefix))
    .map((w) => ({ ...w, key: w.key.slice(prefix.length) }));
}

describe('the partition phase of a FHIR drop', () => {
  it('spills the resources under work/<agency>/<objectId>/: a file per partition at each write, the shared ones apart', async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A'), chartOf('B')]);
    // A file with nothing to spill writes nothing.
    files.set('Condition.0.ndjson', ['{oops']);
    await dropWithMarker(t, FOLDER, files);
    const written = [...files.keys()]
      .sort()
      .filter((name) => name !== 'Condition.0.ndjson')
      .map((name, seq) => `p-${name.startsWith('Practitioner') ? 'shared' : '0'}/s0-${seq}.ndjson`);
    expect(spills(t)).toEqual(written.map((key) => ({ key, contentType: 'application/x-ndjson' })));
    // Keys hold no PHI: object ids and numbers only.
    expect(t.texts.map((w) => w.key).join()).not.toMatch(/P-A|P-B|HH-/);
    // Read as NDJSON, whatever its first line.
    expect(t.report(t.receipt(DONE)).issues).toEqual([
      { file: t.fileId(`${FOLDER}Condition.0.ndjson`), line: 1, reason: 'line is not valid JSON' },
    ]);
  });

  it('spills each resource with its patient, file and line, in the text it came as', async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A')]);
    const patient = '{"resourceType": "Patient",  "id": "P-A"}';
    files.set('Patient.ndjson', [patient]);
    await dropWithMarker(t, FOLDER, files);
    const index = [...files.keys()].sort().indexOf('Patient.ndjson');
    const key = `test-intake/work/${AGENCY}/${t.objectId(DONE)}/p-0/s0-${index}.ndjson`;
    expect(t.mem.objects.get(key)).toBe(`{"p":"P-A","f":${index},"l":1,"r":${patient}}\n`);
  });

  it('reads each file once, from its first byte and pinned to its ETag, when taken in one run', async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A')]);
    await dropWithMarker(t, FOLDER, files);
    const names = [...files.keys()].sort();
    expect(t.reads).toEqual([
      ...names.map((name) => ({
        key: `${FOLDER}${name}`,
        start: 0,
        ifMatch: String(`${files.get(name)?.join('\n')}`.length),
      })),
      { key: DONE },
    ]);
    expect(t.lists).toEqual([
      FOLDER,
      `work/${AGENCY}/${t.objectId(DONE)}/p-shared/`,
      `work/${AGENCY}/${t.objectId(DONE)}/p-0/`,
    ]);
    // Nothing was due: no checkpoint was written.
    expect((await t.mem.ports.ledger.get(t.objectId(DONE)))?.checkpoint).toBeUndefined();
  });

  it('splits a drop larger than partitionBytes into as many partitions, each read once', async () => {
    const t = intake({ intake: { partitionBytes: 64 * 1024 } });
    const files = bulkFiles(Array.from({ length: 20 }, (_, i) => chartOf(`S-${i}`)));
    const bytes = [...files.values()].reduce((sum, lines) => sum + lines.join('\n').length, 0);
    const partitions = Math.ceil(bytes / (64 * 1024));
    expect(partitions).toBeGreaterThan(1);
    await dropWithMarker(t, FOLDER, files);
    const work = `work/${AGENCY}/${t.objectId(DONE)}/`;
    expect(t.lists).toEqual([
      FOLDER,
      `${work}p-shared/`,
      ...Array.from({ length: partitions }, (_, p) => `${work}p-${p}/`),
    ]);
    expect(t.receipt(DONE)?.counts).toMatchObject({ read: 20, accepted: 20 });
  });

  it('holds at most 8 MiB of spilled resources before it writes them out', async () => {
    const t = intake();
    // Ten resources of one patient, each spilled as exactly 1 MiB: the eighth fills the buffer.
    const lines = Array.from({ length: 10 }, (_, i) => {
      const head = `{"resourceType":"Observation","id":"b${i}","subject":{"reference":"Patient/P-BIG"},"note":[{"text":"`;
      const spilled = `{"p":"P-BIG","f":0,"l":${i + 1},"r":${head}"}]}}`.length;
      return `${head}${'x'.repeat(1024 * 1024 - spilled)}"}]}`;
    });
    // S3-sized chunks: the in-memory store's 64-byte ones make a line of a megabyte slow to read.
    t.ports.artifacts.openObject = async (bucket, key, options = {}) => {
      const bytes = Buffer.from(await t.mem.ports.artifacts.getObjectText(bucket, key)).subarray(
        options.start ?? 0,
      );
      return (async function* () {
        for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
      })();
    };
    await dropWithMarker(t, FOLDER, new Map([['Observation.ndjson', lines]]));
    const work = `test-intake/work/${AGENCY}/${t.objectId(DONE)}/p-0/`;
    const linesOf = (key: string) => (t.mem.objects.get(`${work}${key}`) ?? '').split('\n').filter(Boolean);
    expect(linesOf('s0-0.ndjson').map((l) => l.length)).toEqual(Array(8).fill(1024 * 1024));
    expect(linesOf('s0-1.ndjson')).toHaveLength(2);
    expect(t.receipt(DONE)?.unused).toEqual({
      'Observation: not an OASIS item (no codetrail oasis-item code)': 10,
    });
  });

  it('reports a line of a drop file it cannot route, or too long, by file and line', async () => {
    const t = intake({ intake: { maxRecordBytes: 4096 } });
    const files = bulkFiles([chartOf('A')]);
    files.set('Condition.9.ndjson', [
      '{"resourceType":"Condition","id":"c1"}',
      `{"resourceType":"Condition","id":"${'x'.repeat(5000)}"}`,
    ]);
    await dropWithMarker(t, FOLDER, files);
    const receipt = t.receipt(DONE);
    expect(receipt?.counts).toMatchObject({ accepted: 1, quarantined: 2 });
    expect(t.report(receipt).issues).toEqual([
      { file: t.fileId(`${FOLDER}Condition.9.ndjson`), line: 1, reason: 'Condition.subject: missing' },
      { file: t.fileId(`${FOLDER}Condition.9.ndjson`), line: 2, reason: 'line is longer than 4096 bytes' },
    ]);
  });
});

describe('the assemble phase of a FHIR drop', () => {
  it('labels each chart by partition, patient (in order of id) and chart', async () => {
    const t = intake();
    const second = chartOf('B', {
      chartId: 'B-2',
      version: 1,
      period: { from: '2026-11-01', through: '2026-11-30' },
    });
    // Files hold their lines in reverse: patient B comes first.
    await dropWithMarker(t, FOLDER, bulkFiles([chartOf('A'), chartOf('B'), second]));
    const recordOf = async (chartId: string) =>
      (await t.mem.ports.charts.get(await chartKeyOf(t.mem.ports.keys, AGENCY, chartId), 1))?.sourceRecord;
    expect(await recordOf('A')).toBe('partition 0, patient 0, chart 1');
    expect(await recordOf('B')).toBe('partition 0, patient 1, chart 1');
    expect(await recordOf('B-2')).toBe('partition 0, patient 1, chart 2');
  });

  it("reports a chart failing the schema at its anchor's file and line, with its label", async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A'), chartOf('B')]);
    const encounters = files.get('Encounter.ndjson') ?? [];
    const broken = JSON.parse(encounters[1] ?? '{}');
    delete broken.period;
    encounters[1] = JSON.stringify(broken);
    await dropWithMarker(t, FOLDER, files);
    expect(t.report(t.receipt(DONE)).issues).toEqual([
      {
        file: t.fileId(`${FOLDER}Encounter.ndjson`),
        line: 2,
        record: 'partition 0, patient 0, chart 1',
        path: 'period.from',
        reason: 'period.from: is required but missing',
      },
      {
        file: t.fileId(`${FOLDER}Encounter.ndjson`),
        line: 2,
        record: 'partition 0, patient 0, chart 1',
        path: 'period.through',
        reason: 'period.through: is required but missing',
      },
    ]);
  });

  it("takes the coder's staff id from the drop's shared Practitioner", async () => {
    const t = intake();
    // Not a FHIR id: the Practitioner's id is a hash, its identifier holds the staff id.
    await dropWithMarker(t, FOLDER, bulkFiles([chartOf('A', { coderId: 'coder_7' })]));
    const state = await t.mem.ports.charts.get(await chartKeyOf(t.mem.ports.keys, AGENCY, 'A'), 1);
    expect(state?.coderId).toBe('coder_7');
  });

  it('sends the charts for validation 100 at a time, not all at the end', async () => {
    const t = intake({ intake: { concurrency: 4 } });
    await dropWithMarker(t, FOLDER, bulkFiles(Array.from({ length: 101 }, (_, i) => chartOf(`F-${i}`))));
    expect(t.sends.filter((s) => s.queue === 'validate').map((s) => s.count)).toEqual([100, 1]);
  });
});

describe('the receipt of a FHIR drop', () => {
  it('lists every file with its type, size, hash and lines, the resources read and those that fed no chart', async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A')]);
    files.set('Observation.7.ndjson', [
      '{"resourceType":"Observation","id":"zz","subject":{"reference":"Patient/P-A"}}',
    ]);
    files.set('MedicationRequest.ndjson', ['{"resourceType":"MedicationRequest","id":"m1"}']);
    files.set('MedicationRequest.2.ndjson', ['{"resourceType":"MedicationRequest","id":"m2"}']);
    await dropWithMarker(t, FOLDER, files);
    const receipt = t.receipt(DONE);
    expect(receipt?.files).toEqual(
      [...files.keys()].sort().map((name) => {
        const body = files.get(name)?.join('\n') ?? '';
        // A file of a type codetrail does not read is hashed all the same.
        const read = !name.startsWith('Medication');
        return {
          objectId: t.fileId(`${FOLDER}${name}`),
          resourceType: name.split('.')[0],
          bytes: body.length,
          sha256: sha256(body),
          lines: read ? (files.get(name)?.length ?? 0) : 0,
        };
      }),
    );
    expect(receipt?.resources).toEqual({
      Claim: 1,
      Condition: 2,
      Coverage: 1,
      Encounter: 1,
      EpisodeOfCare: 1,
      Observation: 2,
      Patient: 1,
      Practitioner: 1,
    });
    expect(receipt?.unused).toEqual({
      'MedicationRequest: not read': 2,
      'Observation: not an OASIS item (no codetrail oasis-item code)': 1,
    });
    expect(t.report(receipt).issues).toEqual([
      {
        file: t.fileId(`${FOLDER}MedicationRequest.2.ndjson`),
        reason: 'resource type MedicationRequest is not read by codetrail',
      },
      {
        file: t.fileId(`${FOLDER}MedicationRequest.ndjson`),
        reason: 'resource type MedicationRequest is not read by codetrail',
      },
    ]);
    expect(receipt).toMatchObject({ format: 'fhir-bulk', sha256: EMPTY_SHA256, bytes: 0, segments: 1 });
  });

  it('reads a file the manifest lists twice once', async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A')]);
    putDrop(t, FOLDER, files);
    const output = [...files.keys(), 'Patient.ndjson'].map((name) => ({
      type: name.split('.')[0],
      url: `https://emr.example/bulk/files/${name}`,
    }));
    await t.drop(`${FOLDER}manifest.json`, JSON.stringify({ output }));
    const receipt = t.receipt(`${FOLDER}manifest.json`);
    expect(receipt?.files.map((f) => f.objectId)).toEqual(
      [...files.keys()].map((name) => t.fileId(`${FOLDER}${name}`)),
    );
    expect(receipt?.resources?.Patient).toBe(1);
    expect(receipt?.counts).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it("takes a `.done` drop's own FHIR files, in key order, and no other object of its folder", async () => {
    const t = intake();
    const files = bulkFiles([chartOf('A')]);
    // Dropped in reverse order of key, with a sub-folder and a file that is no FHIR resource file.
    const names = [...files.keys()].sort().reverse();
    for (const name of names) t.mem.put('intake', `${FOLDER}${name}`, files.get(name)?.join('\n') ?? '');
    t.mem.put('intake', `${FOLDER}old/Patient.ndjson`, '{"resourceType":"Patient","id":"P-OLD"}');
    t.mem.put('intake', `${FOLDER}notes.txt`, 'hello');
    // This listing keeps the order the objects were put in.
    t.ports.artifacts.list = t.mem.ports.artifacts.list.bind(t.mem.ports.artifacts);
    await t.drop(DONE, '');
    expect(t.receipt(DONE)?.files.map((f) => f.objectId)).toEqual(
      names.reverse().map((name) => t.fileId(`${FOLDER}${name}`)),
    );
  });
});

describe('a FHIR drop refused whole', () => {
  it('is refused outside exports/<agency>/, hashing only its trigger', async () => {
    const t = intake();
    const folder = 'exports/Not_An_Agency/drop/';
    putDrop(t, folder, bulkFiles([chartOf('A')]));
    await t.drop(`${folder}manifest.json`, '{"output": []}');
    const objectId = t.objectId(`${folder}manifest.json`);
    const receipt = IntakeReceipt.parse(
      JSON.parse(t.mem.objects.get(`test-artifacts/receipts/unknown/${objectId}.json`) ?? '{}'),
    );
    expect(receipt).toMatchObject({
      agencyId: 'unknown',
      format: 'fhir-bulk',
      sha256: sha256('{"output": []}'),
      bytes: 14,
      files: [],
      counts: { read: 0, quarantined: 1 },
    });
    expect(t.report(receipt).issues).toEqual([{ reason: 'object is not under exports/<agency>/' }]);
    expect(t.reads).toEqual([{ key: `${folder}manifest.json` }]);
  });

  it('is refused when its manifest cannot be read', async () => {
    const t = intake();
    putDrop(t, FOLDER, bulkFiles([chartOf('A')]));
    await t.drop(`${FOLDER}manifest.json`, '{"output": ');
    const receipt = t.receipt(`${FOLDER}manifest.json`);
    expect(receipt).toMatchObject({ files: [], counts: { read: 0, accepted: 0, quarantined: 1 } });
    expect(t.report(receipt).issues).toEqual([{ reason: 'manifest is not valid JSON' }]);
  });

  it('is refused with more than 1000 files, and read with exactly 1000', async () => {
    const files = (n: number) =>
      new Map(Array.from({ length: n }, (_, i) => [`Observation.${i}.ndjson`, [] as string[]]));
    const t = intake();
    await dropWithMarker(t, FOLDER, files(1001));
    const refused = t.receipt(DONE);
    expect(refused?.files).toEqual([]);
    expect(t.report(refused).issues).toEqual([
      { reason: 'the drop has 1001 files; at most 1000 are read in one drop' },
    ]);
    const u = intake();
    await dropWithMarker(u, FOLDER, files(1000));
    expect(u.receipt(DONE)?.files).toHaveLength(1000);
    expect(u.receipt(DONE)?.issueCount).toBe(0);
  });

  it('reads nothing of a manifest drop whose files are all missing', async () => {
    const t = intake();
    await dropWithManifest(t, FOLDER, new Map());
    expect(t.receipt(`${FOLDER}manifest.json`)).toMatchObject({
      files: [],
      issueCount: 0,
      receivedAt: START,
    });
  });
});
