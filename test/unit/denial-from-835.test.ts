import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimFrom835, isoDateOf, paymentOf } from '#shared/denials/from-835.ts';
import { parse835 } from '#shared/formats/x12/read-835.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/x12/835/${name}`, import.meta.url), 'utf8');

describe('claims from an 835 as denial ingestion reads them', () => {
  it('takes the eMedNY sample: payment, payer, dispositions, claim and line CAS, line remarks', async () => {
    const { remittances } = await parse835(fixture('keironstoddart__emedny_sample.835.txt'));
    const [r] = remittances;
    if (!r) throw new Error('no remittance');
    const payment = paymentOf(r);
    expect(payment).toEqual({
      payerName: 'NYSDOH',
      payerId: expect.any(String),
      traceNumber: '10100000000',
      paymentAmount: 45.75,
      paymentDate: '2010-01-01',
    });
    const claims = r.claims.map((c) => claimFrom835(c, payment));
    expect(claims.map((c) => c.dropped)).toEqual([[], [], []]);
    expect(claims.map((c) => [c.claim.statusCode, c.claim.disposition, c.claim.payment])).toEqual([
      ['1', 'paid', 34.25],
      ['2', 'denied', 0],
      ['2', 'paid', 11.5],
    ]);
    // CO-29 (timely filing) on the lines of the second claim: line-level adjustments count too.
    expect(claims[1]?.claim.adjustments).toEqual([
      { group: 'CO', reason: '29', amount: 12, level: 'line' },
      { group: 'CO', reason: '29', amount: 22, level: 'line' },
    ]);
    expect(claims[2]?.claim.remarkCodes).toEqual(['N206']);
    expect(claims.every((c) => c.claim.paidDate === '2010-01-01')).toBe(true);
  });

  it('drops an adjustment whose group X12 does not define, and says so', () => {
    const { claim, dropped } = claimFrom835(
      {
        patientControlNumber: 'CTAAAAAAAAAAAAAA',
        status: '4',
        charge: 10,
        payment: 0,
        patientResponsibility: 0,
        adjustments: [
          { group: 'XX', reason: '16', amount: 10 },
          { group: 'CO', reason: '16', amount: 10 },
        ],
        remarks: ['ma130', 'not a code!'],
        references: [],
        dates: [],
        services: [],
      },
      {},
    );
    expect(dropped).toEqual(['adjustment group XX reason 16']);
    expect(claim.adjustments).toHaveLength(1);
    expect(claim.remarkCodes).toEqual(['MA130']);
  });

  it('reads CCYYMMDD dates, and nothing that is not one', () => {
    expect(isoDateOf('20261120')).toBe('2026-11-20');
    expect(isoDateOf('20260230')).toBeUndefined();
    expect(isoDateOf('2026112')).toBeUndefined();
    expect(isoDateOf(undefined)).toBeUndefined();
  });
});
