import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runIntakePending, runIntakeReceipts } from '#cli/commands/intake.ts';
import { ObjectHeld } from '#functions/intake/object-run.ts';
import { chartKeyOf, claimRefOf, objectIdOf, recordedSource } from '#shared/identity/identifiers.ts';
import { CHART_STATUSES, type ChartStatus } from '#shared/model/chart-state.ts';
import type { IntakeReceipt } from '#shared/model/receipt.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { AGENCY, bulkFiles, intake, ndjson, shortOfTime } from '../support/intake-harness.ts';
import { s3Event } from '../support/memory-ports.ts';

describe('intake of canonical files', () => {
  it('streams a file in several runs when Lambda time runs short, and counts every chart once', async () => {
    const t = intake({ intake: { concurrency: 8 } });
    const body = ndjson(100);
    await t.drop('exports/test-agency/big.ndjson', body, 'e1', shortOfTime(3));
    expect(t.receipt('exports/test-agency/big.ndjson')).toBeUndefined();
    const rounds = await t.continueAll(() => shortOfTime(2));
    expect(rounds).toBe(3);
    const receipt = t.receipt('exports/test-agency/big.ndjson');
    expect(receipt?.counts).toEqual({
      read: 100,
      accepted: 100,
      quarantined: 0,
      superseded: 0,
      duplicates: 0,
    });
    expect(receipt?.segments).toBe(rounds + 1);
    expect(receipt?.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(t.mem.take('validate')).toHaveLength(100);
  });

  it('resumes from the last checkpoint after a crash, without counting a chart twice', async () => {
    const t = intake({ intake: { concurrency: 4, checkpointEverySeconds: 1 } });
    const create = t.mem.ports.charts.create.bind(t.mem.ports.charts);
    let calls = 0;
    t.mem.ports.charts.create = async (state) => {
      if (++calls === 30) throw new Error('DynamoDB throttled');
      return create(state);
    };
    // The stage clock stands still here, so no progress is due: the retry reads from the top, and still
    // counts each chart once (intake-canonical.test.ts moves the clock to see progress saved on the way).
    const body = ndjson(60);
    await expect(t.drop('exports/test-agency/c.ndjson', body)).rejects.toThrow('DynamoDB throttled');
    // The retried S3 event resumes at once: the failed run let its lease go.
    await t.service.handle(s3Event('test-intake', 'exports/test-agency/c.ndjson', 'e1'));
    const receipt = t.receipt('exports/test-agency/c.ndjson');
    expect(receipt?.counts).toEqual({ read: 60, accepted: 60, quarantined: 0, superseded: 0, duplicates: 0 });
    expect(receipt?.segments).toBe(2);
  });

  it('leaves an object to the live run that holds it, and takes it over once its lease has passed', async () => {
    const t = intake();
    const key = 'exports/test-agency/held.ndjson';
    const objectId = objectIdOf('test-intake', key, 'e1');
    await t.mem.ports.ledger.begin({
      objectId,
      status: 'PROCESSING',
      stage: 'intake',
      source: recordedSource({ bucket: 'test-intake', key, etag: 'e1' }),
      startedAt: '2026-11-23T11:59:00.000Z',
      segment: 0,
      leaseUntil: '2026-11-23T12:05:00.000Z',
    });
    // Failed, so SQS brings it back after the visibility timeout instead of deleting it.
    await expect(t.drop(key, ndjson(3))).rejects.toThrow(ObjectHeld);
    expect(t.receipt(key)).toBeUndefined();
    t.later('2026-11-23T12:06:00.000Z');
    await t.service.handle(s3Event('test-intake', key, 'e1'));
    expect(t.receipt(key)?.counts.accepted).toBe(3);
  });

  it('counts a chart already taken in from another drop as a duplicate', async () => {
    const t = intake();
    await t.drop('exports/test-agency/a.ndjson', ndjson(2));
    await t.drop('exports/test-agency/b.ndjson', ndjson(3), 'e2');
    expect(t.receipt('exports/test-agency/b.ndjson', 'e2')?.counts).toMatchObject({
      accepted: 1,
      duplicates: 2,
    });
  });

  it('quarantines the charts of an agency the stack does not serve, naming the setting to change', async () => {
    // Served: the same file under a configured agency is taken in.
    const t = intake({ agencies: [{ id: 'north-branch' }] });
    const chart = (agencyId: string) => JSON.stringify(homeHealthChart({ agencyId, chartId: 'NB-1' }));
    // Receipts are kept under the file's agency.
    const receiptOf = (agency: string) =>
      JSON.parse(
        t.mem.objects.get(
          `test-artifacts/receipts/${agency}/${t.objectId(`exports/${agency}/a.json`, 'e1')}.json`,
        ) ?? 'null',
      ) as IntakeReceipt | null;
    await t.drop('exports/south-branch/a.json', chart('south-branch'));
    const refused = receiptOf('south-branch') ?? undefined;
    expect(refused?.counts).toMatchObject({ accepted: 0, quarantined: 1 });
    expect(t.report(refused).issues).toEqual([
      expect.objectContaining({
        path: 'agencyId',
        reason: 'the stack does not serve south-branch: add it to agencies in codetrail.config.json',
      }),
    ]);
    await t.drop('exports/north-branch/a.json', chart('north-branch'));
    expect(receiptOf('north-branch')?.counts).toMatchObject({ accepted: 1, quarantined: 0 });
    expect(t.mem.take('validate')).toHaveLength(1);
  });

  it('quarantines a file over the configured maximum whole, unread', async () => {
    const t = intake({ intake: { maxObjectBytes: 100 } });
    const key = 'exports/test-agency/huge.ndjson';
    t.mem.put('intake', key, ndjson(2));
    const event = s3Event('test-intake', key, 'e1');
    (event.Records[0]?.s3.object as { size?: number }).size = 5000;
    await t.service.handle(event);
    const receipt = t.receipt(key);
    expect(receipt?.sha256).toBeUndefined();
    expect(receipt?.counts.quarantined).toBe(1);
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues[0].reason).toBe('file is larger than the configured maximum of 100 bytes');
    expect(t.mem.take('validate')).toHaveLength(0);
  });

  it('keeps the good elements of a JSON array with a broken one, and reports it by line', async () => {
    const t = intake();
    const good = (id: string) => JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: id }));
    await t.drop('exports/test-agency/arr.json', `[\n${good('A')},\n{"chartId": },\n${good('B')}\n]`);
    const receipt = t.receipt('exports/test-agency/arr.json');
    expect(receipt?.counts).toMatchObject({ accepted: 2, quarantined: 1 });
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues).toEqual([{ line: 3, byte: expect.any(Number), reason: 'value is not valid JSON' }]);
  });

  it('lists the receipts for `codetrail intake receipts`', async () => {
    const t = intake();
    await t.drop('exports/test-agency/a.ndjson', `${ndjson(2)}\n{oops`);
    // The stack's only agency is taken when none is named; with several, one must be.
    const target = { ports: t.mem.ports, agencies: [AGENCY], description: 'test stack' };
    const text = await runIntakeReceipts(target, {});
    // By object id: the key (an export's file name) stays out of the listing.
    const [receipt] = JSON.parse(await runIntakeReceipts(target, { json: true }));
    expect(text).toContain(receipt.objectId);
    expect(text).not.toContain('a.ndjson');
    expect(text).toMatch(/canonical\s+\S+\s+2\s+2\s+1\s+0\s+0\s+1/);
    const json = JSON.parse(await runIntakeReceipts(target, { json: true, agency: AGENCY }));
    expect(json).toHaveLength(1);
    const two = { ...target, agencies: [AGENCY, 'other-agency'] };
    expect(await runIntakeReceipts(two, { agency: 'other-agency' })).toBe('No file has been taken in yet.');
    await expect(runIntakeReceipts(two, {})).rejects.toThrow(
      `name the agency with --agency: test stack serves ${AGENCY}, other-agency`,
    );
    await expect(runIntakeReceipts(two, { agency: 'nobody' })).rejects.toThrow(
      `--agency: test stack serves ${AGENCY}, other-agency`,
    );
  });
});

describe('intake of FHIR Bulk Data drops', () => {
  const charts = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      i % 3 === 2
        ? hospiceChart({ agencyId: AGENCY, chartId: `HS-${i}`, patient: { id: `P-${i}` } })
        : homeHealthChart({ agencyId: AGENCY, chartId: `HH-${i}`, patient: { id: `P-${i}` } }),
    );

  async function dropBulk(
    t: ReturnType<typeof intake>,
    folder: string,
    files: Map<string, string[]>,
    trigger: 'manifest' | 'done',
    extra: Record<string, string> = {},
  ) {
    const bodies = new Map([...files].map(([name, lines]) => [name, `${lines.join('\n')}\n`]));
    for (const [name, body] of Object.entries(extra)) bodies.set(name, body);
    for (const [name, body] of bodies) await t.drop(`${folder}${name}`, body);
    // The files alone start nothing: intake waits for the drop's manifest or marker.
    expect(t.mem.take('validate')).toHaveLength(0);
    if (trigger === 'done') return t.drop(`${folder}.done`, '');
    const manifest = {
      transactionTime: '2026-11-20T00:00:00Z',
      request: 'https://emr.example/fhir/Group/hh/$export',
      requiresAccessToken: true,
      output: [...bodies.keys()].map((name) => ({
        type: name.replace(/\.ndjson$/, ''),
        url: `https://emr.example/bulk/files/${name}`,
      })),
      error: [],
    };
    return t.drop(`${folder}manifest.json`, JSON.stringify(manifest));
  }

  it('assembles every chart of a drop, whatever the order of its resources', async () => {
    const t = intake();
    const folder = 'exports/test-agency/drop-1/';
    await dropBulk(t, folder, bulkFiles(charts(9)), 'manifest');
    const receipt = t.receipt(`${folder}manifest.json`);
    expect(receipt?.format).toBe('fhir-bulk');
    expect(receipt?.counts).toEqual({ read: 9, accepted: 9, quarantined: 0, superseded: 0, duplicates: 0 });
    expect(receipt?.files.map((f) => f.resourceType)).toContain('Encounter');
    for (const f of receipt?.files ?? []) {
      const key = [...t.mem.objects.keys()].find(
        (k) => t.fileId(k.slice('test-intake/'.length)) === f.objectId,
      );
      const body = t.mem.objects.get(key ?? '') ?? '';
      expect(body).not.toBe('');
      expect(f.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    }
    expect(receipt?.resources?.Patient).toBe(9);
    expect(t.mem.take('validate')).toHaveLength(9);
    // The canonical artifact matches the chart that went in.
    const stored = [...t.mem.objects.entries()].find(([k]) => k.startsWith('test-artifacts/charts/'));
    expect(JSON.parse(stored?.[1] ?? '{}').agencyId).toBe(AGENCY);
  });

  it('reports a broken line, an unknown resource type and a chart failing the schema, and takes the rest', async () => {
    const t = intake();
    const folder = 'exports/test-agency/drop-2/';
    const files = bulkFiles(charts(4));
    files.get('Patient.ndjson')?.push('{"resourceType": "Patient", "id": ');
    files.set('MedicationRequest.ndjson', ['{"resourceType":"MedicationRequest","id":"m1"}']);
    // One encounter without its period: its chart fails the schema there.
    const encounters = files.get('Encounter.ndjson') ?? [];
    const broken = JSON.parse(encounters[0] ?? '{}');
    delete broken.period;
    encounters[0] = JSON.stringify(broken);
    await dropBulk(t, folder, files, 'done');
    const receipt = t.receipt(`${folder}.done`);
    expect(receipt?.counts).toMatchObject({ read: 4, accepted: 3, quarantined: 2 });
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues).toContainEqual(
      expect.objectContaining({ file: t.fileId(`${folder}Encounter.ndjson`), line: 1, path: 'period.from' }),
    );
    const reasons = report.issues.map((i: { reason: string }) => i.reason);
    expect(reasons).toContain('line is not valid JSON');
    expect(reasons).toContain('resource type MedicationRequest is not read by codetrail');
    expect(JSON.stringify(report)).not.toMatch(/P-\d|HH-\d|Test Patient/);
  });

  it('continues a drop over several runs and takes each chart once', async () => {
    const t = intake({ intake: { concurrency: 2, partitionBytes: 64 * 1024 } });
    const folder = 'exports/test-agency/drop-3/';
    await dropBulk(t, folder, bulkFiles(charts(30)), 'manifest');
    // The first delivery of the manifest ran whole; drop it again as a new object and run it short.
    const manifest = t.mem.objects.get(`test-intake/${folder}manifest.json`) ?? '';
    t.mem.put('intake', `${folder}manifest.json`, manifest);
    await t.service.handle(s3Event('test-intake', `${folder}manifest.json`, 'e2'), shortOfTime(1));
    await t.continueAll(() => shortOfTime(2));
    const again = t.receipt(`${folder}manifest.json`, 'e2');
    expect(again?.segments).toBeGreaterThan(2);
    expect(again?.counts).toEqual({ read: 30, accepted: 0, quarantined: 0, superseded: 0, duplicates: 30 });
  });

  it('reports a file the manifest lists but the drop lacks', async () => {
    const t = intake();
    const folder = 'exports/test-agency/drop-4/';
    const files = bulkFiles(charts(2));
    await dropBulk(t, folder, files, 'manifest');
    const receipt = t.receipt(`${folder}manifest.json`);
    expect(receipt?.issueCount).toBe(0);
    const manifest = JSON.parse(t.mem.objects.get(`test-intake/${folder}manifest.json`) ?? '{}');
    manifest.output.push({ type: 'Condition', url: 'https://emr.example/bulk/files/Condition.2.ndjson' });
    await t.drop(`${folder}manifest.json`, JSON.stringify(manifest), 'e2');
    const report = JSON.parse(
      t.mem.objects.get(`test-intake/${t.receipt(`${folder}manifest.json`, 'e2')?.quarantineReport}`) ?? '{}',
    );
    // By its place in the manifest, not its name (an export's file names are the export job's).
    expect(report.issues).toContainEqual({
      reason: `output ${manifest.output.length} of the manifest (Condition) is not in the drop`,
    });
  });
});

describe('intake never crashes on what it is given', () => {
  it('reports any bytes in any file of a FHIR drop, and takes the good charts beside them', async () => {
    const good = bulkFiles([
      homeHealthChart({ agencyId: AGENCY, chartId: 'HH-OK', patient: { id: 'P-OK' } }),
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          // Truncated lines, a line far over the cap, another encoding.
          fc.constant(Buffer.from('{"resourceType":"Condition","id":"c1","subject":{"refer')),
          fc.constant(Buffer.from(`{"resourceType":"Patient","id":"${'x'.repeat(5000)}"}\n`)),
          fc.constant(
            Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"resourceType":"Patient"}', 'utf16le')]),
          ),
          fc.constant(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0x0a])),
        ),
        async (bytes) => {
          const t = intake({ intake: { maxRecordBytes: 2048 } });
          const folder = 'exports/test-agency/fuzz/';
          for (const [name, lines] of good) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
          t.mem.objects.set(
            `test-intake/${folder}Observation.2.ndjson`,
            Buffer.from(bytes).toString('latin1'),
          );
          await t.drop(`${folder}.done`, '');
          const receipt = t.receipt(`${folder}.done`);
          expect(receipt?.counts.accepted).toBe(1);
          const fuzzed = receipt?.files.find((f) => f.objectId === t.fileId(`${folder}Observation.2.ndjson`));
          expect(fuzzed).toBeDefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('FHIR drop integrity', () => {
  it("reports a file holding fewer resources than the manifest's count", async () => {
    const t = intake();
    const folder = 'exports/test-agency/drop-count/';
    const files = bulkFiles([
      homeHealthChart({ agencyId: AGENCY, chartId: 'HH-C1', patient: { id: 'P-C1' } }),
    ]);
    for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    t.mem.put('intake', `${folder}Procedure.ndjson`, '');
    const output = [...files].map(([name, lines]) => ({
      type: name.replace('.ndjson', ''),
      url: `https://emr.example/x/${name}`,
      count: name === 'Condition.ndjson' ? lines.length + 1 : lines.length,
    }));
    output.push({ type: 'Procedure', url: 'https://emr.example/x/Procedure.ndjson', count: 0 });
    await t.drop(`${folder}manifest.json`, JSON.stringify({ output }));
    const receipt = t.receipt(`${folder}manifest.json`);
    expect(receipt?.counts.accepted).toBe(1);
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues).toEqual([
      {
        file: t.fileId(`${folder}Condition.ndjson`),
        reason: `the manifest counts ${(files.get('Condition.ndjson')?.length ?? 0) + 1} resources, the file holds ${files.get('Condition.ndjson')?.length}`,
      },
    ]);
  });
});

describe('intake after the review', () => {
  const one = (id: string) => homeHealthChart({ agencyId: AGENCY, chartId: id, patient: { id: `P-${id}` } });

  it('retries a FHIR drop whose first run failed before any checkpoint, and finishes it', async () => {
    const t = intake();
    const create = t.mem.ports.charts.create.bind(t.mem.ports.charts);
    let calls = 0;
    t.mem.ports.charts.create = async (state) => {
      if (++calls === 1) throw new Error('DynamoDB throttled');
      return create(state);
    };
    const folder = 'exports/test-agency/retry/';
    for (const [name, lines] of bulkFiles([one('R-1'), one('R-2')]))
      t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    await expect(t.drop(`${folder}.done`, '')).rejects.toThrow('DynamoDB throttled');
    await t.service.handle(s3Event('test-intake', `${folder}.done`, 'e1'));
    expect(t.receipt(`${folder}.done`)?.counts).toMatchObject({ read: 2, accepted: 2 });
  });

  it('refuses a FHIR drop outside exports/<agency>/ whole, and takes no chart from it', async () => {
    const t = intake();
    const folder = 'exports/Not_An_Agency/drop/';
    for (const [name, lines] of bulkFiles([one('X-1')]))
      t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    await t.drop(`${folder}.done`, '');
    expect(t.mem.take('validate')).toHaveLength(0);
    const report = [...t.mem.objects.keys()].find((k) => k.startsWith('test-intake/quarantine/unknown/'));
    expect(report).toBeDefined();
  });

  it('tells a FHIR file by its resource type, so a canonical file in a sub-folder is still read', async () => {
    const { bulkDropRole } = await import('#functions/intake/fhir-drop.ts');
    expect(bulkDropRole('exports/a/2024-05/Charts.ndjson')).toBe('file');
    expect(bulkDropRole('exports/a/drop/Observation_0001.ndjson')).toBe('part');
    expect(bulkDropRole('exports/a/drop/1.Condition.ndjson')).toBe('part');
    expect(bulkDropRole('exports/a/Patient.ndjson')).toBe('file');
    expect(bulkDropRole('exports/a/drop/manifest.json')).toBe('trigger');
  });

  it('pauses a drop in time even when its lines route nowhere', async () => {
    const t = intake();
    const folder = 'exports/test-agency/noroute/';
    const files = bulkFiles([one('N-1')]);
    files.set(
      'Observation.2.ndjson',
      Array.from({ length: 12_000 }, (_, i) => `{"resourceType":"Observation","id":"o${i}"}`),
    );
    for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    await t.drop(`${folder}.done`, '', 'e1', shortOfTime(1));
    expect(t.receipt(`${folder}.done`)).toBeUndefined();
    await t.continueAll();
    const receipt = t.receipt(`${folder}.done`);
    expect(receipt?.counts).toMatchObject({ accepted: 1, quarantined: 12_000 });
    expect(receipt?.issueCount).toBe(12_000);
  });

  it('reads no file of a drop over the size limit, and says so', async () => {
    const t = intake({ intake: { maxObjectBytes: 5000 } });
    const folder = 'exports/test-agency/big-file/';
    const files = bulkFiles([one('B-1')]);
    files.set('Observation.9.ndjson', ['{"resourceType":"Observation","id":"x"}', 'x'.repeat(6000)]);
    for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    await t.drop(`${folder}.done`, '');
    const receipt = t.receipt(`${folder}.done`);
    expect(receipt?.counts.accepted).toBe(1);
    const big = t.fileId(`${folder}Observation.9.ndjson`);
    expect(receipt?.files.find((f) => f.objectId === big)?.sha256).toBeUndefined();
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues).toContainEqual({
      file: big,
      reason: 'file is larger than the configured maximum of 5000 bytes',
    });
  });

  it('lists what no receipt accounts for: `codetrail intake pending`', async () => {
    const t = intake();
    const folder = 'exports/test-agency/waiting/';
    for (const [name, lines] of bulkFiles([one('W-1')])) await t.drop(`${folder}${name}`, lines.join('\n'));
    // A real S3 event's ETag is the one a listing gives (the memory store's: the body's length).
    const done = JSON.stringify(one('W-2'));
    await t.drop('exports/test-agency/done.ndjson', done, String(done.length));
    const pending = JSON.parse(await runIntakePending(t.mem.ports, { json: true }));
    const files = [...t.mem.objects.keys()].filter((k) => k.startsWith(`test-intake/${folder}`));
    expect(pending.map((p: { objectId: string }) => p.objectId).sort()).toEqual(
      files.map((k) => t.fileId(k.slice('test-intake/'.length))).sort(),
    );
    // By object id alone unless keys are asked for: an export's file name may carry a patient's name.
    expect(JSON.stringify(pending)).not.toContain(folder);
    const withKeys = JSON.parse(await runIntakePending(t.mem.ports, { json: true, keys: true }));
    expect(withKeys.map((p: { key: string }) => p.key).sort()).toEqual(
      files.map((k) => k.slice('test-intake/'.length)).sort(),
    );
    expect(await runIntakePending(t.mem.ports, { keys: true })).toContain(`${folder}Patient.ndjson`);
    expect(await runIntakePending(t.mem.ports, {})).not.toContain(folder);
    await t.drop(`${folder}.done`, '', '0');
    expect(await runIntakePending(t.mem.ports, {})).toBe('Every dropped object has its intake receipt.');
  });
});

describe('FHIR drop files replaced while the drop is read', () => {
  it('sets the drop aside whole, before any chart, when a file changes between runs', async () => {
    const t = intake({ intake: { concurrency: 2 } });
    const folder = 'exports/test-agency/changing/';
    const files = bulkFiles([
      homeHealthChart({ agencyId: AGENCY, chartId: 'C-1', patient: { id: 'P-C1' } }),
      homeHealthChart({ agencyId: AGENCY, chartId: 'C-2', patient: { id: 'P-C2' } }),
    ]);
    for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    // The first run stops after the first file; then the export job rewrites the last one.
    await t.drop(`${folder}.done`, '', 'e1', shortOfTime(0));
    const last = [...files.keys()].sort().pop() ?? '';
    // Reported by the id the drop was planned with, from the file's ETag before it was replaced.
    const planned = t.fileId(`${folder}${last}`);
    t.mem.put(
      'intake',
      `${folder}${last}`,
      `${files.get(last)?.join('\n')}\n{"resourceType":"Patient","id":"late"}`,
    );
    await t.continueAll();
    const receipt = t.receipt(`${folder}.done`);
    expect(receipt?.counts).toMatchObject({ read: 0, accepted: 0, quarantined: 1 });
    const report = JSON.parse(t.mem.objects.get(`test-intake/${receipt?.quarantineReport}`) ?? '{}');
    expect(report.issues).toContainEqual({
      file: planned,
      reason:
        'the file was replaced while the drop was being read: no chart was taken from the drop; drop the export again',
    });
    expect(t.mem.take('validate')).toHaveLength(0);
  });
});

describe('a newer export of a chart', () => {
  // Written out here, not imported: the lists are what a re-export promises, whatever the code says.
  /** Every status before billing: the newer version replaces the older, which is never billed. */
  const UNBILLED: ChartStatus[] = [
    'RECEIVED',
    'VALIDATED',
    'QUERY_OPEN',
    'REJECTED',
    'SAMPLED',
    'NOT_SAMPLED',
    'QA_PASSED',
    'QA_CORRECTED',
    'READY_FOR_BILLING',
  ];
  /** Billed: the older version stays, and the newer one is billed as the replacement of its claim. */
  const BILLED: ChartStatus[] = ['BATCHED', 'PAID', 'DENIED', 'ADJUSTED', 'REWORK'];

  /** Version 1 of a chart taken in and moved to `status`, then version 2 dropped. */
  async function reExport(status: ChartStatus) {
    const t = intake();
    const chart = (version: number) =>
      JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: 'RE-1', version }));
    await t.drop('exports/test-agency/v1.ndjson', chart(1));
    const key = await chartKeyOf(t.mem.ports.keys, AGENCY, 'RE-1');
    const billed = BILLED.includes(status)
      ? { claimRef: claimRefOf(key, 1), batchId: 'b20261120-000000000001' }
      : {};
    if (status !== 'RECEIVED') await t.mem.ports.charts.transition(key, 1, ['RECEIVED'], status, billed);
    await t.drop('exports/test-agency/v2.ndjson', chart(2), 'e2');
    expect(t.receipt('exports/test-agency/v2.ndjson', 'e2')?.counts.accepted).toBe(1);
    const audited = (type: string, version: number) =>
      t.mem.events().filter((e) => e.type === type && e.subject === `chart:${key}:v${version}`);
    return { older: await t.mem.ports.charts.get(key, 1), audited };
  }

  it('sorts every chart status as unbilled, billed or superseded', () => {
    expect([...UNBILLED, ...BILLED, 'SUPERSEDED'].sort()).toEqual([...CHART_STATUSES].sort());
  });

  it.each(UNBILLED)('supersedes a version still %s, so only the newer one is billed', async (status) => {
    const { older, audited } = await reExport(status);
    expect(older).toMatchObject({ status: 'SUPERSEDED', supersededBy: 2 });
    expect(audited('chart.superseded', 1)).toHaveLength(1);
    expect(audited('chart.void-replace-opened', 2)).toHaveLength(0);
  });

  it.each(BILLED)(
    'keeps a version already %s, and bills the newer one as the replacement of its claim',
    async (status) => {
      const { older, audited } = await reExport(status);
      expect(older?.status).toBe(status);
      expect(older?.supersededBy).toBeUndefined();
      expect(audited('chart.superseded', 1)).toHaveLength(0);
      expect(audited('chart.void-replace-opened', 2)).toHaveLength(1);
    },
  );
});
