import { describe, expect, it } from 'vitest';
import { awaits, pendingPurpose } from '#cli/lib/review-queue.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { storedReview } from '../support/qa-result-world.ts';

/**
 * When a review request is stale (`qa review --next` deletes it): only once its answer is in. A request
 * is sent before the stage marks it sent, and a chart can wait for two answers at once.
 */
const base = {
  chartKey: 'ck',
  version: 1,
  agencyId: 'a',
  lineOfBusiness: 'home_health',
  payerType: 'medicare',
  coderId: 'coder-a',
  contentHash: 'x',
  artifactKey: 'charts/a/ck/v1.json',
  sourceObject: 'ob',
  receivedAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
} as const;
const at = (over: Partial<ChartState>): ChartState => ({ ...base, status: 'SAMPLED', ...over }) as ChartState;
const dispute = { disputedAt: '2026-11-05T00:00:00Z', coderId: 'coder-a', corrections: [0] };

describe('a review request is awaited', () => {
  it('for a first review while the chart is SAMPLED, marked sent or not yet', () => {
    expect(awaits(at({}), 'review')).toBe(true);
    expect(pendingPurpose(at({}))).toBeUndefined();
    expect(awaits(at({ reviewRequestedAt: '2026-11-02T00:00:00Z' }), 'review')).toBe(true);
    expect(awaits(at({ status: 'QA_PASSED', qa: storedReview() }), 'review')).toBe(false);
  });

  it('for a second review until one is recorded, whatever else the chart waits for', () => {
    const reviewed = at({ status: 'BATCHED', qa: storedReview() });
    expect(awaits(reviewed, 'second-review')).toBe(true);
    expect(awaits({ ...reviewed, dispute } as ChartState, 'second-review')).toBe(true);
    expect(awaits({ ...reviewed, secondReview: storedReview() } as ChartState, 'second-review')).toBe(false);
    expect(awaits(at({}), 'second-review')).toBe(false);
  });

  it('for a dispute decision until one is recorded', () => {
    const disputed = at({ status: 'BATCHED', qa: storedReview(), dispute } as Partial<ChartState>);
    expect(awaits(disputed, 'dispute')).toBe(true);
    expect(
      awaits({ ...disputed, disputeResolution: { outcome: 'upheld' } } as unknown as ChartState, 'dispute'),
    ).toBe(false);
    expect(awaits(at({}), 'dispute')).toBe(false);
  });
});
