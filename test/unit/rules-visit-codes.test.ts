import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { ChartInput, VisitLine } from '#shared/model/chart.ts';
import { hhSiteOfService } from '#shared/rules/hh-site-of-service.ts';
import {
  codesFor,
  dayNumber,
  disciplineRevenue,
  HOME_HEALTH_SITE_CODES,
  hcpcsLabel,
  isLevelOfCareRevenue,
  lineHcpcs,
  longDate,
  PDGM_HIPPS,
  PDGM_START,
  printableHcpcs,
} from '#shared/rules/visit-codes.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
type Visit = NonNullable<ChartInput['visits']>[number];
const visit = (revenueCode: string, hcpcs?: string): Visit => ({
  date: '2022-03-02',
  revenueCode,
  units: 1,
  ...(hcpcs === undefined ? {} : { hcpcs }),
});

describe('dayNumber', () => {
  /** The UTC day number of a date built with the platform calendar (any year, 0 to 9999). */
  const utcDay = (year: number, monthIndex: number, day: number) => {
    const date = new Date(0);
    date.setUTCFullYear(year, monthIndex, day);
    return Math.round(date.getTime() / 86_400_000);
  };
  const iso = (year: number, monthIndex: number, day: number) =>
    `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

  it('counts days since 1970-01-01', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2022-03-01')).toBe(19_052);
  });

  it('agrees with the calendar on every day from 1896 to 2104, leap years and centuries included', () => {
    const wrong: string[] = [];
    for (let day = utcDay(1896, 0, 1); day <= utcDay(2104, 11, 31); day++) {
      const d = new Date(day * 86_400_000);
      const date = iso(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      if (dayNumber(date) !== day) wrong.push(date);
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [0, 0, 1],
    [0, 1, 29],
    [0, 2, 1],
    [1, 0, 1],
    [22, 2, 1],
    [399, 11, 31],
    [400, 1, 29],
    [9999, 11, 31],
  ])('reads year %i as written (month index %i, day %i), not as a year of the 1900s', (year, month, day) => {
    expect(dayNumber(iso(year, month, day))).toBe(utcDay(year, month, day));
  });
});

describe('longDate', () => {
  it('writes a rule date as words, so a finding never carries a YYYY-MM-DD value', () => {
    expect(longDate('2016-01-01')).toBe('January 1, 2016');
    expect(longDate('2020-12-31')).toBe('December 31, 2020');
    expect(longDate('2014-10-09')).toBe('October 9, 2014');
  });
});

describe('lineHcpcs', () => {
  const hcpcs = (value: string | undefined) =>
    lineHcpcs({
      date: '2022-03-01',
      revenueCode: '0551',
      units: 1,
      ...(value === undefined ? {} : { hcpcs: value }),
    } as VisitLine);

  it.each([
    ['G0299', 'G0299'],
    ['g0299', 'G0299'],
    [' G0299', 'G0299'],
    ['G0299 ', 'G0299'],
    [' q50 ', 'Q50'],
  ])('reads %j as %j', (raw, code) => {
    expect(hcpcs(raw)).toBe(code);
  });

  it.each([[undefined], [''], ['   ']])('reads %j as no HCPCS', (raw) => {
    expect(hcpcs(raw)).toBeUndefined();
  });
});

describe('printableHcpcs and hcpcsLabel', () => {
  it.each(['G0299', 'Q5001', '99213', '0001F'])('echo the HCPCS-shaped %s', (code) => {
    expect(printableHcpcs(code)).toBe(code);
    expect(hcpcsLabel(code)).toBe(code);
  });

  it.each(['SMITH', 'G029', 'G02999', 'XG0299', '9921', 'g0299', '1234_'])('never echo %j', (value) => {
    expect(printableHcpcs(value)).toBeUndefined();
    expect(hcpcsLabel(value)).toBe('a value that is not shaped like a HCPCS code');
  });

  it('describe a missing code without echoing anything', () => {
    expect(printableHcpcs(undefined)).toBeUndefined();
    expect(hcpcsLabel(undefined)).toBe('a value that is not shaped like a HCPCS code');
  });
});

describe('revenue code groups', () => {
  it('maps discipline revenue codes 042x-044x and 055x-057x to their group, and nothing else', () => {
    expect(['0420', '0431', '0449', '0551', '0569', '0571'].map(disciplineRevenue)).toEqual([
      '042',
      '043',
      '044',
      '055',
      '056',
      '057',
    ]);
    for (const other of ['0023', '0270', '0450', '0541', '0580', '0651', '0410'])
      expect(disciplineRevenue(other), other).toBeUndefined();
  });

  it('knows the four hospice level-of-care revenue codes', () => {
    expect(['0651', '0652', '0655', '0656'].every(isLevelOfCareRevenue)).toBe(true);
    expect(['0650', '0653', '0654', '0657', '0551', 'toString'].some(isLevelOfCareRevenue)).toBe(false);
  });

  it('computes the codes of each revenue group and line of business once', () => {
    expect(codesFor('043', 'hospice')).toBe(codesFor('043', 'hospice'));
    expect(codesFor('043', 'home_health')).toEqual(['G0152', 'G0158', 'G0160', 'G2169']);
    expect(codesFor('043', 'hospice')).toEqual(['G0152', 'G0158']);
    expect(codesFor('044', 'hospice')).toEqual(['G0153']);
    expect(codesFor('044', 'home_health')).toEqual(['G0153', 'G0161']);
  });

  it('lists the three home health site-of-service codes, and the PDGM HIPPS shape from 2020', () => {
    expect(HOME_HEALTH_SITE_CODES).toEqual(['Q5001', 'Q5002', 'Q5009']);
    expect(PDGM_START).toBe('2020-01-01');
    for (const hipps of ['1AA11', '4LC31', '2BB21']) expect(PDGM_HIPPS.test(hipps), hipps).toBe(true);
    for (const other of [
      '5AA11',
      '0AA11',
      '1MA11',
      '1AD11',
      '1AA41',
      '1AA01',
      '1AA12',
      '1AA1',
      'X1AA11',
      '1AA111',
    ])
      expect(PDGM_HIPPS.test(other), other).toBe(false);
  });
});

describe('HH-SITE-OF-SERVICE', () => {
  const site = (visits: Visit[]) => hhSiteOfService.check(cleanHomeHealth({ visits }), tables);

  it('rejects a home health claim with visit lines but no site-of-service code', () => {
    const findings = site([visit('0023', '1BA11'), visit('0551', 'G0299'), visit('0551', 'Q5005')]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-SITE-OF-SERVICE',
        severity: 'reject',
        path: 'visits',
        message:
          'visits: the home health claim reports no site-of-service code; add Q5001 (home), Q5002 (assisted living) or Q5009 (other) with the first billable visit, one unit',
      },
    ]);
    expectNoPhi(findings);
  });

  it.each(['Q5001', 'Q5002', 'Q5009', 'q5009'])('accepts %j on any line of the claim', (code) => {
    expect(site([visit('0421', 'G0151'), visit('0421', code)])).toEqual([]);
    expect(site([visit('0421', 'G0151'), visit('0270', code)])).toEqual([]);
  });

  it('does not ask for one on a claim without discipline visit lines, or on a hospice claim', () => {
    expect(site([])).toEqual([]);
    expect(site([visit('0023', '1BA11'), visit('0270', 'A4649')])).toEqual([]);
    expect(hhSiteOfService.check(cleanHospice({ visits: [visit('0551', 'G0299')] }), tables)).toEqual([]);
  });
});
