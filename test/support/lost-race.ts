import { expect } from 'vitest';
import type { ChartStore } from '#shared/aws/ports.ts';

/**
 * A chart store over `charts` on which a delivery loses the race to one that dies after its write: the
 * first transition this store is asked for first runs `winner` over `dying` (a store whose every
 * transition writes, then throws 'killed'), expects it to throw, and only then makes its own.
 */
export function losingToADyingWinner(
  charts: ChartStore,
  winner: (dying: ChartStore) => Promise<unknown>,
): ChartStore {
  const dying: ChartStore = {
    ...charts,
    async transition(...args) {
      await charts.transition(...args);
      throw new Error('killed');
    },
  };
  return {
    ...charts,
    async transition(...args) {
      await expect(winner(dying)).rejects.toThrow('killed');
      return charts.transition(...args);
    },
  };
}
