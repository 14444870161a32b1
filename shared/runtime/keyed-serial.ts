/**
 * Runs tasks with at most `limit` in flight, the tasks of one key one after another in the order they
 * were submitted, and none of a key's after one of them failed. Denial ingestion applies a file's claims a few at a time, but a reversal and the
 * corrected claim after it (the same claim, the same file) must land in order. `submit` waits for a
 * free slot, so a stream of claims never piles up in memory. The first failure is thrown by the next
 * `submit` or by `drain`.
 */
export function keyedSerial(limit: number) {
  const tails = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const failedKeys = new Set<string>();
  // A holder, not a let: TypeScript would narrow a let to undefined across the awaits.
  const failed: { failure?: { error: unknown } } = {};
  const rethrow = () => {
    if (failed.failure) throw failed.failure.error;
  };
  return {
    async submit(key: string, task: () => Promise<void>): Promise<void> {
      rethrow();
      while (inFlight.size >= Math.max(1, limit)) await Promise.race(inFlight);
      rethrow();
      const run: Promise<void> = (tails.get(key) ?? Promise.resolve())
        // After a failure the key's later tasks are skipped: they must not land before the one that
        // failed (a correction before its reversal). The failure fails the whole run, which is retried.
        .then(() => (failedKeys.has(key) ? undefined : task()))
        .catch((error: unknown) => {
          failedKeys.add(key);
          failed.failure ??= { error };
        })
        .finally(() => {
          inFlight.delete(run);
          if (tails.get(key) === run) tails.delete(key);
        });
      tails.set(key, run);
      inFlight.add(run);
    },
    async drain(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      rethrow();
    },
  };
}
