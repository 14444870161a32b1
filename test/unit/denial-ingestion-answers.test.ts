import { describe, expect, it } from 'vitest';
import {
  answerKey,
  type ClaimToApply,
  remitIdOf,
  summarise,
} from '#functions/denial-ingestion/apply-claim.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { RemittanceClaim, RemittanceRecord } from '#shared/model/remittance.ts';

const CLAIM_REF = 'CT0123456789ABCD';

const claim: RemittanceClaim = {
  patientControlNumber: CLAIM_REF,
  statusCode: '1',
  disposition: 'paid',
  charge: 100,
  payment: 85,
  patientResponsibility: 5,
  adjustments: [
    { group: 'CO', reason: '45', amount: 10, level: 'claim' },
    { group: 'PR', reason: '2', amount: 5, level: 'line' },
  ],
  remarkCodes: ['N130'],
  payerClaimControlNumber: 'ICN-1',
  paidDate: '2026-11-20',
};

describe('the identity of a payer answer', () => {
  it.each([
    [
      'everything said',
      claim,
      { payerId: 'P-1', payerName: 'Synthetic', traceNumber: 'T-1' },
      `P-1|T-1|${CLAIM_REF}|1|100|85|ICN-1|2026-11-20|CO-45 PR-2`,
    ],
    [
      'a payer known by name',
      claim,
      { payerName: 'Synthetic' },
      `Synthetic||${CLAIM_REF}|1|100|85|ICN-1|2026-11-20|CO-45 PR-2`,
    ],
    [
      'nothing but the claim',
      { ...claim, payerClaimControlNumber: undefined, paidDate: undefined, adjustments: [] },
      {},
      `||${CLAIM_REF}|1|100|85|||`,
    ],
  ])('is made of who paid, which payment, which claim and what was said: %s', (_, c, payment, key) => {
    expect(answerKey(c, payment, CLAIM_REF)).toBe(key);
  });

  it('is a 24-character digest of the answer and how many identical ones came before it', () => {
    const item: ClaimToApply = {
      claim,
      payment: { payerId: 'P-1' },
      occurrence: 0,
      position: '1',
      sourceRecord: 'line 2',
    };
    const id = remitIdOf(item, CLAIM_REF);
    expect(id).toBe(sha256Hex(`${answerKey(claim, item.payment, CLAIM_REF)}|0`).slice(0, 24));
    // Where the answer sits in its file is not part of it: a re-exported file gives the same ids.
    expect(remitIdOf({ ...item, position: '9', sourceRecord: 'line 10' }, CLAIM_REF)).toBe(id);
    expect(remitIdOf({ ...item, occurrence: 1 }, CLAIM_REF)).not.toBe(id);
  });
});

describe("the chart's remittance summary", () => {
  const record = (over: Partial<RemittanceRecord>): RemittanceRecord => ({
    remitId: 'r',
    agencyId: 'a',
    chartKey: 'ck',
    version: 1,
    claimRef: CLAIM_REF,
    disposition: 'paid',
    statusCode: '1',
    charge: 100,
    payment: 0,
    patientResponsibility: 0,
    reasonCodes: [],
    remarkCodes: [],
    coderRelated: false,
    receivedAt: '2026-11-23T12:00:00.000Z',
    sequence: 's',
    sourceObject: 'ob',
    sourceRecord: 'line 2',
    ...over,
  });

  it('is nothing without an answer that applies', () => {
    expect(summarise([])).toBeUndefined();
    expect(summarise([record({ disposition: 'informational' })])).toBeUndefined();
  });

  it('sums the payments to the cent and takes the first and the latest answer, payer from the latest', () => {
    expect(
      summarise([
        record({ disposition: 'denied', payment: 0.1, payerId: 'P-0', payerName: 'First' }),
        record({ disposition: 'paid', payment: 0.2, receivedAt: 'T2' }),
        record({ disposition: 'reversal', payment: -0.1, receivedAt: 'T3', payerName: 'Latest' }),
        record({ disposition: 'informational', payment: 50, receivedAt: 'T4', payerId: 'P-9' }),
      ]),
    ).toStrictEqual({
      netPaid: 0.2,
      lastDisposition: 'reversal',
      lastAt: 'T3',
      adjudications: 3,
      firstDisposition: 'denied',
      payerName: 'Latest',
    });
    expect(summarise([record({ payment: 90, payerId: 'P-1' })])).toStrictEqual({
      netPaid: 90,
      lastDisposition: 'paid',
      lastAt: '2026-11-23T12:00:00.000Z',
      adjudications: 1,
      firstDisposition: 'paid',
      payerId: 'P-1',
    });
  });
});
