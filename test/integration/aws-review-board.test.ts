import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ReviewEntry } from '#shared/aws/ports.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'reviews' });

const slot = (chartKey: string) =>
  ({ agencyId: 'north', queue: 'qa-review', chartKey, version: 1, purpose: 'review' }) as const;

function entry(chartKey: string, over: Partial<ReviewEntry> = {}): ReviewEntry {
  return {
    agencyId: 'north',
    chartKey,
    version: 1,
    purpose: 'review',
    queue: 'qa-review',
    requestedAt: '2026-11-20T10:00:00.000Z',
    coderId: 'coder-a',
    notBy: ['coder-a'],
    artifactKey: `charts/north/${chartKey}/v1.json`,
    reason: 'base-rate: draw 0.01 < rate 0.1',
    shown: { status: 'SAMPLED', findings: [] },
    ...over,
  };
}

describe('DynamoReviewBoard on dynalite', () => {
  it("lists an agency's open entries oldest first, by one Query of its partition", async () => {
    const board = stack.ports.reviews;
    await board.open(entry('ck2', { requestedAt: '2026-11-21T10:00:00.000Z' }));
    await board.open(entry('ck1'));
    await board.open(entry('ck1', { purpose: 'second-review', requestedAt: '2026-11-22T10:00:00.000Z' }));
    await board.open(entry('ck9', { agencyId: 'south' }));
    expect((await board.pending('north', 'qa-review')).map((e) => `${e.chartKey}:${e.purpose}`)).toEqual([
      'ck1:review',
      'ck2:review',
      'ck1:second-review',
    ]);
    expect((await board.pending('south', 'qa-review')).map((e) => e.chartKey)).toEqual(['ck9']);
    // One partition per queue: the seniors' entries are not the first reviewers'.
    await board.open(entry('ck7', { queue: 'qa-review-senior', purpose: 'dispute' }));
    expect((await board.pending('north', 'qa-review-senior')).map((e) => e.chartKey)).toEqual(['ck7']);
    expect((await board.pending('north', 'qa-review')).map((e) => e.chartKey)).not.toContain('ck7');
  });

  it('opens once and closes once: a redelivered request never reopens an answered review', async () => {
    const board = stack.ports.reviews;
    await board.open(entry('ck5'));
    await board.open(entry('ck5', { reason: 'changed' }));
    expect((await board.get(slot('ck5')))?.reason).toBe('base-rate: draw 0.01 < rate 0.1');
    await board.close(slot('ck5'), '2026-11-23T10:00:00.000Z');
    await board.close(slot('ck5'), '2026-11-24T10:00:00.000Z');
    await board.open(entry('ck5'));
    const closed = await board.get(slot('ck5'));
    expect(closed?.closedAt).toBe('2026-11-23T10:00:00.000Z');
    // The TTL attribute is the table's plumbing, not part of the entry.
    expect(closed).not.toHaveProperty('expiresAt');
    expect((await board.pending('north', 'qa-review')).map((e) => e.chartKey)).not.toContain('ck5');
    // Closing an entry not opened yet (a version superseded before qa-sampling opened it) leaves a closed
    // stub: the open that follows does nothing, and the board never lists it.
    await board.close(slot('ck-early'), '2026-11-23T10:00:00.000Z');
    await board.open(entry('ck-early'));
    expect(await board.get(slot('ck-early'))).toMatchObject({
      closedAt: '2026-11-23T10:00:00.000Z',
    });
    expect((await board.pending('north', 'qa-review')).map((e) => e.chartKey)).not.toContain('ck-early');
  });

  it('lets the table expire a closed entry a week after it closed (its TTL attribute), never an open one', async () => {
    const board = stack.ports.reviews;
    await board.open(entry('ck-ttl'));
    const raw = () =>
      stack.clients.dynamo.send(
        new GetCommand({
          TableName: stack.resources.table,
          Key: { pk: 'REVIEWS#north#qa-review', sk: 'ck-ttl#0000000001#review' },
        }),
      );
    expect((await raw()).Item?.expiresAt).toBeUndefined();
    await board.close(slot('ck-ttl'), '2026-11-23T10:00:00.000Z');
    expect((await raw()).Item?.expiresAt).toBe(Date.parse('2026-11-30T10:00:00.000Z') / 1000);
  });
});
