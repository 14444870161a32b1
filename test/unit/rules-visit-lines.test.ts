import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { RULES } from '#shared/rules/index.ts';
import type { Rule } from '#shared/rules/rule.ts';
import {
  codesFor,
  DISCIPLINE_REVENUE,
  type DisciplineRevenue,
  VISIT_CODES,
} from '#shared/rules/visit-codes.ts';
import { visitLineCodes } from '#shared/rules/visit-line-codes.ts';
import { visitLineUnits } from '#shared/rules/visit-line-units.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const MINE = [visitLineCodes, visitLineUnits];

type Visit = NonNullable<ChartInput['visits']>[number];

/** Visit lines of a clean home health period (the shape of examples HH-1001). */
const HH_VISITS: Visit[] = [
  { date: '2022-03-01', revenueCode: '0023', hcpcs: '1BC21', units: 1 },
  { date: '2022-03-01', revenueCode: '0551', hcpcs: 'G0299', units: 4, discipline: 'SN' },
  { date: '2022-03-01', revenueCode: '0551', hcpcs: 'Q5001', units: 1 },
  { date: '2022-03-03', revenueCode: '0421', hcpcs: 'G0151', units: 4, discipline: 'PT' },
  { date: '2022-03-04', revenueCode: '0441', hcpcs: 'G0153', units: 3, discipline: 'SLP' },
  { date: '2022-03-09', revenueCode: '0571', hcpcs: 'G0156', units: 4, discipline: 'AIDE' },
];

/** Visit lines of a clean hospice month (the shape of examples HSP-2001). */
const HOSPICE_VISITS: Visit[] = [
  { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 31 },
  { date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 3, discipline: 'SN' },
  { date: '2022-03-10', revenueCode: '0561', hcpcs: 'G0155', units: 4, discipline: 'MSS' },
  { date: '2022-03-16', revenueCode: '0571', hcpcs: 'G0156', units: 4, discipline: 'AIDE' },
];

/** The clean charts of the rule tests, with these visit lines. */
const hh = (visits: Visit[] = HH_VISITS, patch: Partial<ChartInput> = {}): Chart =>
  cleanHomeHealth({ visits, ...patch });
const hospice = (visits: Visit[] = HOSPICE_VISITS, patch: Partial<ChartInput> = {}): Chart =>
  cleanHospice({ visits, ...patch });

const line = (revenueCode: string, hcpcs: string | undefined, extra: Partial<Visit> = {}): Visit => ({
  date: '2022-03-10',
  revenueCode,
  units: 3,
  ...(hcpcs === undefined ? {} : { hcpcs }),
  ...extra,
});

const check = (rule: Rule, chart: Chart): Finding[] => rule.check(chart, tables);
const codes = (chart: Chart) => check(visitLineCodes, chart);
const units = (chart: Chart) => check(visitLineUnits, chart);

describe('the visit line rules together', () => {
  it('are silent on clean home health and hospice lines, and on charts without lines', () => {
    for (const rule of MINE) {
      expect(check(rule, hh())).toEqual([]);
      expect(check(rule, hospice())).toEqual([]);
      expect(check(rule, hh([]))).toEqual([]);
    }
  });

  it('have ids that collide with no other rule', () => {
    const others = RULES.filter((r) => !MINE.includes(r)).map((r) => r.id);
    const ids = MINE.map((r) => r.id);
    expect(ids).toEqual(['VISIT-LINE-CODES', 'VISIT-LINE-UNITS']);
    expect(new Set([...others, ...ids]).size).toBe(others.length + ids.length);
    expect([visitLineCodes.severity, visitLineUnits.severity]).toEqual(['reject', 'warn']);
  });

  it('are pure: the same findings twice, the chart untouched', () => {
    const chart = hh([line('0551', 'G0151', { units: 0, discipline: 'PT' }), line('0023', undefined)]);
    const before = structuredClone(chart);
    for (const rule of MINE) expect(check(rule, chart)).toEqual(check(rule, chart));
    expect(chart).toEqual(before);
  });
});

describe('VISIT-LINE-CODES', () => {
  it('accepts every active G-code on its own revenue group, with its discipline', () => {
    for (const [revenue, { discipline }] of Object.entries(DISCIPLINE_REVENUE)) {
      const group = revenue as DisciplineRevenue;
      const hhLines = codesFor(group, 'home_health').map((c) => line(`${group}1`, c, { discipline }));
      const hospiceLines = codesFor(group, 'hospice').map((c) => line(`${group}9`, c, { discipline }));
      expect(hhLines.length).toBeGreaterThan(0);
      expect(hospiceLines.length).toBeGreaterThan(0);
      expect(codes(hh(hhLines))).toEqual([]);
      expect(codes(hospice(hospiceLines))).toEqual([]);
    }
  });

  it('lists the codes the research CSV pairs with each revenue group', () => {
    expect(codesFor('042', 'home_health')).toEqual(['G0151', 'G0157', 'G0159', 'G2168']);
    expect(codesFor('042', 'hospice')).toEqual(['G0151', 'G0157']);
    expect(codesFor('055', 'hospice')).toEqual([
      'G0299',
      'G0300',
      'G0162',
      'G0493',
      'G0494',
      'G0495',
      'G0496',
    ]);
    expect(codesFor('056', 'home_health')).toEqual(['G0155']);
    expect(codesFor('057', 'hospice')).toEqual(['G0156']);
    // 19 active codes and the three retired nursing codes, one per CSV row.
    expect(Object.keys(VISIT_CODES)).toHaveLength(22);
  });

  it('accepts a HCPCS written in lower case', () => {
    expect(codes(hh([line('0551', 'g0299', { discipline: 'SN' })]))).toEqual([]);
  });

  it('rejects a G-code on another discipline revenue code', () => {
    const findings = codes(hh([line('0551', 'G0151')]));
    expect(findings).toEqual([
      {
        ruleId: 'VISIT-LINE-CODES',
        severity: 'reject',
        path: 'visits[0].hcpcs',
        message:
          'visits[0].hcpcs: G0151 (physical therapist) is reported with revenue code 042x (physical therapy), not on the revenue code 0551 (skilled nursing) line; correct the revenue code or the G-code',
      },
    ]);
    expectNoPhi(findings);
    expect(codes(hospice([line('0571', 'G0155')])).map((f) => f.message)).toEqual([
      'visits[0].hcpcs: G0155 (clinical social worker) is reported with revenue code 056x (medical social services), not on the revenue code 0571 (home health aide) line; correct the revenue code or the G-code',
    ]);
  });

  it('rejects a discipline revenue line without a HCPCS, listing the codes it takes', () => {
    const findings = codes(hh([line('0551', undefined), line('0421', '  ')]));
    expect(findings.map((f) => f.message)).toEqual([
      'visits[0].hcpcs: the revenue code 0551 (skilled nursing) line has no HCPCS; report the G-code of the visit (expected G0299, G0300, G0162, G0493, G0494, G0495, G0496)',
      'visits[1].hcpcs: the revenue code 0421 (physical therapy) line has no HCPCS; report the G-code of the visit (expected G0151, G0157, G0159, G2168)',
    ]);
    expect(codes(hospice([line('0421', undefined)]))[0]?.message).toMatch(/\(expected G0151, G0157\)$/);
  });

  it('rejects an unknown code, and never echoes a value that is not shaped like a HCPCS code', () => {
    const findings = codes(hh([line('0551', 'G9999'), line('0551', '99213'), line('0551', 'SMITH')]));
    expect(findings.map((f) => f.message)).toEqual([
      'visits[0].hcpcs: G9999 is not a visit code for revenue code 0551 (skilled nursing); expected G0299, G0300, G0162, G0493, G0494, G0495, G0496',
      expect.stringMatching(/^visits\[1\]\.hcpcs: 99213 is not a visit code for revenue code 0551/),
      expect.stringMatching(
        /^visits\[2\]\.hcpcs: a value that is not shaped like a HCPCS code is not a visit code for revenue code 0551/,
      ),
    ]);
    expect(JSON.stringify(findings)).not.toContain('SMITH');
  });

  it('rejects a discipline that does not match the revenue code', () => {
    const findings = codes(hh([line('0421', 'G0151', { discipline: 'OT' })]));
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'visits[0].discipline',
        message:
          'visits[0].discipline: discipline OT does not match revenue code 0421 (physical therapy), which is PT; correct the discipline or the revenue code',
      }),
    ]);
    expect(codes(hh([line('0551', 'G0151', { discipline: 'PT' })])).map((f) => f.path)).toEqual([
      'visits[0].hcpcs',
      'visits[0].discipline',
    ]);
  });

  it('rejects retired codes from their retirement date, and accepts them before it', () => {
    const findings = codes(hh([line('0551', 'G0154')]));
    expect(findings[0]?.message).toBe(
      'visits[0].hcpcs: G0154 (direct skilled nursing, LPN or RN) is retired for dates of service from January 1, 2016; report G0299/G0300',
    );
    expect(codes(hh([line('0551', 'G0163')]))[0]?.message).toMatch(/report G0493\/G0494$/);
    const older = { period: { from: '2015-06-01', through: '2015-06-30' } };
    expect(codes(hh([line('0551', 'G0154', { date: '2015-06-10' })], older))).toEqual([]);
  });

  it('rejects a code used before it took effect, without echoing the line date', () => {
    const findings = codes(
      hh([line('0421', 'G2168', { date: '2019-12-31' })], {
        period: { from: '2019-12-02', through: '2019-12-31' },
      }),
    );
    expect(findings[0]?.message).toMatch(/G2168 .* is valid only for dates of service from January 1, 2020/);
    expectNoPhi(findings);
    expect(codes(hh([line('0421', 'G2168', { date: '2020-01-01' })]))).toEqual([]);
  });

  it('keeps hospice-only G9473-G9479 off home health charts, and accepts them on hospice lines', () => {
    const findings = codes(hh([line('0561', 'G9473', { discipline: 'OTHER' }), line('0250', 'G9479')]));
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'visits[0].hcpcs',
        message: expect.stringMatching(
          /^visits\[0\]\.hcpcs: G9473 \(chaplain\) is a hospice-only visit code/,
        ),
      }),
      expect.objectContaining({
        path: 'visits[1].hcpcs',
        message: expect.stringMatching(/G9479 \(qualified pharmacist\) is a hospice-only visit code/),
      }),
    ]);
    expect(codes(hospice([line('0561', 'G9473', { discipline: 'OTHER' }), line('0250', 'G9479')]))).toEqual(
      [],
    );
  });

  it('keeps the home health maintenance-program codes off hospice charts', () => {
    const findings = codes(hospice([line('0421', 'G0159', { discipline: 'PT' }), line('0431', 'G2169')]));
    expect(findings.map((f) => f.message)).toEqual([
      'visits[0].hcpcs: G0159 (physical therapy maintenance program) is a home health-only code; a hospice revenue code 0421 (physical therapy) line reports expected G0151, G0157',
      'visits[1].hcpcs: G2169 (occupational therapist assistant, maintenance program) is a home health-only code; a hospice revenue code 0431 (occupational therapy) line reports expected G0152, G0158',
    ]);
  });

  it.each([
    ['0421', 'G0159'],
    ['0421', 'G2168'],
    ['0431', 'G0160'],
    ['0431', 'G2169'],
    ['0441', 'G0161'],
  ])('keeps the maintenance-program code on a %s line, %s, off a hospice chart', (revenue, code) => {
    const findings = codes(hospice([line(revenue, code, revenue === '0421' ? { discipline: 'PT' } : {})]));
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining(`${code} (`)]);
    expect(findings[0]?.message).toContain('is a home health-only code');
  });

  it('accepts the home health site-of-service line Q5001, Q5002 or Q5009 on a discipline revenue code', () => {
    expect(codes(hh([line('0421', 'Q5001'), line('0551', 'Q5002'), line('0571', 'Q5009')]))).toEqual([]);
    expect(codes(hh([line('0551', 'Q5005')]))[0]?.message).toBe(
      'visits[0].hcpcs: Q5005 (inpatient hospital) is a hospice site-of-service code; home health reports Q5001, Q5002 or Q5009',
    );
  });

  it('rejects a Q-code on a hospice discipline line: it belongs on the level-of-care line', () => {
    expect(codes(hospice([line('0551', 'Q5001')])).map((f) => f.message)).toEqual([
      'visits[0].hcpcs: Q5001 is a site-of-service code; on a hospice claim it goes on the level-of-care line (0651, 0652, 0655, 0656), and the revenue code 0551 (skilled nursing) line reports its G-code (expected G0299, G0300, G0162, G0493, G0494, G0495, G0496)',
    ]);
  });

  it('still checks the discipline of a site-of-service line and of a line without a HCPCS', () => {
    expect(codes(hh([line('0551', 'Q5001', { discipline: 'PT' })])).map((f) => f.path)).toEqual([
      'visits[0].discipline',
    ]);
    expect(codes(hh([line('0551', undefined, { discipline: 'PT' })])).map((f) => f.path)).toEqual([
      'visits[0].hcpcs',
      'visits[0].discipline',
    ]);
  });

  it('requires a PDGM HIPPS code on the home health 0023 line', () => {
    expect(codes(hh([line('0023', '3HA21'), line('0023', '4lc31')]))).toEqual([]);
    const findings = codes(
      hh([line('0023', undefined), line('0023', 'AB12'), line('0023', '1ZZ21'), line('0023', 'SMITH')]),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'visits[0].hcpcs: the revenue code 0023 line has no HIPPS code; report the 5-character PDGM HIPPS code',
      'visits[1].hcpcs: the revenue code 0023 line carries a value that is not a 5-character HIPPS code',
      'visits[2].hcpcs: the revenue code 0023 line carries a value that is not a PDGM HIPPS code (position 1: 1-4, 2: A-L, 3: A-C, 4: 1-3, 5: 1)',
      'visits[3].hcpcs: the revenue code 0023 line carries a value that is not a PDGM HIPPS code (position 1: 1-4, 2: A-L, 3: A-C, 4: 1-3, 5: 1)',
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/1ZZ21|SMITH|AB12/);
  });

  it('judges the shape of a HIPPS code after upper-casing, which can lengthen it', () => {
    const prePdgm = { period: { from: '2019-10-01', through: '2019-11-29' } };
    expect(codes(hh([line('0023', 'ßABCD')], prePdgm)).map((f) => f.message)).toEqual([
      'visits[0].hcpcs: the revenue code 0023 line carries a value that is not a 5-character HIPPS code',
    ]);
  });

  it('checks only the 5-character shape of a HIPPS code before PDGM (periods before 2020)', () => {
    const prePdgm = { period: { from: '2019-10-01', through: '2019-11-29' } };
    expect(codes(hh([line('0023', '2CGKS', { date: '2019-10-01' })], prePdgm))).toEqual([]);
    expect(codes(hh([line('0023', 'X1', { date: '2019-10-01' })], prePdgm))).toHaveLength(1);
    // The PDGM shape applies from periods starting 2020-01-01.
    const lastPrePdgm = { period: { from: '2019-12-31', through: '2020-01-29' } };
    expect(codes(hh([line('0023', '2CGKS')], lastPrePdgm))).toEqual([]);
    const firstPdgm = { period: { from: '2020-01-01', through: '2020-01-30' } };
    expect(codes(hh([line('0023', '2CGKS')], firstPdgm))).toHaveLength(1);
  });

  it('leaves the 0023 line of a hospice chart alone', () => {
    expect(codes(hospice([line('0023', undefined)]))).toEqual([]);
  });

  it('rejects a visit G-code on a revenue code that is not a discipline code', () => {
    const findings = codes(hh([line('0270', 'G0299'), line('0651', 'G0156'), line('0270', 'A4649')]));
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'visits[0].revenueCode',
        message:
          'visits[0].revenueCode: G0299 (direct skilled nursing, RN) is reported with revenue code 055x (skilled nursing), not with revenue code 0270',
      }),
      expect.objectContaining({ path: 'visits[1].revenueCode' }),
    ]);
  });

  it('leaves hospice level-of-care lines to HOSPICE-LEVEL-OF-CARE, but not other hospice lines', () => {
    expect(codes(hospice([line('0651', 'G0299', { units: 31 })]))).toEqual([]);
    expect(codes(hospice([line('0270', 'G0156')])).map((f) => f.message)).toEqual([
      'visits[0].revenueCode: G0156 (home health or hospice aide) is reported with revenue code 057x (home health aide), not with revenue code 0270',
    ]);
  });
});

describe('VISIT-LINE-UNITS', () => {
  it('accepts 1 to 96 units on discipline lines of either line of business', () => {
    expect(units(hh([line('0551', 'G0299', { units: 1 }), line('0421', 'G0151', { units: 96 })]))).toEqual(
      [],
    );
    expect(
      units(hospice([line('0561', 'G0155', { units: 96 }), line('0561', 'G9473', { units: 1 })])),
    ).toEqual([]);
  });

  it('warns on a discipline line with 0 units', () => {
    const findings = units(hh([line('0551', 'G0299', { units: 0 })]));
    expect(findings).toEqual([
      {
        ruleId: 'VISIT-LINE-UNITS',
        severity: 'warn',
        path: 'visits[0].units',
        message:
          'visits[0].units: the revenue code 0551 (skilled nursing) visit line bills 0 units; a visit line bills at least one 15-minute unit',
      },
    ]);
    expectNoPhi(findings);
    expect(units(hospice([line('0571', undefined, { units: 0 })]))).toHaveLength(1);
  });

  it('warns on more than 96 units (24 hours) on one line', () => {
    const findings = units(
      hospice([line('0421', 'G0151', { units: 97 }), line('0441', 'G0153', { units: 9999 })]),
    );
    expect(findings.map((f) => f.path)).toEqual(['visits[0].units', 'visits[1].units']);
    expect(findings[0]?.message).toBe(
      'visits[0].units: the revenue code 0421 (physical therapy) visit line bills 97 units of 15 minutes, more than 24 hours (96 units) on one line; check the units',
    );
  });

  it('expects exactly 1 unit on the home health site-of-service line', () => {
    expect(units(hh([line('0551', 'Q5001', { units: 1 })]))).toEqual([]);
    const findings = units(hh([line('0551', 'Q5001', { units: 4 }), line('0421', 'q5009', { units: 0 })]));
    expect(findings.map((f) => f.message)).toEqual([
      'visits[0].units: the site-of-service line (Q5001) on revenue code 0551 (skilled nursing) bills 4 units; it is reported with 1 unit and a nominal charge',
      'visits[1].units: the site-of-service line (Q5009) on revenue code 0421 (physical therapy) bills 0 units; it is reported with 1 unit and a nominal charge',
    ]);
  });

  it('reads a Q-code on a hospice discipline line as a visit line: any units from 1 to 96', () => {
    expect(units(hospice([line('0551', 'Q5001', { units: 4 })]))).toEqual([]);
    expect(units(hospice([line('0551', 'Q5001', { units: 0 })])).map((f) => f.message)).toEqual([
      'visits[0].units: the revenue code 0551 (skilled nursing) visit line bills 0 units; a visit line bills at least one 15-minute unit',
    ]);
  });

  it('ignores level-of-care, HIPPS and other revenue lines', () => {
    expect(
      units(
        hospice([
          line('0651', 'Q5001', { units: 120 }),
          line('0652', 'Q5001', { units: 0 }),
          line('0250', undefined, { units: 0 }),
        ]),
      ),
    ).toEqual([]);
    expect(units(hh([line('0023', '1BC21', { units: 0 })]))).toEqual([]);
  });
});
