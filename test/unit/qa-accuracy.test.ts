import { describe, expect, it } from 'vitest';
import { accuracyBy } from '#shared/metrics/qa-accuracy.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { reviewRecord } from '../support/qa-records.ts';

const review = (over: Partial<ReviewRecord>) => reviewRecord({ category: 'I50', ...over });

describe('accuracyBy', () => {
  const reviews = [
    review({}),
    review({
      coderId: 'coder-2',
      outcome: 'corrected',
      category: 'J44',
      reviewedAt: '2026-11-02T10:00:00Z',
      score: { chartAccurate: false, codesReviewed: 5, codesConfirmed: 3 },
      corrections: [
        { category: 'principal-selection', severity: 'major', direction: 'over-coded' },
        { category: 'missed-comorbidity', severity: 'minor', direction: 'under-coded' },
      ],
    }),
    review({ coderId: 'coder-2', lineOfBusiness: 'hospice', category: 'G30' }),
    review({
      coderId: 'coder-2',
      round: 'second',
      score: { chartAccurate: false, codesReviewed: 9, codesConfirmed: 0 },
    }),
  ];

  it('by coder: chart and code accuracy with Wilson intervals, correction rate, severity and direction', () => {
    const [one, two] = accuracyBy(reviews, 'coder');
    expect(one).toMatchObject({ key: 'coder-1', reviews: 1, correctionRate: 0 });
    expect(two).toMatchObject({
      key: 'coder-2',
      reviews: 2,
      correctionRate: 0.5,
      severity: { critical: 0, major: 1, minor: 1 },
      direction: { 'over-coded': 1, 'under-coded': 1, neutral: 0 },
    });
    expect(two?.charts).toMatchObject({ successes: 1, n: 2, rate: 0.5 });
    expect(two?.codes).toMatchObject({ successes: 7, n: 9 });
    expect(two?.codes.lower).toBeLessThan(7 / 9);
    expect(two?.errors['principal-selection']).toBe(1);
  });

  it('leaves the blind second reviews out, and groups by category, line of business and month', () => {
    expect(accuracyBy(reviews, 'category').map((r) => [r.key, r.reviews])).toEqual([
      ['G30', 1],
      ['I50', 1],
      ['J44', 1],
    ]);
    expect(accuracyBy(reviews, 'lineOfBusiness').map((r) => [r.key, r.reviews])).toEqual([
      ['home_health', 2],
      ['hospice', 1],
    ]);
    expect(accuracyBy(reviews, 'month').map((r) => [r.key, r.reviews])).toEqual([
      ['2026-10', 2],
      ['2026-11', 1],
    ]);
  });
});
