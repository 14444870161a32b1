import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { CONFIG_SUBJECT } from '#shared/audit-trail/config-in-force.ts';
import { bundledTables } from '#shared/data/bundled-tables.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import { parseConfig } from '#shared/model/config.ts';
import { homeHealthChart } from '../support/charts.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

/**
 * The scheduled reconciler's real handler, run as EventBridge would run it, with its own deployed role
 * (the local IAM refuses what that role may not do): a chart version whose message was lost is found by
 * index and re-driven, audited as `stage:reconciler`, and goes on to billing.
 */
let pipeline: LocalPipeline;
const AGENCY = 'test-agency';
const LONG_AGO = '2026-11-20T10:00:00.000Z';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-reconciler-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'ef'.repeat(32));
  pipeline = await startLocalPipeline({
    config: parseConfig({
      agencies: [{ id: AGENCY, timeZone: 'America/Chicago' }],
      sampling: SAMPLE_NOTHING,
      local: { timeCompression: 1000 },
    }),
    keyFile,
    prefix: 'reconciler',
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

/** A chart version left in `status` since `updatedAt`, as a lost message leaves it. */
async function leftBehind(
  chartKey: string,
  status: 'VALIDATED' | 'RECEIVED' | 'NOT_SAMPLED',
  updatedAt: string,
  agencyId = AGENCY,
) {
  const chart = homeHealthChart({ agencyId, chartId: `REC-${chartKey}`, coderId: 'coder-old' });
  const artifactKey = `charts/${agencyId}/${chartKey}/v1-000000000000.json`;
  await pipeline.ports.artifacts.putJson('artifacts', artifactKey, chart);
  await pipeline.ports.charts.create({
    chartKey,
    version: 1,
    agencyId,
    status,
    lineOfBusiness: chart.lineOfBusiness,
    payerType: chart.payer.type,
    coderId: chart.coderId,
    contentHash: '0123456789abcdef',
    artifactKey,
    sourceObject: 'object-reconciler',
    receivedAt: updatedAt,
    updatedAt,
    findings: [],
  });
}

describe('the scheduled reconciler', () => {
  it('re-drives what waited past the bound, under its own role, audited; the chart then completes', async () => {
    const stranded = 'reconstranded00000000000000000';
    // One for each stage it re-drives to: validation, sampling, billing.
    const received = 'reconreceived00000000000000000';
    const notSampled = 'reconnotsampled000000000000000';
    const recent = 'reconrecent0000000000000000000';
    const elsewhere = 'reconelsewhere0000000000000000';
    await leftBehind(stranded, 'VALIDATED', LONG_AGO);
    await leftBehind(received, 'RECEIVED', LONG_AGO);
    await leftBehind(notSampled, 'NOT_SAMPLED', LONG_AGO);
    await leftBehind(recent, 'VALIDATED', new Date().toISOString());
    // An agency the config does not name: the job queries configured agencies only (`codetrail
    // reconcile` scans every chart and would find it).
    await leftBehind(elsewhere, 'RECEIVED', LONG_AGO, 'other-agency');

    expect(await pipeline.runJob('reconciler')).toEqual({ redriven: 3 });
    expect(pipeline.iam.denialLines()).toEqual([]);
    const events = await pipeline.ports.audit.list(AGENCY, chartSubject(stranded, 1));
    expect(events.filter((e) => e.type === 'chart.redriven')).toEqual([
      expect.objectContaining({
        actor: 'stage:reconciler',
        agencyId: AGENCY,
        detail: { status: 'VALIDATED', since: LONG_AGO, queue: 'sample' },
      }),
    ]);

    await pipeline.runUntilQuiet();
    for (const key of [stranded, received, notSampled])
      expect((await pipeline.ports.charts.get(key, 1))?.status).toBe('BATCHED');
    expect((await pipeline.ports.charts.get(recent, 1))?.status).toBe('VALIDATED');
    expect((await pipeline.ports.charts.get(elsewhere, 1))?.status).toBe('RECEIVED');
    // Nothing left past the bound: the next run re-drives nothing.
    expect(await pipeline.runJob('reconciler')).toEqual({ redriven: 0 });
    expect(pipeline.iam.denialLines()).toEqual([]);
  });

  it('records the configuration and code tables in force once per agency, under its own role, until they change', async () => {
    // The first run above recorded them; this one and the next find nothing changed.
    await pipeline.runJob('reconciler');
    expect(pipeline.iam.denialLines()).toEqual([]);
    const events = await pipeline.ports.audit.list(AGENCY, CONFIG_SUBJECT);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'config.in-force',
        actor: 'stage:reconciler',
        detail: expect.objectContaining({
          configSections: expect.objectContaining({ sampling: expect.stringMatching(/^[0-9a-f]{64}$/) }),
          tables: bundledTables(),
        }),
      }),
    ]);
  });
});
