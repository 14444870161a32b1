import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { Chart, type ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { hospiceBenefitPeriod } from '#shared/rules/hospice-benefit-period.ts';
import { hospiceF2f } from '#shared/rules/hospice-f2f.ts';
import { hospiceLevelOfCare } from '#shared/rules/hospice-level-of-care.ts';
import { hospiceRespite } from '#shared/rules/hospice-respite.ts';
import { RULES } from '#shared/rules/index.ts';
import type { Rule } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHospice as hospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const MINE = [hospiceBenefitPeriod, hospiceF2f, hospiceLevelOfCare, hospiceRespite];

type HospiceInput = NonNullable<ChartInput['hospice']>;
type Visit = NonNullable<ChartInput['visits']>[number];

/** A home health chart carrying hospice-looking data, to show the hospice rules stay silent on it. */
function homeHealth(patch: Partial<ChartInput> = {}): Chart {
  return Chart.parse({
    agencyId: 'demo-agency',
    chartId: 'HH-T-1',
    version: 1,
    lineOfBusiness: 'home_health',
    patient: { id: 'SYN-PT-SECRET-ID' },
    payer: { type: 'medicare' },
    period: { from: '2022-03-01', through: '2022-03-30' },
    codingCompletedAt: '2022-04-02T10:00:00-04:00',
    coderId: 'coder-t1',
    diagnoses: [{ sequence: 1, code: 'I69.351' }],
    ...patch,
  } satisfies ChartInput);
}

/** Benefit period 3 (60 days) around the March claim; the face-to-face window is 2022-01-21..2022-02-20. */
const PERIOD_3 = { number: 3, from: '2022-02-20', through: '2022-04-20' };

const check = (rule: Rule, chart: Chart): Finding[] => rule.check(chart, tables);

describe('the hospice rules together', () => {
  it('are silent on a clean hospice chart and on home health charts', () => {
    for (const rule of MINE) {
      expect(check(rule, hospice())).toEqual([]);
      expect(check(rule, homeHealth())).toEqual([]);
    }
  });

  it('have ids that collide with no other rule, and sources for each', () => {
    const others = RULES.filter((r) => !MINE.includes(r)).map((r) => r.id);
    const ids = MINE.map((r) => r.id);
    expect(new Set([...others, ...ids]).size).toBe(others.length + ids.length);
    expect(ids).toEqual([
      'HOSPICE-BENEFIT-PERIOD',
      'HOSPICE-F2F',
      'HOSPICE-LEVEL-OF-CARE',
      'HOSPICE-RESPITE',
    ]);
    for (const rule of MINE) expect(rule.sources.length).toBeGreaterThan(0);
  });

  it('are pure: the same findings twice, the chart untouched', () => {
    const chart = hospice(
      {
        period: { from: '2022-02-15', through: '2022-03-31' },
        visits: [
          { date: '2022-03-01', revenueCode: '0655', units: 8 },
          { date: '2022-03-09', revenueCode: '0652', hcpcs: 'Q5001', units: 10 },
        ],
      },
      { benefitPeriod: { number: 3, from: '2022-02-20', through: '2022-05-20' } },
    );
    const before = structuredClone(chart);
    for (const rule of MINE) expect(check(rule, chart)).toEqual(check(rule, chart));
    expect(chart).toEqual(before);
  });
});

describe('HOSPICE-BENEFIT-PERIOD', () => {
  const period = (number: number, from: string, through: string, patch: Partial<ChartInput> = {}) =>
    check(hospiceBenefitPeriod, hospice(patch, { benefitPeriod: { number, from, through } }));

  it('passes 90-day periods 1 and 2 and a 60-day period 3 (from and through both counted)', () => {
    expect(period(1, '2022-02-01', '2022-05-01')).toEqual([]);
    expect(period(2, '2022-01-15', '2022-04-14')).toEqual([]);
    expect(period(3, PERIOD_3.from, PERIOD_3.through)).toEqual([]);
    expect(period(7, '2022-03-01', '2022-04-29')).toEqual([]);
  });

  it('passes a shorter period (ended early by discharge, revocation or death)', () => {
    expect(period(1, '2022-02-01', '2022-03-31')).toEqual([]);
    expect(period(4, '2022-03-01', '2022-03-31')).toEqual([]);
  });

  it('counts a leap day', () => {
    const leap = { period: { from: '2024-03-01', through: '2024-03-30' } };
    expect(period(1, '2024-01-01', '2024-03-30', leap)).toEqual([]);
    expect(period(1, '2024-01-01', '2024-03-31', leap)).toHaveLength(1);
  });

  it('rejects a period 1 or 2 longer than 90 days', () => {
    const findings = period(1, '2022-02-01', '2022-05-02');
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-BENEFIT-PERIOD',
        severity: 'reject',
        path: 'hospice.benefitPeriod',
        message:
          'hospice.benefitPeriod: benefit period 1 spans 91 days (from and through counted), but periods 1 and 2 last at most 90 days; correct the benefit period number or its dates',
      },
    ]);
    expectNoPhi(findings);
    expect(period(2, '2022-01-01', '2022-04-30')[0]?.message).toMatch(/benefit period 2 spans 120 days/);
  });

  it('rejects a period 3 or later longer than 60 days, such as a 90-day period numbered 3', () => {
    expect(period(3, '2022-02-20', '2022-04-21')[0]?.message).toMatch(
      /benefit period 3 spans 61 days .* periods 3 and later last at most 60 days/,
    );
    expect(period(3, '2022-02-01', '2022-05-01')[0]?.message).toMatch(/spans 90 days/);
  });

  it('rejects a period that ends before it starts, once', () => {
    const findings = period(2, '2022-05-01', '2022-02-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/benefit period 2 ends \(through\) before it starts \(from\)/);
  });

  it('rejects a chart period that starts before or ends after the benefit period', () => {
    const early = period(1, '2022-03-05', '2022-05-31');
    expect(early).toEqual([
      expect.objectContaining({
        path: 'hospice.benefitPeriod',
        message: expect.stringMatching(/the chart period \(period\.from to period\.through\) is not inside/),
      }),
    ]);
    expectNoPhi(early);
    expect(period(1, '2022-01-01', '2022-03-30')).toHaveLength(1);
    // Exactly on the boundaries is inside.
    expect(period(1, '2022-03-01', '2022-03-31')).toEqual([]);
  });

  it('reports both a too-long period and a chart period outside it', () => {
    const findings = period(3, '2022-03-05', '2022-06-30');
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/spans 118 days/),
      expect.stringMatching(/not inside benefit period 3/),
    ]);
  });

  it('does not apply to home health', () => {
    const chart = homeHealth({
      hospice: { benefitPeriod: { number: 3, from: '2022-01-01', through: '2022-12-31' } },
    });
    expect(check(hospiceBenefitPeriod, chart)).toEqual([]);
  });
});

describe('HOSPICE-F2F', () => {
  const p3 = (care: Partial<HospiceInput> = {}, patch: Partial<ChartInput> = {}) =>
    check(hospiceF2f, hospice(patch, { benefitPeriod: PERIOD_3, ...care }));

  it('does not apply to benefit periods 1 and 2', () => {
    expect(check(hospiceF2f, hospice())).toEqual([]);
    expect(
      check(
        hospiceF2f,
        hospice({}, { benefitPeriod: { number: 2, from: '2022-01-15', through: '2022-04-14' } }),
      ),
    ).toEqual([]);
  });

  it('opens a query when period 3 or later has no face-to-face date', () => {
    const findings = p3();
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-F2F',
        severity: 'query',
        path: 'hospice.faceToFaceDate',
        message: expect.stringMatching(
          /^hospice\.faceToFaceDate: benefit period 3 needs a face-to-face encounter .* the chart records none/,
        ),
      },
    ]);
    expectNoPhi(findings);
    expect(
      check(
        hospiceF2f,
        hospice({}, { benefitPeriod: { number: 6, from: '2022-02-20', through: '2022-04-20' } }),
      ),
    ).toHaveLength(1);
  });

  it('does not count a face_to_face document without a date', () => {
    expect(p3({}, { documents: [{ type: 'face_to_face', signed: true }] })[0]?.message).toMatch(
      /records none/,
    );
  });

  it('accepts an encounter from 30 days before the start up to the first day', () => {
    expect(p3({ faceToFaceDate: '2022-02-15' })).toEqual([]);
    expect(p3({ faceToFaceDate: '2022-01-21' })).toEqual([]);
    expect(p3({ faceToFaceDate: '2022-02-20' })).toEqual([]);
  });

  it('accepts a dated face_to_face document instead of hospice.faceToFaceDate', () => {
    expect(p3({}, { documents: [{ type: 'face_to_face', date: '2022-02-10' }] })).toEqual([]);
  });

  it('opens a query naming the window, not the dates, for an encounter too early or too late', () => {
    const early = p3({ faceToFaceDate: '2022-01-20' });
    expect(early).toEqual([
      expect.objectContaining({
        severity: 'query',
        path: 'hospice.faceToFaceDate',
        message:
          'hospice.faceToFaceDate: the face-to-face encounter for benefit period 3 must take place from 30 days before the benefit period starts up to its first day; the recorded encounter is earlier than that; ask the hospice physician for an encounter in the window, or correct the date',
      }),
    ]);
    expectNoPhi(early);
    const late = p3({ faceToFaceDate: '2022-02-21' });
    expect(late[0]?.message).toMatch(/the recorded encounter is after the first day of the benefit period/);
    expectNoPhi(late);
    const both = p3(
      { faceToFaceDate: '2021-12-01' },
      { documents: [{ type: 'face_to_face', date: '2022-03-01' }] },
    );
    expect(both[0]?.message).toMatch(/the recorded encounter is outside that window/);
  });

  it('is satisfied when any recorded encounter is in the window', () => {
    expect(
      p3({ faceToFaceDate: '2021-12-01' }, { documents: [{ type: 'face_to_face', date: '2022-02-01' }] }),
    ).toEqual([]);
  });

  it('does not apply to home health', () => {
    expect(check(hospiceF2f, homeHealth({ documents: [{ type: 'face_to_face' }] }))).toEqual([]);
  });
});

describe('HOSPICE-LEVEL-OF-CARE', () => {
  const loc = (
    visits: Visit[],
    days: Partial<HospiceInput['levelOfCareDays']> = {},
    patch: Partial<ChartInput> = {},
  ) => check(hospiceLevelOfCare, hospice({ visits, ...patch }, { levelOfCareDays: days }));

  it('passes lines whose days match each level, in any order, with other lines around them', () => {
    const visits: Visit[] = [
      { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 21 },
      { date: '2022-03-22', revenueCode: '0655', hcpcs: 'Q5006', units: 5 },
      { date: '2022-03-03', revenueCode: '0551', hcpcs: 'G0299', units: 3, discipline: 'SN' },
      { date: '2022-03-27', revenueCode: '0651', hcpcs: 'q5001', units: 3 },
      { date: '2022-03-30', revenueCode: '0652', hcpcs: 'Q5001', units: 10 },
      { date: '2022-03-31', revenueCode: '0652', hcpcs: 'Q5010', units: 12 },
    ];
    expect(loc(visits, { routine: 24, respite: 5, continuous: 2 })).toEqual([]);
    expect(
      loc(
        [
          { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 10 },
          { date: '2022-03-11', revenueCode: '0656', hcpcs: 'Q5005', units: 3 },
          { date: '2022-03-14', revenueCode: '0651', hcpcs: 'Q5001', units: 18 },
        ],
        { routine: 28, generalInpatient: 3 },
      ),
    ).toEqual([]);
  });

  it('rejects routine, respite or general inpatient units that do not add up to the recorded days', () => {
    const findings = loc(
      [
        { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 29 },
        { date: '2022-03-30', revenueCode: '0656', hcpcs: 'Q5005', units: 2 },
      ],
      { routine: 31, generalInpatient: 3 },
    );
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-LEVEL-OF-CARE',
        severity: 'reject',
        path: 'hospice.levelOfCareDays.routine',
        message:
          'hospice.levelOfCareDays.routine: the revenue code 0651 (routine home care) lines bill 29 day(s) in units, but hospice.levelOfCareDays.routine is 31; the lines and the level-of-care days must agree',
      },
      expect.objectContaining({ path: 'hospice.levelOfCareDays.generalInpatient' }),
    ]);
    expectNoPhi(findings);
  });

  it('rejects lines for a level the chart records no days of (days default to 0)', () => {
    const findings = loc(
      [
        { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 26 },
        { date: '2022-03-27', revenueCode: '0655', hcpcs: 'Q5006', units: 5 },
      ],
      { routine: 26 },
    );
    expect(findings.map((f) => f.path)).toEqual(['hospice.levelOfCareDays.respite']);
    expect(findings[0]?.message).toMatch(
      /0655 \(inpatient respite care\) lines bill 5 day\(s\) in units, but hospice\.levelOfCareDays\.respite is 0;/,
    );
  });

  it('does not compare days when the chart records none (all four at the schema default 0)', () => {
    const chart = hospice(
      {
        visits: [
          { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 29 },
          { date: '2022-03-30', revenueCode: '0656', units: 2 },
        ],
      },
      { levelOfCareDays: undefined },
    );
    expect(chart.hospice?.levelOfCareDays).toEqual({
      routine: 0,
      continuous: 0,
      respite: 0,
      generalInpatient: 0,
    });
    expect(check(hospiceLevelOfCare, chart).map((f) => f.path)).toEqual(['visits[1].hcpcs']);
  });

  it('does not compare a level that has days but no lines', () => {
    expect(
      loc([{ date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 31 }], {
        routine: 31,
        respite: 4,
      }),
    ).toEqual([]);
    expect(loc([], { routine: 31, continuous: 2 })).toEqual([]);
  });

  it('counts 0652 lines, one per day, not their units', () => {
    const three: Visit[] = [
      { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 28 },
      { date: '2022-03-29', revenueCode: '0652', hcpcs: 'Q5001', units: 40 },
      { date: '2022-03-30', revenueCode: '0652', hcpcs: 'Q5001', units: 36 },
      { date: '2022-03-31', revenueCode: '0652', hcpcs: 'Q5001', units: 32 },
    ];
    expect(loc(three, { routine: 28, continuous: 3 })).toEqual([]);
    const findings = loc(three, { routine: 28, continuous: 2 });
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'hospice.levelOfCareDays.continuous',
        message: expect.stringMatching(
          /the chart has 3 revenue code 0652 \(continuous home care\) line\(s\), one per day, but hospice\.levelOfCareDays\.continuous is 2/,
        ),
      }),
    ]);
  });

  it('rejects two 0652 lines on the same day', () => {
    const findings = loc(
      [
        { date: '2022-03-30', revenueCode: '0652', hcpcs: 'Q5001', units: 20 },
        { date: '2022-03-30', revenueCode: '0652', hcpcs: 'Q5001', units: 16 },
      ],
      { continuous: 2 },
    );
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'visits[1].date',
        message: expect.stringMatching(/falls on the same day as visits\[0\]/),
      }),
    ]);
    expectNoPhi(findings);
  });

  it('rejects a level-of-care line without a Q5001-Q5010 site-of-service code', () => {
    const findings = loc(
      [
        { date: '2022-03-01', revenueCode: '0651', units: 10 },
        { date: '2022-03-11', revenueCode: '0651', hcpcs: 'G0299', units: 10 },
        { date: '2022-03-21', revenueCode: '0651', hcpcs: 'Q5011', units: 5 },
        { date: '2022-03-26', revenueCode: '0651', hcpcs: 'SMITH', units: 6 },
      ],
      { routine: 31 },
    );
    expect(findings.map((f) => [f.path, f.message.split('; ')[1]])).toEqual([
      ['visits[0].hcpcs', 'it has no HCPCS'],
      ['visits[1].hcpcs', 'it carries G0299'],
      ['visits[2].hcpcs', 'it carries Q5011'],
      ['visits[3].hcpcs', 'it carries a value that is not shaped like a HCPCS code'],
    ]);
    expect(findings[0]?.message).toMatch(
      /^visits\[0\]\.hcpcs: level-of-care line 0651 \(routine home care\) needs the site-of-service HCPCS \(Q5001-Q5010\)/,
    );
    expect(JSON.stringify(findings)).not.toContain('SMITH');
  });

  it('does not apply to home health', () => {
    const chart = homeHealth({ visits: [{ date: '2022-03-01', revenueCode: '0651', units: 30 }] });
    expect(check(hospiceLevelOfCare, chart)).toEqual([]);
  });
});

describe('HOSPICE-RESPITE', () => {
  const respite = (...lines: [date: string, units: number][]) =>
    check(
      hospiceRespite,
      hospice({
        visits: lines.map(([date, units]) => ({ date, revenueCode: '0655', hcpcs: 'Q5006', units })),
      }),
    );

  it('passes up to five consecutive days', () => {
    expect(respite(['2022-03-22', 5])).toEqual([]);
    expect(respite(['2022-03-01', 2], ['2022-03-03', 3])).toEqual([]);
    expect(respite(['2022-03-01', 0])).toEqual([]);
  });

  it('rejects a single line of six days, on that line', () => {
    const findings = respite(['2022-03-10', 6]);
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-RESPITE',
        severity: 'reject',
        path: 'visits[0].units',
        message:
          'visits[0].units: the revenue code 0655 (inpatient respite) lines bill 6 consecutive respite days; Medicare pays at most 5 consecutive days, so bill each day after the fifth as routine home care (0651)',
      },
    ]);
    expectNoPhi(findings);
  });

  it('joins lines that follow each other, also across a month end, and points at the sixth day', () => {
    const findings = respite(['2022-02-26', 3], ['2022-03-01', 4]);
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'visits[1].units',
        message: expect.stringMatching(/bill 7 consecutive respite days across visits\[0\], visits\[1\]/),
      }),
    ]);
  });

  it('breaks a run at a day without respite', () => {
    expect(respite(['2022-03-01', 3], ['2022-03-05', 3])).toEqual([]);
  });

  it('counts a day billed twice once', () => {
    expect(respite(['2022-03-01', 5], ['2022-03-01', 5])).toEqual([]);
    expect(respite(['2022-03-01', 5], ['2022-03-03', 4])[0]?.message).toMatch(/6 consecutive/);
  });

  it('reports each run longer than five days, whatever the line order', () => {
    const findings = respite(['2022-03-20', 7], ['2022-03-01', 6]);
    expect(findings.map((f) => f.path)).toEqual(['visits[1].units', 'visits[0].units']);
    expect(findings.map((f) => f.message.match(/bill (\d+) consecutive/)?.[1])).toEqual(['6', '7']);
  });

  it('ignores other level-of-care lines and home health charts', () => {
    const chart = hospice({
      visits: [{ date: '2022-03-01', revenueCode: '0656', hcpcs: 'Q5005', units: 10 }],
    });
    expect(check(hospiceRespite, chart)).toEqual([]);
    const hh = homeHealth({
      visits: [{ date: '2022-03-01', revenueCode: '0655', hcpcs: 'Q5006', units: 10 }],
    });
    expect(check(hospiceRespite, hh)).toEqual([]);
  });
});
