import { describe, expect, it } from 'vitest';
import { runQaShow } from '#cli/commands/qa.ts';
import { qaReport, renderQaReport } from '#cli/commands/qa-report.ts';
import type { Target } from '#cli/lib/target.ts';
import { correctedArtifactKey } from '#functions/qa-result/service.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { readCoderHistory } from '#shared/runtime/coder-history.ts';
import { memoryPorts } from '../support/memory-ports.ts';

const config = parseConfig({ agencies: [{ id: 'a' }], slas: { qaReviewHours: 24 } });

function state(n: number, over: Partial<ChartState>): ChartState {
  return {
    chartKey: `ck${n}`,
    version: 1,
    agencyId: 'a',
    status: 'SAMPLED',
    lineOfBusiness: 'home_health',
    payerType: 'medicare',
    coderId: 'coder-1',
    contentHash: 'f'.repeat(64),
    artifactKey: `charts/a/ck${n}/v1.json`,
    sourceObject: 'o',
    receivedAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    ...over,
  };
}

describe('codetrail qa report', () => {
  it('lists first reviews, second reviews and disputes waiting past the SLA', async () => {
    const mem = memoryPorts();
    await mem.ports.charts.create(state(1, { reviewRequestedAt: '2026-11-20T00:00:00Z' }));
    await mem.ports.charts.create(state(2, { reviewRequestedAt: '2026-11-22T20:00:00Z' }));
    await mem.ports.charts.create(
      state(3, { status: 'BATCHED', secondReviewRequestedAt: '2026-11-21T00:00:00Z' }),
    );
    await mem.ports.charts.create(
      state(4, { status: 'BATCHED', dispute: { corrections: [0], disputedAt: '2026-11-19T00:00:00Z' } }),
    );
    const report = await qaReport(mem.ports, config, { by: ['coder'] }, new Date('2026-11-23T12:00:00Z'));
    expect(report.overdue.map((o) => [o.chartKey, o.waitingFor, o.waitingHours])).toEqual([
      ['ck4', 'dispute', 108],
      ['ck1', 'review', 84],
      ['ck3', 'second-review', 60],
    ]);
    expect(renderQaReport(report)).toContain('(no second review yet)');
  });
});

describe('codetrail qa show', () => {
  it('keeps a blind second review blind: no status, no regrouped HIPPS', async () => {
    const mem = memoryPorts();
    await mem.ports.charts.create(
      state(1, {
        status: 'QA_CORRECTED',
        grouping: {
          hipps: '1BA11',
          clinicalGroup: 'B',
          clinicalGroupName: 'Neuro Rehab',
          functionalLevel: 'low',
          functionalPoints: 0,
          comorbidity: 'none',
          admission: 'community-early',
          pdgmVersion: 'x',
          sample: true,
        },
      }),
    );
    await mem.ports.artifacts.putJson('artifacts', 'charts/a/ck1/v1.json', { diagnoses: [] });
    const target = { ports: mem.ports } as unknown as Target;
    const blind = JSON.parse(await runQaShow(target, 'ck1', 1, 'second-review'));
    expect(blind).not.toHaveProperty('status');
    expect(blind).not.toHaveProperty('grouping');
    expect(JSON.parse(await runQaShow(target, 'ck1', 1))).toMatchObject({ status: 'QA_CORRECTED' });
  });
});

describe('the QA review loop, small parts', () => {
  it("names each verdict's corrected chart after the verdict, so racing verdicts never share a file", () => {
    const a = correctedArtifactKey('charts/a/ck1/v1.json', {
      reviewerId: 'qa-1',
      reviewedAt: '2026-11-03T10:00:00Z',
    });
    const b = correctedArtifactKey('charts/a/ck1/v1.json', {
      reviewerId: 'qa-2',
      reviewedAt: '2026-11-03T10:00:00Z',
    });
    expect(a).toMatch(/^charts\/a\/ck1\/v1\.qa-[0-9a-f]{12}\.json$/);
    expect(a).not.toBe(b);
  });

  it("reads a coder's history as of `at`: later reviews and denials do not count", async () => {
    const mem = memoryPorts();
    const review = (reviewedAt: string) => ({
      kind: 'review' as const,
      agencyId: 'a',
      coderId: 'coder-1',
      chartKey: `ck-${reviewedAt}`,
      version: 1,
      reviewerId: 'qa-1',
      reviewedAt,
      round: 'first' as const,
      outcome: 'agree' as const,
      lineOfBusiness: 'home_health' as const,
      score: { chartAccurate: true, codesReviewed: 3, codesConfirmed: 3 },
      corrections: [],
    });
    await mem.ports.coders.record(review('2026-11-10T00:00:00.000Z'));
    await mem.ports.coders.record(review('2026-11-12T00:00:00.000Z'));
    const history = await readCoderHistory(
      mem.ports.coders,
      'a',
      'coder-1',
      config.sampling,
      '2026-11-11T00:00:00.000Z',
    );
    expect(history.reviews.map((r) => r.reviewedAt)).toEqual(['2026-11-10T00:00:00.000Z']);
  });
});
