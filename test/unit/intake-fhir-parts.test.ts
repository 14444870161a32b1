import { describe, expect, it } from 'vitest';
import { bulkDropRole, parseManifest, partitionOf } from '#functions/intake/fhir-drop.ts';
import { placeAssembly, type Spilled } from '#functions/intake/place-assembly.ts';
import { Tally } from '#functions/intake/tally.ts';

describe('how a key takes part in a FHIR drop', () => {
  it.each([
    ['exports/a/drop/manifest.json', 'trigger'],
    ['exports/a/drop/.done', 'trigger'],
    ['exports/a/drop/Patient.ndjson', 'part'],
    ['exports/a/drop/Observation_0001.ndjson', 'part'],
    ['exports/a/drop/1.Condition.ndjson', 'part'],
    ['exports/a/drop/sub/Encounter.ndjson', 'part'],
    ['exports/a/drop/notes.txt', 'file'],
    ['exports/a/drop/old-manifest.json', 'file'],
    ['exports/a/drop/', 'file'],
    ['exports/a/Patient.ndjson', 'file'],
    ['exports/a/manifest.json', 'file'],
    ['exports/a/2024-05/Charts.ndjson', 'file'],
  ])('takes %s as a %s', (key, role) => {
    expect(bulkDropRole(key)).toBe(role);
  });
});

describe('the partition of a patient', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['P-1', 0x829ebc95],
    ['patient-42', 0x8c32c36f],
  ])('hashes %j with 32-bit FNV-1a', (id, hash) => {
    expect(partitionOf(id, 2 ** 32)).toBe(hash);
  });

  it('takes the hash modulo the number of partitions', () => {
    expect([partitionOf('a', 7), partitionOf('P-1', 7), partitionOf('patient-42', 7)]).toEqual([5, 3, 4]);
    expect(partitionOf('patient-42', 1)).toBe(0);
  });
});

describe('a Bulk Data manifest', () => {
  it('lists the file each output url names, with its type and count', () => {
    const manifest = {
      output: [
        { type: 'Patient', url: 'https://emr.example/bulk/files/Patient.ndjson', count: 3 },
        { type: 'Condition', url: 'https://emr.example/x/Condition.2.ndjson?sig=a/b?c' },
        { type: 'Encounter', url: 'Encounter.ndjson', count: 2.5 },
        { type: 'Observation', url: 'https://emr.example/x/Observation.ndjson', count: '4' },
      ],
    };
    expect(parseManifest(JSON.stringify(manifest))).toEqual([
      { type: 'Patient', name: 'Patient.ndjson', count: 3 },
      { type: 'Condition', name: 'Condition.2.ndjson' },
      { type: 'Encounter', name: 'Encounter.ndjson' },
      { type: 'Observation', name: 'Observation.ndjson' },
    ]);
  });

  it('never repeats a type that is not shaped like a FHIR type name', () => {
    const manifest = { output: [{ type: 'Smith, John 1940-01-01', url: 'https://x/Patient.ndjson' }] };
    expect(parseManifest(JSON.stringify(manifest))).toEqual([
      { type: '(not a type name)', name: 'Patient.ndjson' },
    ]);
  });

  it.each([
    ['{"output": [', 'manifest is not valid JSON'],
    ['null', 'manifest has no output array'],
    ['{}', 'manifest has no output array'],
    ['{"output": {"type": "Patient"}}', 'manifest has no output array'],
    ['{"output": [null]}', 'manifest output entries need type and url'],
    ['{"output": [{"url": "https://x/Patient.ndjson"}]}', 'manifest output entries need type and url'],
    ['{"output": [{"type": "Patient"}]}', 'manifest output entries need type and url'],
    ['{"output": [{"type": "Patient", "url": 7}]}', 'manifest output entries need type and url'],
    [
      '{"output": [{"type": 7, "url": "https://x/Patient.ndjson"}]}',
      'manifest output entries need type and url',
    ],
    ['{"output": [{"type": "Patient", "url": "https://x/files/"}]}', 'manifest output url names no file'],
    [
      '{"output": [{"type": "Patient", "url": "https://x/files/?name=Patient.ndjson"}]}',
      'manifest output url names no file',
    ],
  ])('is refused when it is %s', (text, reason) => {
    expect(parseManifest(text)).toBe(reason);
  });
});

describe("the place of a patient's assembly in its drop", () => {
  const entries: Spilled[] = [
    { p: 'P-9', f: 0, l: 4, r: { resourceType: 'Patient' } },
    { p: 'P-9', f: 2, l: 7, r: { resourceType: 'Encounter' } },
  ];
  const place = {
    partition: 3,
    patient: 5,
    entries,
    fileIds: ['ob-patient', 'ob-x', 'ob-encounter'],
  };

  it('reports each issue at the file and line of its resource, when the assembler names one', () => {
    const tally = new Tally();
    const charts = placeAssembly(
      {
        charts: [],
        issues: [
          {
            resourceType: 'Encounter',
            path: 'Encounter.subject',
            reason: 'belongs elsewhere',
            at: 'Encounter#1',
          },
          { resourceType: 'Patient', reason: 'could not be assembled', at: 'Patient#0' },
          { resourceType: 'unknown', reason: 'no position', at: 'unknown#x' },
          { resourceType: 'unknown', reason: 'no position at all' },
        ],
        unused: {},
      },
      place,
      tally,
      {},
    );
    expect(charts).toEqual([]);
    expect(tally.state.issues).toEqual([
      { file: 'ob-encounter', line: 7, path: 'Encounter.subject', reason: 'belongs elsewhere' },
      { file: 'ob-patient', line: 4, reason: 'could not be assembled' },
      { reason: 'no position' },
      { reason: 'no position at all' },
    ]);
    // Issues quarantine no chart by themselves.
    expect(tally.state.counts.quarantined).toBe(0);
  });

  it('adds the resources that fed no chart to the counts so far', () => {
    const unused = { 'Observation: not linked to a period encounter': 2 };
    placeAssembly(
      {
        charts: [],
        issues: [],
        unused: {
          'Observation: not linked to a period encounter': 1,
          'Coverage: not the payer of any period': 1,
        },
      },
      place,
      new Tally(),
      unused,
    );
    expect(unused).toEqual({
      'Observation: not linked to a period encounter': 3,
      'Coverage: not the payer of any period': 1,
    });
  });

  it('labels each chart by partition, patient and chart, and places it at its anchor', () => {
    const charts = placeAssembly(
      {
        charts: [
          { anchor: 'Encounter#1', value: { chartId: 'one' }, sources: [] },
          { anchor: 'Encounter#9', value: { chartId: 'two' }, sources: [] },
        ],
        issues: [],
        unused: {},
      },
      place,
      new Tally(),
      {},
    );
    expect(charts).toEqual([
      {
        value: { chartId: 'one' },
        record: 'partition 3, patient 5, chart 1',
        at: { file: 'ob-encounter', line: 7, record: 'partition 3, patient 5, chart 1' },
      },
      {
        value: { chartId: 'two' },
        record: 'partition 3, patient 5, chart 2',
        at: { record: 'partition 3, patient 5, chart 2' },
      },
    ]);
  });
});
