import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/model/config.ts';
import type { CodedRecord, DenialMark, ReviewRecord } from '#shared/model/qa.ts';
import { type CoderHistory, coderStanding, DAY_MS, fmtProportion } from '#shared/sampling/coder-standing.ts';
import { wilson } from '#shared/sampling/wilson.ts';
import { reviewRecord } from '../support/qa-records.ts';

// The default target (95%) and minReviewedCharts (30), with a short probation window.
const CONFIG = parseConfig({
  sampling: { probation: { charts: 3, days: 10, exempt: ['coder-1'] } },
}).sampling;
const AT = '2026-11-20T12:00:00.000Z';

/** `charts` first-round reviews of two codes each, `missed` of the codes corrected (one per review). */
function reviews(coderId: string, charts: number, missed: number): ReviewRecord[] {
  return Array.from({ length: charts }, (_, i) =>
    reviewRecord({
      coderId,
      chartKey: `ck${i}`,
      outcome: i < missed ? 'corrected' : 'agree',
      score: { chartAccurate: true, codesReviewed: 2, codesConfirmed: i < missed ? 1 : 2 },
    }),
  );
}

/** A new coder's first charts, long enough ago that the probation window has passed. */
const firstCoded: CodedRecord[] = Array.from({ length: 4 }, (_, i) => ({
  kind: 'coded',
  agencyId: 'a',
  coderId: 'coder-new',
  chartKey: `ck${i}`,
  version: 1,
  codedAt: `2026-08-0${i + 1}T09:00:00Z`,
  lineOfBusiness: 'home_health',
}));

const standing = (coderId: string, history: Partial<CoderHistory>) =>
  coderStanding(coderId, { firstCoded: [], reviews: [], denials: [], ...history }, CONFIG, AT);

describe('coder standing by the lower bound of code accuracy, not the plain rate', () => {
  // 58 of 60 codes confirmed: a plain rate of 96.7%, above the 95% target, but a Wilson lower bound of
  // 88.6%: 60 codes do not show the coder is at 95%.
  const SHORT = { charts: 30, missed: 2 };
  // 80 of 80: a lower bound of 95.4%, which does.
  const CLEAR = { charts: 40, missed: 0 };

  it('counts 58 of 60 codes as a rate above the target with a lower bound under it', () => {
    const { codes } = standing('coder-1', { reviews: reviews('coder-1', SHORT.charts, SHORT.missed) });
    expect(codes).toMatchObject({ successes: 58, n: 60 });
    expect(codes.rate).toBeGreaterThan(CONFIG.accuracyTarget);
    expect(codes.lower).toBeLessThan(CONFIG.accuracyTarget);
  });

  it('is below target at 58 of 60 codes, and not at 80 of 80', () => {
    expect(standing('coder-1', { reviews: reviews('coder-1', SHORT.charts, SHORT.missed) }).belowTarget).toBe(
      true,
    );
    expect(standing('coder-1', { reviews: reviews('coder-1', CLEAR.charts, CLEAR.missed) }).belowTarget).toBe(
      false,
    );
  });

  it('keeps a coder past the window in probation at 58 of 60 codes, and lets one at 80 of 80 leave', () => {
    const held = standing('coder-new', {
      firstCoded,
      reviews: reviews('coder-new', SHORT.charts, SHORT.missed),
    });
    expect(held.probation).toMatchObject({ inProbation: true, windowPassed: true, exitsNow: false });
    expect(held.probation.reason).toBe(
      'in probation: window passed, code accuracy lower bound 88.6% < 95.0%',
    );
    const leaves = standing('coder-new', {
      firstCoded,
      reviews: reviews('coder-new', CLEAR.charts, CLEAR.missed),
    });
    expect(leaves.probation).toMatchObject({ inProbation: false, exitsNow: true });
    expect(leaves.probation.reason).toBe(
      'leaves probation: window passed, code accuracy lower bound 95.4% >= 95.0%',
    );
  });
});

describe("what counts toward a coder's accuracy and denials", () => {
  it('counts first-round reviews only: a blind second review scores the reviewer, not the coder', () => {
    const s = standing('coder-1', {
      reviews: [
        reviewRecord({ chartKey: 'ck1' }),
        reviewRecord({
          chartKey: 'ck1',
          round: 'second',
          score: { chartAccurate: false, codesReviewed: 4, codesConfirmed: 1 },
        }),
      ],
    });
    expect(s.charts).toMatchObject({ successes: 1, n: 1 });
    expect(s.codes).toMatchObject({ successes: 4, n: 4 });
  });

  it('counts a chart accurate only when its review scored it so', () => {
    const s = standing('coder-1', {
      reviews: [
        reviewRecord({ chartKey: 'ck1' }),
        reviewRecord({
          chartKey: 'ck2',
          score: { chartAccurate: false, codesReviewed: 4, codesConfirmed: 3 },
        }),
        reviewRecord({ chartKey: 'ck3' }),
      ],
    });
    expect(s.charts).toMatchObject({ successes: 2, n: 3 });
    expect(s.codes).toMatchObject({ successes: 11, n: 12 });
  });

  it("does not count a denial of a chart billed with QA's corrected codes against the coder", () => {
    const denial = (chartKey: string, qaCorrected?: boolean): DenialMark => ({
      kind: 'denial',
      agencyId: 'a',
      coderId: 'coder-1',
      chartKey,
      version: 1,
      deniedAt: AT,
      reasonCodes: ['CO-16'],
      ...(qaCorrected === undefined ? {} : { qaCorrected }),
    });
    const s = standing('coder-1', { denials: [denial('ck1'), denial('ck2', true), denial('ck3', false)] });
    expect(s.recentDenials).toBe(2);
  });
});

describe('the probation window', () => {
  /** `n` charts an hour apart, the first `daysAgo` days before AT. */
  const codedFrom = (n: number, daysAgo: number): CodedRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      ...(firstCoded[0] as CodedRecord),
      chartKey: `ck${i}`,
      codedAt: new Date(Date.parse(AT) - daysAgo * DAY_MS + i * 3_600_000).toISOString(),
    }));
  const atAndAfter = (codedAt: string): CodedRecord[] => [
    ...codedFrom(3, 30),
    { ...(firstCoded[0] as CodedRecord), chartKey: 'ck3', codedAt },
  ];
  const UNREVIEWED = 'in probation: window passed, code accuracy lower bound unknown (no review yet) < 95.0%';

  it.each([
    ['nothing coded yet', false, [], 'in probation: chart 0 of the first 3, day 0 of 10'],
    [
      'exactly the first N charts, long ago',
      false,
      codedFrom(3, 30),
      'in probation: chart 3 of the first 3, day 30 of 10',
    ],
    [
      'past the charts, a day short',
      false,
      codedFrom(4, 9),
      'in probation: past the first 3 charts, day 9 of 10',
    ],
    ['past the charts, exactly D days', true, codedFrom(4, 10), UNREVIEWED],
    ['a chart coded exactly at the time asked', true, atAndAfter(AT), UNREVIEWED],
    [
      'a chart coded after the time asked (not counted)',
      false,
      atAndAfter('2026-11-20T12:00:00.001Z'),
      'in probation: chart 3 of the first 3, day 30 of 10',
    ],
  ] as const)('with %s, says the window passed: %s', (_, windowPassed, coded, reason) => {
    const s = standing('coder-new', { firstCoded: coded as CodedRecord[] });
    expect(s.probation).toEqual({ inProbation: true, windowPassed, exitsNow: false, reason });
  });

  it('keeps a coder nobody has reviewed in probation, even at a target of 0', () => {
    const cfg = parseConfig({ sampling: { accuracyTarget: 0, probation: { charts: 3, days: 10 } } }).sampling;
    const s = coderStanding('coder-new', { firstCoded, reviews: [], denials: [] }, cfg, AT);
    expect(s.probation).toEqual({
      inProbation: true,
      windowPassed: true,
      exitsNow: false,
      reason: 'in probation: window passed, code accuracy lower bound unknown (no review yet) < 0.0%',
    });
  });

  it('treats a lower bound exactly at the target as meeting it: leaves probation, not below target', () => {
    // 80 of 80 codes; the target set to exactly that lower bound.
    const target = wilson(80, 80).lower;
    const cfg = parseConfig({
      sampling: { accuracyTarget: target, minReviewedCharts: 1, probation: { charts: 3, days: 10 } },
    }).sampling;
    const s = coderStanding(
      'coder-new',
      { firstCoded, reviews: reviews('coder-new', 40, 0), denials: [] },
      cfg,
      AT,
    );
    expect(s.codes.lower).toBe(target);
    expect(s.belowTarget).toBe(false);
    expect(s.probation).toMatchObject({ inProbation: false, exitsNow: true });
  });

  it('says an exempt coder, or one who has left, is past the window and not leaving now', () => {
    expect(standing('coder-1', { firstCoded }).probation).toEqual({
      inProbation: false,
      reason: 'exempt',
      windowPassed: true,
      exitsNow: false,
    });
    expect(standing('coder-new', { probationEndedAt: '2026-09-01T08:00:00.000Z' }).probation).toEqual({
      inProbation: false,
      reason: 'left probation 2026-09-01',
      windowPassed: true,
      exitsNow: false,
    });
  });
});

describe('fmtProportion', () => {
  it('shows the rate and its interval as a manager reads them, and a dash with nothing counted', () => {
    expect(fmtProportion(wilson(39, 40))).toBe('97.5% [87.1%, 99.6%]');
    expect(fmtProportion(wilson(0, 0))).toBe('-');
  });
});
