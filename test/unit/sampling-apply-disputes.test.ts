import { describe, expect, it } from 'vitest';
import type { DisputeRecord } from '#shared/model/qa.ts';
import { applyDisputes } from '#shared/sampling/apply-disputes.ts';
import { reviewRecord } from '../support/qa-records.ts';

// The overturn and upheld cases are in qa-agreement.test.ts; these pin which reviews a dispute reaches.
describe('applyDisputes: which reviews a dispute re-scores', () => {
  const corrected = { chartAccurate: false, codesReviewed: 4, codesConfirmed: 2 };
  const first = reviewRecord({
    outcome: 'corrected',
    score: corrected,
    corrections: [{ category: 'sequencing', severity: 'major', direction: 'neutral' }],
  });
  const overturned: DisputeRecord = {
    kind: 'dispute',
    agencyId: 'a',
    coderId: 'coder-1',
    chartKey: first.chartKey,
    version: first.version,
    reviewedAt: first.reviewedAt,
    resolvedAt: '2026-10-07T10:00:00Z',
    reviewerId: 'qa-senior',
    outcome: 'overturned',
    corrections: [0],
    score: { chartAccurate: true, codesReviewed: 4, codesConfirmed: 4 },
  };

  it('re-scores the first-round review it names, never a second review recorded at the same time', () => {
    const second = { ...first, round: 'second' as const, reviewerId: 'qa-2' };
    const [afterFirst, afterSecond] = applyDisputes([first, second], [overturned]);
    expect(afterFirst).toMatchObject({ score: overturned.score, corrections: [] });
    expect(afterSecond).toEqual(second);
  });

  it('returns every review, in order, as a new list', () => {
    const other = reviewRecord({ chartKey: 'ck-other' });
    const reviews = [other, first];
    const after = applyDisputes(reviews, []);
    expect(after).toEqual([other, first]);
    expect(after).not.toBe(reviews);
  });
});
