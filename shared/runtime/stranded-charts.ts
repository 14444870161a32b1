import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import type { LambdaQueueName } from '#shared/topology.ts';

/**
 * Which chart versions a stage should have moved on and has not: a status only a stage leaves, held
 * past a bound since the chart last changed. Each is named with the queue whose stage takes it on, so
 * re-sending its message re-drives it; every stage's handling of a message it has seen is idempotent
 * (it redoes the follow-ups of a decision already written, or moves the chart on). Pure.
 *
 * A message lost for good (a duplicate delivery whose success deleted it while the winner died, a DLQ
 * message nobody redrove) leaves the chart exactly so. Statuses people or payers end (QUERY_OPEN,
 * REJECTED, BATCHED and after, SAMPLED once its review request is out) are theirs, not stranded.
 */
const NEXT_STAGE: Partial<Record<ChartStatus, LambdaQueueName>> = {
  RECEIVED: 'validate',
  VALIDATED: 'sample',
  // A sampled chart whose review request never went out: qa-sampling's follow-ups send it.
  SAMPLED: 'sample',
  NOT_SAMPLED: 'billing',
  QA_PASSED: 'billing',
  QA_CORRECTED: 'billing',
  READY_FOR_BILLING: 'billing',
};

export interface StrandedChart {
  agencyId: string;
  chartKey: string;
  version: number;
  status: ChartStatus;
  since: string;
  queue: LambdaQueueName;
}

/** The chart versions stranded at `now`: in a stage-owned status, unchanged for `olderThanMs` or more. */
export function strandedCharts(
  states: Iterable<ChartState>,
  now: Date,
  olderThanMs: number,
): StrandedChart[] {
  const out: StrandedChart[] = [];
  for (const s of states) {
    const queue = NEXT_STAGE[s.status];
    if (!queue) continue;
    if (s.status === 'SAMPLED' && s.reviewRequestedAt) continue;
    if (now.getTime() - Date.parse(s.updatedAt) < olderThanMs) continue;
    out.push({
      agencyId: s.agencyId,
      chartKey: s.chartKey,
      version: s.version,
      status: s.status,
      since: s.updatedAt,
      queue,
    });
  }
  return out.sort((a, b) => a.since.localeCompare(b.since) || a.chartKey.localeCompare(b.chartKey));
}
