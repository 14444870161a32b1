import type { ReviewEntry } from '#shared/aws/ports.ts';
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

/**
 * The review board's entry for a request: what the reviewer is shown of the chart's state. A blind second
 * review shows nothing of the first review (no status, no grouping); a dispute shows the review and the
 * disputed corrections.
 */
export function reviewEntry(
  state: ChartState,
  request: ReviewRequest,
  queue: ReviewEntry['queue'],
): ReviewEntry {
  const blind = request.purpose === 'second-review';
  return {
    agencyId: state.agencyId,
    chartKey: state.chartKey,
    version: state.version,
    purpose: request.purpose,
    queue,
    requestedAt: request.requestedAt,
    coderId: state.coderId,
    notBy: request.notBy ?? [],
    artifactKey: state.artifactKey,
    reason: request.reason,
    shown: {
      ...(blind ? {} : { status: state.status }),
      findings: state.findings ?? [],
      ...(state.sampling ? { sampling: state.sampling } : {}),
      ...(state.grouping && !blind ? { grouping: state.grouping } : {}),
      ...(request.purpose === 'dispute' && state.qa ? { review: state.qa, dispute: state.dispute } : {}),
    },
  };
}
