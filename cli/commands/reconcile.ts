import type { Ports } from '#shared/aws/ports.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import {
  redriveStrandedCharts,
  type StrandedChart,
  strandedCharts,
} from '#shared/runtime/stranded-charts.ts';
import { table } from '../lib/summary.ts';

/**
 * `codetrail reconcile`: finds chart versions a stage should have moved on and has not (see
 * shared/runtime/stranded-charts.ts) and re-drives each by sending its stage its message again, with
 * an audit event naming who did it. `--dry-run` lists them only. Reads every chart (a scan), so it also
 * finds an agency the config does not name: an operator's command, not a hot path. The hourly
 * reconciler Lambda (functions/reconciler) does the same by index for the configured agencies.
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
  if (!opts.dryRun) await redriveStrandedCharts(target.ports, stranded, target.actor, now);
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
