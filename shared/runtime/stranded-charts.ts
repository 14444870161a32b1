import type { AuditLog, ChartStore, StageQueue } from '#shared/aws/ports.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import type { LambdaQueueName } from '#shared/topology.ts';
import { chartMessage } from './forward.ts';

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

/** The statuses a chart can be stranded in: those only a stage moves a chart out of. */
export const STRANDABLE_STATUSES = Object.keys(NEXT_STAGE) as ChartStatus[];

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

/**
 * The stranded chart versions of the given agencies, found by index rather than by reading the table:
 * for each agency and strandable status, only the versions last updated before the bound (gsi1 is keyed
 * by agency and status, sorted by update time).
 */
export async function findStrandedCharts(
  charts: Pick<ChartStore, 'byStatus'>,
  agencies: readonly string[],
  now: Date,
  olderThanMs: number,
): Promise<StrandedChart[]> {
  const before = new Date(now.getTime() - olderThanMs).toISOString();
  const states: ChartState[] = [];
  for (const agencyId of agencies)
    for (const status of STRANDABLE_STATUSES)
      for await (const s of charts.byStatus(agencyId, status, before)) states.push(s);
  return strandedCharts(states, now, olderThanMs);
}

/**
 * Re-drives each stranded version: its stage gets its message again, and the audit log records who did
 * it, once per stranded state and actor (the same actor's second pass re-sends and records once; another
 * actor's re-send is in the trail under their name).
 */
export async function redriveStrandedCharts(
  ports: { queue: StageQueue; audit: AuditLog },
  stranded: readonly StrandedChart[],
  actor: string,
  now: Date,
): Promise<void> {
  for (const s of stranded) {
    await ports.queue.send(s.queue, [chartMessage(s)]);
    await ports.audit.record({
      type: 'chart.redriven',
      agencyId: s.agencyId,
      subject: chartSubject(s.chartKey, s.version),
      actor,
      at: now.toISOString(),
      idempotencyKey: `redriven:${s.status}:${s.since}:${actor}`,
      detail: { status: s.status, since: s.since, queue: s.queue },
    });
  }
}
