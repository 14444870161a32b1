import { calendarDate } from '#shared/formats/calendar-date.ts';
import type { Claim835, RemittanceHeader } from '#shared/formats/x12/read-835.ts';
import {
  AdjustmentGroup,
  CARC_CODE,
  type ClaimAdjustment,
  REMARK_CODE,
  type RemittanceClaim,
  type RemittancePayment,
} from '#shared/model/remittance.ts';
import { dispositionOf } from './disposition.ts';

const GROUPS: ReadonlySet<string> = new Set(AdjustmentGroup.options);

/** CCYYMMDD -> YYYY-MM-DD when it is one; undefined otherwise. */
export function isoDateOf(value: string | undefined): string | undefined {
  if (!value || !/^\d{8}$/.test(value)) return undefined;
  return calendarDate(Number(value.slice(0, 4)), Number(value.slice(4, 6)), Number(value.slice(6, 8)));
}

/**
 * The payment of an 835 transaction set: payer (N1*PR), BPR amount and date, TRN trace number. The
 * payer's id is N1*PR's id, else the interchange sender.
 */
export function paymentOf(header: RemittanceHeader): RemittancePayment {
  const payment: RemittancePayment = {};
  const payerName = header.payer?.name.trim();
  if (payerName) payment.payerName = payerName.slice(0, 200);
  const payerId = header.payer?.id?.trim() || header.interchange?.sender.trim();
  if (payerId) payment.payerId = payerId.slice(0, 80);
  if (header.trace?.number) payment.traceNumber = header.trace.number.slice(0, 80);
  if (header.payment) payment.paymentAmount = header.payment.amount;
  const date = isoDateOf(header.payment?.date);
  if (date) payment.paymentDate = date;
  return payment;
}

/**
 * One CLP loop as the common RemittanceClaim: claim- and line-level CAS, remarks from MIA/MOA and
 * LQ*HE. An adjustment with a group or reason X12 does not define, and a remark that is not a code, are
 * returned in `dropped` (reported, not applied), never guessed at.
 */
export function claimFrom835(
  claim: Claim835,
  payment: RemittancePayment,
): { claim: RemittanceClaim; dropped: string[] } {
  const dropped: string[] = [];
  const adjustments: ClaimAdjustment[] = [];
  const take = (level: 'claim' | 'line') => (a: { group: string; reason: string; amount: number }) => {
    const group = a.group.trim().toUpperCase();
    const reason = a.reason.trim().toUpperCase();
    if (!GROUPS.has(group) || !CARC_CODE.test(reason)) {
      // Named by what is wrong, quoting only a value that is a valid code: the rest came from the file.
      const groupText = GROUPS.has(group)
        ? `group ${group}`
        : 'a group the 5010 835 does not define (CO, OA, PI, PR)';
      const reasonText = CARC_CODE.test(reason) ? `reason ${reason}` : 'a reason that is not a CARC code';
      dropped.push(`a ${level}-level adjustment with ${groupText} and ${reasonText}`);
      return;
    }
    adjustments.push({ group: group as ClaimAdjustment['group'], reason, amount: a.amount, level });
  };
  claim.adjustments.forEach(take('claim'));
  for (const line of claim.services) line.adjustments.forEach(take('line'));
  const read = [...claim.remarks, ...claim.services.flatMap((s) => s.remarks)].map((r) =>
    r.trim().toUpperCase(),
  );
  const remarks = read.filter((r) => REMARK_CODE.test(r));
  // A remark that is not a code is reported (it can change a denial's family), never quoted.
  for (const r of read) if (r && !REMARK_CODE.test(r)) dropped.push('a remark code that is not a RARC');
  const out: RemittanceClaim = {
    patientControlNumber: claim.patientControlNumber.trim().slice(0, 38),
    statusCode: claim.status.trim().slice(0, 2),
    disposition: dispositionOf(claim.status, claim.payment, adjustments),
    charge: claim.charge,
    payment: claim.payment,
    patientResponsibility: claim.patientResponsibility,
    adjustments,
    remarkCodes: [...new Set(remarks)],
  };
  if (claim.payerClaimControlNumber) out.payerClaimControlNumber = claim.payerClaimControlNumber.slice(0, 50);
  if (claim.frequency) out.frequency = claim.frequency.slice(0, 2);
  if (payment.paymentDate) out.paidDate = payment.paymentDate;
  return { claim: out, dropped };
}
