import { createBillingHandoffService } from '#functions/billing-handoff/service.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { Batch, BatchManifest } from '#shared/model/batch.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { BatchReady } from '#shared/model/messages.ts';
import { homeHealthChart, hospiceChart } from './charts.ts';
import { memoryPorts, movableClock } from './memory-ports.ts';

/**
 * Two agencies, one in a Review Choice Demonstration state (Ohio) and one not (California), listed in
 * that order so that an agency looked up by the wrong id picks the other one's state.
 */
export const OHIO = 'ohio-agency';
export const CALIFORNIA = 'calif-agency';

/** Monday 2026-11-23, 10:00 in New York: inside the default business hours (08:00 to 17:00). */
export const DESK_START = '2026-11-23T15:00:00.000Z';

/** A PDGM grouping as validation leaves it on a home health chart. */
export const GROUPING: NonNullable<ChartState['grouping']> = {
  hipps: '1FC21',
  clinicalGroup: 'B',
  clinicalGroupName: 'Neuro Rehabilitation',
  functionalLevel: 'medium',
  functionalPoints: 40,
  comorbidity: 'none',
  admission: 'community-early',
  pdgmVersion: 'sample',
  sample: true,
};

export interface ClearedChart {
  chartKey: string;
  version: number;
  artifactKey: string;
  /** The chart file's content (stored unless the chart was cleared `unreadable`). */
  chart: Record<string, unknown>;
  /** The delivery item billing handoff receives for it. */
  item: { messageId: string; body: unknown };
}

/**
 * A billing desk: in-memory ports holding chart versions cleared for billing (NOT_SAMPLED unless a test
 * says otherwise), with their chart files, and the billing handoff service over them on a clock a test
 * moves. `config` is merged over the two agencies above.
 */
export function billingDesk(config: Record<string, unknown> = {}) {
  const clock = movableClock(DESK_START);
  const mem = memoryPorts({ clock });
  const parsed = parseConfig({
    agencies: [
      { id: OHIO, state: 'OH' },
      { id: CALIFORNIA, state: 'CA' },
    ],
    ...config,
  });
  const metrics: [string, number][] = [];

  /** The manifest of an announced batch, as stored. */
  async function manifest(ready: Pick<BatchReady, 'manifestKey'> | undefined): Promise<BatchManifest> {
    if (!ready) throw new Error('no batch was announced');
    return JSON.parse(await mem.ports.artifacts.getText('artifacts', ready.manifestKey));
  }

  /**
   * A synthetic chart (`id` keys it) cleared for billing: its file in the artifacts bucket (none when
   * `unreadable`) and its state in the table.
   */
  async function clear(
    id: string,
    options: {
      agencyId?: string;
      hospice?: boolean;
      chart?: Partial<ChartInput> & Record<string, unknown>;
      unreadable?: boolean;
      state?: Partial<ChartState>;
    } = {},
  ): Promise<ClearedChart> {
    const agencyId = options.agencyId ?? CALIFORNIA;
    const version = options.state?.version ?? 1;
    const chartKey = keyOf(id);
    const artifactKey = `charts/${agencyId}/${chartKey}/v${version}.json`;
    const base = options.hospice ? hospiceChart() : homeHealthChart();
    const chart = { ...base, chartId: id, agencyId, version, ...options.chart };
    if (!options.unreadable) await mem.ports.artifacts.putJson('artifacts', artifactKey, chart);
    await mem.ports.charts.create({
      chartKey,
      version,
      agencyId,
      status: 'NOT_SAMPLED',
      lineOfBusiness: chart.lineOfBusiness,
      payerType: chart.payer.type,
      coderId: chart.coderId,
      contentHash: sha256Hex(JSON.stringify(chart)),
      artifactKey,
      sourceObject: 'ob-test',
      receivedAt: '2026-11-02T10:00:00.000Z',
      updatedAt: '2026-11-02T10:00:00.000Z',
      codingCompletedAt: chart.codingCompletedAt,
      ...options.state,
    });
    return { chartKey, version, artifactKey, chart, item: itemFor(agencyId, chartKey, version) };
  }

  /** The billing handoff service; `ports` replaces some of its ports (a fault, a race). */
  function service(ports: Partial<Ports> = {}, options: { metrics?: boolean } = {}) {
    return createBillingHandoffService({
      ports: { ...mem.portsFor('billing-handoff'), ...ports },
      config: parsed,
      clock,
      ...(options.metrics === false ? {} : { onMetric: (name, value) => metrics.push([name, value]) }),
    });
  }

  return {
    mem,
    config: parsed,
    clock,
    metrics,
    clear,
    service,
    /** Moves the clock on. */
    advance: clock.advance,
    /** The batch-ready messages sent since the last call. */
    announced: () => mem.take('coded-batches').map((m) => BatchReady.parse(m)),
    manifest,
    /** The members of the one batch announced since the last call. */
    async announcedMembers(): Promise<BatchManifest['members']> {
      const announced = mem.take('coded-batches').map((m) => BatchReady.parse(m));
      if (announced.length !== 1) throw new Error(`${announced.length} batches announced, not one`);
      return (await manifest(announced[0])).members;
    },
    async batches(): Promise<Batch[]> {
      const out: Batch[] = [];
      for await (const b of mem.ports.batches.list()) out.push(b);
      return out;
    },
    state: async (c: Pick<ClearedChart, 'chartKey' | 'version'>) =>
      mem.ports.charts.get(c.chartKey, c.version),
    events: (type: string) => mem.events().filter((e) => e.type === type),
  };
}

/** The chartKey a test's chart id stands for (keyed as intake keys it: no chart id in it). */
export function keyOf(id: string): string {
  return sha256Hex(`chart|${id}`).slice(0, 32);
}

export function itemFor(agencyId: string, chartKey: string, version: number) {
  return {
    messageId: `m-${chartKey.slice(0, 6)}-v${version}`,
    body: { kind: 'chart', agencyId, chartKey, version },
  };
}
