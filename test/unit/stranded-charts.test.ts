import { describe, expect, it } from 'vitest';
import { runReconcile } from '#cli/commands/reconcile.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import { strandedCharts } from '#shared/runtime/stranded-charts.ts';
import { fixedClock, memoryPorts } from '../support/memory-ports.ts';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const HOUR = 3_600_000;

function state(status: ChartStatus, updatedAt: string, over: Partial<ChartState> = {}): ChartState {
  return {
    chartKey: `k-${status.toLowerCase()}`,
    version: 1,
    agencyId: 'test-agency',
    status,
    lineOfBusiness: 'home_health',
    payerType: 'medicare',
    coderId: 'coder-a',
    contentHash: 'x',
    artifactKey: 'charts/test-agency/k/v1.json',
    sourceObject: 'ob-1',
    receivedAt: '2026-12-07T09:00:00.000Z',
    updatedAt,
    ...over,
  } as ChartState;
}

describe('strandedCharts', () => {
  it('names each stage-owned status held past the bound with the queue of the stage that takes it on', () => {
    const old = '2026-12-07T10:00:00.000Z';
    const found = strandedCharts(
      (
        ['RECEIVED', 'VALIDATED', 'NOT_SAMPLED', 'QA_PASSED', 'QA_CORRECTED', 'READY_FOR_BILLING'] as const
      ).map((s) => state(s, old)),
      NOW,
      HOUR,
    );
    expect(Object.fromEntries(found.map((f) => [f.status, f.queue]))).toEqual({
      RECEIVED: 'validate',
      VALIDATED: 'sample',
      NOT_SAMPLED: 'billing',
      QA_PASSED: 'billing',
      QA_CORRECTED: 'billing',
      READY_FOR_BILLING: 'billing',
    });
    expect(found[0]).toEqual({
      agencyId: 'test-agency',
      chartKey: expect.any(String),
      version: 1,
      status: expect.any(String),
      since: old,
      queue: expect.any(String),
    });
  });

  it('leaves what people or payers end, a sampled chart whose request went out, and what changed lately', () => {
    const old = '2026-12-07T10:00:00.000Z';
    const theirs = (
      ['QUERY_OPEN', 'REJECTED', 'SUPERSEDED', 'BATCHED', 'PAID', 'DENIED', 'ADJUSTED', 'REWORK'] as const
    ).map((s) => state(s, old));
    expect(strandedCharts(theirs, NOW, HOUR)).toEqual([]);
    expect(strandedCharts([state('SAMPLED', old, { reviewRequestedAt: old })], NOW, HOUR)).toEqual([]);
    expect(strandedCharts([state('SAMPLED', old)], NOW, HOUR).map((f) => f.queue)).toEqual(['sample']);
    // The bound is inclusive: exactly an hour old is stranded, a millisecond less is not.
    expect(strandedCharts([state('RECEIVED', '2026-12-07T11:00:00.000Z')], NOW, HOUR)).toHaveLength(1);
    expect(strandedCharts([state('RECEIVED', '2026-12-07T11:00:00.001Z')], NOW, HOUR)).toHaveLength(0);
  });

  it('lists the longest waiting first', () => {
    const found = strandedCharts(
      [
        state('RECEIVED', '2026-12-07T10:30:00.000Z', { chartKey: 'b' }),
        state('RECEIVED', '2026-12-07T09:30:00.000Z', { chartKey: 'c' }),
        state('RECEIVED', '2026-12-07T10:30:00.000Z', { chartKey: 'a' }),
      ],
      NOW,
      HOUR,
    );
    expect(found.map((f) => f.chartKey)).toEqual(['c', 'a', 'b']);
  });
});

describe('codetrail reconcile', () => {
  async function world() {
    const mem = memoryPorts({ clock: fixedClock(NOW.toISOString()) });
    await mem.ports.charts.create(state('VALIDATED', '2026-12-07T10:00:00.000Z', { chartKey: 'k-stuck' }));
    await mem.ports.charts.create(state('VALIDATED', '2026-12-07T11:59:00.000Z', { chartKey: 'k-fresh' }));
    return { mem, target: { ports: mem.ports, actor: 'local:operator' } };
  }

  it('lists without sending on a dry run', async () => {
    const { mem, target } = await world();
    const { text, stranded } = await runReconcile(target, { dryRun: true }, NOW);
    expect(stranded.map((s) => s.chartKey)).toEqual(['k-stuck']);
    expect(text).toContain('would re-drive 1 chart version(s)');
    expect(mem.take('sample')).toEqual([]);
    expect(mem.events()).toEqual([]);
  });

  it("re-sends each stranded chart's message, audited once per operator however often it runs", async () => {
    const { mem, target } = await world();
    await runReconcile(target, {}, NOW);
    await runReconcile(target, {}, NOW);
    const message = { kind: 'chart', agencyId: 'test-agency', chartKey: 'k-stuck', version: 1 };
    expect(mem.take('sample')).toEqual([message, message]);
    expect(mem.events()).toEqual([
      expect.objectContaining({
        type: 'chart.redriven',
        actor: 'local:operator',
        detail: { status: 'VALIDATED', since: '2026-12-07T10:00:00.000Z', queue: 'sample' },
      }),
    ]);
    // Another operator's re-send is in the trail under their name.
    await runReconcile({ ...target, actor: 'local:second-operator' }, {}, NOW);
    expect(mem.events().map((e) => e.actor)).toEqual(['local:operator', 'local:second-operator']);
    mem.take('sample');
    expect((await runReconcile(target, { olderThanMinutes: 24 * 60 }, NOW)).text).toBe(
      'No chart version has waited on a stage for 1440 minutes or more.',
    );
    expect(JSON.parse((await runReconcile(target, { json: true, dryRun: true }, NOW)).text)).toHaveLength(1);
  });
});
