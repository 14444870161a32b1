import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#shared/aws/ports.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'ledger' });

function entry(objectId: string): LedgerEntry {
  return {
    objectId,
    status: 'PROCESSING',
    stage: 'intake',
    source: { objectId, bucket: 'intake-bucket', etag: 'abc123' },
    startedAt: '2026-11-21T08:00:00.000Z',
  };
}

describe('DynamoObjectLedger on dynalite', () => {
  it('claims an object once; the second claim sees the first', async () => {
    expect(await stack.ports.ledger.begin(entry('o-1'))).toEqual({ claimed: true });
    const again = await stack.ports.ledger.begin({ ...entry('o-1'), startedAt: '2026-11-21T09:00:00.000Z' });
    expect(again).toEqual({ claimed: false, existing: entry('o-1') });
  });

  it('finishes an entry with its counts', async () => {
    await stack.ports.ledger.begin(entry('o-2'));
    await stack.ports.ledger.finish('o-2', { charts: 12, quarantined: 1 }, '2026-11-21T08:01:00.000Z');
    expect(await stack.ports.ledger.get('o-2')).toEqual({
      ...entry('o-2'),
      status: 'DONE',
      counts: { charts: 12, quarantined: 1 },
      finishedAt: '2026-11-21T08:01:00.000Z',
    });
    // A retried finish is harmless.
    await stack.ports.ledger.finish('o-2', { charts: 12, quarantined: 1 }, '2026-11-21T08:02:00.000Z');
    expect((await stack.ports.ledger.get('o-2'))?.status).toBe('DONE');
  });

  it('takes over an object only once its lease has passed, and only once', async () => {
    const lease = { ...entry('o-3'), segment: 0, leaseUntil: '2026-11-21T08:06:00.000Z' };
    await stack.ports.ledger.begin(lease);
    const early = { segment: 0, now: '2026-11-21T08:05:00.000Z', leaseUntil: '2026-11-21T08:11:00.000Z' };
    expect(await stack.ports.ledger.takeOver('o-3', early)).toBe(false);
    const late = { segment: 0, now: '2026-11-21T08:07:00.000Z', leaseUntil: '2026-11-21T08:13:00.000Z' };
    expect(await stack.ports.ledger.takeOver('o-3', late)).toBe(true);
    expect(await stack.ports.ledger.takeOver('o-3', late)).toBe(false);
    expect(await stack.ports.ledger.get('o-3')).toMatchObject({
      segment: 1,
      leaseUntil: '2026-11-21T08:13:00.000Z',
    });
  });

  it('takes over an entry begun before segments and leases existed', async () => {
    await stack.ports.ledger.begin(entry('o-5'));
    const args = { segment: 0, now: '2026-11-21T08:07:00.000Z', leaseUntil: '2026-11-21T08:13:00.000Z' };
    expect(await stack.ports.ledger.takeOver('o-5', args)).toBe(true);
    expect(await stack.ports.ledger.get('o-5')).toMatchObject({ segment: 1 });
  });

  it('moves the lease alone when no checkpoint is given', async () => {
    await stack.ports.ledger.begin({ ...entry('o-6'), segment: 0, checkpoint: { keep: true } });
    expect(
      await stack.ports.ledger.saveCheckpoint('o-6', { segment: 0, leaseUntil: '2026-11-21T08:00:01.000Z' }),
    ).toBe(true);
    expect(await stack.ports.ledger.get('o-6')).toMatchObject({
      checkpoint: { keep: true },
      leaseUntil: '2026-11-21T08:00:01.000Z',
    });
  });

  it('saves a checkpoint only for the run that holds the object', async () => {
    await stack.ports.ledger.begin({ ...entry('o-4'), segment: 0, leaseUntil: '2026-11-21T08:06:00.000Z' });
    const checkpoint = { position: { offset: 1234, line: 17, mode: 'lines' }, counts: { read: 16 } };
    expect(
      await stack.ports.ledger.saveCheckpoint('o-4', {
        segment: 0,
        checkpoint,
        leaseUntil: '2026-11-21T08:00:30.000Z',
      }),
    ).toBe(true);
    expect(await stack.ports.ledger.get('o-4')).toMatchObject({
      checkpoint,
      leaseUntil: '2026-11-21T08:00:30.000Z',
    });
    // A run that was taken over can no longer write.
    expect(
      await stack.ports.ledger.saveCheckpoint('o-4', {
        segment: 1,
        checkpoint,
        leaseUntil: '2026-11-21T08:01:00.000Z',
      }),
    ).toBe(false);
    await stack.ports.ledger.finish('o-4', {}, '2026-11-21T08:02:00.000Z');
    expect(
      await stack.ports.ledger.saveCheckpoint('o-4', {
        segment: 0,
        checkpoint,
        leaseUntil: '2026-11-21T08:01:00.000Z',
      }),
    ).toBe(false);
  });

  it('refuses to finish what was never begun, and lists entries', async () => {
    await expect(stack.ports.ledger.finish('o-never', {}, '2026-11-21T08:00:00.000Z')).rejects.toThrow(
      /never begun/,
    );
    expect(await stack.ports.ledger.get('o-never')).toBeUndefined();
    const ids: string[] = [];
    for await (const e of stack.ports.ledger.list()) ids.push(e.objectId);
    expect(ids.sort()).toEqual(['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6']);
  });
});
