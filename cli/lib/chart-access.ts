import { type ChartOpenPurpose, chartOpenedEvent } from '#shared/audit-trail/person-events.ts';
import type { Ports } from '#shared/aws/ports.ts';
import type { Target } from './target.ts';

/**
 * Records that the person running a command opens a chart version's file, before it is read: no audit
 * event, no chart. Runs as the role the command acts as (its own `access` partition, nothing else).
 */
export async function recordChartOpened(
  target: Pick<Target, 'actor'> & { ports: Pick<Ports, 'audit'> },
  chart: { agencyId: string; chartKey: string; version: number },
  purpose: ChartOpenPurpose,
): Promise<void> {
  await target.ports.audit.record(
    chartOpenedEvent({ ...chart, purpose, actor: target.actor, at: new Date().toISOString() }),
  );
}
