import type { ChartState } from '#shared/model/chart-state.ts';
import type { ChartMessage, ReviewRequest } from '#shared/model/messages.ts';

export function chartMessage(state: Pick<ChartState, 'agencyId' | 'chartKey' | 'version'>): ChartMessage {
  return { kind: 'chart', agencyId: state.agencyId, chartKey: state.chartKey, version: state.version };
}

/** A request for a QA reviewer: what to review and why, and who may not take it. */
export function reviewRequest(
  state: Pick<ChartState, 'agencyId' | 'chartKey' | 'version' | 'coderId' | 'artifactKey'>,
  purpose: ReviewRequest['purpose'],
  notBy: string[],
  reason: string,
  requestedAt: string,
): ReviewRequest {
  return {
    kind: 'review-request',
    purpose,
    notBy,
    agencyId: state.agencyId,
    chartKey: state.chartKey,
    version: state.version,
    coderId: state.coderId,
    artifactKey: state.artifactKey,
    reason,
    requestedAt,
  };
}

/** Thrown when a message names a chart version the table does not hold: retried, then dead-lettered. */
export class UnknownChartError extends Error {
  override name = 'UnknownChartError';
  constructor(chartKey: string, version: number) {
    super(`no state for ${chartKey} v${version}`);
  }
}
