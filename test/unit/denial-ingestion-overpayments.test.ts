import { describe, expect, it } from 'vitest';
import { createIntakeService } from '#functions/intake/service.ts';
import { chartKeyOf, chartSubject, claimRefOf } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { S3EventMessage } from '#shared/model/messages.ts';
import { homeHealthChart } from '../support/charts.ts';
import {
  AGENCY,
  csv,
  type DenialHarness,
  denialHarness,
  interpose,
  START,
} from '../support/denial-ingestion-harness.ts';

const ACTOR = 'stage:denial-ingestion';
const PAID = 'claim_ref,status,charge,paid,reason_codes';
const PAYER_TYPES = ['medicare', 'medicaid', 'medicare_advantage', 'commercial', 'other'] as const;

/** A chart version through intake, then billed as billing handoff would (BATCHED, its claimRef indexed). */
async function intakeAndBill(h: DenialHarness, chart: ReturnType<typeof homeHealthChart>) {
  const intake = createIntakeService({ ports: h.mem.portsFor('intake'), config: h.config, clock: h.clock });
  const key = `exports/${AGENCY}/${chart.chartId}-v${chart.version}.json`;
  h.mem.put('intake', key, JSON.stringify(chart));
  await intake.handle(
    S3EventMessage.parse({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'test-intake' }, object: { key, eTag: 'e1' } },
        },
      ],
    }),
  );
  const chartKey = await chartKeyOf(h.mem.ports.keys, AGENCY, chart.chartId);
  const version = chart.version;
  const claimRef = claimRefOf(chartKey, version);
  const moved = await h.mem.ports.charts.transition(chartKey, version, ['RECEIVED'], 'BATCHED', {
    claimRef,
    batchId: `batch-${version}`,
  });
  if (!moved.ok) throw new Error('not taken in');
  await h.mem.ports.remittances.indexClaim(claimRef, { agencyId: AGENCY, chartKey, version });
  return { agencyId: AGENCY, chartKey, version, claimRef };
}

describe('denial ingestion: possible overpayments of corrected paid claims', () => {
  it.each(
    PAYER_TYPES.map((type) => [type, type === 'medicare' || type === 'medicaid' ? '2027-01-23' : undefined]),
  )('settles the overpayment a %s correction opened once the replacement is paid', async (type, dueBy) => {
    const h = denialHarness();
    const payer = { type, name: 'Synthetic payer' } as const;
    const v1 = await intakeAndBill(h, homeHealthChart({ chartId: 'O-1', payer }));
    await h.drop('remittances/test-agency/v1.csv', csv(PAID, `${v1.claimRef},paid,100,90,CO-45`));
    // Recoded after payment: intake opens a possible overpayment on version 1, dated by the 60-day rule
    // for Medicare and Medicaid only.
    h.setNow('2026-11-24T12:00:00.000Z');
    const v2 = await intakeAndBill(h, homeHealthChart({ chartId: 'O-1', version: 2, payer }));
    const opened = (await h.chart(v1))?.overpayment;
    expect(opened).toStrictEqual({
      identifiedAt: '2026-11-24T12:00:00.000Z',
      reason: 'corrected-after-payment',
      byVersion: 2,
      netPaid: 90,
      ...(dueBy ? { dueBy } : {}),
    });
    h.setNow('2026-11-30T12:00:00.000Z');
    await h.drop('remittances/test-agency/v2.csv', csv(PAID, `${v2.claimRef},paid,100,80,CO-45`));
    const [payment] = await h.records(v2);
    expect(await h.chart(v1)).toMatchObject({
      status: 'PAID',
      overpayment: { ...opened, resolvedAt: '2026-11-30T12:00:00.000Z' },
    });
    expect(h.events('overpayment.resolved').map(({ at: _at, ...e }) => e)).toEqual([
      {
        type: 'overpayment.resolved',
        agencyId: AGENCY,
        subject: chartSubject(v1.chartKey, 1),
        actor: ACTOR,
        idempotencyKey: 'overpayment-resolved',
        detail: { byVersion: 2, remitId: payment?.remitId },
      },
    ]);
  });
});

describe('denial ingestion: which payment settles which overpayment', () => {
  const open = (byVersion: number): Partial<ChartState> => ({
    status: 'PAID',
    overpayment: { identifiedAt: START, reason: 'corrected-after-payment', byVersion, dueBy: '2027-01-22' },
  });

  it('leaves the overpayment open while the replacement is denied', async () => {
    const h = denialHarness();
    const v1 = await h.billed('Z-1', open(2));
    const v2 = await h.billed('Z-1', { version: 2 });
    await h.drop('remittances/test-agency/d.csv', csv(PAID, `${v2.claimRef},denied,100,0,CO-50`));
    expect((await h.chart(v1))?.overpayment?.resolvedAt).toBeUndefined();
    expect(h.events('overpayment.resolved')).toEqual([]);
  });

  it('settles only the overpayment the paid version opened', async () => {
    const h = denialHarness();
    const v1 = await h.billed('Z-2', open(2));
    const v2 = await h.billed('Z-2', { version: 2, ...open(3) });
    const v3 = await h.billed('Z-2', { version: 3, status: 'DENIED' });
    await h.drop('remittances/test-agency/p.csv', csv(PAID, `${v3.claimRef},paid,100,80,`));
    expect((await h.chart(v1))?.overpayment?.resolvedAt).toBeUndefined();
    expect((await h.chart(v2))?.overpayment?.resolvedAt).toBe(START);
    expect(h.events('overpayment.resolved').map((e) => e.subject)).toEqual([chartSubject(v2.chartKey, 2)]);
  });

  it('pays a first version without reading the chart’s other versions', async () => {
    const h = denialHarness();
    const v1 = await h.billed('Z-3');
    let reads = 0;
    interpose(h.mem.ports.charts, 'versions', (original, ...args) => {
      reads++;
      return original(...args);
    });
    await h.drop('remittances/test-agency/p.csv', csv(PAID, `${v1.claimRef},paid,100,80,`));
    expect(reads).toBe(0);
    expect((await h.chart(v1))?.status).toBe('PAID');
  });

  it('settles nothing when the version it names is gone meanwhile', async () => {
    const h = denialHarness();
    const v1 = await h.billed('Z-4', open(2));
    const v2 = await h.billed('Z-4', { version: 2 });
    interpose(h.mem.ports.charts, 'transition', (original, ...args) =>
      args[1] === 1 ? Promise.resolve({ ok: false as const, current: undefined }) : original(...args),
    );
    await h.drop('remittances/test-agency/p.csv', csv(PAID, `${v2.claimRef},paid,100,80,`));
    expect((await h.chart(v1))?.overpayment?.resolvedAt).toBeUndefined();
    expect(h.events('overpayment.resolved')).toEqual([]);
    expect((await h.chart(v2))?.status).toBe('PAID');
  });

  it('fails the delivery after five writes lost to late answers on the older version', async () => {
    const h = denialHarness();
    const v1 = await h.billed('Z-5', open(2));
    const v2 = await h.billed('Z-5', { version: 2 });
    let writes = 0;
    interpose(h.mem.ports.charts, 'transition', async (original, ...args) => {
      if (args[1] !== 1) return original(...args);
      writes++;
      return { ok: false as const, current: await h.mem.ports.charts.get(v1.chartKey, 1) };
    });
    await expect(
      h.drop('remittances/test-agency/p.csv', csv(PAID, `${v2.claimRef},paid,100,80,`)),
    ).rejects.toThrow(`the overpayment on ${chartSubject(v1.chartKey, 1)} could not be resolved (PAID)`);
    expect(writes).toBe(5);
  });
});
