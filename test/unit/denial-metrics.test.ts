import { describe, expect, it } from 'vitest';
import { summarise } from '#functions/denial-ingestion/apply-claim.ts';
import { denialMetrics } from '#shared/metrics/denial-metrics.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';

let n = 0;
function rec(
  chart: string,
  disposition: RemittanceRecord['disposition'],
  payment: number,
  extra: Partial<RemittanceRecord> = {},
): RemittanceRecord {
  n++;
  return {
    remitId: `r${n}`,
    agencyId: 'a',
    chartKey: chart,
    version: 1,
    claimRef: `CT${chart}`,
    disposition,
    statusCode: disposition === 'paid' ? '1' : disposition === 'denied' ? '4' : '22',
    charge: 100,
    payment,
    patientResponsibility: 0,
    reasonCodes: [],
    remarkCodes: [],
    coderRelated: false,
    payerId: 'MAC',
    receivedAt: `2026-11-20T10:00:${String(n).padStart(2, '0')}Z`,
    sequence: `2026-11-20#T1#${String(n).padStart(8, '0')}`,
    sourceObject: 'ob1',
    sourceRecord: `line ${n}`,
    ...extra,
  };
}

describe('denialMetrics', () => {
  it('counts claims, not records: a reversal and its correction, a denial then a payment', () => {
    const records = [
      rec('c1', 'paid', 90),
      rec('c2', 'paid', 80),
      rec('c2', 'reversal', -80),
      rec('c2', 'paid', 70),
      rec('c3', 'denied', 0, {
        family: 'coding',
        coderRelated: true,
        reasonCodes: ['CO-146', 'CO-45'],
        reasonFamilies: { 'CO-146': 'coding', 'CO-45': 'contractual' },
      }),
      rec('c3', 'paid', 95),
      rec('c4', 'denied', 0, { family: 'authorization', reasonCodes: ['CO-197'], payerId: 'MCD' }),
      rec('c5', 'informational', 0),
    ];
    const m = denialMetrics({ records, charts: [], now: new Date('2026-11-25T00:00:00Z') });
    expect(m).toMatchObject({ claims: 4, denied: 2, codingDenied: 1, firstPassPaid: 2, netPaid: 255 });
    expect(m.denialRate).toBe(0.5);
    expect(m.codingDenialRate).toBe(0.25);
    expect(m.cleanClaimRate).toBe(0.5);
    expect(m.byPayer).toEqual([
      { payer: 'MAC', claims: 3, denied: 1, denialRate: 1 / 3 },
      { payer: 'MCD', claims: 1, denied: 1, denialRate: 1 },
    ]);
    // CO-45 beside CO-146 explains an amount: not a reason the claim was denied.
    expect(m.byCarc.map((c) => [c.code, c.family, c.deniedClaims])).toEqual([
      ['CO-146', 'coding', 1],
      ['CO-197', 'authorization', 1],
    ]);
    expect(m.byFamily.map((f) => [f.family, f.deniedClaims])).toEqual([
      ['authorization', 1],
      ['coding', 1],
    ]);
  });

  it('judges a claim answered inside the window on all its answers', () => {
    const records = [
      rec('w1', 'denied', 10, { receivedAt: '2026-01-10T00:00:00Z', sequence: '2026-01-10#a#1' }),
      rec('w1', 'paid', 90, { receivedAt: '2026-02-10T00:00:00Z', sequence: '2026-02-10#b#1' }),
      rec('w2', 'paid', 50, { receivedAt: '2026-01-05T00:00:00Z', sequence: '2026-01-05#c#1' }),
    ];
    const m = denialMetrics({
      records,
      charts: [],
      now: new Date('2026-03-01T00:00:00Z'),
      since: '2026-02-01',
    });
    // Net paid is the money applied inside the window: the partial payment before it is not counted.
    expect(m).toMatchObject({ claims: 1, denied: 1, firstPassPaid: 0, cleanClaimRate: 0, netPaid: 90 });
  });

  it('ages rework and finds overpayments past their deadline', () => {
    const charts = [
      { rework: { openedAt: '2026-11-15T00:00:00Z', denialId: 'd', family: 'coding', reasonCodes: [] } },
      { rework: { openedAt: '2026-11-21T00:00:00Z', denialId: 'd', family: 'coding', reasonCodes: [] } },
      {
        rework: {
          openedAt: '2026-11-01T00:00:00Z',
          closedAt: '2026-11-04T12:00:00Z',
          denialId: 'd',
          family: 'documentation',
          reasonCodes: [],
        },
      },
      {
        overpayment: {
          identifiedAt: '2026-09-01T00:00:00Z',
          dueBy: '2026-10-31',
          reason: 'corrected-after-payment',
          byVersion: 2,
        },
      },
      {
        overpayment: {
          identifiedAt: '2026-11-01T00:00:00Z',
          dueBy: '2026-12-31',
          reason: 'corrected-after-payment',
          byVersion: 2,
        },
      },
    ] as unknown as ChartState[];
    const m = denialMetrics({ records: [], charts, now: new Date('2026-11-25T00:00:00Z') });
    expect(m.rework).toEqual({
      open: 2,
      closed: 1,
      medianOpenAgeDays: 7,
      oldestOpenAgeDays: 10,
      medianDaysToClose: 3.5,
    });
    expect(m.overpayments).toEqual({ open: 2, overdue: 1, nextDueBy: '2026-12-31' });
    expect(m.denialRate).toBeUndefined();
  });

  it('gives the denial rate by the billed principal category, QA-corrected category included', () => {
    const records = [
      rec('k1', 'denied', 0, { coderRelated: true }),
      rec('k2', 'paid', 90),
      rec('k3', 'denied', 0),
      rec('k4', 'paid', 80),
    ];
    const charts = [
      { chartKey: 'k1', version: 1, principalCategory: 'I50', denial: { category: 'I11' } },
      { chartKey: 'k2', version: 1, principalCategory: 'I11' },
      { chartKey: 'k3', version: 1, principalCategory: 'E11' },
    ] as unknown as ChartState[];
    const m = denialMetrics({ records, charts, now: new Date('2026-11-25T00:00:00Z') });
    expect(m.byCategory).toEqual([
      { category: 'I11', claims: 2, denied: 1, codingDenied: 1, denialRate: 0.5 },
      { category: 'E11', claims: 1, denied: 1, codingDenied: 0, denialRate: 1 },
      { category: 'unknown', claims: 1, denied: 0, codingDenied: 0, denialRate: 0 },
    ]);
  });

  it("summarises a chart's records: net paid, first and last answers", () => {
    expect(
      summarise([
        rec('x', 'paid', 50),
        rec('x', 'reversal', -50),
        rec('x', 'informational', 0),
        rec('x', 'paid', 40.1),
      ]),
    ).toMatchObject({
      netPaid: 40.1,
      adjudications: 3,
      firstDisposition: 'paid',
      lastDisposition: 'paid',
      payerId: 'MAC',
    });
    expect(summarise([])).toBeUndefined();
  });
});
