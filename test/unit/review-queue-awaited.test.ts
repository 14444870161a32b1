import { describe, expect, it } from 'vitest';
import { stillAwaited, submitVerdicts } from '#cli/lib/review-queue.ts';
import type { ReviewEntry } from '#shared/aws/ports.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import type { ReviewRequest } from '#shared/model/messages.ts';
import { memoryPorts } from '../support/memory-ports.ts';

/**
 * When a review request is stale (`qa review --next` deletes it): once its review board entry is closed
 * (answered, or the version superseded first), or when there is none.
 */
const request = (purpose: ReviewRequest['purpose']): ReviewRequest => ({
  kind: 'review-request',
  purpose,
  notBy: ['coder-a'],
  agencyId: 'a',
  chartKey: 'ck1',
  version: 1,
  coderId: 'coder-a',
  artifactKey: 'charts/a/ck1/v1.json',
  reason: 'r',
  requestedAt: '2026-11-20T00:00:00Z',
});
const entry = (purpose: ReviewEntry['purpose']): ReviewEntry => ({
  agencyId: 'a',
  chartKey: 'ck1',
  version: 1,
  purpose,
  queue: 'qa-review',
  requestedAt: '2026-11-20T00:00:00Z',
  coderId: 'coder-a',
  notBy: ['coder-a'],
  artifactKey: 'charts/a/ck1/v1.json',
  reason: 'r',
  shown: { findings: [] },
});

describe('a review request is awaited', () => {
  it('until its entry is closed; a request with no entry (from before the board) is left to qa-result', async () => {
    const { ports } = memoryPorts();
    expect(await stillAwaited(ports, request('review'), 'qa-review')).toBe(true);
    await ports.reviews.open(entry('review'));
    expect(await stillAwaited(ports, request('review'), 'qa-review')).toBe(true);
    // Each purpose is its own entry: closing one leaves the other.
    await ports.reviews.close(
      { agencyId: 'a', queue: 'qa-review', chartKey: 'ck1', version: 1, purpose: 'second-review' },
      '2026-11-21T00:00:00Z',
    );
    expect(await stillAwaited(ports, request('second-review'), 'qa-review')).toBe(false);
    expect(await stillAwaited(ports, request('review'), 'qa-review')).toBe(true);
    await ports.reviews.close(
      { agencyId: 'a', queue: 'qa-review', chartKey: 'ck1', version: 1, purpose: 'review' },
      '2026-11-21T00:00:00Z',
    );
    expect(await stillAwaited(ports, request('review'), 'qa-review')).toBe(false);
  });

  it('tells a reviewer whether each verdict they send answers a review still awaited', async () => {
    const { ports } = memoryPorts();
    const chartKey = await chartKeyOf(ports.keys, 'a', 'CH-1');
    await ports.reviews.open({ ...entry('review'), chartKey });
    const sent: unknown[] = [];
    const verdict = (round: 'first' | 'second') => ({
      agencyId: 'a',
      chartId: 'CH-1',
      version: 1,
      reviewerId: 'qa-1',
      round,
      outcome: 'agree' as const,
      corrections: [],
    });
    const applied = await submitVerdicts(
      {
        sqs: { send: async () => ({}) } as never,
        ports: {
          ...ports,
          queue: { send: async (_q: unknown, m: readonly unknown[]) => void sent.push(...m) },
        },
        queue: 'qa-review',
        queueUrls: {},
        actor: 'local:test',
      },
      [verdict('first'), verdict('second')],
    );
    expect(applied.map((a) => a.awaitingReview)).toEqual([true, false]);
    expect(sent).toHaveLength(2);
  });
});
