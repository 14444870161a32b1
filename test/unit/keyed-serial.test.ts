import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedSerial } from '#shared/runtime/keyed-serial.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyedSerial', () => {
  it('runs one key in submission order, with at most `limit` tasks in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat({ max: 3 })), { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (tasks, limit) => {
          const runner = keyedSerial(limit);
          const done: Record<string, number[]> = {};
          let inFlight = 0;
          let most = 0;
          for (const [i, [key, ms]] of tasks.entries())
            await runner.submit(key, async () => {
              inFlight++;
              most = Math.max(most, inFlight);
              await tick(ms);
              done[key] = [...(done[key] ?? []), i];
              inFlight--;
            });
          await runner.drain();
          for (const [key, order] of Object.entries(done))
            expect(order).toEqual(tasks.flatMap(([k], i) => (k === key ? [i] : [])));
          expect(most).toBeLessThanOrEqual(limit);
          expect(Object.values(done).flat()).toHaveLength(tasks.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("skips a key's later tasks once one failed, and runs the other keys' tasks", async () => {
    const runner = keyedSerial(4);
    const ran: string[] = [];
    await runner.submit('claim', async () => {
      await tick(2);
      throw new Error('reversal failed');
    });
    await runner.submit('claim', async () => {
      ran.push('correction');
    });
    await runner.submit('other', async () => {
      ran.push('other');
    });
    await expect(runner.drain()).rejects.toThrow('reversal failed');
    expect(ran).toEqual(['other']);
  });

  it('throws the first failure from drain (and from the next submit)', async () => {
    const runner = keyedSerial(2);
    await runner.submit('a', async () => {
      throw new Error('boom');
    });
    await tick(1);
    await expect(runner.submit('b', async () => undefined)).rejects.toThrow('boom');
    await expect(runner.drain()).rejects.toThrow('boom');
  });
});
