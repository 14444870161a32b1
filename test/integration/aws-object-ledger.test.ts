import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#shared/aws/ports.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'ledger' });

function entry(objectId: string): LedgerEntry {
  return {
    objectId,
    status: 'PROCESSING',
    stage: 'intake',
    source: { bucket: 'intake-bucket', key: `exports/agency-a/${objectId}.ndjson`, etag: 'abc123' },
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

  it('refuses to finish what was never begun, and lists entries', async () => {
    await expect(stack.ports.ledger.finish('o-never', {}, '2026-11-21T08:00:00.000Z')).rejects.toThrow(
      /never begun/,
    );
    expect(await stack.ports.ledger.get('o-never')).toBeUndefined();
    const ids: string[] = [];
    for await (const e of stack.ports.ledger.list()) ids.push(e.objectId);
    expect(ids.sort()).toEqual(['o-1', 'o-2']);
  });
});
