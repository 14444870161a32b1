import type { ReviewRecord } from '#shared/model/qa.ts';

/** A first-round review of coder-1's chart by qa-1 that agreed with four codes; `over` changes it. */
export function reviewRecord(over: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    kind: 'review',
    agencyId: 'a',
    coderId: 'coder-1',
    chartKey: 'ck',
    version: 1,
    reviewerId: 'qa-1',
    reviewedAt: '2026-10-05T10:00:00Z',
    round: 'first',
    outcome: 'agree',
    lineOfBusiness: 'home_health',
    score: { chartAccurate: true, codesReviewed: 4, codesConfirmed: 4 },
    corrections: [],
    ...over,
  };
}
