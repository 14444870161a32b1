import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import {
  codesFor,
  LEVEL_OF_CARE_REVENUE,
  longDate,
  SITE_OF_SERVICE_CODES,
  VISIT_CODES,
} from '#shared/rules/visit-codes.ts';
import { visitLineCodes } from '#shared/rules/visit-line-codes.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice } from '../support/rule-charts.ts';

/**
 * The visit-line code tables as a coder meets them: the words each finding names a code by, and the
 * dates and settings each code is valid for (from the research CSV, shared/rules/visit-codes.ts).
 */
const tables = { icd10cm: loadIcd10cm() };
type Visit = NonNullable<ChartInput['visits']>[number];
const line = (revenueCode: string, hcpcs: string, date = '2022-03-10'): Visit => ({
  date,
  revenueCode,
  hcpcs,
  units: 1,
});
const messages = (chart: Chart) => visitLineCodes.check(chart, tables).map((f) => f.message);
const hh = (...visits: Visit[]) => cleanHomeHealth({ visits });
const hospice = (...visits: Visit[]) => cleanHospice({ visits });

describe('the visit G-codes, as the findings name them', () => {
  it.each([
    ['G0151', 'physical therapist', '042', 'physical therapy'],
    ['G0157', 'physical therapist assistant', '042', 'physical therapy'],
    ['G0159', 'physical therapy maintenance program', '042', 'physical therapy'],
    ['G2168', 'physical therapist assistant, maintenance program', '042', 'physical therapy'],
    ['G0152', 'occupational therapist', '043', 'occupational therapy'],
    ['G0158', 'occupational therapist assistant', '043', 'occupational therapy'],
    ['G0160', 'occupational therapy maintenance program', '043', 'occupational therapy'],
    ['G2169', 'occupational therapist assistant, maintenance program', '043', 'occupational therapy'],
    ['G0153', 'speech-language pathologist', '044', 'speech-language pathology'],
    ['G0161', 'speech-language pathology maintenance program', '044', 'speech-language pathology'],
    ['G0299', 'direct skilled nursing, RN', '055', 'skilled nursing'],
    ['G0300', 'direct skilled nursing, LPN', '055', 'skilled nursing'],
    ['G0162', 'RN management and evaluation of the plan of care', '055', 'skilled nursing'],
    ['G0493', 'RN observation and assessment', '055', 'skilled nursing'],
    ['G0494', 'LPN observation and assessment', '055', 'skilled nursing'],
    ['G0495', 'RN training and education', '055', 'skilled nursing'],
    ['G0496', 'LPN training and education', '055', 'skilled nursing'],
    ['G0155', 'clinical social worker', '056', 'medical social services'],
    ['G0156', 'home health or hospice aide', '057', 'home health aide'],
    ['G0154', 'direct skilled nursing, LPN or RN', '055', 'skilled nursing'],
    ['G0163', 'observation and assessment, LPN or RN', '055', 'skilled nursing'],
    ['G0164', 'training and education, LPN or RN', '055', 'skilled nursing'],
  ])('%s: %s, revenue code %sx (%s)', (code, meaning, revenue, name) => {
    expect(messages(hh(line('0270', code)))).toEqual([
      `visits[0].revenueCode: ${code} (${meaning}) is reported with revenue code ${revenue}x (${name}), not with revenue code 0270`,
    ]);
  });

  it('has one row per research CSV row: the 19 active codes and 3 retired ones', () => {
    expect(Object.keys(VISIT_CODES)).toHaveLength(22);
  });

  it.each([
    ['0571', 'G9473', 'chaplain', 'revenue code 0571 (home health aide)', 'G0156'],
    ['0561', 'G9474', 'dietary counselor', 'revenue code 0561 (medical social services)', 'G0155'],
    ['0561', 'G9475', 'other counselor', 'revenue code 0561 (medical social services)', 'G0155'],
    ['0561', 'G9476', 'volunteer', 'revenue code 0561 (medical social services)', 'G0155'],
    ['0561', 'G9477', 'care coordinator', 'revenue code 0561 (medical social services)', 'G0155'],
    [
      '0441',
      'G9478',
      'other qualified therapist',
      'revenue code 0441 (speech-language pathology)',
      'G0153, G0161',
    ],
    [
      '0551',
      'G9479',
      'qualified pharmacist',
      'revenue code 0551 (skilled nursing)',
      'G0299, G0300, G0162, G0493, G0494, G0495, G0496',
    ],
  ])('names hospice-only %2$s (%3$s) on a home health %4$s line', (revenue, code, meaning, at, expected) => {
    const findings = visitLineCodes.check(hh(line(revenue, code)), tables);
    expect(findings.map((f) => f.message)).toEqual([
      `visits[0].hcpcs: ${code} (${meaning}) is a hospice-only visit code; a home health line on ${at} reports expected ${expected}`,
    ]);
    expectNoPhi(findings);
  });

  it('names a hospice-only code on another home health line, and accepts it on any hospice line', () => {
    expect(messages(hh(line('0270', 'G9476')))).toEqual([
      'visits[0].hcpcs: G9476 (volunteer) is a hospice-only visit code; a home health claim cannot report it',
    ]);
    expect(messages(hospice(line('0270', 'G9476'), line('0421', 'G9478')))).toEqual([]);
  });
});

describe('the dates each visit code is valid for', () => {
  it.each([
    ['0421', 'G2168', '2020-01-01', 'January 1, 2020'],
    ['0431', 'G2169', '2020-01-01', 'January 1, 2020'],
    ['0551', 'G0299', '2016-01-01', 'January 1, 2016'],
    ['0551', 'G0300', '2016-01-01', 'January 1, 2016'],
    ['0551', 'G0493', '2017-01-01', 'January 1, 2017'],
    ['0551', 'G0494', '2017-01-01', 'January 1, 2017'],
  ])('%s %s is valid from %s, not the day before', (revenue, code, from, words) => {
    const dayBefore = `${Number(from.slice(0, 4)) - 1}-12-31`;
    expect(messages(hh(line(revenue, code, from)))).toEqual([]);
    const before = messages(hh(line(revenue, code, dayBefore)));
    expect(before).toEqual([
      expect.stringMatching(
        new RegExp(
          `^visits\\[0\\]\\.hcpcs: ${code} \\(.+\\) is valid only for dates of service from ${words}; report the G-code in force on the line date$`,
        ),
      ),
    ]);
  });

  it.each([
    ['G0154', '2016-01-01', 'January 1, 2016', 'G0299/G0300'],
    ['G0163', '2017-01-01', 'January 1, 2017', 'G0493/G0494'],
    ['G0164', '2017-01-01', 'January 1, 2017', 'G0495/G0496'],
  ])('%s is retired from %s, and accepted the day before', (code, from, words, replacement) => {
    const dayBefore = `${Number(from.slice(0, 4)) - 1}-12-31`;
    expect(messages(hh(line('0551', code, dayBefore)))).toEqual([]);
    expect(messages(hh(line('0551', code, from)))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^visits\\[0\\]\\.hcpcs: ${code} \\(.+\\) is retired for dates of service from ${words}; report ${replacement}$`,
        ),
      ),
    ]);
  });

  it('writes each month of a rule date in words', () => {
    const months = Array.from({ length: 12 }, (_, i) =>
      longDate(`2021-${String(i + 1).padStart(2, '0')}-15`),
    );
    expect(months).toEqual([
      'January 15, 2021',
      'February 15, 2021',
      'March 15, 2021',
      'April 15, 2021',
      'May 15, 2021',
      'June 15, 2021',
      'July 15, 2021',
      'August 15, 2021',
      'September 15, 2021',
      'October 15, 2021',
      'November 15, 2021',
      'December 15, 2021',
    ]);
  });
});

describe('where each visit code may be billed', () => {
  it.each([
    ['042', ['G0151', 'G0157']],
    ['043', ['G0152', 'G0158']],
    ['044', ['G0153']],
    ['056', ['G0155']],
    ['057', ['G0156']],
  ] as const)('hospice revenue group %s takes %j', (revenue, codes) => {
    expect(codesFor(revenue, 'hospice')).toEqual(codes);
  });

  it.each([
    ['042', ['G0151', 'G0157', 'G0159', 'G2168']],
    ['055', ['G0299', 'G0300', 'G0162', 'G0493', 'G0494', 'G0495', 'G0496']],
    ['057', ['G0156']],
  ] as const)('home health revenue group %s takes %j', (revenue, codes) => {
    expect(codesFor(revenue, 'home_health')).toEqual(codes);
  });

  it.each([
    ['0421', 'G0159'],
    ['0431', 'G0160'],
    ['0441', 'G0161'],
  ])('keeps the maintenance-program code %2$s off a hospice %1$s line', (revenue, code) => {
    expect(messages(hospice(line(revenue, code)))).toEqual([expect.stringContaining(`${code} (`)]);
    expect(messages(hh(line(revenue, code)))).toEqual([]);
  });
});

describe('the site-of-service codes', () => {
  it('lists the ten Q-codes of the research, by place', () => {
    expect(SITE_OF_SERVICE_CODES).toEqual({
      Q5001: "patient's home or residence",
      Q5002: 'assisted living facility',
      Q5003: 'nursing long term care facility or non-skilled nursing facility',
      Q5004: 'skilled nursing facility',
      Q5005: 'inpatient hospital',
      Q5006: 'inpatient hospice facility',
      Q5007: 'long term care facility',
      Q5008: 'inpatient psychiatric facility',
      Q5009: 'place not otherwise specified',
      Q5010: 'hospice home care provided in a hospice facility',
    });
  });

  it('names the hospice-only place of a Q-code on a home health discipline line', () => {
    const hospiceOnly = ['Q5003', 'Q5004', 'Q5005', 'Q5006', 'Q5007', 'Q5008', 'Q5010'];
    expect(messages(hh(...hospiceOnly.map((code) => line('0551', code))))).toEqual(
      hospiceOnly.map(
        (code, i) =>
          `visits[${i}].hcpcs: ${code} (${SITE_OF_SERVICE_CODES[code]}) is a hospice site-of-service code; home health reports Q5001, Q5002 or Q5009`,
      ),
    );
  });

  it('lists the four hospice level-of-care revenue codes', () => {
    expect(LEVEL_OF_CARE_REVENUE).toEqual({
      '0651': { level: 'routine', name: 'routine home care' },
      '0652': { level: 'continuous', name: 'continuous home care' },
      '0655': { level: 'respite', name: 'inpatient respite care' },
      '0656': { level: 'generalInpatient', name: 'general inpatient care' },
    });
  });
});
