import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/model/config.ts';
import type { CodedRecord, ReviewRecord } from '#shared/model/qa.ts';
import { type CoderHistory, coderStanding } from '#shared/sampling/coder-standing.ts';
import { SAMPLING_KEY_LABEL, samplingDraw } from '#shared/sampling/sampling-draw.ts';
import { decideSampling, type SamplingChart, samplingFactors } from '#shared/sampling/sampling-policy.ts';

const config = (sampling: Record<string, unknown> = {}) => parseConfig({ sampling }).sampling;
const DEFAULTS = config({ probation: { exempt: ['coder-1'] } });
const AT = '2026-11-20T12:00:00.000Z';
/** A coding-related denial of coder-1's, within the recent-denials window. */
const CODER_DENIAL = {
  kind: 'denial',
  agencyId: 'a',
  coderId: 'coder-1',
  chartKey: 'x',
  version: 1,
  deniedAt: AT,
  reasonCodes: ['CO-146'],
} as const;

function coded(n: number, from = '2026-08-01'): CodedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'coded',
    agencyId: 'a',
    coderId: 'coder-new',
    chartKey: `ck${i}`,
    version: 1,
    codedAt: new Date(Date.parse(`${from}T09:00:00Z`) + i * 3_600_000).toISOString(),
    lineOfBusiness: 'home_health',
  }));
}

function reviews(n: number, codes: number, confirmed: number, accurate = true): ReviewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'review',
    agencyId: 'a',
    coderId: 'coder-new',
    chartKey: `ck${i}`,
    version: 1,
    reviewerId: 'qa-1',
    reviewedAt: '2026-11-01T10:00:00Z',
    round: 'first',
    outcome: 'agree',
    lineOfBusiness: 'home_health',
    score: { chartAccurate: accurate, codesReviewed: codes, codesConfirmed: confirmed },
    corrections: [],
  }));
}

const history = (h: Partial<CoderHistory> = {}): CoderHistory => ({
  firstCoded: [],
  reviews: [],
  denials: [],
  ...h,
});

const chart = (c: Partial<SamplingChart> = {}): SamplingChart => ({
  chartKey: 'ck-1',
  version: 1,
  coderId: 'coder-1',
  lineOfBusiness: 'home_health',
  findingRuleIds: [],
  ...c,
});

describe('coder standing', () => {
  const cfg = config({ probation: { charts: 3, days: 10 }, accuracyTarget: 0.9 });

  it('keeps a new coder in probation for the first N charts and D days', () => {
    const early = coderStanding('coder-new', history({ firstCoded: coded(2, '2026-11-19') }), cfg, AT);
    expect(early.probation).toMatchObject({ inProbation: true, windowPassed: false });
    expect(early.probation.reason).toBe('in probation: chart 2 of the first 3, day 1 of 10');
    // Past the charts but not the days.
    const days = coderStanding('coder-new', history({ firstCoded: coded(4, '2026-11-15') }), cfg, AT);
    expect(days.probation).toMatchObject({ inProbation: true, windowPassed: false });
  });

  it('leaves probation only when the window has passed and the code-accuracy lower bound clears the target', () => {
    const past = { firstCoded: coded(4) };
    const unreviewed = coderStanding('coder-new', history(past), cfg, AT);
    expect(unreviewed.probation).toMatchObject({ inProbation: true, windowPassed: true, exitsNow: false });
    expect(unreviewed.probation.reason).toContain('unknown (no review yet)');
    // 30 of 30 codes: lower bound 0.886 < 0.9; 40 of 40: 0.912 >= 0.9.
    const short = coderStanding('coder-new', history({ ...past, reviews: reviews(6, 5, 5) }), cfg, AT);
    expect(short.probation).toMatchObject({ inProbation: true, exitsNow: false });
    const clears = coderStanding('coder-new', history({ ...past, reviews: reviews(8, 5, 5) }), cfg, AT);
    expect(clears.probation).toMatchObject({ inProbation: false, exitsNow: true });
    // Once recorded, leaving is for good: a later dip is the below-target factor's.
    const after = coderStanding(
      'coder-new',
      history({ ...past, probationEndedAt: '2026-11-02T00:00:00Z', reviews: reviews(8, 5, 3) }),
      cfg,
      AT,
    );
    expect(after.probation).toMatchObject({ inProbation: false, reason: 'left probation 2026-11-02' });
  });

  it('never puts an exempt coder in probation', () => {
    expect(coderStanding('coder-1', history(), DEFAULTS, AT).probation).toMatchObject({
      inProbation: false,
      reason: 'exempt',
    });
  });

  it('is below target only after minReviewedCharts reviews', () => {
    const few = coderStanding('coder-1', history({ reviews: reviews(29, 4, 3) }), DEFAULTS, AT);
    expect(few.belowTarget).toBe(false);
    const enough = coderStanding('coder-1', history({ reviews: reviews(30, 4, 3) }), DEFAULTS, AT);
    expect(enough.belowTarget).toBe(true);
    expect(enough.codes).toMatchObject({ successes: 90, n: 120 });
  });
});

describe('the sampling policy', () => {
  const standing = (h: Partial<CoderHistory> = {}, cfg = DEFAULTS, coder = 'coder-1') =>
    coderStanding(coder, history(h), cfg, AT);
  const decide = (
    c: Partial<SamplingChart>,
    draw: number,
    h: Partial<CoderHistory> = {},
    cfg = DEFAULTS,
    denials = 0,
  ) =>
    decideSampling(chart(c), { standing: standing(h, cfg, c.coderId), categoryDenials: denials }, cfg, draw);

  it('samples at the base rate when nothing else applies', () => {
    expect(decide({}, 0.09)).toMatchObject({
      sampled: true,
      rule: 'base-rate',
      rate: 0.1,
      queue: 'qa-review',
    });
    expect(decide({}, 0.1)).toMatchObject({ sampled: false, rule: 'base-rate' });
  });

  it.each([
    ['probation', { coderId: 'coder-new' }, {}, 1],
    ['hospice', { lineOfBusiness: 'hospice' as const }, {}, 0.15],
    ['warn-findings', { findingRuleIds: ['DX-DUPLICATE'] }, {}, 0.2],
    ['coder-denials', {}, { denials: [CODER_DENIAL] }, 0.3],
    ['below-target', {}, { reviews: reviews(30, 4, 3) }, 0.5],
  ] as const)('raises the rate for %s', (factor, c, h, rate) => {
    const decision = decide(c, 0.99, h as Partial<CoderHistory>);
    expect(decision).toMatchObject({ sampled: 0.99 < rate, rule: factor, rate });
    expect(decision.factors[0]).toMatchObject({ factor, rate });
    expect(decision.factors.map((f) => f.factor)).toContain('base-rate');
  });

  it("raises it for a high-risk clinical group, a category with denials, and a manager's rate", () => {
    const cfg = config({
      probation: { exempt: ['coder-1'] },
      risk: { clinicalGroups: { D: 0.4 } },
      coderRates: { 'coder-1': 0.7 },
    });
    const decision = decide({ clinicalGroup: 'D', category: 'J44' }, 0.5, {}, cfg, 2);
    expect(decision).toMatchObject({ sampled: true, rule: 'coder-rate', rate: 0.7 });
    expect(decision.factors.map((f) => [f.factor, f.rate])).toEqual([
      ['coder-rate', 0.7],
      ['base-rate', 0.1],
      ['clinical-group', 0.4],
      ['category-denials', 0.3],
    ]);
    expect(decision.factors[3]?.detail).toBe('2 coding-related denial(s) of category J44 in 90 days');
  });

  // A manager's rate is one factor among the others: set under them, it lowers nothing.
  it.each([
    ['base-rate', {}, {}, 0, 0.1],
    ['probation', { coderId: 'coder-new' }, {}, 0, 1],
    ['hospice', { lineOfBusiness: 'hospice' as const }, {}, 0, 0.15],
    ['clinical-group', { clinicalGroup: 'D' }, {}, 0, 0.4],
    ['warn-findings', { findingRuleIds: ['DX-DUPLICATE'] }, {}, 0, 0.2],
    ['coder-denials', {}, { denials: [CODER_DENIAL] }, 0, 0.3],
    ['category-denials', { category: 'J44' }, {}, 2, 0.3],
    ['below-target', {}, { reviews: reviews(30, 4, 3) }, 0, 0.5],
  ] as const)(
    'keeps %s over a lower coder rate (0.05): the highest factor wins',
    (factor, c, h, denials, rate) => {
      const cfg = config({
        probation: { exempt: ['coder-1'] },
        risk: { clinicalGroups: { D: 0.4 } },
        coderRates: { 'coder-1': 0.05, 'coder-new': 0.05 },
      });
      // A draw between the coder rate and the factor's: sampled only if the factor decides.
      const decision = decide(c, 0.07, h as Partial<CoderHistory>, cfg, denials);
      expect(decision).toMatchObject({ sampled: true, rule: factor, rate });
      expect(decision.factors.map((f) => [f.factor, f.rate])).toContainEqual(['coder-rate', 0.05]);
    },
  );

  it('routes to senior review: probation by default; listed coders, hospice, clinical groups, critical rules when set', () => {
    expect(decide({ coderId: 'coder-new' }, 0.5)).toMatchObject({
      queue: 'qa-review-senior',
      senior: ['coder in probation'],
    });
    const cfg = config({
      baseRate: 1,
      probation: { exempt: ['coder-1'] },
      senior: { coders: ['coder-1'], hospice: true, clinicalGroups: ['D'], ruleIds: ['HH-LUPA-RISK'] },
    });
    const decision = decide(
      { lineOfBusiness: 'hospice', clinicalGroup: 'D', findingRuleIds: ['HH-LUPA-RISK', 'DX-DUPLICATE'] },
      0.5,
      {},
      cfg,
    );
    expect(decision.senior).toEqual([
      'coder coder-1 is listed for senior review',
      'hospice chart',
      'PDGM clinical group D',
      'critical findings HH-LUPA-RISK',
    ]);
    expect(decide({}, 0.5, {}, config({ baseRate: 1, probation: { exempt: ['coder-1'] } })).queue).toBe(
      'qa-review',
    );
  });

  it('records the deciding factor, the draw and the comparison in the reason, and nothing for senior review', () => {
    expect(decide({}, 0.09)).toEqual({
      sampled: true,
      rule: 'base-rate',
      rate: 0.1,
      draw: 0.09,
      reason: 'base-rate (every validated chart): draw 0.0900 < rate 0.1',
      factors: [{ factor: 'base-rate', rate: 0.1, detail: 'every validated chart' }],
      queue: 'qa-review',
    });
    expect(decide({}, 0.1).reason).toBe('base-rate (every validated chart): draw 0.1000 >= rate 0.1');
  });

  it('lets the first factor in order decide between equal rates', () => {
    const cfg = config({ baseRate: 0.2, probation: { exempt: ['coder-1'] } });
    expect(decide({ findingRuleIds: ['DX-DUPLICATE'] }, 0.5, {}, cfg).rule).toBe('base-rate');
    const rated = config({ probation: { exempt: ['coder-1'] }, coderRates: { 'coder-1': 0.15 } });
    expect(decide({ lineOfBusiness: 'hospice' }, 0.5, {}, rated).rule).toBe('coder-rate');
  });

  it('explains every factor in words a QA manager reads', () => {
    const cfg = config({
      probation: { charts: 3, days: 10 },
      risk: { clinicalGroups: { D: 0.4 } },
      coderRates: { 'coder-new': 0.25 },
    });
    const denial = {
      kind: 'denial' as const,
      agencyId: 'a',
      coderId: 'coder-new',
      chartKey: 'x',
      version: 1,
      deniedAt: AT,
      reasonCodes: ['CO-146'],
    };
    const s = coderStanding(
      'coder-new',
      history({ firstCoded: coded(2, '2026-11-19'), reviews: reviews(30, 4, 3), denials: [denial, denial] }),
      cfg,
      AT,
    );
    const factors = samplingFactors(
      chart({
        coderId: 'coder-new',
        lineOfBusiness: 'hospice',
        clinicalGroup: 'D',
        category: 'J44',
        findingRuleIds: ['HH-LUPA-RISK', 'DX-DUPLICATE', 'HH-LUPA-RISK'],
      }),
      { standing: s, categoryDenials: 3 },
      cfg,
    );
    expect(factors).toEqual([
      { factor: 'base-rate', rate: 0.1, detail: 'every validated chart' },
      { factor: 'probation', rate: 1, detail: 'in probation: chart 2 of the first 3, day 1 of 10' },
      { factor: 'coder-rate', rate: 0.25, detail: 'the rate set for coder-new' },
      { factor: 'hospice', rate: 0.15, detail: 'hospice chart' },
      { factor: 'clinical-group', rate: 0.4, detail: 'PDGM clinical group D' },
      { factor: 'warn-findings', rate: 0.2, detail: 'findings HH-LUPA-RISK, DX-DUPLICATE' },
      { factor: 'coder-denials', rate: 0.3, detail: '2 coding-related denial(s) of coder-new in 90 days' },
      {
        factor: 'category-denials',
        rate: 0.3,
        detail: '3 coding-related denial(s) of category J44 in 90 days',
      },
      { factor: 'below-target', rate: 0.5, detail: 'code accuracy lower bound 66.6% < 95.0% over 120 codes' },
    ]);
  });

  it('takes no clinical-group rate for a chart without a group, or in a group without a rate', () => {
    const cfg = config({ probation: { exempt: ['coder-1'] }, risk: { clinicalGroups: { D: 0.4 } } });
    expect(decide({}, 0.5, {}, cfg).factors.map((f) => f.factor)).toEqual(['base-rate']);
    expect(decide({ clinicalGroup: 'A' }, 0.5, {}, cfg).factors.map((f) => f.factor)).toEqual(['base-rate']);
  });

  it('sends hospice charts to senior review only when configured to', () => {
    const cfg = (hospice: boolean) =>
      config({ baseRate: 1, probation: { exempt: ['coder-1'] }, senior: { hospice } });
    expect(decide({ lineOfBusiness: 'hospice' }, 0.5, {}, cfg(false))).toMatchObject({ queue: 'qa-review' });
    expect(decide({ lineOfBusiness: 'hospice' }, 0.5, {}, cfg(false)).senior).toBeUndefined();
    expect(decide({}, 0.5, {}, cfg(true))).toMatchObject({ queue: 'qa-review' });
    expect(decide({ lineOfBusiness: 'hospice' }, 0.5, {}, cfg(true))).toMatchObject({
      queue: 'qa-review-senior',
      senior: ['hospice chart'],
    });
  });

  it('sends a chart to senior review for a listed clinical group only', () => {
    const cfg = config({
      baseRate: 1,
      probation: { exempt: ['coder-1'] },
      senior: { clinicalGroups: ['D'] },
    });
    expect(decide({ clinicalGroup: 'D' }, 0.5, {}, cfg).senior).toEqual(['PDGM clinical group D']);
    expect(decide({ clinicalGroup: 'A' }, 0.5, {}, cfg).queue).toBe('qa-review');
    expect(decide({}, 0.5, {}, cfg).queue).toBe('qa-review');
  });

  it('names each critical finding once in the senior-review reason', () => {
    const cfg = config({
      baseRate: 1,
      probation: { exempt: ['coder-1'] },
      senior: { ruleIds: ['HH-LUPA-RISK', 'DX-MANIFESTATION-FIRST'] },
    });
    const findingRuleIds = [
      'DX-MANIFESTATION-FIRST',
      'DX-DUPLICATE',
      'HH-LUPA-RISK',
      'DX-MANIFESTATION-FIRST',
    ];
    expect(decide({ findingRuleIds }, 0.5, {}, cfg).senior).toEqual([
      'critical findings DX-MANIFESTATION-FIRST, HH-LUPA-RISK',
    ]);
  });

  it('records no queue for a chart it does not sample', () => {
    expect(
      decide({ coderId: 'coder-new' }, 0.5, {}, config({ probation: { rate: 0 } })).queue,
    ).toBeUndefined();
  });
});

describe('the keyed draw', () => {
  it('is reproducible for one key and differs between keys', () => {
    expect(samplingDraw('key-1', 'ck-1', 1)).toBe(samplingDraw('key-1', 'ck-1', 1));
    expect(samplingDraw('key-1', 'ck-1', 1)).not.toBe(samplingDraw('key-2', 'ck-1', 1));
    expect(samplingDraw('key-1', 'ck-1', 1)).not.toBe(samplingDraw('key-1', 'ck-1', 2));
    // The agency a chartKey is filed under does not move the draw: the HMAC part alone is drawn on.
    expect(samplingDraw('key-1', 'demo-agency.ck01', 1)).toBe(samplingDraw('key-1', 'ck01', 1));
    expect(samplingDraw('key-1', 'demo-agency.ck01', 1)).not.toBe(samplingDraw('key-1', 'ck02', 1));
  });

  // Every deployment's sampling key is the KeyService's MAC of this label: a new label redraws every chart.
  it('derives the sampling key from a fixed, versioned label', () => {
    expect(SAMPLING_KEY_LABEL).toBe('codetrail|sampling-key|v1');
  });

  it.each([0.1, 0.15, 0.5])('samples %s of 100,000 synthetic charts within 0.5 points', (rate) => {
    const cfg = config({ baseRate: rate, probation: { exempt: ['coder-1'] } });
    const s = coderStanding('coder-1', history(), cfg, AT);
    let sampled = 0;
    for (let i = 0; i < 100_000; i++) {
      const key = `ck${i.toString(16).padStart(8, '0')}`;
      if (
        decideSampling(
          chart({ chartKey: key }),
          { standing: s, categoryDenials: 0 },
          cfg,
          samplingDraw('deploy-key', key, 1),
        ).sampled
      )
        sampled++;
    }
    expect(Math.abs(sampled / 100_000 - rate)).toBeLessThan(0.005);
  });
});
