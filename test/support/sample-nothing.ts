/**
 * A sampling policy that samples nothing unless a test adds a factor: every rate at 0 (probation and
 * the risk factors included), so charts go straight to billing.
 */
export const SAMPLE_NOTHING = {
  baseRate: 0,
  probation: { rate: 0 },
  risk: { hospice: 0, warnFindings: 0, belowTarget: 0, recentDenials: { rate: 0 } },
} as const;
