import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimFrom835, isoDateOf, paymentOf } from '#shared/denials/from-835.ts';
import { type Claim835, parse835, type RemittanceHeader } from '#shared/formats/x12/read-835.ts';

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
    expect(dropped).toEqual([
      'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and reason 16',
      'a remark code that is not a RARC',
    ]);
    expect(claim.adjustments).toHaveLength(1);
    expect(claim.remarkCodes).toEqual(['MA130']);
  });

  it('reads CCYYMMDD dates, and nothing that is not one', () => {
    expect(isoDateOf('20261120')).toBe('2026-11-20');
    expect(isoDateOf('20261120x')).toBeUndefined();
    expect(isoDateOf('202611201')).toBeUndefined();
    expect(isoDateOf('20260230')).toBeUndefined();
    expect(isoDateOf('2026112')).toBeUndefined();
    expect(isoDateOf(undefined)).toBeUndefined();
  });
});

describe('the payment of an 835 transaction set', () => {
  const header = (h: Partial<RemittanceHeader>): RemittanceHeader => ({ controlNumber: '0001', ...h });
  const interchange = { sender: ' MAC-J15 ', receiver: 'AGENCY', date: '261120', controlNumber: '1' };

  it('trims and bounds the payer, trace and amount, and reads the BPR date', () => {
    expect(
      paymentOf(
        header({
          payer: { name: ` ${'P'.repeat(250)} `, id: ' 15004 ' },
          interchange,
          trace: { type: '1', number: 'T'.repeat(100) },
          payment: { handling: 'I', amount: 125.5, creditDebit: 'C', method: 'ACH', date: '20261120' },
        }),
      ),
    ).toStrictEqual({
      payerName: 'P'.repeat(200),
      payerId: '15004',
      traceNumber: 'T'.repeat(80),
      paymentAmount: 125.5,
      paymentDate: '2026-11-20',
    });
  });

  it("takes the interchange sender as the payer's id when N1*PR names none, and bounds it", () => {
    expect(paymentOf(header({ payer: { name: 'MAC', id: '  ' }, interchange }))).toStrictEqual({
      payerName: 'MAC',
      payerId: 'MAC-J15',
    });
    expect(paymentOf(header({ interchange: { ...interchange, sender: 'S'.repeat(90) } })).payerId).toBe(
      'S'.repeat(80),
    );
  });

  it('records nothing it was not given: no payer, trace or payment, a blank name, a date that is not one', () => {
    expect(paymentOf(header({}))).toStrictEqual({});
    expect(
      paymentOf(
        header({
          payer: { name: '  ' },
          payment: { handling: 'H', amount: 0, creditDebit: 'C', method: 'NON', date: '2026-11-20' },
        }),
      ),
    ).toStrictEqual({ paymentAmount: 0 });
  });
});

describe('one CLP loop as a remittance claim', () => {
  const loop = (c: Partial<Claim835>): Claim835 => ({
    patientControlNumber: 'CTAAAAAAAAAAAAAA',
    status: '1',
    charge: 100,
    payment: 80,
    patientResponsibility: 0,
    adjustments: [],
    remarks: [],
    references: [],
    dates: [],
    services: [],
    ...c,
  });
  const line = (adjustments: Claim835['adjustments'], remarks: string[] = []) => ({
    procedure: { qualifier: 'HC', code: 'G0299', modifiers: [] },
    charge: 50,
    payment: 0,
    adjustments,
    remarks,
    references: [],
    dates: [],
  });

  it('normalises the groups, reasons and remarks payers send in any case and spacing', () => {
    const { claim, dropped } = claimFrom835(
      loop({
        payment: 0,
        adjustments: [{ group: ' co ', reason: ' b9 ', amount: 20 }],
        remarks: [' n206 '],
        services: [line([{ group: 'pr', reason: '1', amount: 30 }], ['ma66 '])],
      }),
      {},
    );
    expect(dropped).toEqual([]);
    expect(claim.adjustments).toEqual([
      { group: 'CO', reason: 'B9', amount: 20, level: 'claim' },
      { group: 'PR', reason: '1', amount: 30, level: 'line' },
    ]);
    expect(claim.remarkCodes).toEqual(['N206', 'MA66']);
    expect(claim.disposition).toBe('denied');
  });

  it('says what it dropped without guessing, and without quoting a value that is not a code', () => {
    const { claim, dropped } = claimFrom835(
      loop({
        adjustments: [
          { group: ' ', reason: '16', amount: 1 },
          { group: 'CO', reason: '  ', amount: 1 },
          { group: 'ZZ', reason: 'ABCDEFGHIJ', amount: 1 },
          { group: 'CO', reason: 'SMITH', amount: 1 },
          { group: 'JO', reason: '45', amount: 1 },
          // 4010's corrections and reversals group, gone from the 5010 835 (a reversal is CLP02 22).
          { group: 'CR', reason: '45', amount: 1 },
          // The 5010 groups, in any case, are taken.
          { group: 'co', reason: '45', amount: 1 },
          { group: 'PI', reason: '97', amount: 1 },
          { group: 'OA', reason: '23', amount: 1 },
          { group: 'PR', reason: '1', amount: 1 },
        ],
      }),
      {},
    );
    expect(dropped).toEqual([
      'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and reason 16',
      'a claim-level adjustment with group CO and a reason that is not a CARC code',
      'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and a reason that is not a CARC code',
      'a claim-level adjustment with group CO and a reason that is not a CARC code',
      'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and reason 45',
      'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and reason 45',
    ]);
    expect(claim.adjustments.map((a) => `${a.group}-${a.reason}`)).toEqual([
      'CO-45',
      'PI-97',
      'OA-23',
      'PR-1',
    ]);
  });

  it('trims and bounds CLP01, CLP02, CLP07 and CLP09, and takes the paid date from the payment', () => {
    const { claim } = claimFrom835(
      loop({
        patientControlNumber: ` ${'C'.repeat(40)} `,
        status: ' 191 ',
        payerClaimControlNumber: 'P'.repeat(60),
        frequency: '7xx',
      }),
      { paymentDate: '2026-11-20' },
    );
    expect(claim).toMatchObject({
      patientControlNumber: 'C'.repeat(38),
      statusCode: '19',
      disposition: 'informational',
      payerClaimControlNumber: 'P'.repeat(50),
      frequency: '7x',
      paidDate: '2026-11-20',
    });
  });

  it('records no CLP07, CLP09 or paid date it was not given', () => {
    const { claim } = claimFrom835(loop({}), {});
    expect(claim).not.toHaveProperty('payerClaimControlNumber');
    expect(claim).not.toHaveProperty('frequency');
    expect(claim).not.toHaveProperty('paidDate');
  });
});
