import { describe, expect, it } from 'vitest';
import type { ArtifactStore } from '#shared/aws/ports.ts';
import { batchCsv, membersSha256 } from '#shared/billing/batch-files.ts';
import { calendarFor, turnaround } from '#shared/billing/turnaround.ts';
import { chartSubject, claimRefOf, sha256Hex } from '#shared/identity/identifiers.ts';
import { BATCH_ID, BILLING_CONTRACT } from '#shared/model/batch.ts';
import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import {
  billingDesk,
  CALIFORNIA,
  type ClearedChart,
  DESK_START,
  GROUPING,
  OHIO,
} from '../support/billing-desk.ts';
import { expectNoPhiIn } from '../support/expect-no-phi.ts';

const warn = (ruleId: string): Finding => ({ ruleId, severity: 'warn', message: `${ruleId} warned` });

type Desk = ReturnType<typeof billingDesk>;

/** The turnaround billing handoff should put on a member: the shared clock over the chart file. */
async function turnaroundOf(desk: Desk, c: ClearedChart, qaAt?: string) {
  const chart = JSON.parse(await desk.mem.ports.artifacts.getText('artifacts', c.artifactKey)) as Chart;
  const agencyId = (await desk.state(c))?.agencyId ?? '';
  return turnaround(chart, { qaAt, batchedAt: DESK_START }, desk.config, calendarFor(desk.config, agencyId));
}

describe('billing handoff: what each member of a batch says', () => {
  it('bills a home health chart with its codes, HIPPS, distinct warn rules, frequency 9 and its file hash', async () => {
    const desk = billingDesk();
    const c = await desk.clear('HH-M1', {
      state: {
        grouping: GROUPING,
        // A query a clinician answered stays in the findings: only the warn findings reach billing.
        findings: [warn('HH-A'), warn('HH-A'), warn('HH-B'), { ...warn('HH-Q'), severity: 'query' }],
      },
    });
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    const manifest = await desk.manifest(ready);
    const text = await desk.mem.ports.artifacts.getText('artifacts', c.artifactKey);
    const expected = {
      chartKey: c.chartKey,
      version: 1,
      claimRef: claimRefOf(c.chartKey, 1),
      coderId: 'coder-a',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      periodFrom: '2026-10-01',
      periodThrough: '2026-10-30',
      artifactKey: c.artifactKey,
      sha256: sha256Hex(text),
      diagnoses: [
        { sequence: 1, code: 'I69.351' },
        { sequence: 2, code: 'I50.22' },
      ],
      findings: { warn: 3, ruleIds: ['HH-A', 'HH-B'] },
      claimKind: 'original',
      frequencyCode: '9',
      // Grouped by the shipped sample PDGM table: never the claim's HIPPS.
      flags: ['hipps-from-sample-pdgm'],
      sampleHipps: '1FC21',
      turnaround: await turnaroundOf(desk, c),
    };
    expect(manifest.members).toEqual([expected]);
    expect(manifest.flags).toEqual(['sample-hipps']);
    // The chart moved with what billing and the turnaround report need.
    expect(await desk.state(c)).toMatchObject({
      status: 'BATCHED',
      batchId: ready?.batchId,
      claimRef: expected.claimRef,
      batchedAt: DESK_START,
      readyForBillingAt: DESK_START,
      turnaround: expected.turnaround,
    });
    expect(expected.turnaround.codingSla).toMatchObject({ class: 'start-of-care', met: true });
    // The 835's CLP01 finds the chart by its claimRef.
    expect(await desk.mem.ports.remittances.findClaim(expected.claimRef)).toEqual({
      agencyId: CALIFORNIA,
      chartKey: c.chartKey,
      version: 1,
    });
  });

  it("bills the HIPPS a complete PDGM table grouped to as the claim's, and flags the batch if any member's is a sample's", async () => {
    const desk = billingDesk();
    const complete = await desk.clear('HH-M2', {
      state: { grouping: { ...GROUPING, pdgmVersion: 'CY2026', sample: false } },
    });
    const sample = await desk.clear('HH-M3', { state: { grouping: GROUPING } });
    await desk.service().handle([complete.item, sample.item]);
    const [ready] = desk.announced();
    const manifest = await desk.manifest(ready);
    const byKey = new Map(manifest.members.map((m) => [m.chartKey, m]));
    expect(byKey.get(complete.chartKey)).toMatchObject({ hipps: '1FC21', flags: [] });
    expect(byKey.get(complete.chartKey)).not.toHaveProperty('sampleHipps');
    expect(byKey.get(sample.chartKey)).toMatchObject({
      sampleHipps: '1FC21',
      flags: ['hipps-from-sample-pdgm'],
    });
    expect(manifest.flags).toEqual(['sample-hipps']);
    // `flagged` counts claims to look at one by one: the sample HIPPS is the whole batch's matter.
    expect(ready?.flagged).toBe(0);
    // Without the sample member, nothing is flagged.
    const alone = billingDesk();
    const only = await alone.clear('HH-M4', {
      state: { grouping: { ...GROUPING, pdgmVersion: 'CY2026', sample: false } },
    });
    await alone.service().handle([only.item]);
    expect((await alone.manifest(alone.announced()[0])).flags).toEqual([]);
  });

  it('bills a hospice chart without a frequency code, with the time QA took', async () => {
    const desk = billingDesk();
    const qa = { outcome: 'agree' as const, reviewerId: 'qa-1', reviewedAt: '2026-11-20T15:00:00.000Z' };
    const c = await desk.clear('HS-M1', { hospice: true, state: { status: 'QA_PASSED', qa } });
    await desk.service().handle([c.item]);
    const [member] = await desk.announcedMembers();
    expect(member).not.toHaveProperty('frequencyCode');
    expect(member).toMatchObject({ lineOfBusiness: 'hospice', claimKind: 'original', flags: [] });
    expect(member).not.toHaveProperty('qaCorrected');
    expect(member?.turnaround).toEqual(await turnaroundOf(desk, c, qa.reviewedAt));
    expect(member?.turnaround?.qaBusinessHours).toBeGreaterThan(0);
  });

  it('bills the chart QA corrected: its file, its hash and its codes', async () => {
    const desk = billingDesk();
    const correctedKey = 'charts/calif-agency/corrected/v1.json';
    const c = await desk.clear('HH-M2', {
      state: {
        status: 'QA_CORRECTED',
        qa: {
          outcome: 'corrected',
          reviewerId: 'qa-1',
          reviewedAt: '2026-11-20T15:00:00.000Z',
          correctedArtifactKey: correctedKey,
        },
      },
    });
    const corrected = { sequence: 2, code: 'I50.32', system: 'ICD-10-CM' };
    const chart = JSON.parse(await desk.mem.ports.artifacts.getText('artifacts', c.artifactKey));
    const correctedText = JSON.stringify({ ...chart, diagnoses: [chart.diagnoses[0], corrected] });
    desk.mem.put('artifacts', correctedKey, correctedText);
    await desk.service().handle([c.item]);
    const [member] = await desk.announcedMembers();
    expect(member).toMatchObject({
      artifactKey: correctedKey,
      sha256: sha256Hex(correctedText),
      qaCorrected: true,
      diagnoses: [
        { sequence: 1, code: 'I69.351' },
        { sequence: 2, code: 'I50.32' },
      ],
    });
  });

  it('bills a chart file without a period or codes as it stands', async () => {
    const desk = billingDesk();
    const c = await desk.clear('HH-M3', { chart: { period: undefined, diagnoses: undefined } });
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    const [member] = await desk.announcedMembers();
    expect(member?.diagnoses).toEqual([]);
    // A state without findings (validation found none to keep) bills no warn rules.
    expect(member?.findings).toEqual({ warn: 0, ruleIds: [] });
    expect(member).not.toHaveProperty('periodFrom');
    expect(member).not.toHaveProperty('periodThrough');
  });
});

describe('billing handoff: Review Choice Demonstration flags', () => {
  const flagged = ['review-choice-no-affirmed-pre-claim-review'];
  type Review = Chart['preClaimReview'];
  const cases: [string, string, Review, boolean, string[]][] = [
    ['an Ohio home health period without a pre-claim review', OHIO, undefined, false, flagged],
    [
      'an Ohio home health period with a non-affirmed decision',
      OHIO,
      { decision: 'non-affirmed' },
      false,
      flagged,
    ],
    ['an Ohio home health period with an affirmed decision', OHIO, { decision: 'affirmed' }, false, []],
    ['an Ohio hospice chart', OHIO, undefined, true, []],
    ['a California home health period', CALIFORNIA, undefined, false, []],
    ['a home health period of an agency with no state configured', 'test-agency', undefined, false, []],
  ];
  it.each(cases)('flags %s: %j', async (_what, agencyId, preClaimReview, hospice, flags) => {
    const desk = billingDesk();
    const c = await desk.clear('HH-R1', { agencyId, hospice, chart: { preClaimReview } });
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    expect(ready?.flagged).toBe(flags.length);
    expect((await desk.manifest(ready)).members[0]?.flags).toEqual(flags);
  });
});

describe('billing handoff: the batch billing receives', () => {
  async function handedOff() {
    const desk = billingDesk();
    // Two Ohio home health periods: one affirmed, one not (flagged).
    const a = await desk.clear('HH-B1', {
      agencyId: OHIO,
      chart: { preClaimReview: { decision: 'affirmed' } },
    });
    const b = await desk.clear('HH-B2', { agencyId: OHIO });
    expect(await desk.service().handle([a.item, b.item])).toEqual({ failed: [], deferred: [] });
    const announced = desk.announced();
    return { desk, a, b, announced, ready: announced[0] ?? expect.unreachable('no batch announced') };
  }

  it('makes a chart whose message came twice in one delivery one member, and lets both messages go', async () => {
    const desk = billingDesk();
    const a = await desk.clear('DUP-A', { agencyId: OHIO });
    const b = await desk.clear('DUP-B', { agencyId: OHIO });
    // A stage that lost a race re-sent A's message; both copies arrive in one delivery.
    const again = { ...a.item, messageId: `${a.item.messageId}-again` };
    expect(await desk.service().handle([a.item, again, b.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    expect(ready?.chartCount).toBe(2);
    const manifest = await desk.manifest(ready);
    expect(manifest.members.map((m) => m.chartKey).sort()).toEqual([a.chartKey, b.chartKey].sort());
  });

  it('announces one message with counts and the hashes of the files as stored', async () => {
    const { desk, announced, ready } = await handedOff();
    expect(announced).toHaveLength(1);
    const manifestKey = `batches/${OHIO}/${ready.batchId}.json`;
    const csvKey = `batches/${OHIO}/${ready.batchId}.csv`;
    expect(ready).toEqual({
      kind: 'batch-ready',
      contract: BILLING_CONTRACT,
      agencyId: OHIO,
      batchId: expect.stringMatching(/^b20261123-[0-9a-f]{12}$/),
      payerType: 'medicare',
      lineOfBusiness: 'home_health',
      billType: '0329',
      chartCount: 2,
      flagged: 1,
      manifestKey,
      manifestSha256: sha256Hex(await desk.mem.ports.artifacts.getText('artifacts', manifestKey)),
      csvKey,
      csvSha256: sha256Hex(await desk.mem.ports.artifacts.getText('artifacts', csvKey)),
      createdAt: DESK_START,
    });
    expectNoPhiIn(JSON.stringify(ready), 'the batch-ready message');
  });

  it('writes the manifest and the CSV to the artifacts bucket and the same bytes to the audit bucket', async () => {
    const { desk, a, b, ready } = await handedOff();
    const manifest = await desk.manifest(ready);
    expect(manifest).toEqual({
      schemaVersion: 2,
      contract: BILLING_CONTRACT,
      batchId: ready.batchId,
      agencyId: OHIO,
      payerType: 'medicare',
      lineOfBusiness: 'home_health',
      billType: '0329',
      createdAt: DESK_START,
      chartCount: 2,
      flags: [],
      members: expect.any(Array),
      membersSha256: membersSha256(manifest.members),
    });
    expect(manifest.batchId).toMatch(BATCH_ID);
    // In chart order, each with its own flags.
    const order = [a, b].sort((x, y) => x.chartKey.localeCompare(y.chartKey));
    expect(manifest.members.map((m) => [m.chartKey, m.flags.length])).toEqual(
      order.map((c) => [c.chartKey, c === b ? 1 : 0]),
    );
    const stored = (bucket: 'artifacts' | 'audit', key: string) =>
      desk.mem.ports.artifacts.getText(bucket, key);
    const manifestText = await stored('artifacts', ready.manifestKey);
    expect(manifestText).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
    expect(await stored('artifacts', ready.csvKey)).toBe(batchCsv(manifest));
    expect(await stored('audit', ready.manifestKey)).toBe(manifestText);
    expect(await stored('audit', ready.csvKey)).toBe(batchCsv(manifest));
  });

  it('stores the manifest as JSON and the rows as CSV, in both buckets', async () => {
    const desk = billingDesk();
    const c = await desk.clear('HH-B3');
    const artifacts = desk.mem.ports.artifacts;
    const stored: [string, string, string | undefined][] = [];
    const recording: ArtifactStore = {
      ...artifacts,
      async putText(bucket, key, body, contentType) {
        stored.push([bucket, key, contentType]);
        await artifacts.putText(bucket, key, body, contentType);
      },
    };
    expect(await desk.service({ artifacts: recording }).handle([c.item])).toEqual({
      failed: [],
      deferred: [],
    });
    const [ready] = desk.announced();
    const { manifestKey, csvKey } = ready ?? expect.unreachable('no batch announced');
    expect(stored).toEqual([
      ['artifacts', manifestKey, 'application/json'],
      ['artifacts', csvKey, 'text/csv'],
      ['audit', manifestKey, 'application/json'],
      ['audit', csvKey, 'text/csv'],
    ]);
  });

  it('records each member batched, then the batch handed off, in the audit log and the batch table', async () => {
    const { desk, a, b, ready } = await handedOff();
    const manifest = await desk.manifest(ready);
    const batched = desk.events('chart.batched').sort((x, y) => x.subject.localeCompare(y.subject));
    const expected = manifest.members
      .map((m) => ({
        type: 'chart.batched',
        agencyId: OHIO,
        subject: chartSubject(m.chartKey, m.version),
        actor: 'stage:billing-handoff',
        idempotencyKey: `batched:${ready.batchId}`,
        at: DESK_START,
        detail: {
          batchId: ready.batchId,
          claimRef: m.claimRef,
          sha256: m.sha256,
          flags: m.flags,
          claimKind: 'original',
        },
      }))
      .sort((x, y) => x.subject.localeCompare(y.subject));
    expect(batched).toEqual(expected);
    expect(expected.map((e) => e.subject).sort()).toEqual(
      [a, b].map((c) => chartSubject(c.chartKey, 1)).sort(),
    );
    expect(desk.events('batch.handed-off')).toEqual([
      {
        type: 'batch.handed-off',
        agencyId: OHIO,
        subject: `batch:${ready.batchId}`,
        actor: 'stage:billing-handoff',
        idempotencyKey: 'handed-off',
        at: DESK_START,
        detail: {
          manifestKey: ready.manifestKey,
          manifestSha256: ready.manifestSha256,
          chartCount: 2,
          flagged: 1,
        },
      },
    ]);
    expect(await desk.batches()).toEqual([
      expect.objectContaining({
        batchId: ready.batchId,
        status: 'HANDED_OFF',
        manifestKey: ready.manifestKey,
        chartCount: 2,
        handedOffAt: DESK_START,
      }),
    ]);
  });

  it('cuts a group at billing.maxBatchSize and keeps agencies, payers and lines of business apart', async () => {
    const desk = billingDesk({ billing: { maxBatchSize: 2 } });
    const items = [];
    for (const id of ['HH-G1', 'HH-G2', 'HH-G3']) items.push((await desk.clear(id)).item);
    items.push((await desk.clear('HS-G4', { hospice: true })).item);
    items.push((await desk.clear('HH-G5', { chart: { payer: { type: 'medicaid' } } })).item);
    items.push((await desk.clear('HH-G6', { agencyId: OHIO })).item);
    expect(await desk.service().handle(items)).toEqual({ failed: [], deferred: [] });
    const announced = desk.announced();
    expect(
      announced.map((r) => [r.agencyId, r.payerType, r.lineOfBusiness, r.billType, r.chartCount]),
    ).toEqual([
      [CALIFORNIA, 'medicaid', 'home_health', '0329', 1],
      [CALIFORNIA, 'medicare', 'home_health', '0329', 2],
      [CALIFORNIA, 'medicare', 'home_health', '0329', 1],
      [CALIFORNIA, 'medicare', 'hospice', '081x', 1],
      [OHIO, 'medicare', 'home_health', '0329', 1],
    ]);
    expect(new Set(announced.map((r) => r.batchId)).size).toBe(5);
  });
});

describe('billing handoff: replacement claims', () => {
  it('bills a later version of a billed chart as the replacement of the newest billed claim', async () => {
    const desk = billingDesk();
    const v1 = await desk.clear('HH-V', {
      state: {
        version: 1,
        status: 'PAID',
        claimRef: 'CT0000000000000001',
        batchId: 'b20261101-000000000001',
      },
    });
    // The newest billed version: a replacement itself, denied. Its claim is the one to replace.
    await desk.clear('HH-V', {
      state: {
        version: 2,
        status: 'DENIED',
        claimRef: 'CT0000000000000002',
        batchId: 'b20261110-000000000002',
      },
    });
    // Rejected by validation, never billed.
    await desk.clear('HH-V', { state: { version: 3, status: 'REJECTED' } });
    const v4 = await desk.clear('HH-V', { state: { version: 4 } });
    expect(await desk.service().handle([v4.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    const [member] = (await desk.manifest(ready)).members;
    expect(member).toMatchObject({
      version: 4,
      claimKind: 'replacement',
      frequencyCode: '7',
      replaces: { version: 2, claimRef: 'CT0000000000000002', batchId: 'b20261110-000000000002' },
    });
    expect(desk.events('chart.batched')[0]?.detail).toMatchObject({ claimKind: 'replacement' });
    expect(await desk.state(v1)).toMatchObject({ status: 'PAID' });
  });

  it('names no batch for a replaced claim whose version holds none, and bills hospice replacements with 7', async () => {
    const desk = billingDesk();
    await desk.clear('HS-V', {
      hospice: true,
      state: { version: 1, status: 'BATCHED', claimRef: 'CT0000000000000003' },
    });
    const v2 = await desk.clear('HS-V', { hospice: true, state: { version: 2, status: 'QA_PASSED' } });
    await desk.service().handle([v2.item]);
    const [member] = await desk.announcedMembers();
    expect(member?.replaces).toEqual({ version: 1, claimRef: 'CT0000000000000003' });
    expect(member?.frequencyCode).toBe('7');
  });

  it('bills an original claim when the older version never reached a payer (its batch was rejected)', async () => {
    const desk = billingDesk();
    // Sent back by billing, then superseded by version 2: it keeps the claimRef of the refused batch.
    await desk.clear('HH-W', { state: { version: 1, status: 'SUPERSEDED', claimRef: 'CT0000000000000004' } });
    const v2 = await desk.clear('HH-W', { state: { version: 2 } });
    await desk.service().handle([v2.item]);
    const [member] = await desk.announcedMembers();
    expect(member).toMatchObject({ claimKind: 'original', frequencyCode: '9' });
    expect(member).not.toHaveProperty('replaces');
  });
});

describe('billing handoff: the coding SLA', () => {
  // Locked Sunday 2026-11-01 15:00 UTC; coded Thursday: more than 48 hours on working days.
  const late = { codingCompletedAt: '2026-11-05T15:00:00Z' };

  it('records a missed coding SLA in the audit log and as a CodingSlaBreached metric, once per chart', async () => {
    const desk = billingDesk();
    const missed = await desk.clear('HH-S1', { chart: late });
    const met = await desk.clear('HH-S2');
    expect(await desk.service().handle([missed.item, met.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    const members = (await desk.manifest(ready)).members;
    const turnaroundOf = members.find((m) => m.chartKey === missed.chartKey)?.turnaround;
    expect(turnaroundOf?.codingSla).toEqual({
      class: 'start-of-care',
      limit: '48 hours on working days',
      met: false,
    });
    expect(desk.events('chart.coding-sla-breached')).toEqual([
      {
        type: 'chart.coding-sla-breached',
        agencyId: CALIFORNIA,
        subject: chartSubject(missed.chartKey, 1),
        actor: 'stage:billing-handoff',
        idempotencyKey: 'coding-sla',
        at: DESK_START,
        detail: { coderId: 'coder-a', sla: turnaroundOf?.codingSla, codingHours: turnaroundOf?.codingHours },
      },
    ]);
    expect(turnaroundOf?.codingHours).toBeGreaterThan(48);
    expect(desk.metrics).toEqual([['CodingSlaBreached', 1]]);
  });

  it('still hands the batch off when the stage publishes no metrics', async () => {
    const desk = billingDesk();
    const missed = await desk.clear('HH-S3', { chart: late });
    expect(await desk.service({}, { metrics: false }).handle([missed.item])).toEqual({
      failed: [],
      deferred: [],
    });
    expect(desk.announced()).toHaveLength(1);
    expect(desk.events('chart.coding-sla-breached')).toHaveLength(1);
  });

  it('leaves a member without turnaround, still batched, when the agency time zone cannot be read', async () => {
    const desk = billingDesk({ agencies: [{ id: CALIFORNIA, timeZone: 'Mars/Olympus_Mons' }] });
    const c = await desk.clear('HH-S4', { chart: late });
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    const [member] = await desk.announcedMembers();
    expect(member).toBeDefined();
    expect(member).not.toHaveProperty('turnaround');
    expect(Object.keys((await desk.state(c)) ?? {})).not.toContain('turnaround');
    expect(desk.events('chart.coding-sla-breached')).toEqual([]);
  });
});
