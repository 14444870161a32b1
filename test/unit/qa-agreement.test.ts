import { describe, expect, it } from 'vitest';
import { cohensKappa, reviewerAgreement } from '#shared/metrics/reviewer-agreement.ts';
import type { DisputeRecord } from '#shared/model/qa.ts';
import { applyDisputes } from '#shared/sampling/apply-disputes.ts';
import { reviewRecord } from '../support/qa-records.ts';

const review = reviewRecord;

describe("Cohen's kappa", () => {
  it('matches a worked example: 70% observed, 50% by chance -> 0.4', () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ['agree', 'agree'] as [string, string]),
      ...Array.from({ length: 5 }, () => ['agree', 'corrected'] as [string, string]),
      ...Array.from({ length: 10 }, () => ['corrected', 'agree'] as [string, string]),
      ...Array.from({ length: 15 }, () => ['corrected', 'corrected'] as [string, string]),
    ];
    const k = cohensKappa(pairs);
    expect(k.observed).toBeCloseTo(0.7, 10);
    expect(k.kappa).toBeCloseTo(0.4, 10);
  });

  it('is undefined when chance agreement is certain, and 1 for perfect agreement over two outcomes', () => {
    expect(cohensKappa([['agree', 'agree']])).toEqual({ observed: 1 });
    expect(
      cohensKappa([
        ['agree', 'agree'],
        ['corrected', 'corrected'],
      ]).kappa,
    ).toBe(1);
  });

  it('pairs each first review with its blind second review, per reviewer pair in either order', () => {
    const rows = reviewerAgreement([
      review({ chartKey: 'c1', reviewerId: 'qa-2' }),
      review({ chartKey: 'c1', reviewerId: 'qa-1', round: 'second' }),
      review({ chartKey: 'c2', reviewerId: 'qa-1', outcome: 'corrected' }),
      review({ chartKey: 'c2', reviewerId: 'qa-2', round: 'second' }),
      review({ chartKey: 'c3', reviewerId: 'qa-3' }),
    ]);
    expect(rows).toEqual([{ reviewers: ['qa-1', 'qa-2'], charts: 2, observed: 0.5, kappa: 0 }]);
  });
});

describe('applyDisputes', () => {
  const disputed = review({
    outcome: 'corrected',
    score: { chartAccurate: false, codesReviewed: 4, codesConfirmed: 2 },
    corrections: [
      { category: 'sequencing', severity: 'major', direction: 'neutral' },
      { category: 'specificity', severity: 'minor', direction: 'neutral' },
    ],
  });
  const dispute = (outcome: DisputeRecord['outcome']): DisputeRecord => ({
    kind: 'dispute',
    agencyId: 'a',
    coderId: 'coder-1',
    chartKey: 'ck',
    version: 1,
    reviewedAt: disputed.reviewedAt,
    resolvedAt: '2026-10-07T10:00:00Z',
    reviewerId: 'qa-senior',
    outcome,
    corrections: [0],
    score: { chartAccurate: true, codesReviewed: 4, codesConfirmed: 3 },
  });

  it('an overturned dispute replaces the score and drops the overturned corrections', () => {
    const [after] = applyDisputes([disputed], [dispute('overturned')]);
    expect(after?.score).toEqual({ chartAccurate: true, codesReviewed: 4, codesConfirmed: 3 });
    expect(after?.corrections.map((c) => c.category)).toEqual(['specificity']);
  });

  it('an upheld dispute changes nothing, nor does a dispute of another review', () => {
    expect(applyDisputes([disputed], [dispute('upheld')])).toEqual([disputed]);
    const other = { ...dispute('overturned'), reviewedAt: '2026-01-01T00:00:00Z' };
    expect(applyDisputes([disputed], [other])).toEqual([disputed]);
  });
});
