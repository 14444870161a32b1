import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeReceipts } from '#cli/lib/receipts.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { IntakeReceipt } from '#shared/model/receipt.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { droppedObjectId } from '../support/dropped-object.ts';
import { fhirFromChart } from '../support/fhir-from-chart.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';
import { testConfig } from '../support/test-agencies.ts';

// Intake on the real emulators, fed by the S3 notifier and SQS event source the way Lambda is fed:
// objects streamed from S3, checkpoints in DynamoDB, continuations through the intake queue.
let pipeline: LocalPipeline;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-intake-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'cd'.repeat(32));
  pipeline = await startLocalPipeline({
    config: testConfig({
      sampling: SAMPLE_NOTHING,
      // Every run believes its time is up after one group of four charts: files go in many runs.
      intake: { concurrency: 4, reserveSeconds: 100_000 },
      local: { timeCompression: 100_000 },
    }),
    keyFile,
    prefix: 'intake',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

const AGENCY = 'test-agency';
const chart = (id: string, overrides: Partial<ChartInput> = {}) =>
  homeHealthChart({ chartId: id, patient: { id: `P-${id}` }, ...overrides });
const ndjson = (charts: unknown[]) => charts.map((c) => JSON.stringify(c)).join('\n');

async function drop(key: string, body: string): Promise<void> {
  await pipeline.ports.artifacts.putText('intake', key, body);
  await pipeline.runUntilQuiet();
}

async function status(chartId: string, version = 1) {
  const key = await chartKeyOf(pipeline.ports.keys, AGENCY, chartId);
  return (await pipeline.ports.charts.get(key, version))?.status;
}

async function receiptOf(key: string): Promise<IntakeReceipt[]> {
  const id = await droppedObjectId(pipeline.ports.artifacts, 'intake', key);
  return (await intakeReceipts(pipeline.ports, AGENCY)).filter((r) => r.objectId === id);
}

describe('intake on embedded AWS', () => {
  it('takes a file over several runs through the intake queue and counts each chart once', async () => {
    const charts = Array.from({ length: 14 }, (_, i) => chart(`RUN-${i}`));
    await drop('exports/test-agency/runs.ndjson', ndjson(charts));
    const [receipt] = await receiptOf('exports/test-agency/runs.ndjson');
    expect(receipt?.counts).toEqual({ read: 14, accepted: 14, quarantined: 0, superseded: 0, duplicates: 0 });
    expect(receipt?.segments).toBe(4);
    expect(await status('RUN-13')).toBe('BATCHED');
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it('creates nothing new for a duplicate drop', async () => {
    const body = ndjson([chart('DUP-1'), chart('DUP-2')]);
    await drop('exports/test-agency/dup-a.ndjson', body);
    await drop('exports/test-agency/dup-b.ndjson', body);
    const [receipt] = await receiptOf('exports/test-agency/dup-b.ndjson');
    expect(receipt?.counts).toMatchObject({ read: 2, accepted: 0, duplicates: 2 });
    let versions = 0;
    for await (const c of pipeline.ports.charts.list(AGENCY))
      if (c.sourceObject === receipt?.objectId) versions++;
    expect(versions).toBe(0);
  });

  it('takes a re-export as a new version and records an older one arriving late as superseded', async () => {
    await drop('exports/test-agency/v2.ndjson', ndjson([chart('VER-1', { version: 2 })]));
    await drop('exports/test-agency/v1-late.ndjson', ndjson([chart('VER-1', { version: 1 })]));
    expect(await status('VER-1', 2)).toBe('BATCHED');
    expect(await status('VER-1', 1)).toBe('SUPERSEDED');
    const [late] = await receiptOf('exports/test-agency/v1-late.ndjson');
    expect(late?.counts).toMatchObject({ read: 1, superseded: 1, accepted: 0 });
    await drop('exports/test-agency/v3.ndjson', ndjson([chart('VER-1', { version: 3 })]));
    expect(await status('VER-1', 3)).toBe('BATCHED');
  });

  it('quarantines the bad records of a mixed file with a report and lets the good ones flow', async () => {
    const lines = [
      JSON.stringify(chart('MIX-1')),
      '{"truncated": ',
      JSON.stringify({ ...chart('MIX-3'), coderId: undefined }),
      JSON.stringify(hospiceChart({ chartId: 'MIX-4' })),
      JSON.stringify(chart('MIX-5', { agencyId: 'other-agency' })),
    ];
    await drop('exports/test-agency/mixed.ndjson', lines.join('\n'));
    expect(await status('MIX-1')).toBe('BATCHED');
    expect(await status('MIX-4')).toBe('BATCHED');
    const [receipt] = await receiptOf('exports/test-agency/mixed.ndjson');
    expect(receipt?.counts).toMatchObject({ read: 4, accepted: 2, quarantined: 3 });
    const report = JSON.parse(
      await pipeline.ports.artifacts.getText('intake', receipt?.quarantineReport ?? ''),
    );
    expect(report.issues).toEqual([
      { line: 2, reason: 'line is not valid JSON' },
      expect.objectContaining({ line: 3, path: 'coderId' }),
      expect.objectContaining({ line: 5, path: 'agencyId' }),
    ]);
    expect(
      await pipeline.ports.artifacts.getText('intake', `quarantine/${AGENCY}/${receipt?.objectId}/source`),
    ).toBe(lines.join('\n'));
    const audit = await pipeline.ports.audit.list(AGENCY, `object:${receipt?.objectId}`);
    expect(audit.map((e) => e.type)).toEqual(
      expect.arrayContaining(['object.quarantined', 'object.received']),
    );
  });

  it('assembles a FHIR Bulk Data drop once its manifest arrives', async () => {
    const folder = 'exports/test-agency/bulk-1/';
    const files = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const c of [
      chart('FHIR-1'),
      chart('FHIR-2'),
      hospiceChart({ chartId: 'FHIR-3', patient: { id: 'P-F3' } }),
    ]) {
      for (const resource of fhirFromChart(c)) {
        const id = `${resource.resourceType}/${String(resource.id)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        files.set(resource.resourceType, [
          JSON.stringify(resource),
          ...(files.get(resource.resourceType) ?? []),
        ]);
      }
    }
    for (const [type, lines] of files)
      await pipeline.ports.artifacts.putText('intake', `${folder}${type}.ndjson`, lines.join('\n'));
    await pipeline.runUntilQuiet();
    expect(await status('FHIR-1')).toBeUndefined();
    const manifest = {
      transactionTime: '2026-11-20T00:00:00Z',
      request: 'https://emr.example/fhir/$export',
      requiresAccessToken: true,
      output: [...files.keys()].map((type) => ({ type, url: `https://emr.example/files/${type}.ndjson` })),
      error: [],
    };
    await drop(`${folder}manifest.json`, JSON.stringify(manifest));
    for (const id of ['FHIR-1', 'FHIR-2', 'FHIR-3']) expect(await status(id)).toBe('BATCHED');
    const [receipt] = await receiptOf(`${folder}manifest.json`);
    expect(receipt?.format).toBe('fhir-bulk');
    expect(receipt?.counts).toMatchObject({ read: 3, accepted: 3, quarantined: 0 });
    expect(receipt?.segments).toBeGreaterThan(1);
    expect(receipt?.files).toHaveLength(files.size);
  });
});
