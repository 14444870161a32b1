import type { ClaimAdjustment, ClaimDisposition } from '#shared/model/remittance.ts';

/**
 * Processed claims: 1-3 as primary, secondary or tertiary; 19-21 the same, and forwarded to the next
 * payer (Medicare's crossover to a Medigap or Medicaid payer sends 19 on every dual-eligible claim: its
 * payment and its denials are Medicare's answer, and apply like any other).
 */
const PROCESSED = new Set(['1', '2', '3', '19', '20', '21']);
/**
 * Adjustments that explain an amount without denying anything: 45 charge over the fee schedule, 253
 * sequestration, 23 the prior payer's adjudication (a secondary claim the primary paid in full).
 */
const NOT_A_DENIAL = new Set(['45', '253', '23']);

/**
 * The payer's disposition of a claim from its status code (CLP02) and what was paid: 4 is a denial,
 * 22 a reversal; 1-3 and 19-21 are processed (PROCESSED), and a processed claim with nothing paid is a
 * denial too when an adjustment denies something: not patient responsibility (a deductible), not
 * contractual or coordination amounts (NOT_A_DENIAL) (domain-rules §5.1). Any other code changes no
 * chart: 23 (not our claim: forwarded to us by mistake), 25 (a predetermination: priced, not paid) and
 * codes X12 does not define; each is still counted and recorded with its file.
 */
export function dispositionOf(
  statusCode: string,
  payment: number,
  adjustments: readonly Pick<ClaimAdjustment, 'group' | 'reason'>[],
): ClaimDisposition {
  const code = statusCode.trim();
  if (code === '4') return 'denied';
  if (code === '22') return 'reversal';
  if (!PROCESSED.has(code)) return 'informational';
  const denies = adjustments.some((a) => a.group !== 'PR' && !NOT_A_DENIAL.has(a.reason));
  return payment === 0 && denies ? 'denied' : 'paid';
}
