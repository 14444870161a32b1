import type { ChartState } from '#shared/model/chart-state.ts';
import type { ChartMessage } from '#shared/model/messages.ts';

export function chartMessage(state: Pick<ChartState, 'agencyId' | 'chartKey' | 'version'>): ChartMessage {
  return { kind: 'chart', agencyId: state.agencyId, chartKey: state.chartKey, version: state.version };
}

/** Thrown when a message names a chart version the table does not hold: retried, then dead-lettered. */
export class UnknownChartError extends Error {
  override name = 'UnknownChartError';
  constructor(chartKey: string, version: number) {
    super(`no state for ${chartKey} v${version}`);
  }
}
