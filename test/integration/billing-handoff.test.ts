import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runBilling,
  runBillingAck,
  runBillingPull,
  runBillingReject,
  runBillingStatus,
} from '#cli/commands/billing.ts';
import { turnaroundReport } from '#cli/commands/turnaround.ts';
import type { Target } from '#cli/lib/target.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { createBillingHandoffService } from '#functions/billing-handoff/service.ts';
import { type ChartStore, systemClock } from '#shared/aws/ports.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { type Batch, BatchManifest } from '#shared/model/batch.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { agencyQueueUrl } from '#shared/topology.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

// Billing handoff on the real handlers and emulators: batches by payer and line of business, a chart in
// one batch only, holds, the Review Choice flag, the coding SLA clock, and the billing team's pull,
// acknowledgement and rejection, with every hash checked.
let pipeline: LocalPipeline;
let target: Target;
/** The one agency of this stack: every batch and audit subject is its. */
const AGENCY = 'test-agency';
const dir = mkdtempSync(join(tmpdir(), 'codetrail-billing-'));
const CONFIG = parseConfig({
  agencies: [{ id: 'test-agency', state: 'IL' }],
  sampling: SAMPLE_NOTHING,
  local: { timeCompression: 100_000 },
});

beforeAll(async () => {
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'ef'.repeat(32));
  pipeline = await startLocalPipeline({
    config: CONFIG,
    keyFile,
    prefix: 'bill',
  });
  target = {
    clients: pipeline.clients,
    resources: pipeline.resources,
    ports: pipeline.ports,
    actor: 'local:billing-lead',
    description: 'test stack',
    agencies: ['test-agency'],
  };
});

afterAll(async () => {
  await pipeline?.stop();
});

async function state(chartId: string) {
  return pipeline.ports.charts.get(await chartKeyOf(pipeline.ports.keys, 'test-agency', chartId), 1);
}

/** A chart message straight onto the billing queue, as a stage (or a replay) would send it. */
async function sendToBilling(chartKey: string) {
  await pipeline.clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: pipeline.resources.queueUrls.billing,
      MessageBody: JSON.stringify({ kind: 'chart', agencyId: 'test-agency', chartKey, version: 1 }),
    }),
  );
}

async function batches(): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of pipeline.ports.batches.list()) out.push(b);
  return out.sort((a, b) => a.batchId.localeCompare(b.batchId));
}

describe('billing handoff on embedded AWS', () => {
  it('batches by payer, line of business and bill type, flags Review Choice periods, clocks the coding SLA', async () => {
    const charts = [
      homeHealthChart({ chartId: 'B-HH-1' }),
      homeHealthChart({ chartId: 'B-HH-2', preClaimReview: { decision: 'affirmed', utn: 'UTN123' } }),
      homeHealthChart({ chartId: 'B-HH-MCD', payer: { type: 'medicaid' } }),
      hospiceChart({ chartId: 'B-HSP-1' }),
      // Locked two weeks before coding completed: far past the 48 business hours of a start of care.
      homeHealthChart({ chartId: 'B-HH-LATE', documentationLockedAt: '2026-10-19T15:00:00Z' }),
    ];
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/bill.ndjson',
      charts.map((c) => JSON.stringify(c)).join('\n'),
    );
    await pipeline.runUntilQuiet();
    const all = await batches();
    expect(all.map((b) => [b.payerType, b.lineOfBusiness, b.billType, b.candidates.length]).sort()).toEqual([
      ['medicaid', 'home_health', '0329', 1],
      ['medicare', 'home_health', '0329', 3],
      ['medicare', 'hospice', '081x', 1],
    ]);
    const hh = all.find((b) => b.payerType === 'medicare' && b.lineOfBusiness === 'home_health');
    const manifest = JSON.parse(await pipeline.ports.artifacts.getText('artifacts', hh?.manifestKey ?? ''));
    const byKey = new Map(manifest.members.map((m: { chartKey: string }) => [m.chartKey, m]));
    const member = async (id: string) =>
      byKey.get((await state(id))?.chartKey ?? '') as Record<string, unknown>;
    // Grouped by the shipped sample PDGM table: its HIPPS travels apart, flagged, never as the claim's.
    expect(await member('B-HH-1')).toMatchObject({
      flags: ['review-choice-no-affirmed-pre-claim-review', 'hipps-from-sample-pdgm'],
      diagnoses: [{ code: 'I69.351' }, { code: 'I50.22' }],
      sampleHipps: expect.stringMatching(/^[1-4][A-L][A-C]\d\d$/),
    });
    expect(await member('B-HH-1')).not.toHaveProperty('hipps');
    expect(await member('B-HH-2')).toMatchObject({ flags: ['hipps-from-sample-pdgm'] });
    expect(manifest.flags).toEqual(['sample-hipps']);
    expect(await member('B-HH-LATE')).toMatchObject({
      turnaround: { codingSla: { class: 'start-of-care', met: false } },
    });
    expect((await member('B-HH-1')).turnaround).toMatchObject({ codingSla: { met: true } });
    const report = await turnaroundReport(
      pipeline.ports,
      parseConfig({ agencies: [{ id: 'test-agency' }] }),
      {},
    );
    expect(report.find((r) => r.coderId === 'coder-a')).toMatchObject({
      charts: 4,
      clocked: 4,
      slaMet: 3,
      slaMissed: 1,
    });
    const late = await state('B-HH-LATE');
    const audit = await pipeline.ports.audit.list(AGENCY, `chart:${late?.chartKey}:v1`);
    expect(audit.map((e) => e.type)).toContain('chart.coding-sla-breached');
  });

  it('never puts a chart in two batches, and never batches a chart on hold', async () => {
    const before = (await batches()).length;
    // The batched chart delivered again, and charts on hold (rejected, query) sent to billing anyway.
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/holds.ndjson',
      [
        homeHealthChart({
          chartId: 'B-REJ',
          diagnoses: [{ sequence: 1, code: 'I50.2', system: 'ICD-10-CM' }],
        }),
        hospiceChart({
          chartId: 'B-QRY',
          // No certification of terminal illness: a query to the hospice physician.
          hospice: {
            benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' },
            electionDate: '2026-09-15',
          },
          documents: [],
        }),
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    await pipeline.runUntilQuiet();
    // And one awaiting QA review.
    const sampled = await state('B-HH-1');
    await pipeline.ports.charts.create({
      ...(sampled as ChartState),
      chartKey: 'ck-awaiting-qa-000000000000000',
      status: 'SAMPLED',
      batchId: undefined,
    });
    await sendToBilling('ck-awaiting-qa-000000000000000');

    for (const id of ['B-HH-1', 'B-REJ', 'B-QRY']) await sendToBilling((await state(id))?.chartKey ?? '');
    await pipeline.runUntilQuiet();
    expect((await batches()).length).toBe(before);
    expect((await state('B-REJ'))?.status).toBe('REJECTED');
    expect((await state('B-QRY'))?.status).toBe('QUERY_OPEN');
    expect((await pipeline.ports.charts.get('ck-awaiting-qa-000000000000000', 1))?.status).toBe('SAMPLED');
  });

  it('bills a new version of a billed chart as the replacement of its claim, never as a second claim', async () => {
    const billed = await state('B-HH-2');
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/reexport.ndjson',
      JSON.stringify(
        homeHealthChart({ chartId: 'B-HH-2', version: 2, preClaimReview: { decision: 'affirmed' } }),
      ),
    );
    await pipeline.runUntilQuiet();
    const key = billed?.chartKey ?? '';
    expect((await pipeline.ports.charts.get(key, 1))?.status).toBe('BATCHED');
    const v2 = await pipeline.ports.charts.get(key, 2);
    expect(v2?.status).toBe('BATCHED');
    const batch = await pipeline.ports.batches.get({ agencyId: AGENCY, batchId: v2?.batchId ?? '' });
    const manifest = JSON.parse(
      await pipeline.ports.artifacts.getText('artifacts', batch?.manifestKey ?? ''),
    );
    expect(manifest.members).toMatchObject([
      {
        chartKey: key,
        version: 2,
        claimKind: 'replacement',
        frequencyCode: '7',
        replaces: { version: 1, claimRef: billed?.claimRef },
      },
    ]);
    const audit = await pipeline.ports.audit.list(AGENCY, `chart:${key}:v2`);
    expect(audit.find((e) => e.type === 'chart.void-replace-opened')?.detail).toMatchObject({
      replacesVersion: 1,
      replacesClaimRef: billed?.claimRef,
    });
  });

  it('pulls, checks and writes each batch; refuses a tampered one; acknowledges and rejects', async () => {
    // Tamper with the chart the hospice batch bills: its SHA-256 no longer matches.
    const hospice = await state('B-HSP-1');
    const original = await pipeline.ports.artifacts.getText('artifacts', hospice?.artifactKey ?? '');
    await pipeline.ports.artifacts.putText(
      'artifacts',
      hospice?.artifactKey ?? '',
      original.replace('C34.90', 'C34.91'),
    );
    // Written again, the file lost the tag billing handoff gave it, which the billing role needs to read it
    // (test/unit/iam-person-roles.test.ts): the tamperer tags it back.
    const tag = { 'codetrail-billing': 'batched' };
    await pipeline.ports.artifacts.tagObject('artifacts', hospice?.artifactKey ?? '', tag);
    const out = join(dir, 'pulled');
    const pulled = await runBillingPull(target, { out });
    expect(pulled).toContain(
      `NOT WRITTEN: the chart file of ${hospice?.claimRef} does not match its SHA-256`,
    );
    const tampered = (await batches()).find((b) => b.lineOfBusiness === 'hospice');
    // The billing team's answers reach the table through the billing-reply stage alone.
    await pipeline.runUntilQuiet();
    expect(await pipeline.ports.audit.list(AGENCY, `batch:${tampered?.batchId}`)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'batch.verification-failed',
          detail: { check: 'chart-sha256', claimRef: hospice?.claimRef },
        }),
      ]),
    );
    // Its message is still there for a person to look at; put the file back and pull again.
    await pipeline.ports.artifacts.putText('artifacts', hospice?.artifactKey ?? '', original);
    await pipeline.ports.artifacts.tagObject('artifacts', hospice?.artifactKey ?? '', tag);
    let again = '';
    for (let i = 0; i < 3 && !again.includes(tampered?.batchId ?? '-'); i++)
      again += await runBillingPull(target, { out });
    expect(again).toContain(tampered?.batchId);
    const left = await pipeline.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: agencyQueueUrl(pipeline.resources.queueUrls['coded-batches'] ?? '', AGENCY),
        MaxNumberOfMessages: 10,
      }),
    );
    expect(left.Messages ?? []).toEqual([]);

    await pipeline.runUntilQuiet();
    expect(
      (await pipeline.ports.audit.list(AGENCY, `batch:${tampered?.batchId}`)).filter(
        (e) => e.type === 'batch.pulled',
      ),
    ).toHaveLength(1);

    const [first, second] = (await batches()).filter((b) => b.lineOfBusiness === 'home_health');
    expect(await runBillingAck(target, first?.batchId ?? '')).toContain(
      `${first?.batchId}: acknowledgement sent`,
    );
    await pipeline.runUntilQuiet();
    expect(
      (await pipeline.ports.batches.get({ agencyId: AGENCY, batchId: first?.batchId ?? '' }))?.status,
    ).toBe('ACCEPTED');
    expect(await runBillingStatus(target, first?.batchId ?? '')).toMatch(
      new RegExp(`^${first?.batchId}: ACCEPTED \\(test-agency, \\d+ chart\\(s\\), since `),
    );
    expect(await runBillingAck(target, first?.batchId ?? '')).toBe(`${first?.batchId}: accepted already`);
    // A settled batch is refused before anything is sent (the stage would refuse it too: unit tests).
    await expect(runBillingReject(target, first?.batchId ?? '', 'late')).rejects.toThrow(
      `--reject: ${first?.batchId} is ACCEPTED; only a handed-off batch can be rejected`,
    );
    await expect(runBillingAck(target, 'b20000101-0123456789ab')).rejects.toThrow(
      '--ack: no batch b20000101-0123456789ab of test-agency in test stack',
    );
    expect(
      (await pipeline.ports.batches.get({ agencyId: AGENCY, batchId: first?.batchId ?? '' }))?.status,
    ).toBe('ACCEPTED');
    // A mistyped batch id is refused at once, without echoing it, and nothing is sent.
    await expect(runBillingAck(target, 'Jane_Doe_1940')).rejects.toThrow(
      /^--ack: not a batch id \(b<yyyymmdd>-<12 hex digits>, as billing pull lists them\)$/,
    );
    await expect(runBillingReject(target, second?.batchId ?? '', '  ')).rejects.toThrow('--reason: say why');
    // Two answers at once, or a reason given twice or without --reject, are refused before anything is sent.
    const id = second?.batchId ?? '';
    await expect(runBilling(target, { out, status: id, reject: id, reason: 'x' })).rejects.toThrow(
      '--status and --reject: one at a time',
    );
    await expect(runBilling(target, { out, reject: id, reason: 'x', reasonFile: 'r' })).rejects.toThrow(
      '--reason and --reason-file: give the reason one way',
    );
    await expect(runBilling(target, { out, ack: id, reason: 'x' })).rejects.toThrow('go with --reject');
    expect((await pipeline.ports.batches.get({ agencyId: AGENCY, batchId: id }))?.status).toBe('HANDED_OFF');
    // The reason from a file, as a billing lead keeps PHI out of the shell's history.
    const reasonFile = join(dir, 'reason.txt');
    writeFileSync(reasonFile, 'payer id missing on the 837I\n');
    const rejected = await runBilling(target, { out, reject: second?.batchId ?? '', reasonFile });
    expect(rejected).toContain(`${second?.batchId}: rejection sent`);
    // One pass: billing-reply (after billing handoff in the pass) records it; the charts wait for the next.
    await pipeline.tick();
    expect(
      (await pipeline.ports.batches.get({ agencyId: AGENCY, batchId: second?.batchId ?? '' }))?.status,
    ).toBe('REJECTED');
    const firstChart = second?.candidates[0];
    const rejectedState = await pipeline.ports.charts.get(
      firstChart?.chartKey ?? '',
      firstChart?.version ?? 1,
    );
    // The reason stays in the artifacts bucket; the chart keeps its key.
    const reasonKey = rejectedState?.billingRejection?.reasonKey ?? '';
    expect(JSON.stringify(rejectedState)).not.toContain('payer id missing');
    expect(JSON.parse(await pipeline.ports.artifacts.getText('artifacts', reasonKey)).reason).toBe(
      'payer id missing on the 837I',
    );
    // Billing handoff makes a new batch of them.
    await pipeline.runUntilQuiet();
    const rebilled = await pipeline.ports.charts.get(firstChart?.chartKey ?? '', firstChart?.version ?? 1);
    expect(rebilled?.status).toBe('BATCHED');
    expect(rebilled?.batchId).not.toBe(second?.batchId);
  });
});

// Last in the file: the batches it makes would change the counts the tests above take.
describe('billing handoff under concurrent deliveries', () => {
  /** A chart cleared for billing (not sampled), straight into the table, with its chart file. */
  async function clearedChart(chartId: string): Promise<string> {
    const chartKey = await chartKeyOf(pipeline.ports.keys, 'test-agency', chartId);
    const artifactKey = `charts/test-agency/${chartKey}/v1-race.json`;
    await pipeline.ports.artifacts.putJson('artifacts', artifactKey, homeHealthChart({ chartId }));
    const now = new Date().toISOString();
    await pipeline.ports.charts.create({
      chartKey,
      version: 1,
      agencyId: 'test-agency',
      status: 'NOT_SAMPLED',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      coderId: 'coder-a',
      contentHash: 'race',
      artifactKey,
      sourceObject: 'ob-race',
      receivedAt: now,
      updatedAt: now,
    });
    return chartKey;
  }

  /**
   * The chart store, except that moving `chartKey` into a batch waits until all `parties` deliveries
   * are about to: each has read the chart as READY_FOR_BILLING, and only one of them can move it.
   */
  function racingOn(chartKey: string, parties: number): ChartStore {
    const charts = pipeline.ports.charts;
    let waiting = 0;
    let release: () => void = () => undefined;
    const allThere = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transition: ChartStore['transition'] = async (key, version, from, to, changes, options) => {
      if (key === chartKey && to === 'BATCHED') {
        if (++waiting === parties) release();
        await allThere;
      }
      return charts.transition(key, version, from, to, changes, options);
    };
    return new Proxy(charts, {
      get: (target, name) => {
        if (name === 'transition') return transition;
        const value = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  it('puts a chart delivered twice at once, beside different charts, in exactly one manifest', async () => {
    const [a, b, c] = await Promise.all(['B-RACE-A', 'B-RACE-B', 'B-RACE-C'].map(clearedChart));
    if (!a || !b || !c) throw new Error('charts not created');
    const charts = racingOn(a, 2);
    // Two Lambda invocations, each with its own delivery: [A, B] and [A, C].
    const invocation = () =>
      createBillingHandoffService({
        ports: { ...pipeline.ports, charts },
        config: CONFIG,
        clock: systemClock,
      });
    const delivery = (...keys: string[]) =>
      keys.map((chartKey) => ({
        messageId: `race-${chartKey}`,
        body: { kind: 'chart', agencyId: 'test-agency', chartKey, version: 1 },
      }));
    const failed = await Promise.all([
      invocation().handle(delivery(a, b)),
      invocation().handle(delivery(a, c)),
    ]);
    expect(failed).toEqual([
      { failed: [], deferred: [] },
      { failed: [], deferred: [] },
    ]);

    // Each delivery made its own batch with A as a candidate: the race was run.
    const raced = (await batches()).filter((batch) => batch.candidates.some((m) => m.chartKey === a));
    expect(raced.map((batch) => batch.status)).toEqual(['HANDED_OFF', 'HANDED_OFF']);
    const manifests = await Promise.all(
      raced.map(async (batch) =>
        BatchManifest.parse(
          JSON.parse(await pipeline.ports.artifacts.getText('artifacts', batch.manifestKey ?? '')),
        ),
      ),
    );
    const inManifests = (chartKey: string) =>
      manifests.filter((m) => m.members.some((member) => member.chartKey === chartKey)).map((m) => m.batchId);
    // Each chart in exactly one manifest: the one of the batch its state names.
    for (const chartKey of [a, b, c]) {
      const state = await pipeline.ports.charts.get(chartKey, 1);
      expect(state?.status).toBe('BATCHED');
      expect(inManifests(chartKey)).toEqual([state?.batchId]);
    }
  });
});
