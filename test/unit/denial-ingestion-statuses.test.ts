import { describe, expect, it } from 'vitest';
import { chartSubject, payerClaimKeyOf } from '#shared/identity/identifiers.ts';
import type { ChartStatus } from '#shared/model/chart-state.ts';
import { x835 } from '../support/denial-ingestion-835.ts';
import { AGENCY, csv, denialHarness, START } from '../support/denial-ingestion-harness.ts';

const ACTOR = 'stage:denial-ingestion';

/** Every CLP02 code the reader knows, and what it does to the billed version. */
const STATUS_CODES: {
  code: string;
  paid: number;
  cas?: string[];
  status: ChartStatus;
  disposition?: string;
}[] = [
  { code: '1', paid: 90, cas: ['CO*45*10.00'], status: 'PAID', disposition: 'paid' },
  { code: '2', paid: 20, cas: ['OA*23*80.00'], status: 'PAID', disposition: 'paid' },
  { code: '3', paid: 5, cas: ['OA*23*95.00'], status: 'PAID', disposition: 'paid' },
  { code: '4', paid: 0, cas: ['CO*50*100.00'], status: 'DENIED', disposition: 'denied' },
  // Processed and forwarded to the next payer (19: Medicare's crossover to Medigap or Medicaid): the
  // payer's answer all the same, paid or denied as 1-3 are.
  { code: '19', paid: 80, cas: ['CO*45*20.00'], status: 'PAID', disposition: 'paid' },
  { code: '20', paid: 0, cas: ['CO*50*100.00'], status: 'DENIED', disposition: 'denied' },
  { code: '21', paid: 10, cas: ['OA*23*90.00'], status: 'PAID', disposition: 'paid' },
  { code: '23', paid: 0, status: 'BATCHED' },
  { code: '25', paid: 0, status: 'BATCHED' },
];

describe('denial ingestion: every CLP02 status code of an 835', () => {
  it('applies 1-3 and 19-21 as processed, denies 4, reverses 22, and leaves not-ours and predeterminations as they are', async () => {
    const h = denialHarness();
    const claims = new Map<string, Awaited<ReturnType<typeof h.billed>>>();
    for (const s of STATUS_CODES) claims.set(s.code, await h.billed(`S-${s.code}`));
    const reversed = await h.billed('S-22');
    const file = x835([
      {
        payerName: 'SYNTHETIC MEDICARE',
        payerId: '15004',
        trace: 'EFT-1',
        date: '20261120',
        claims: [
          ...STATUS_CODES.map((s) => ({
            pcn: claims.get(s.code)?.claimRef ?? '',
            status: s.code,
            charge: 100,
            paid: s.paid,
            ...(s.cas ? { cas: s.cas } : {}),
          })),
          { pcn: reversed.claimRef, status: '1', charge: 100, paid: 90, cas: ['CO*45*10.00'] },
          { pcn: reversed.claimRef, status: '22', charge: -100, paid: -90, cas: ['CO*45*-10.00'] },
        ],
      },
    ]);
    await h.drop('remittances/test-agency/era.835', file);

    for (const s of STATUS_CODES) {
      const claim = claims.get(s.code);
      if (!claim) throw new Error('not billed');
      const state = await h.chart(claim);
      expect({ code: s.code, status: state?.status }).toEqual({ code: s.code, status: s.status });
      const records = await h.records(claim);
      expect(records.map((r) => [r.statusCode, r.disposition])).toEqual(
        s.disposition ? [[s.code, s.disposition]] : [],
      );
      // A claim that is not ours (23) or a predetermination (25) changes nothing on the chart.
      if (!s.disposition) expect(state?.remittance).toBeUndefined();
    }
    expect(await h.chart(reversed)).toMatchObject({
      status: 'ADJUSTED',
      remittance: {
        netPaid: 0,
        adjudications: 2,
        firstDisposition: 'paid',
        lastDisposition: 'reversal',
        payerId: '15004',
        payerName: 'SYNTHETIC MEDICARE',
      },
    });
    expect((await h.records(reversed)).map((r) => r.payment)).toEqual([90, -90]);
    expect(h.received()).toEqual([
      {
        format: 'x12-835',
        claims: 11,
        paid: 6,
        denied: 2,
        codingDenied: 0,
        reversed: 1,
        informational: 2,
        duplicates: 0,
        unmatched: 0,
        issues: 0,
        payers: ['15004'],
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  it('reads a processed claim with nothing paid as a denial only when an adjustment denies something', async () => {
    const h = denialHarness();
    const deductible = await h.billed('P-1');
    const denied = await h.billed('P-2');
    const file = x835([
      {
        trace: 'EFT-2',
        date: '20261120',
        claims: [
          { pcn: deductible.claimRef, status: '1', charge: 100, paid: 0, cas: ['PR*1*100.00'] },
          { pcn: denied.claimRef, status: '1', charge: 100, paid: 0, cas: ['CO*146*100.00'] },
        ],
      },
    ]);
    await h.drop('remittances/test-agency/zero.835', file);
    expect((await h.chart(deductible))?.status).toBe('PAID');
    expect(await h.chart(denied)).toMatchObject({ status: 'DENIED', denial: { family: 'coding' } });
    expect(h.received()[0]).toMatchObject({ paid: 1, denied: 1, codingDenied: 1 });
  });

  it('audits each answer once, as paid, denied or reversed, with what was paid and why', async () => {
    const h = denialHarness();
    const paid = await h.billed('A-1');
    const denied = await h.billed('A-2', {
      findings: [{ ruleId: 'HH-F2F', severity: 'warn', message: 'face-to-face near the limit' }],
    });
    const file = x835([
      {
        payerId: '15004',
        trace: 'EFT-3',
        date: '20261120',
        claims: [
          { pcn: paid.claimRef, status: '1', charge: 100, paid: 90, cas: ['CO*45*10.00'], icn: 'ICN1' },
          { pcn: paid.claimRef, status: '22', charge: -100, paid: -90, cas: ['CO*45*-10.00'], icn: 'ICN1' },
          {
            pcn: denied.claimRef,
            status: '4',
            charge: 100,
            paid: 0,
            cas: ['CO*146*100.00'],
            remarks: ['N290'],
          },
        ],
      },
    ]);
    await h.drop('remittances/test-agency/audit.835', file);
    const [payment, reversal] = await h.records(paid);
    const [denial] = await h.records(denied);
    const claimEvents = h
      .events('claim.paid')
      .concat(h.events('claim.reversed'), h.events('chart.denied'))
      .map(({ at: _at, ...e }) => e);
    expect(claimEvents).toEqual([
      {
        type: 'claim.paid',
        agencyId: AGENCY,
        subject: chartSubject(paid.chartKey, 1),
        actor: ACTOR,
        idempotencyKey: `remit:${payment?.remitId}`,
        detail: {
          remitId: payment?.remitId,
          claimRef: paid.claimRef,
          payment: 90,
          reasonCodes: ['CO-45'],
          remarkCodes: [],
          family: 'contractual',
          // The payer's ICN as its keyed HMAC, never the number (the denial carried none).
          icnKey: await payerClaimKeyOf(h.mem.ports.keys, AGENCY, 'ICN1'),
          coderId: 'coder-a',
          batchId: 'batch-1',
        },
      },
      {
        type: 'claim.reversed',
        agencyId: AGENCY,
        subject: chartSubject(paid.chartKey, 1),
        actor: ACTOR,
        idempotencyKey: `remit:${reversal?.remitId}`,
        detail: {
          remitId: reversal?.remitId,
          claimRef: paid.claimRef,
          payment: -90,
          reasonCodes: ['CO-45'],
          remarkCodes: [],
          family: 'contractual',
          // The payer's ICN as its keyed HMAC, never the number (the denial carried none).
          icnKey: await payerClaimKeyOf(h.mem.ports.keys, AGENCY, 'ICN1'),
          coderId: 'coder-a',
          batchId: 'batch-1',
        },
      },
      {
        type: 'chart.denied',
        agencyId: AGENCY,
        subject: chartSubject(denied.chartKey, 1),
        actor: ACTOR,
        idempotencyKey: `remit:${denial?.remitId}`,
        detail: {
          remitId: denial?.remitId,
          claimRef: denied.claimRef,
          payment: 0,
          reasonCodes: ['CO-146'],
          remarkCodes: ['N290'],
          family: 'coding',
          coderId: 'coder-a',
          batchId: 'batch-1',
          coderRelated: true,
          category: 'I69',
          rules: ['HH-F2F'],
        },
      },
    ]);
    expect(h.events('rework.opened').map(({ at: _at, ...e }) => e)).toEqual([
      {
        type: 'rework.opened',
        agencyId: AGENCY,
        subject: chartSubject(denied.chartKey, 1),
        actor: ACTOR,
        idempotencyKey: `rework:${denial?.remitId}`,
        detail: { denialId: denial?.remitId, family: 'coding', coderId: 'coder-a', reasonCodes: ['CO-146'] },
      },
    ]);
  });

  it('leaves out the family of an answer without reasons, and audits a denial that is not the coder’s', async () => {
    const h = denialHarness();
    const paid = await h.billed('F-1');
    const denied = await h.billed('F-2', { principalCategory: 'C34' });
    const file = x835([
      {
        trace: 'EFT-4',
        date: '20261120',
        claims: [
          { pcn: paid.claimRef, status: '1', charge: 100, paid: 100 },
          { pcn: denied.claimRef, status: '4', charge: 100, paid: 0, cas: ['CO*50*100.00'] },
        ],
      },
    ]);
    await h.drop('remittances/test-agency/plain.835', file);
    expect(h.events('claim.paid')[0]?.detail).toStrictEqual({
      remitId: expect.any(String),
      claimRef: paid.claimRef,
      payment: 100,
      reasonCodes: [],
      remarkCodes: [],
      coderId: 'coder-a',
      batchId: 'batch-1',
    });
    expect(h.events('chart.denied')[0]?.detail).toStrictEqual({
      remitId: expect.any(String),
      claimRef: denied.claimRef,
      payment: 0,
      reasonCodes: ['CO-50'],
      remarkCodes: [],
      family: 'medical_necessity',
      coderId: 'coder-a',
      batchId: 'batch-1',
      coderRelated: false,
      category: 'C34',
      rules: undefined,
    });
    // Not a coding or documentation matter: no rework, no mark against the coder.
    expect((await h.chart(denied))?.rework).toBeUndefined();
    expect(h.events('rework.opened')).toEqual([]);
    expect(await h.marks()).toEqual([]);
  });
});

describe('denial ingestion: the CSV status column', () => {
  it.each([
    ['paid', '1', 'PAID'],
    ['DENIED', '4', 'DENIED'],
    ['Reversal', '22', 'ADJUSTED'],
    ['2', '2', 'PAID'],
    ['3', '3', 'PAID'],
    ['19', '19', 'PAID'],
    ['20', '20', 'PAID'],
    ['21', '21', 'PAID'],
    ['23', '23', 'BATCHED'],
    ['25', '25', 'BATCHED'],
  ] as const)('reads status %s as CLP02 %s and leaves the version %s', async (status, code, to) => {
    const h = denialHarness();
    const claim = await h.billed('C-1');
    await h.drop(
      'remittances/test-agency/era.csv',
      csv('claim_ref,status,charge,paid,reason_codes', `${claim.claimRef},${status},100,50,CO-50`),
    );
    expect((await h.chart(claim))?.status).toBe(to);
    expect((await h.records(claim)).map((r) => r.statusCode)).toEqual(to === 'BATCHED' ? [] : [code]);
    expect(h.received()[0]).toMatchObject({ informational: to === 'BATCHED' ? 1 : 0 });
  });
});

describe('denial ingestion: the time it stamps', () => {
  it('stamps the record and the summary with the time the answer was applied', async () => {
    const h = denialHarness();
    const claim = await h.billed('T-1');
    await h.drop(
      'remittances/test-agency/t.csv',
      csv('claim_ref,status,charge,paid', `${claim.claimRef},paid,100,100`),
    );
    expect((await h.records(claim))[0]?.receivedAt).toBe(START);
    expect((await h.chart(claim))?.remittance?.lastAt).toBe(START);
  });
});
