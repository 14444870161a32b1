import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartKeyOf, claimRefOf, memberKeyOf } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import type { ConfigInput } from '#shared/model/config.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { failOnce } from '../support/fail-once.ts';
import { AGENCY, intake, START } from '../support/intake-harness.ts';
import { s3Event } from '../support/memory-ports.ts';

const CHART_ID = 'TC-1';
const line = (overrides: Partial<ChartInput> = {}) =>
  JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: CHART_ID, ...overrides }));
const file = (version: number) => `exports/test-agency/v${version}.ndjson`;

async function setup(config: ConfigInput = {}) {
  const t = intake(config);
  const key = await chartKeyOf(t.mem.ports.keys, AGENCY, CHART_ID);
  const events = (type: string, version: number) =>
    t.mem.events().filter((e) => e.type === type && e.subject === `chart:${key}:v${version}`);
  const dropVersion = (version: number, overrides: Partial<ChartInput> = {}) =>
    t.drop(file(version), line({ version, ...overrides }), `e${version}`);
  return { t, key, events, dropVersion };
}

/** Version 1 taken in and billed to `status` (with `changes`), then version 2 dropped. */
async function correctBilled(
  status: ChartStatus,
  changes: Partial<ChartState> = {},
  config: ConfigInput = {},
) {
  const s = await setup(config);
  await s.dropVersion(1, {
    payer: { type: (changes.payerType ?? 'medicare') as ChartInput['payer']['type'] },
  });
  const billed = { claimRef: claimRefOf(s.key, 1), batchId: 'b20261120-000000000001', ...changes };
  await s.t.mem.ports.charts.transition(s.key, 1, ['RECEIVED'], status, billed);
  return s;
}

const REMITTANCE = (netPaid: number) => ({
  netPaid,
  lastDisposition: 'paid' as const,
  lastAt: '2026-11-20T00:00:00Z',
  adjudications: 1,
  firstDisposition: 'paid' as const,
});

describe('a chart taken in', () => {
  it("indexes its patient's member id as a keyed HMAC, with its period, and nothing when it has none", async () => {
    const { t, key, dropVersion } = await setup();
    await dropVersion(1, {
      payer: { type: 'medicare', memberId: '1EG4-TE5-MK73' },
      period: { from: '2026-09-01', through: '2026-10-30' },
    });
    // Dropped again (a redelivery): the same entry, once.
    await dropVersion(1, {
      payer: { type: 'medicare', memberId: '1EG4-TE5-MK73' },
      period: { from: '2026-09-01', through: '2026-10-30' },
    });
    const memberKey = await memberKeyOf(t.mem.ports.keys, AGENCY, '1eg4te5mk73');
    expect(await t.mem.ports.members.charts(AGENCY, memberKey)).toEqual([
      {
        agencyId: AGENCY,
        memberKey,
        chartKey: key,
        version: 1,
        periodFrom: '2026-09-01',
        periodThrough: '2026-10-30',
      },
    ]);
    // Another agency's patient with the same id is another key.
    expect(await memberKeyOf(t.mem.ports.keys, 'other-agency', '1EG4-TE5-MK73')).not.toBe(memberKey);
    // A chart with no member id is indexed under nothing (not under the key of an empty id).
    await t.drop(
      'exports/test-agency/none.ndjson',
      JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: 'TC-2', payer: { type: 'commercial' } })),
    );
    expect(await t.mem.ports.members.charts(AGENCY, await memberKeyOf(t.mem.ports.keys, AGENCY, ''))).toEqual(
      [],
    );
    expect(await t.mem.ports.members.charts(AGENCY, memberKey)).toHaveLength(1);
  });

  it('is stored content-addressed, with its state, and audited with its object, coder and content hash', async () => {
    const { t, key, events } = await setup();
    const text = line();
    await t.drop(file(1), text);
    const hash = createHash('sha256').update(text).digest('hex');
    const artifactKey = `charts/${AGENCY}/${key}/v1-${hash.slice(0, 12)}.json`;
    expect(JSON.parse(t.mem.objects.get(`test-artifacts/${artifactKey}`) ?? '{}')).toEqual({
      schemaVersion: 1,
      ...JSON.parse(text),
    });
    expect(await t.mem.ports.charts.get(key, 1)).toEqual({
      chartKey: key,
      version: 1,
      agencyId: AGENCY,
      status: 'RECEIVED',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      coderId: 'coder-a',
      contentHash: hash,
      artifactKey,
      sourceObject: t.objectId(file(1)),
      sourceRecord: 'line 1, byte 0',
      receivedAt: START,
      updatedAt: START,
      codingCompletedAt: '2026-11-02T10:00:00Z',
      documentationLockedAt: '2026-11-01T15:00:00Z',
    });
    expect(events('chart.received', 1)).toEqual([
      {
        type: 'chart.received',
        agencyId: AGENCY,
        subject: `chart:${key}:v1`,
        actor: 'stage:intake',
        idempotencyKey: 'received',
        at: START,
        detail: { objectId: t.objectId(file(1)), coderId: 'coder-a', contentHash: hash },
      },
    ]);
    expect(t.mem.take('validate')).toEqual([{ kind: 'chart', agencyId: AGENCY, chartKey: key, version: 1 }]);
  });

  it('keeps no documentation lock time for a chart that has none', async () => {
    const t = intake();
    await t.drop(file(1), JSON.stringify(hospiceChart({ agencyId: AGENCY, chartId: CHART_ID })));
    const state = await t.mem.ports.charts.get(await chartKeyOf(t.mem.ports.keys, AGENCY, CHART_ID), 1);
    expect(state?.status).toBe('RECEIVED');
    expect(Object.keys(state ?? {})).not.toContain('documentationLockedAt');
  });

  it("quarantines a chart of another agency than the folder's, storing nothing", async () => {
    const t = intake();
    await t.drop(file(1), JSON.stringify(homeHealthChart({ agencyId: 'other-agency', chartId: CHART_ID })));
    const receipt = t.receipt(file(1));
    expect(receipt?.counts).toEqual({ read: 1, accepted: 0, quarantined: 1, superseded: 0, duplicates: 0 });
    expect(t.report(receipt).issues).toEqual([
      { line: 1, path: 'agencyId', reason: 'chart belongs to another agency than exports/test-agency/' },
    ]);
    expect([...t.mem.objects.keys()].filter((k) => k.startsWith('test-artifacts/charts/'))).toEqual([]);
  });

  it('quarantines a second export of a version with other content, and keeps both artifacts', async () => {
    const { t } = await setup();
    await t.drop('exports/test-agency/a.ndjson', line());
    await t.drop('exports/test-agency/b.ndjson', line({ coderId: 'coder-z' }), 'e2');
    const receipt = t.receipt('exports/test-agency/b.ndjson', 'e2');
    expect(receipt?.counts).toEqual({ read: 1, accepted: 0, quarantined: 1, superseded: 0, duplicates: 0 });
    expect(t.report(receipt).issues).toEqual([
      { line: 1, path: 'version', reason: 'version 1 was already received with other content' },
    ]);
    expect([...t.mem.objects.keys()].filter((k) => k.startsWith('test-artifacts/charts/'))).toHaveLength(2);
  });

  it('counts the same chart from another drop as a duplicate, forwarded only while still RECEIVED', async () => {
    const { t, key } = await setup();
    await t.drop('exports/test-agency/a.ndjson', line());
    await t.drop('exports/test-agency/b.ndjson', line(), 'e2');
    expect(t.receipt('exports/test-agency/b.ndjson', 'e2')?.counts.duplicates).toBe(1);
    expect(t.mem.take('validate')).toHaveLength(2);
    await t.mem.ports.charts.transition(key, 1, ['RECEIVED'], 'VALIDATED');
    await t.drop('exports/test-agency/c.ndjson', line(), 'e3');
    expect(t.receipt('exports/test-agency/c.ndjson', 'e3')?.counts.duplicates).toBe(1);
    expect(t.mem.take('validate')).toEqual([]);
  });
});

describe('an older version than one received', () => {
  it('is superseded when it arrives late, or a duplicate when another drop brought it already', async () => {
    const { t, key, events } = await setup();
    await t.drop(file(2), line({ version: 2 }), 'e2');
    await t.drop('exports/test-agency/a.ndjson', line(), 'ea');
    await t.drop('exports/test-agency/b.ndjson', line(), 'eb');
    expect(t.receipt('exports/test-agency/a.ndjson', 'ea')?.counts.superseded).toBe(1);
    expect(t.receipt('exports/test-agency/b.ndjson', 'eb')?.counts.duplicates).toBe(1);
    expect(await t.mem.ports.charts.get(key, 1)).toMatchObject({ status: 'SUPERSEDED', supersededBy: 2 });
    expect(events('chart.superseded', 1)).toEqual([
      {
        type: 'chart.superseded',
        agencyId: AGENCY,
        subject: `chart:${key}:v1`,
        actor: 'stage:intake',
        idempotencyKey: 'superseded',
        at: START,
        detail: { newerVersion: 2 },
      },
    ]);
  });

  it('stays as it is when already billed, and is not audited as superseded', async () => {
    const { t, key, events, dropVersion } = await correctBilled('BATCHED');
    await dropVersion(2);
    // The same version 1 again, from another file.
    await t.drop('exports/test-agency/again.ndjson', line({ payer: { type: 'medicare' } }), 'e9');
    expect(t.receipt('exports/test-agency/again.ndjson', 'e9')?.counts.duplicates).toBe(1);
    expect((await t.mem.ports.charts.get(key, 1))?.status).toBe('BATCHED');
    expect(events('chart.superseded', 1)).toEqual([]);
  });

  it('names the version that superseded it first, when that audit was lost in a crash', async () => {
    const { t, events, dropVersion } = await setup();
    await dropVersion(1);
    failOnce(t.mem.ports.audit, 'record', (e) => e.type === 'chart.superseded', 'DynamoDB throttled');
    await expect(dropVersion(2)).rejects.toThrow('DynamoDB throttled');
    await dropVersion(3);
    expect(events('chart.superseded', 1).map((e) => e.detail)).toEqual([{ newerVersion: 2 }]);
  });

  it('is left alone when the store no longer finds it', async () => {
    const { t, events, dropVersion } = await setup();
    await dropVersion(1);
    const transition = t.mem.ports.charts.transition;
    t.mem.ports.charts.transition = async (...args) =>
      args[3] === 'SUPERSEDED'
        ? { ok: false, current: undefined }
        : transition.apply(t.mem.ports.charts, args);
    await dropVersion(2);
    expect(t.receipt(file(2), 'e2')?.counts.accepted).toBe(1);
    expect(events('chart.superseded', 1)).toEqual([]);
  });
});

describe('a corrected version of a billed chart', () => {
  it('opens a void/replace item on the newer version', async () => {
    const { key, events, dropVersion } = await correctBilled('BATCHED');
    await dropVersion(2);
    expect(events('chart.void-replace-opened', 2)).toEqual([
      {
        type: 'chart.void-replace-opened',
        agencyId: AGENCY,
        subject: `chart:${key}:v2`,
        actor: 'stage:intake',
        idempotencyKey: 'void-replace:1',
        at: START,
        detail: {
          replacesVersion: 1,
          replacesClaimRef: claimRefOf(key, 1),
          batchId: 'b20261120-000000000001',
          status: 'BATCHED',
        },
      },
    ]);
  });

  it("closes a denied version's open rework item", async () => {
    const rework = {
      openedAt: '2026-11-21T00:00:00Z',
      denialId: 'dn-1',
      family: 'coding' as const,
      reasonCodes: ['16'],
    };
    const { t, key, events, dropVersion } = await correctBilled('DENIED', { rework });
    t.later('2026-11-23T15:00:00.000Z');
    await dropVersion(2);
    expect((await t.mem.ports.charts.get(key, 1))?.rework).toEqual({
      ...rework,
      closedAt: '2026-11-23T15:00:00.000Z',
      closedByVersion: 2,
    });
    expect(events('rework.closed', 1)).toEqual([
      {
        type: 'rework.closed',
        agencyId: AGENCY,
        subject: `chart:${key}:v1`,
        actor: 'stage:intake',
        idempotencyKey: 'rework-closed',
        at: '2026-11-23T15:00:00.000Z',
        detail: { denialId: 'dn-1', byVersion: 2 },
      },
    ]);
    expect(events('overpayment.opened', 1)).toEqual([]);
  });

  it('records the rework closing a crash lost, on the retry', async () => {
    const rework = {
      openedAt: '2026-11-21T00:00:00Z',
      denialId: 'dn-1',
      family: 'coding' as const,
      reasonCodes: ['16'],
    };
    const { t, events, dropVersion } = await correctBilled('DENIED', { rework });
    failOnce(t.mem.ports.audit, 'record', (e) => e.type === 'rework.closed', 'DynamoDB throttled');
    await expect(dropVersion(2)).rejects.toThrow('DynamoDB throttled');
    t.later('2026-11-24T12:00:00.000Z');
    await t.service.handle(s3Event('test-intake', file(2), 'e2'));
    expect(events('rework.closed', 1).map((e) => e.detail)).toEqual([{ denialId: 'dn-1', byVersion: 2 }]);
  });

  it('leaves a rework item closed already as it was, and audits its closing by the version that closed it', async () => {
    const rework = {
      openedAt: '2026-11-21T00:00:00Z',
      denialId: 'dn-1',
      family: 'coding' as const,
      reasonCodes: ['16'],
      closedAt: '2026-11-22T00:00:00Z',
      closedByVersion: 2,
    };
    const { t, key, events, dropVersion } = await correctBilled('DENIED', { rework });
    await dropVersion(3);
    expect((await t.mem.ports.charts.get(key, 1))?.rework).toEqual(rework);
    expect(events('rework.closed', 1).map((e) => e.detail)).toEqual([{ denialId: 'dn-1', byVersion: 2 }]);
  });

  it('audits no closing when the rework item could not be written', async () => {
    const rework = {
      openedAt: '2026-11-21T00:00:00Z',
      denialId: 'dn-1',
      family: 'coding' as const,
      reasonCodes: ['16'],
    };
    const { t, events, dropVersion } = await correctBilled('DENIED', { rework });
    const transition = t.mem.ports.charts.transition;
    t.mem.ports.charts.transition = async (...args) =>
      args[3] === 'DENIED' ? { ok: false, current: undefined } : transition.apply(t.mem.ports.charts, args);
    await dropVersion(2);
    expect(events('rework.closed', 1)).toEqual([]);
  });

  it.each<[string, ChartStatus, Partial<ChartState>]>([
    ['paid', 'PAID', { remittance: REMITTANCE(900) }],
    ['paid with no remittance summary', 'PAID', {}],
    ['adjusted to less, still paid', 'ADJUSTED', { remittance: REMITTANCE(50) }],
  ])('opens an overpayment item on a version %s, due in 60 days for Medicare', async (_, status, changes) => {
    const { t, key, events, dropVersion } = await correctBilled(status, changes);
    await dropVersion(2);
    const netPaid = changes.remittance ? { netPaid: changes.remittance.netPaid } : {};
    expect((await t.mem.ports.charts.get(key, 1))?.overpayment).toEqual({
      identifiedAt: START,
      reason: 'corrected-after-payment',
      byVersion: 2,
      ...netPaid,
      dueBy: '2027-01-22',
    });
    expect(events('overpayment.opened', 1)).toEqual([
      {
        type: 'overpayment.opened',
        agencyId: AGENCY,
        subject: `chart:${key}:v1`,
        actor: 'stage:intake',
        idempotencyKey: 'overpayment',
        at: START,
        detail: { dueBy: '2027-01-22', byVersion: 2, claimRef: claimRefOf(key, 1) },
      },
    ]);
  });

  it.each<[string, ChartStatus, Partial<ChartState>]>([
    ['adjusted to nothing', 'ADJUSTED', { remittance: REMITTANCE(0) }],
    ['adjusted with no remittance summary', 'ADJUSTED', {}],
    ['denied', 'DENIED', { remittance: REMITTANCE(0) }],
    ['denied after a payment', 'DENIED', { remittance: REMITTANCE(100) }],
    ['batched', 'BATCHED', {}],
  ])('opens no overpayment item on a version %s', async (_, status, changes) => {
    const { t, key, events, dropVersion } = await correctBilled(status, changes);
    await dropVersion(2);
    expect((await t.mem.ports.charts.get(key, 1))?.overpayment).toBeUndefined();
    expect(events('overpayment.opened', 1)).toEqual([]);
  });

  it.each<[ChartInput['payer']['type'], string | undefined]>([
    ['medicare', '2027-01-22'],
    ['medicaid', '2027-01-22'],
    ['commercial', undefined],
    ['medicare_advantage', undefined],
  ])('gives a %s overpayment a report-and-return date of %s', async (payerType, dueBy) => {
    const { t, key, events, dropVersion } = await correctBilled('PAID', { payerType });
    await dropVersion(2, { payer: { type: payerType } });
    expect((await t.mem.ports.charts.get(key, 1))?.overpayment?.dueBy).toBe(dueBy);
    const detail = events('overpayment.opened', 1)[0]?.detail;
    expect(detail).toEqual({ ...(dueBy ? { dueBy } : {}), byVersion: 2, claimRef: claimRefOf(key, 1) });
  });

  it("counts the days from the agency's local day, as many as denials.overpaymentDays says", async () => {
    const { t, key, dropVersion } = await correctBilled('PAID', {}, { denials: { overpaymentDays: 30 } });
    // Three in the morning in UTC is still the evening before in New York.
    t.later('2026-11-24T03:00:00.000Z');
    await dropVersion(2);
    expect((await t.mem.ports.charts.get(key, 1))?.overpayment?.dueBy).toBe('2026-12-23');
  });

  it('records the overpayment audit a crash lost on the retry, with the date first set', async () => {
    const { t, events, dropVersion } = await correctBilled('PAID');
    failOnce(t.mem.ports.audit, 'record', (e) => e.type === 'overpayment.opened', 'DynamoDB throttled');
    await expect(dropVersion(2)).rejects.toThrow('DynamoDB throttled');
    t.later('2026-11-25T12:00:00.000Z');
    await t.service.handle(s3Event('test-intake', file(2), 'e2'));
    expect(events('overpayment.opened', 1).map((e) => e.detail)).toEqual([
      { dueBy: '2027-01-22', byVersion: 2, claimRef: expect.any(String) },
    ]);
  });

  it('records an overpayment audit a crash lost when a later version comes before the retry', async () => {
    const { t, events, dropVersion } = await correctBilled('PAID');
    failOnce(t.mem.ports.audit, 'record', (e) => e.type === 'overpayment.opened', 'DynamoDB throttled');
    await expect(dropVersion(2)).rejects.toThrow('DynamoDB throttled');
    t.later('2026-11-25T12:00:00.000Z');
    await dropVersion(3);
    // Under the version that opened the item, with the date it was given.
    expect(events('overpayment.opened', 1).map((e) => e.detail)).toEqual([
      { dueBy: '2027-01-22', byVersion: 2, claimRef: expect.any(String) },
    ]);
  });

  it('audits nothing for a version that lost the race to open the item', async () => {
    const { t, key, events, dropVersion } = await correctBilled('PAID');
    failOnce(t.mem.ports.audit, 'record', (e) => e.type === 'overpayment.opened', 'DynamoDB throttled');
    await expect(dropVersion(2)).rejects.toThrow('DynamoDB throttled');
    // Version 3 read version 1 before version 2 opened the item.
    const versions = t.mem.ports.charts.versions;
    t.mem.ports.charts.versions = async (chartKey) =>
      (await versions.call(t.mem.ports.charts, chartKey)).map(({ overpayment, ...s }) => s);
    await dropVersion(3);
    expect(events('overpayment.opened', 1)).toEqual([]);
    expect((await t.mem.ports.charts.get(key, 1))?.overpayment?.byVersion).toBe(2);
  });
});
