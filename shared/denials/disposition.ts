import type { ClaimAdjustment, ClaimDisposition } from '#shared/model/remittance.ts';

const PAID = new Set(['1', '2', '3']);
/**
 * Adjustments that explain an amount without denying anything: 45 charge over the fee schedule, 253
 * sequestration, 23 the prior payer's adjudication (a secondary claim the primary paid in full).
 */
const NOT_A_DENIAL = new Set(['45', '253', '23']);

/**
 * The payer's disposition of a claim from its status code (CLP02) and what was paid: 4 is a denial,
 * 22 a reversal; 1-3 are processed as primary/secondary/tertiary, and a processed claim with nothing
 * paid is a denial too when an adjustment denies something: not patient responsibility (a deductible),
 * not contractual or coordination amounts (NOT_A_DENIAL) (domain-rules §5.1). Any other code is
 * informational: 19-21/23/25 (forwarded, not ours, predetermination) and codes X12 does not define.
 */
export function dispositionOf(
  statusCode: string,
  payment: number,
  adjustments: readonly Pick<ClaimAdjustment, 'group' | 'reason'>[],
): ClaimDisposition {
  const code = statusCode.trim();
  if (code === '4') return 'denied';
  if (code === '22') return 'reversal';
  if (!PAID.has(code)) return 'informational';
  const denies = adjustments.some((a) => a.group !== 'PR' && !NOT_A_DENIAL.has(a.reason));
  return payment === 0 && denies ? 'denied' : 'paid';
}
