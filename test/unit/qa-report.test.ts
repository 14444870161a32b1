import { describe, expect, it } from 'vitest';
import { runQaShow } from '#cli/commands/qa.ts';
import { qaReport, renderQaReport } from '#cli/commands/qa-report.ts';
import type { Target } from '#cli/lib/target.ts';
import { correctedArtifactKey } from '#functions/qa-result/service.ts';
import type { ReviewPurpose } from '#shared/aws/ports.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { readCoderHistory } from '#shared/runtime/coder-history.ts';
import { reviewEntry, reviewRequest } from '#shared/runtime/forward.ts';
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
  it('lists first reviews, second reviews and disputes waiting past the SLA, from the review board', async () => {
    const mem = memoryPorts();
    const open = (n: number, purpose: ReviewPurpose, requestedAt: string) =>
      mem.ports.reviews.open({
        agencyId: 'a',
        chartKey: `ck${n}`,
        version: 1,
        purpose,
        queue: purpose === 'dispute' ? 'qa-review-senior' : 'qa-review',
        requestedAt,
        coderId: 'coder-1',
        notBy: ['coder-1'],
        artifactKey: `charts/a/ck${n}/v1.json`,
        reason: purpose,
        shown: { findings: [] },
      });
    await open(1, 'review', '2026-11-20T00:00:00Z');
    await open(2, 'review', '2026-11-22T20:00:00Z');
    await open(3, 'second-review', '2026-11-21T00:00:00Z');
    await open(4, 'dispute', '2026-11-19T00:00:00Z');
    // Answered: off the board, however long it waited.
    await open(5, 'review', '2026-11-01T00:00:00Z');
    await mem.ports.reviews.close(
      { agencyId: 'a', queue: 'qa-review', chartKey: 'ck5', version: 1, purpose: 'review' },
      '2026-11-02T00:00:00Z',
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
    const reviewed = state(1, {
      status: 'SAMPLED',
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
    });
    const request = (purpose: ReviewPurpose) =>
      reviewRequest(reviewed, purpose, ['coder-1'], purpose, '2026-11-20T00:00:00Z');
    await mem.ports.reviews.open(reviewEntry(reviewed, request('second-review'), 'qa-review'));
    await mem.ports.reviews.open(reviewEntry(reviewed, request('review'), 'qa-review'));
    await mem.ports.artifacts.putJson('artifacts', 'charts/a/ck1/v1.json', { diagnoses: [] });
    const target = { ports: mem.ports, agencies: ['a'] } as unknown as Target;
    const blind = JSON.parse(await runQaShow(target, 'ck1', 1, 'second-review'));
    expect(blind).not.toHaveProperty('status');
    expect(blind).not.toHaveProperty('grouping');
    expect(JSON.parse(await runQaShow(target, 'ck1', 1))).toMatchObject({
      status: 'SAMPLED',
      grouping: { hipps: '1BA11' },
    });
    await expect(runQaShow(target, 'ck2', 1)).rejects.toThrow('no review of ck2 v1 on the review board');
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
