import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wilson } from '#shared/sampling/wilson.ts';

describe('wilson', () => {
  it('matches published values of the 95 percent Wilson score interval', () => {
    // 40 of 40: the lower bound is 0.912, not 1; 0 of 10: the upper bound is 0.278.
    expect(wilson(40, 40).lower).toBeCloseTo(0.9124, 4);
    expect(wilson(0, 10).upper).toBeCloseTo(0.2775, 4);
    const half = wilson(50, 100);
    expect(half.lower).toBeCloseTo(0.4038, 4);
    expect(half.upper).toBeCloseTo(0.5962, 4);
  });

  it('knows nothing of nothing', () => {
    expect(wilson(0, 0)).toEqual({ successes: 0, n: 0, lower: 0, upper: 1 });
  });

  it('always brackets the observed rate inside [0, 1], and narrows as n grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, share) => {
          const k = Math.round(share * n);
          const p = wilson(k, n);
          expect(p.lower).toBeGreaterThanOrEqual(0);
          expect(p.upper).toBeLessThanOrEqual(1);
          expect(p.lower).toBeLessThanOrEqual((p.rate ?? 0) + 1e-12);
          expect(p.upper).toBeGreaterThanOrEqual((p.rate ?? 0) - 1e-12);
          const wider = wilson(k, n);
          const narrower = wilson(k * 4, n * 4);
          expect(narrower.upper - narrower.lower).toBeLessThanOrEqual(wider.upper - wider.lower + 1e-12);
        },
      ),
    );
  });
});
