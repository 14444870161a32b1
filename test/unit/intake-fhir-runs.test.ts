import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IntakeContinuation } from '#shared/model/messages.ts';
import { failOnce } from '../support/fail-once.ts';
import {
  AGENCY,
  bulkFiles,
  chartOf,
  dropWithMarker,
  type IntakeHarness,
  intake,
  putDrop,
  shortOfTime,
} from '../support/intake-harness.ts';
import { s3Event } from '../support/memory-ports.ts';

const FOLDER = 'exports/test-agency/drop/';
const DONE = `${FOLDER}.done`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const plenty = () => ({ remainingMs: () => 600_000 });
const short = () => ({ remainingMs: () => 1_000 });

/** 6000 practitioners: a long file, cheap to read (they go to the shared partition). */
const LONG = 'Practitioner.2.ndjson';
const longLines = Array.from({ length: 6000 }, (_, i) => `{"resourceType":"Practitioner","id":"pr${i}"}`);
const longBody = longLines.join('\n');
/** Where a read resumes after `n` lines of the long file. */
const offsetAfter = (n: number) => longLines.slice(0, n).join('\n').length + 1;

/** A drop of one chart and the long file. */
function longDrop() {
  const files = bulkFiles([chartOf('A')]);
  files.set(LONG, longLines);
  return files;
}

/** Counts the charts the store is asked to create, moving the clock on by `ms` at each. */
function countCreates(t: IntakeHarness, ms = 0) {
  const create = t.mem.ports.charts.create;
  const counter = { calls: 0 };
  t.mem.ports.charts.create = async (state) => {
    counter.calls++;
    t.advance(ms);
    return create.call(t.mem.ports.charts, state);
  };
  return counter;
}

/** Runs the continuations one at a time; the one whose run failed, if one did. */
async function continueUntilFailure(t: IntakeHarness, invocation: () => { remainingMs(): number }) {
  for (let round = 0; round < 1000; round++) {
    const [next] = t.mem.take('intake') as IntakeContinuation[];
    if (!next) return undefined;
    try {
      await t.service.handle(next, invocation());
    } catch {
      return next;
    }
  }
  throw new Error('intake never finished');
}

describe('a long file of a FHIR drop', () => {
  it('looks at the time every 5000 lines: pauses there when time runs short, and resumes at the next line', async () => {
    const t = intake();
    await dropWithMarker(t, FOLDER, longDrop(), short());
    await t.continueAll(short);
    const ifMatch = String(longBody.length);
    expect(t.reads.filter((r) => r.key === `${FOLDER}${LONG}`)).toEqual([
      ...[0, offsetAfter(5000)].map((start) => ({ key: `${FOLDER}${LONG}`, start, ifMatch })),
      // Read over two runs, it is hashed at the end.
      { key: `${FOLDER}${LONG}`, ifMatch },
    ]);
    const receipt = t.receipt(DONE);
    const long = t.fileId(`${FOLDER}${LONG}`);
    expect(receipt?.files.find((f) => f.objectId === long)).toEqual({
      objectId: long,
      resourceType: 'Practitioner',
      bytes: longBody.length,
      sha256: sha256(longBody),
      lines: 6000,
    });
    expect(receipt?.counts).toEqual({ read: 1, accepted: 1, quarantined: 0, superseded: 0, duplicates: 0 });
    expect(receipt?.resources?.Practitioner).toBe(6001);
    expect(t.mem.take('validate')).toHaveLength(1);
  });

  it('writes a small file out once, at its end, when time is plenty and no save is due', async () => {
    const t = intake();
    await dropWithMarker(t, FOLDER, longDrop(), plenty());
    const work = `test-intake/work/${AGENCY}/${t.objectId(DONE)}/`;
    const spilledWith = (id: string) =>
      [...t.mem.objects].filter(([key, body]) => key.startsWith(work) && body.includes(`"id":"${id}"`));
    const [first, ...others] = spilledWith('pr0');
    expect(others).toEqual([]);
    // The last practitioner went out with the first: no write at the look at line 5000.
    expect(spilledWith('pr5999').map(([key]) => key)).toEqual([first?.[0]]);
  });

  it('numbers the lines it reads after a pause from where it resumed, not from 1', async () => {
    const t = intake();
    const files = longDrop();
    const lines = [...longLines];
    lines[5499] = '{"id":"no-type"}';
    files.set(LONG, lines);
    await dropWithMarker(t, FOLDER, files, short());
    await t.continueAll(short);
    expect(t.report(t.receipt(DONE)).issues).toEqual([
      { file: t.fileId(`${FOLDER}${LONG}`), line: 5500, reason: 'not a FHIR resource' },
    ]);
  });

  it('saves its progress part-way when it is due, and goes on in the same run', async () => {
    const t = intake({ intake: { checkpointEverySeconds: 1 } });
    const saved: unknown[] = [];
    const save = t.mem.ports.ledger.saveCheckpoint;
    t.mem.ports.ledger.saveCheckpoint = async (objectId, args) => {
      saved.push(args.checkpoint?.position);
      return save.call(t.mem.ports.ledger, objectId, args);
    };
    // Every look at the time finds a second gone.
    const ticking = {
      remainingMs: () => {
        t.advance(1_000);
        return 600_000;
      },
    };
    await dropWithMarker(t, FOLDER, longDrop(), ticking);
    expect(saved).toContainEqual({ offset: offsetAfter(5000), line: 5001, mode: 'lines' });
    expect(t.mem.take('intake')).toEqual([]);
    expect(t.receipt(DONE)).toMatchObject({ segments: 1, counts: { accepted: 1, quarantined: 0 } });
  });

  it('only hashes again when a run died hashing the files it read over several runs', async () => {
    const t = intake();
    await dropWithMarker(t, FOLDER, longDrop(), short());
    // The hash pass: pinned to the ETag, from the first byte.
    failOnce(
      t.ports.artifacts,
      'openObject',
      (_b, _k, o) => !!o?.ifMatch && o.start === undefined,
      'S3 reset',
    );
    const failed = await continueUntilFailure(t, short);
    expect(failed).toBeDefined();
    const [reads, lists] = [t.reads.length, t.lists.length];
    const creates = countCreates(t);
    await t.service.handle(failed, short());
    expect(t.reads.slice(reads)).toEqual([
      { key: `${FOLDER}${LONG}`, ifMatch: String(longBody.length) },
      { key: DONE },
    ]);
    expect(t.lists.slice(lists)).toEqual([]);
    expect(creates.calls).toBe(0);
    expect(t.receipt(DONE)?.files.find((f) => f.objectId === t.fileId(`${FOLDER}${LONG}`))?.sha256).toBe(
      sha256(longBody),
    );
  });

  it('records no hash for a file replaced after it was read, and says so', async () => {
    const t = intake();
    const list = t.ports.artifacts.list;
    let replaced = false;
    t.ports.artifacts.list = (bucket, prefix) => {
      // The export job rewrites the file while the drop is being assembled.
      if (prefix.endsWith('/p-0/') && !replaced) {
        replaced = true;
        t.mem.put('intake', `${FOLDER}${LONG}`, `${longBody}\n{}`);
      }
      return list(bucket, prefix);
    };
    await dropWithMarker(t, FOLDER, longDrop(), short());
    await t.continueAll(short);
    const receipt = t.receipt(DONE);
    // Named by the ETag the drop was planned with, the file's before it was replaced.
    const long = t.fileId(`${FOLDER}${LONG}`, longBody);
    expect(receipt?.files.find((f) => f.objectId === long)).toEqual({
      objectId: long,
      resourceType: 'Practitioner',
      bytes: longBody.length,
      lines: 6000,
    });
    expect(t.report(receipt).issues).toEqual([
      {
        file: long,
        reason: 'the file was replaced after it was read: its hash is not recorded',
      },
    ]);
    // The charts were taken all the same.
    expect(receipt?.counts.accepted).toBe(1);
  });
});

describe('a FHIR drop that fails part-way', () => {
  it('fails on an error reading a file, and the retry takes the drop whole', async () => {
    const t = intake();
    failOnce(t.ports.artifacts, 'openObject', (_b, key) => key.endsWith('Encounter.ndjson'), 'SlowDown');
    await expect(dropWithMarker(t, FOLDER, bulkFiles([chartOf('A')]))).rejects.toThrow('SlowDown');
    await t.service.handle(s3Event('test-intake', DONE, 'e1'));
    expect(t.receipt(DONE)).toMatchObject({ issueCount: 0, counts: { read: 1, accepted: 1 } });
  });

  it('fails on an error hashing a file, and the retry records its hash', async () => {
    const t = intake();
    await dropWithMarker(t, FOLDER, longDrop(), short());
    failOnce(
      t.ports.artifacts,
      'openObject',
      (_b, _k, o) => !!o?.ifMatch && o.start === undefined,
      'SlowDown',
    );
    const failed = await continueUntilFailure(t, short);
    expect(failed).toBeDefined();
    expect(t.receipt(DONE)).toBeUndefined();
  });

  it('reads only the partition files of the runs that committed them after a crash', async () => {
    const t = intake();
    failOnce(t.mem.ports.charts, 'create', () => true, 'DynamoDB throttled');
    const files = bulkFiles([chartOf('R-1'), chartOf('R-2')]);
    await expect(dropWithMarker(t, FOLDER, files)).rejects.toThrow('DynamoDB throttled');
    await t.service.handle(s3Event('test-intake', DONE, 'e1'));
    const receipt = t.receipt(DONE);
    expect(receipt?.counts).toMatchObject({ read: 2, accepted: 2 });
    // The first run's spills were never committed: no resource was read twice.
    expect(receipt?.unused).toEqual({});
    expect(receipt?.segments).toBe(2);
  });

  it('saves progress after a group when due, so a crash loses only the charts since', async () => {
    const t = intake({ intake: { concurrency: 1, checkpointEverySeconds: 1 } });
    const creates = countCreates(t, 1_000);
    // The third chart fails (the count is of the calls that got through).
    failOnce(t.mem.ports.charts, 'create', () => creates.calls === 2, 'DynamoDB throttled');
    const files = bulkFiles(['A', 'B', 'C', 'D'].map((id) => chartOf(id)));
    await expect(dropWithMarker(t, FOLDER, files)).rejects.toThrow('DynamoDB throttled');
    const before = creates.calls;
    await t.service.handle(s3Event('test-intake', DONE, 'e1'));
    expect(creates.calls - before).toBe(2);
    expect(t.receipt(DONE)?.counts).toMatchObject({ read: 4, accepted: 4 });
  });

  it('pauses after any group of `concurrency` charts when time runs short, the last one too', async () => {
    const t = intake({ intake: { concurrency: 2 } });
    const creates = countCreates(t);
    const shortOnceCharts = () => ({ remainingMs: () => (creates.calls > 0 ? 1_000 : 600_000) });
    const files = bulkFiles(['A', 'B', 'C', 'D', 'E'].map((id) => chartOf(id)));
    await dropWithMarker(t, FOLDER, files, shortOnceCharts());
    const perRun = [t.mem.take('validate').length];
    for (let round = 0; round < 10; round++) {
      const [next] = t.mem.take('intake') as IntakeContinuation[];
      if (!next) break;
      await t.service.handle(next, shortOnceCharts());
      perRun.push(t.mem.take('validate').length);
    }
    expect(perRun).toEqual([2, 2, 1, 0]);
    expect(t.receipt(DONE)).toMatchObject({ segments: 4, counts: { read: 5, accepted: 5 } });
  });
});

describe('FHIR drop files replaced while the drop is read', () => {
  it('sets the drop aside once, even when the run hashing its files dies', async () => {
    const t = intake({ intake: { concurrency: 2 } });
    const files = bulkFiles([chartOf('C-1'), chartOf('C-2')]);
    putDrop(t, FOLDER, files);
    await t.drop(DONE, '', 'e1', shortOfTime(0));
    const last = [...files.keys()].sort().pop() ?? '';
    // Reported by the id the drop was planned with: from the file's ETag before it was replaced.
    const planned = t.fileId(`${FOLDER}${last}`);
    t.mem.put(
      'intake',
      `${FOLDER}${last}`,
      `${files.get(last)?.join('\n')}\n{"resourceType":"Patient","id":"late"}`,
    );
    failOnce(
      t.ports.artifacts,
      'openObject',
      (_b, _k, o) => !!o?.ifMatch && o.start === undefined,
      'S3 reset',
    );
    const failed = await continueUntilFailure(t, plenty);
    expect(failed).toBeDefined();
    await t.service.handle(failed, plenty());
    const receipt = t.receipt(DONE);
    expect(receipt?.counts).toEqual({ read: 0, accepted: 0, quarantined: 1, superseded: 0, duplicates: 0 });
    expect(t.report(receipt).issues).toEqual([
      {
        file: planned,
        reason:
          'the file was replaced while the drop was being read: no chart was taken from the drop; drop the export again',
      },
      {
        file: planned,
        reason: 'the file was replaced after it was read: its hash is not recorded',
      },
    ]);
    expect(t.mem.take('validate')).toEqual([]);
  });
});

describe('the partition files of a FHIR drop', () => {
  /**
   * Eleven files, each written to partition 0 in a write of its own: the chart's resources in the third,
   * a copy of its Encounter (and an Observation that feeds nothing) in the eleventh, the Patient again in
   * the others. Its Encounter has no period: the chart is quarantined at the Encounter it was built on.
   */
  function elevenFiles() {
    const resources = [...bulkFiles([chartOf('K')]).values()].flat();
    const ofType = (type: string) => resources.filter((r) => JSON.parse(r).resourceType === type);
    const [patient = ''] = ofType('Patient');
    const encounter = JSON.parse(ofType('Encounter')[0] ?? '{}');
    delete encounter.period;
    const periodless = JSON.stringify(encounter);
    const chart = resources.map((r) => (JSON.parse(r).resourceType === 'Encounter' ? periodless : r));
    const observation = '{"resourceType":"Observation","id":"zz","subject":{"reference":"Patient/P-K"}}';
    const files = new Map<string, string[]>();
    for (let i = 0; i <= 10; i++)
      files.set(`Patient.${i}.ndjson`, i === 2 ? chart : i === 10 ? [periodless, observation] : [patient]);
    return { files, encounterLine: chart.indexOf(periodless) + 1 };
  }

  it.each([
    ['in one run (s0-0 … s0-10)', plenty],
    ['in a run per file (s0-0 … s10-0)', short],
  ])(
    'reads them in the order they were written, %s, not in the order S3 lists them',
    async (_, invocation) => {
      const t = intake();
      const { files, encounterLine } = elevenFiles();
      putDrop(t, FOLDER, files);
      const output = [...files.keys()].map((name) => ({ type: 'Patient', url: `https://x/${name}` }));
      await t.drop(`${FOLDER}manifest.json`, JSON.stringify({ output }), 'e1', invocation());
      await t.continueAll(invocation);
      const receipt = t.receipt(`${FOLDER}manifest.json`);
      // The first copy of the Encounter is the one the chart is reported at.
      expect(t.report(receipt).issues.map((i: { file: string; line: number }) => [i.file, i.line])).toEqual([
        [t.fileId(`${FOLDER}Patient.2.ndjson`), encounterLine],
        [t.fileId(`${FOLDER}Patient.2.ndjson`), encounterLine],
      ]);
      expect(receipt?.unused).toEqual({
        'Encounter: duplicate id (another copy of the resource was used)': 1,
        'Observation: not an OASIS item (no codetrail oasis-item code)': 1,
        'Patient: duplicate id (another copy of the resource was used)': 9,
      });
    },
  );

  it('ignores other objects in a partition folder', async () => {
    const t = intake();
    const work = `work/${AGENCY}/${t.objectId(DONE)}/p-0/`;
    t.mem.put('intake', `${work}s0-0.ndjson.bak`, '{oops');
    t.mem.put('intake', `${work}notes.txt`, '{oops');
    await dropWithMarker(t, FOLDER, bulkFiles([chartOf('A')]));
    expect(t.receipt(DONE)).toMatchObject({ issueCount: 0, counts: { read: 1, accepted: 1 }, unused: {} });
  });
});
