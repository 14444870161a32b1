import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { hhOasisDoc } from '#shared/rules/hh-oasis-doc.ts';
import { hhOasisItems, PDGM_FUNCTIONAL_ITEMS } from '#shared/rules/hh-oasis-items.ts';
import {
  CERTIFICATION_DAYS,
  earliestCoveringAssessment,
  hhOasisTiming,
  OASIS_COVERS_DAYS,
  RECERT_WINDOW_DAYS,
  SOC_ASSESSMENT_DAYS,
} from '#shared/rules/hh-oasis-timing.ts';
import type { Rule } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const check = (rule: Rule, chart: Chart): Finding[] => rule.check(chart, tables);

/** The clean chart's seven functional items (every one PDGM scores). */
const FUNCTIONAL: Record<string, string> = { ...cleanHomeHealth().oasis?.items };
type Documents = NonNullable<ChartInput['documents']>;
const F2F_AND_POC: Documents = [
  { type: 'face_to_face', date: '2022-02-25', signed: true },
  { type: 'plan_of_care', date: '2022-03-01', signed: true },
];

describe('HH-OASIS-DOC', () => {
  const oasisDoc = (patch: Partial<ChartInput>) => check(hhOasisDoc, cleanHomeHealth(patch));

  it('opens a query for a home health chart with neither an oasis document nor OASIS data', () => {
    const findings = oasisDoc({ oasis: undefined, documents: F2F_AND_POC });
    expect(findings).toEqual([
      {
        ruleId: 'HH-OASIS-DOC',
        severity: 'query',
        path: 'oasis',
        message:
          'oasis: the home health chart has no OASIS assessment (no oasis document and no OASIS items); ask the clinician for the OASIS (M0090 date, M1800-M1860 items) before coding is final',
      },
    ]);
    expectNoPhi(findings);
    expect(oasisDoc({ oasis: { items: {} }, documents: F2F_AND_POC })).toHaveLength(1);
  });

  it('is satisfied by an oasis document alone, an assessment date alone, or one item alone', () => {
    expect(oasisDoc({ oasis: undefined, documents: [{ type: 'oasis' }] })).toEqual([]);
    expect(oasisDoc({ oasis: { assessmentDate: '2022-03-01', items: {} }, documents: [] })).toEqual([]);
    expect(oasisDoc({ oasis: { items: { M1800: '00' } }, documents: [] })).toEqual([]);
  });

  it('leaves hospice charts alone', () => {
    expect(check(hhOasisDoc, cleanHospice())).toEqual([]);
  });
});

describe('HH-OASIS-ITEMS', () => {
  const items = (answered: Record<string, string>) =>
    check(hhOasisItems, cleanHomeHealth({ oasis: { assessmentDate: '2022-03-01', items: answered } }));

  it('names the seven functional items PDGM scores', () => {
    expect(PDGM_FUNCTIONAL_ITEMS).toEqual(['M1800', 'M1810', 'M1820', 'M1830', 'M1840', 'M1850', 'M1860']);
  });

  it('opens a query naming every missing functional item, in item order', () => {
    const findings = items({ M1810: '00', M1830: '00', M1850: '00', M1033_HOSP_RISK_NONE_ABOVE: '1' });
    expect(findings).toEqual([
      {
        ruleId: 'HH-OASIS-ITEMS',
        severity: 'query',
        path: 'oasis.items',
        message:
          'oasis.items: the OASIS lacks the functional items M1800, M1820, M1840, M1860 that PDGM scores; ask the clinician to complete them',
      },
    ]);
    expectNoPhi(findings);
  });

  it.each(PDGM_FUNCTIONAL_ITEMS.map((item) => [item]))('queries an OASIS without %s alone', (item) => {
    const { [item]: _dropped, ...rest } = FUNCTIONAL;
    expect(items(rest).map((f) => f.message)).toEqual([
      expect.stringContaining(`functional items ${item} that`),
    ]);
  });

  it('passes a complete OASIS, and leaves an OASIS without items to HH-OASIS-DOC', () => {
    expect(items(FUNCTIONAL)).toEqual([]);
    expect(items({})).toEqual([]);
    expect(check(hhOasisItems, cleanHomeHealth({ oasis: undefined }))).toEqual([]);
  });

  it('leaves hospice charts alone', () => {
    expect(check(hhOasisItems, cleanHospice({ oasis: { items: { M1800: '01' } } }))).toEqual([]);
  });
});

describe('earliestCoveringAssessment', () => {
  it('keeps the windows of the regulation: 5 days after the start of care, 60-day certifications, 5-day recertification window', () => {
    expect([SOC_ASSESSMENT_DAYS, CERTIFICATION_DAYS, RECERT_WINDOW_DAYS, OASIS_COVERS_DAYS]).toEqual([
      5, 60, 5, 35,
    ]);
  });

  it.each([
    ['without a start of care: 35 days before the period', 1000, undefined, 965],
    ['in the first certification period: the start of care', 1000, 1000, 1000],
    ['on its last day (day 59): still the start of care', 1059, 1000, 1000],
    ['from day 60: 5 days before the second certification period', 1060, 1000, 1055],
    ['in the third certification period', 1150, 1000, 1115],
    ['a period before the start of care: the start of care', 990, 1000, 1000],
  ])('%s', (_name, periodFrom, soc, earliest) => {
    expect(earliestCoveringAssessment(periodFrom, soc)).toBe(earliest);
  });
});

describe('HH-OASIS-TIMING', () => {
  const timing = (oasis: ChartInput['oasis'], admission?: ChartInput['admission']) =>
    check(hhOasisTiming, cleanHomeHealth(admission ? { oasis, admission } : { oasis }));
  const soc = (assessmentDate: string, reasonForAssessment = '01') =>
    timing({ assessmentDate, reasonForAssessment, items: FUNCTIONAL });

  it('queries an assessment dated after the period it is attached to, naming no date', () => {
    const findings = timing({ assessmentDate: '2022-03-31', items: FUNCTIONAL });
    expect(findings).toEqual([
      {
        ruleId: 'HH-OASIS-TIMING',
        severity: 'query',
        path: 'oasis.assessmentDate',
        message:
          'oasis.assessmentDate: the OASIS assessment is dated after the period it is attached to; ask the clinician for the assessment that covers this period',
      },
    ]);
    expectNoPhi(findings);
    expect(timing({ assessmentDate: '2022-03-30', items: FUNCTIONAL })).toEqual([]);
  });

  it('accepts a start-of-care assessment from the start of care to 5 days after it, both ends included', () => {
    expect(soc('2022-03-01')).toEqual([]);
    expect(soc('2022-03-06')).toEqual([]);
    expect(soc('2022-03-07').map((f) => f.message)).toEqual([
      'oasis.assessmentDate: the start-of-care OASIS (RFA 01) is dated 6 days after the start of care; it is due from the start of care to 5 days after it, ask the clinician to confirm the assessment date',
    ]);
  });

  it('says a start-of-care assessment the day before the start of care is before it, and older than the period allows', () => {
    const findings = soc('2022-02-28');
    expect(findings.map((f) => f.message)).toEqual([
      'oasis.assessmentDate: the start-of-care OASIS (RFA 01) is dated before the start of care; it is due from the start of care to 5 days after it, ask the clinician to confirm the assessment date',
      "oasis.assessmentDate: the OASIS assessment is 1 days older than the earliest assessment that covers this period's certification period (its start of care, or the last 5 days before its recertification); ask the clinician for the assessment of this certification period",
    ]);
    expectNoPhi(findings);
  });

  it('reads the reason for assessment as a number: " 01", "1" and "01" are all start of care', () => {
    for (const rfa of [' 01', '1', '01 ']) expect(soc('2022-03-08', rfa)).toHaveLength(1);
    expect(soc('2022-03-08', '04')).toEqual([]);
    expect(soc('2022-03-08', '10')).toEqual([]);
  });

  it('does not time a start-of-care assessment when the chart gives no start of care', () => {
    const noSoc = { assessmentDate: '2022-03-20', reasonForAssessment: '01', items: FUNCTIONAL };
    expect(timing(noSoc, {})).toEqual([]);
    expect(timing(noSoc, { timing: 'late' })).toEqual([]);
  });

  it('takes the start of care of a late period from its admission date, and none without one', () => {
    // The third 30-day period of an admission on 2021-12-31: an assessment of the first certification
    // period (2022-01-20) is older than the recertification window (2022-02-24 on).
    const older = { assessmentDate: '2022-01-20', reasonForAssessment: '04', items: FUNCTIONAL };
    expect(timing(older, { date: '2021-12-31', timing: 'late' }).map((f) => f.message)).toEqual([
      expect.stringContaining('is 35 days older than the earliest assessment'),
    ]);
    // Without the admission date, 35 days before the period (2022-01-25) is the earliest.
    expect(timing(older, { timing: 'late' }).map((f) => f.message)).toEqual([
      expect.stringContaining('is 5 days older than the earliest assessment'),
    ]);
  });

  it('leaves a chart without an assessment date, and hospice charts, alone', () => {
    expect(timing({ reasonForAssessment: '01', items: FUNCTIONAL })).toEqual([]);
    expect(timing(undefined)).toEqual([]);
    expect(
      check(hhOasisTiming, cleanHospice({ oasis: { assessmentDate: '2023-01-01', items: {} } })),
    ).toEqual([]);
  });
});
