import type { Ports } from '#shared/aws/ports.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { chartMessage } from '#shared/runtime/forward.ts';
import { type StrandedChart, strandedCharts } from '#shared/runtime/stranded-charts.ts';
import { table } from '../lib/summary.ts';

/**
 * `codetrail reconcile`: finds chart versions a stage should have moved on and has not (see
 * shared/runtime/stranded-charts.ts) and re-drives each by sending its stage its message again, with
 * an audit event naming who did it. `--dry-run` lists them only. Reads every chart (a scan): an
 * operator's command, not a hot path.
 */
export async function runReconcile(
  target: { ports: Pick<Ports, 'charts' | 'queue' | 'audit'>; actor: string },
  opts: { olderThanMinutes?: number; dryRun?: boolean; json?: boolean },
  now: Date = new Date(),
): Promise<{ text: string; stranded: StrandedChart[] }> {
  const minutes = opts.olderThanMinutes ?? 60;
  const states: ChartState[] = [];
  for await (const s of target.ports.charts.list()) states.push(s);
  const stranded = strandedCharts(states, now, minutes * 60_000);
  if (!opts.dryRun) {
    for (const s of stranded) {
      await target.ports.queue.send(s.queue, [chartMessage(s)]);
      await target.ports.audit.record({
        type: 'chart.redriven',
        agencyId: s.agencyId,
        subject: chartSubject(s.chartKey, s.version),
        actor: target.actor,
        at: now.toISOString(),
        // Once per stranded state and person: the same operator's second run re-sends and records once;
        // another operator's re-send is in the trail under their name.
        idempotencyKey: `redriven:${s.status}:${s.since}:${target.actor}`,
        detail: { status: s.status, since: s.since, queue: s.queue },
      });
    }
  }
  if (opts.json) return { text: JSON.stringify(stranded, null, 2), stranded };
  if (stranded.length === 0)
    return { text: `No chart version has waited on a stage for ${minutes} minutes or more.`, stranded };
  const verb = opts.dryRun ? 'would re-drive' : 're-drove';
  return {
    text: `${table(
      ['chart', 'version', 'status', 'since', 'queue'],
      stranded.map((s) => [s.chartKey, s.version, s.status, s.since, s.queue]),
    )}\n${verb} ${stranded.length} chart version(s)`,
    stranded,
  };
}
