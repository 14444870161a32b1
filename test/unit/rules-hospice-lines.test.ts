import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import { hospiceLevelOfCare } from '#shared/rules/hospice-level-of-care.ts';
import { hospiceRespite } from '#shared/rules/hospice-respite.ts';
import type { Rule } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHospice as hospice } from '../support/rule-charts.ts';

/** The hospice level-of-care and respite lines: the findings word for word, and the edges of each check. */
const tables = { icd10cm: loadIcd10cm() };

type Visit = NonNullable<ChartInput['visits']>[number];
type Days = Partial<NonNullable<ChartInput['hospice']>['levelOfCareDays']>;

const messages = (rule: Rule, visits: Visit[], days?: Days) => {
  const findings = rule.check(hospice({ visits }, days ? { levelOfCareDays: days } : {}), tables);
  expectNoPhi(findings);
  for (const f of findings) expect(f).toMatchObject({ ruleId: rule.id, severity: rule.severity });
  return findings.map((f) => [f.path, f.message]);
};

const line = (date: string, revenueCode: string, units: number, hcpcs = 'Q5001'): Visit => ({
  date,
  revenueCode,
  hcpcs,
  units,
});

describe('HOSPICE-LEVEL-OF-CARE messages', () => {
  it('names the level, the lines and the days recorded when they disagree', () => {
    expect(
      messages(hospiceLevelOfCare, [line('2022-03-01', '0656', 2, 'Q5005')], { generalInpatient: 3 }),
    ).toEqual([
      [
        'hospice.levelOfCareDays.generalInpatient',
        'hospice.levelOfCareDays.generalInpatient: the revenue code 0656 (general inpatient care) lines bill 2 day(s) in units, but hospice.levelOfCareDays.generalInpatient is 3; the lines and the level-of-care days must agree',
      ],
    ]);
    expect(
      messages(hospiceLevelOfCare, [line('2022-03-01', '0652', 10)], { routine: 31, continuous: 3 }),
    ).toEqual([
      [
        'hospice.levelOfCareDays.continuous',
        'hospice.levelOfCareDays.continuous: the chart has 1 revenue code 0652 (continuous home care) line(s), one per day, but hospice.levelOfCareDays.continuous is 3; bill each day of continuous home care on its own 0652 line and make the two agree',
      ],
    ]);
  });

  it('names the earlier line a second continuous care line of the same day repeats', () => {
    const visits = [
      line('2022-03-01', '0652', 10),
      line('2022-03-02', '0652', 8),
      line('2022-03-01', '0652', 6),
    ];
    expect(messages(hospiceLevelOfCare, visits, { continuous: 3 })).toEqual([
      [
        'visits[2].date',
        'visits[2].date: this 0652 (continuous home care) line falls on the same day as visits[0]; each day of continuous home care is billed on one line of its own',
      ],
    ]);
  });

  it('lets two routine home care lines share a day: one line per day is a continuous care rule', () => {
    const visits = [line('2022-03-01', '0651', 1, 'Q5002'), line('2022-03-01', '0651', 30)];
    expect(messages(hospiceLevelOfCare, visits)).toEqual([]);
  });

  it('asks for the site-of-service code on the line that lacks it', () => {
    expect(
      messages(hospiceLevelOfCare, [{ date: '2022-03-01', revenueCode: '0655', units: 5 }], { respite: 5 }),
    ).toEqual([
      [
        'visits[0].hcpcs',
        'visits[0].hcpcs: level-of-care line 0655 (inpatient respite care) needs the site-of-service HCPCS (Q5001-Q5010) of the place the care was given; it has no HCPCS',
      ],
    ]);
  });

  it.each([
    ['routine and continuous', { routine: 1, continuous: 1 }],
    ['routine and respite', { routine: 1, respite: 1 }],
    ['routine and general inpatient', { routine: 1, generalInpatient: 1 }],
    ['continuous alone', { continuous: 2 }],
  ])('compares the days whenever any level records some (%s)', (_name, days) => {
    expect(messages(hospiceLevelOfCare, [line('2022-03-01', '0651', 5)], days).map(([path]) => path)).toEqual(
      ['hospice.levelOfCareDays.routine'],
    );
  });
});

describe('HOSPICE-RESPITE edges', () => {
  const respite = (...lines: [date: string, units: number][]) =>
    messages(
      hospiceRespite,
      lines.map(([date, units]) => line(date, '0655', units, 'Q5006')),
    );
  const days = (n: number, across = '') =>
    `the revenue code 0655 (inpatient respite) lines bill ${n} consecutive respite days${across}; Medicare pays at most 5 consecutive days, so bill each day after the fifth as routine home care (0651)`;

  it('points at the line that starts on the sixth day', () => {
    expect(respite(['2022-03-01', 5], ['2022-03-06', 2])).toEqual([
      ['visits[1].units', `visits[1].units: ${days(7, ' across visits[0], visits[1]')}`],
    ]);
  });

  it('points at the first line in chart order of those billing the sixth day, and lists the lines in chart order', () => {
    expect(respite(['2022-03-03', 5], ['2022-03-01', 7])).toEqual([
      ['visits[0].units', `visits[0].units: ${days(7, ' across visits[0], visits[1]')}`],
    ]);
    expect(respite(['2022-03-04', 3], ['2022-03-01', 3])).toEqual([
      ['visits[0].units', `visits[0].units: ${days(6, ' across visits[0], visits[1]')}`],
    ]);
  });

  it('does not point at a line that starts after the sixth day, even one listed first', () => {
    expect(respite(['2022-03-08', 2], ['2022-03-01', 8])).toEqual([
      ['visits[1].units', `visits[1].units: ${days(9, ' across visits[0], visits[1]')}`],
    ]);
  });

  it('leaves a line of zero units out of the run it falls in', () => {
    expect(respite(['2022-03-01', 6], ['2022-03-03', 0])).toEqual([
      ['visits[0].units', `visits[0].units: ${days(6)}`],
    ]);
  });

  it('does not join runs two days apart, whatever lies between them on other revenue codes', () => {
    const visits = [
      line('2022-03-01', '0655', 3, 'Q5006'),
      line('2022-03-04', '0651', 1),
      line('2022-03-05', '0655', 3, 'Q5006'),
    ];
    expect(messages(hospiceRespite, visits)).toEqual([]);
  });
});
