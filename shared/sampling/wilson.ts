/** z for a two-sided 95 percent interval. */
export const Z95 = 1.959963984540054;

export interface Proportion {
  /** Successes (accurate charts, confirmed codes). */
  successes: number;
  /** Trials (reviewed charts, reviewed codes). */
  n: number;
  /** successes / n; undefined when n is 0. */
  rate?: number;
  /** The 95 percent Wilson score interval; [0, 1] when n is 0 (nothing is known). */
  lower: number;
  upper: number;
}

/**
 * A proportion with its Wilson score interval (Wilson 1927): unlike the normal approximation it stays
 * inside [0, 1] and behaves at 0 and n successes, which is where accurate coders live (a coder with 40
 * of 40 codes confirmed has a lower bound of 0.912, not 1).
 */
export function wilson(successes: number, n: number, z = Z95): Proportion {
  if (n <= 0) return { successes: 0, n: 0, lower: 0, upper: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return {
    successes,
    n,
    rate: p,
    lower: Math.max(0, (centre - spread) / denominator),
    upper: Math.min(1, (centre + spread) / denominator),
  };
}
