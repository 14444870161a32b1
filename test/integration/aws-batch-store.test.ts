import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Batch } from '#shared/model/batch.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'batches' });

function batch(batchId: string): Batch {
  return {
    batchId,
    agencyId: 'agency-a',
    status: 'OPEN',
    createdAt: '2026-11-21T08:00:00.000Z',
    candidates: [
      { chartKey: 'ck1', version: 1 },
      { chartKey: 'ck2', version: 3 },
    ],
  };
}

/** A batch of agency-a by its key. */
const ref = (batchId: string) => ({ agencyId: 'agency-a', batchId });

describe('DynamoBatchStore on dynalite', () => {
  it('creates a batch once; creating it again keeps the stored one', async () => {
    await stack.ports.batches.create(batch('b-1'));
    await stack.ports.batches.create({ ...batch('b-1'), candidates: [] });
    expect(await stack.ports.batches.get(ref('b-1'))).toEqual(batch('b-1'));
    expect(await stack.ports.batches.get(ref('b-none'))).toBeUndefined();
  });

  it('hands a batch off exactly once', async () => {
    await stack.ports.batches.create(batch('b-2'));
    const changes = {
      manifestKey: 'batches/agency-a/b-2.json',
      chartCount: 2,
      handedOffAt: '2026-11-21T08:05:00.000Z',
    };
    expect(await stack.ports.batches.handOff(ref('b-2'), changes)).toBe(true);
    expect(await stack.ports.batches.handOff(ref('b-2'), { ...changes, chartCount: 9 })).toBe(false);
    expect(await stack.ports.batches.get(ref('b-2'))).toEqual({
      ...batch('b-2'),
      ...changes,
      status: 'HANDED_OFF',
    });
    expect(await stack.ports.batches.handOff(ref('b-missing'), changes)).toBe(false);
    expect(await stack.ports.batches.get(ref('b-missing'))).toBeUndefined();
  });

  it('keeps a batch under its agency: the same id of another agency is another batch, and the key says whose', async () => {
    await stack.ports.batches.create(batch('b-4'));
    await stack.ports.batches.create({ ...batch('b-4'), agencyId: 'agency-b', candidates: [] });
    expect((await stack.ports.batches.get(ref('b-4')))?.candidates).toHaveLength(2);
    expect(await stack.ports.batches.get({ agencyId: 'agency-b', batchId: 'b-4' })).toMatchObject({
      candidates: [],
    });
    expect(await stack.ports.batches.get({ agencyId: 'agency-c', batchId: 'b-4' })).toBeUndefined();
    const item = await stack.clients.dynamo.send(
      new GetCommand({ TableName: stack.resources.table, Key: { pk: 'BATCH#agency-a#b-4', sk: 'META' } }),
    );
    expect(item.Item?.batchId).toBe('b-4');
  });

  it('lists batches', async () => {
    await stack.ports.batches.create(batch('b-3'));
    const ids: string[] = [];
    for await (const b of stack.ports.batches.list()) ids.push(b.batchId);
    expect(ids.sort()).toEqual(['b-1', 'b-2', 'b-3', 'b-4', 'b-4']);
  });
});
