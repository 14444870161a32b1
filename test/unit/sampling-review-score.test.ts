import { describe, expect, it } from 'vitest';
import type { Correction } from '#shared/model/qa.ts';
import { scoreReview } from '#shared/sampling/review-score.ts';

const fix = (c: Partial<Correction>): Correction => ({
  category: 'specificity',
  severity: 'minor',
  direction: 'neutral',
  ...c,
});

describe('scoreReview', () => {
  it('an agreed chart is accurate and every code confirmed', () => {
    expect(scoreReview([1, 2, 3], [])).toEqual({ chartAccurate: true, codesReviewed: 3, codesConfirmed: 3 });
  });

  it('counts a replaced or removed code as not confirmed, and an added one as reviewed but not confirmed', () => {
    const score = scoreReview(
      [1, 2, 3],
      [
        fix({ sequence: 1, code: 'I50.32' }),
        fix({ sequence: 3, remove: true, category: 'unsupported-code', direction: 'over-coded' }),
        fix({ sequence: 4, code: 'E11.9', category: 'missed-comorbidity', direction: 'under-coded' }),
      ],
    );
    expect(score).toEqual({ chartAccurate: true, codesReviewed: 4, codesConfirmed: 1 });
  });

  it('a major or critical correction makes the chart inaccurate, even one outside the diagnoses', () => {
    expect(
      scoreReview([1], [fix({ severity: 'major', category: 'visit-coding', path: 'visits[2].hcpcs' })]),
    ).toEqual({ chartAccurate: false, codesReviewed: 1, codesConfirmed: 1 });
    expect(scoreReview([1], [fix({ sequence: 1, code: 'I10', severity: 'critical' })]).chartAccurate).toBe(
      false,
    );
  });

  it('two corrections of one sequence count that code once', () => {
    expect(
      scoreReview([1, 2], [fix({ sequence: 2, code: 'I10' }), fix({ sequence: 2, code: 'I11.9' })]),
    ).toEqual({
      chartAccurate: true,
      codesReviewed: 2,
      codesConfirmed: 1,
    });
  });

  it('a rejected chart is not accurate, with or without corrections', () => {
    expect(scoreReview([1, 2], [], 'rejected')).toEqual({
      chartAccurate: false,
      codesReviewed: 2,
      codesConfirmed: 2,
    });
  });

  it.each([
    ['a correction without a sequence, even one that names a code', [1, 2], fix({ code: 'I10' }), 2, 2],
    ['a correction of a coded sequence that changes no code', [1, 2], fix({ sequence: 1 }), 2, 2],
    ['the removal of a sequence the coder never coded', [1], fix({ sequence: 5, remove: true }), 1, 1],
  ])('counts no code reviewed or changed for %s', (_, coded, correction, codesReviewed, codesConfirmed) => {
    expect(scoreReview(coded, [correction])).toEqual({ chartAccurate: true, codesReviewed, codesConfirmed });
  });
});
