import type { Clock, Ports } from '#shared/aws/ports.ts';
import type { Config } from '#shared/model/config.ts';
import {
  findStrandedCharts,
  redriveStrandedCharts,
  type StrandedChart,
} from '#shared/runtime/stranded-charts.ts';
import { RECONCILE_AFTER_MINUTES } from '#shared/topology.ts';

export const RECONCILER_ACTOR = 'stage:reconciler';

export interface ReconcilerDeps {
  ports: Pick<Ports, 'charts' | 'queue' | 'audit'>;
  config: Pick<Config, 'agencies'>;
  clock: Clock;
}

/**
 * The scheduled reconciler: the chart versions of the configured agencies that have waited on a stage
 * for RECONCILE_AFTER_MINUTES or more get their stage's message again, audited as `stage:reconciler`.
 * A message lost for good (a winner that died after its write, a DLQ message nobody redrove) leaves a
 * chart so; every stage handles a message it has seen idempotently, so a re-drive of a chart that was
 * only slow does no harm.
 */
export function createReconcilerService(deps: ReconcilerDeps) {
  return {
    async run(): Promise<StrandedChart[]> {
      const now = deps.clock.now();
      const agencies = deps.config.agencies.map((a) => a.id);
      const stranded = await findStrandedCharts(
        deps.ports.charts,
        agencies,
        now,
        RECONCILE_AFTER_MINUTES * 60_000,
      );
      await redriveStrandedCharts(deps.ports, stranded, RECONCILER_ACTOR, now);
      return stranded;
    },
  };
}
