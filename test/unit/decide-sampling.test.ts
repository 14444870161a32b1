import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/model/config.ts';
import { decideSampling, drawFor } from '#shared/sampling/decide-sampling.ts';

const sampling = (s: Record<string, unknown>) => parseConfig({ sampling: s }).sampling;
const input = { chartKey: 'ck1', version: 1, coderId: 'coder-a', hasWarnings: false };

describe('decideSampling', () => {
  it('decides the same way every time for the same chart version', () => {
    const a = decideSampling(input, sampling({ baseRate: 0.5 }));
    const b = decideSampling(input, sampling({ baseRate: 0.5 }));
    expect(a).toEqual(b);
  });

  it('samples close to the configured rate over many charts', () => {
    let sampled = 0;
    for (let i = 0; i < 10_000; i++) {
      if (decideSampling({ ...input, chartKey: `ck${i}` }, sampling({ baseRate: 0.1 })).sampled) sampled++;
    }
    expect(sampled).toBeGreaterThan(850);
    expect(sampled).toBeLessThan(1150);
  });

  it('uses a coder rate over the base rate and routes to the senior queue', () => {
    const d = decideSampling(
      input,
      sampling({ baseRate: 0, coderRates: { 'coder-a': 1 }, seniorReviewCoders: ['coder-a'] }),
    );
    expect(d).toMatchObject({ sampled: true, rule: 'coder-rate', rate: 1, queue: 'qa-review-senior' });
    expect(d.reason).toMatch(/^coder-rate: draw 0\.\d{4} < rate 1$/);
  });

  it('raises the rate for charts with warnings when configured', () => {
    const d = decideSampling(
      { ...input, hasWarnings: true },
      sampling({ baseRate: 0, warningsRaiseRateTo: 1 }),
    );
    expect(d).toMatchObject({ sampled: true, rule: 'warnings', queue: 'qa-review' });
  });

  it('never samples at rate 0 and always at rate 1', () => {
    expect(decideSampling(input, sampling({ baseRate: 0 })).sampled).toBe(false);
    expect(decideSampling(input, sampling({ baseRate: 1 })).sampled).toBe(true);
    expect(drawFor('x', 1)).toBeGreaterThanOrEqual(0);
    expect(drawFor('x', 1)).toBeLessThan(1);
  });
});
