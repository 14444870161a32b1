import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { PdgmTables } from '#shared/data/pdgm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { hhHippsMatch } from '#shared/rules/hh-hipps-match.ts';
import { hhLupaRisk } from '#shared/rules/hh-lupa-risk.ts';
import { hhPrimaryGroupable } from '#shared/rules/hh-primary-groupable.ts';
import type { Rule } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice, dx } from '../support/rule-charts.ts';

const icd10cm = loadIcd10cm();
const sample = loadCodeTables().pdgmFor('2022-03-01')?.table;
if (!sample) throw new Error('the sample PDGM table is not registered');
/** The sample table taken as if it were the complete CMS list, so the rules that need one run. */
const complete: PdgmTables = { ...sample, sample: false };
/** ... with a LUPA threshold of 3 visits for the clean chart's group (1BA11). */
const withLupa: PdgmTables = { ...complete, params: { ...sample.params, lupaThresholds: { '1BA11': 3 } } };

const check = (rule: Rule, chart: Chart, pdgm: PdgmTables | undefined): Finding[] =>
  rule.check(chart, { icd10cm, pdgm });

type Visit = NonNullable<ChartInput['visits']>[number];
const visit = (revenueCode: string, hcpcs?: string): Visit => ({
  date: '2022-03-02',
  revenueCode,
  units: 1,
  ...(hcpcs === undefined ? {} : { hcpcs }),
});

describe('HH-PRIMARY-NOT-GROUPABLE', () => {
  const principal = (diagnoses: ChartInput['diagnoses'], pdgm: PdgmTables = sample) =>
    check(hhPrimaryGroupable, cleanHomeHealth({ diagnoses }), pdgm);

  it('rejects a principal the PDGM list carries without a clinical group, naming the list version', () => {
    expect(principal(dx('I69.351', 'R26.9'))).toEqual([]);
    const symptom = principal(dx('R26.9', 'I69.351'));
    expect(symptom).toEqual([
      {
        ruleId: 'HH-PRIMARY-NOT-GROUPABLE',
        severity: 'reject',
        path: 'diagnoses[0].code',
        message:
          'diagnoses[0].code: R26.9 does not group under PDGM as the principal diagnosis (no clinical group in CY2025-sample); sequence first the condition that is the focus of care',
      },
    ]);
    expectNoPhi(symptom);
  });

  it('finds the principal by its sequence, wherever it is listed', () => {
    const listedSecond = [
      { sequence: 2, code: 'I69.351' },
      { sequence: 1, code: 'M6281' },
    ];
    expect(principal(listedSecond).map((f) => f.message)).toEqual([
      expect.stringMatching(/^diagnoses\[1\]\.code: M62\.81 does not group under PDGM/),
    ]);
  });

  it('rejects a principal a complete list does not carry, but not one a sample leaves out', () => {
    expect(principal(dx('Z99.89', 'I10'), sample)).toEqual([]);
    expect(principal(dx('Z99.89', 'I10'), complete).map((f) => f.message)).toEqual([
      'diagnoses[0].code: Z99.89 is not on the PDGM code list CY2025-sample: it cannot be the principal diagnosis of a home health period',
    ]);
  });

  it('never echoes a principal that is not shaped like a code', () => {
    const findings = principal(dx('SMITH', 'I10'), complete);
    expect(findings.map((f) => f.message)).toEqual([
      'diagnoses[0].code: the code is not on the PDGM code list CY2025-sample: it cannot be the principal diagnosis of a home health period',
    ]);
  });

  it('is silent without a PDGM table, without an ICD-10-CM principal, and on hospice charts', () => {
    expect(check(hhPrimaryGroupable, cleanHomeHealth({ diagnoses: dx('R26.9', 'I10') }), undefined)).toEqual(
      [],
    );
    expect(principal(dx({ code: '84114007', system: 'SNOMED-CT' }, 'R26.9'), complete)).toEqual([]);
    expect(principal([{ sequence: 2, code: 'R26.9' }], complete)).toEqual([]);
    expect(check(hhPrimaryGroupable, cleanHospice({ diagnoses: dx('R26.9') }), complete)).toEqual([]);
  });
});

describe('HH-HIPPS-MISMATCH', () => {
  /** The clean chart (it groups to 1BA11) with these visit lines. */
  const hipps = (visits: Visit[], pdgm: PdgmTables = complete, patch: Partial<ChartInput> = {}) =>
    check(hhHippsMatch, cleanHomeHealth({ visits, ...patch }), pdgm);

  it('passes a 0023 line with the HIPPS code the chart groups to', () => {
    expect(hipps([visit('0551', 'G0299'), visit('0023', '1BA11')])).toEqual([]);
    expect(hipps([visit('0023', '1ba11')])).toEqual([]);
  });

  it('warns when the 0023 line carries another HIPPS, naming both codes, the version and the line', () => {
    const findings = hipps([visit('0551', 'G0299'), visit('0551', 'Q5001'), visit('0023', '2CB21')]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-HIPPS-MISMATCH',
        severity: 'warn',
        path: 'visits[2].hcpcs',
        message:
          'visits[2].hcpcs: the claim carries HIPPS 2CB21, but the coded chart groups to 1BA11 under PDGM CY2025-sample; check the diagnoses, the OASIS items and the admission source and timing',
      },
    ]);
    expectNoPhi(findings);
  });

  it('judges the first 0023 line only', () => {
    expect(hipps([visit('0023', '1BA11'), visit('0023', '4LC31')])).toEqual([]);
    expect(hipps([visit('0023', '4LC31'), visit('0023', '1BA11')])).toHaveLength(1);
  });

  it('leaves a 0023 line without a PDGM-shaped HIPPS to VISIT-LINE-CODES', () => {
    for (const billed of [undefined, '  ', '1BA12', '5BA11', '1MA11', '1BD11', '1BA41', '1BA1'])
      expect(hipps([visit('0023', billed)]), String(billed)).toEqual([]);
    expect(hipps([visit('0551', 'G0299')])).toEqual([]);
  });

  it('is silent on a chart that does not group, on a sample table, without a table, and on hospice charts', () => {
    const mismatch = [visit('0023', '4LC31')];
    expect(hipps(mismatch, complete, { diagnoses: dx('R26.9', 'I10') })).toEqual([]);
    expect(hipps(mismatch, sample)).toEqual([]);
    expect(check(hhHippsMatch, cleanHomeHealth({ visits: mismatch }), undefined)).toEqual([]);
    expect(check(hhHippsMatch, cleanHospice({ visits: mismatch }), complete)).toEqual([]);
  });
});

describe('HH-LUPA-RISK', () => {
  const sn = (n: number): Visit[] => Array.from({ length: n }, () => visit('0551', 'G0299'));
  const lupa = (visits: Visit[], pdgm: PdgmTables = withLupa, patch: Partial<ChartInput> = {}) =>
    check(hhLupaRisk, cleanHomeHealth({ visits, ...patch }), pdgm);

  it("warns when the period has fewer visits than its HIPPS code's LUPA threshold", () => {
    const findings = lupa(sn(2));
    expect(findings).toEqual([
      {
        ruleId: 'HH-LUPA-RISK',
        severity: 'warn',
        path: 'visits',
        message:
          'visits: 2 visit(s) in the period, below the LUPA threshold of 3 for HIPPS 1BA11: the period would be paid per visit; check for missing visit lines',
      },
    ]);
    expectNoPhi(findings);
    expect(lupa(sn(3))).toEqual([]);
    expect(lupa([])[0]?.message).toMatch(/^visits: 0 visit\(s\)/);
  });

  it('counts discipline visit lines only: not site-of-service, HIPPS or other revenue lines', () => {
    const others = [
      visit('0023', '1BA11'),
      visit('0551', 'Q5001'),
      visit('0421', 'q5002'),
      visit('0270', 'A4649'),
    ];
    expect(lupa([...sn(2), ...others])[0]?.message).toMatch(/^visits: 2 visit\(s\)/);
    expect(lupa([...sn(2), visit('0421', 'G0151'), ...others])).toEqual([]);
    // A discipline line without a HCPCS is still a visit line.
    expect(lupa([...sn(2), visit('0571')])).toEqual([]);
  });

  it('is silent without a threshold for the HIPPS, without thresholds, on a sample, without a table', () => {
    expect(lupa([], { ...withLupa, params: { ...sample.params, lupaThresholds: { '1BA21': 3 } } })).toEqual(
      [],
    );
    expect(lupa([], complete)).toEqual([]);
    expect(lupa([], { ...withLupa, sample: true })).toEqual([]);
    expect(check(hhLupaRisk, cleanHomeHealth({ visits: [] }), undefined)).toEqual([]);
  });

  it('is silent on a chart that does not group, and on hospice charts', () => {
    expect(lupa([], withLupa, { diagnoses: dx('R26.9', 'I10') })).toEqual([]);
    expect(check(hhLupaRisk, cleanHospice({ visits: [] }), withLupa)).toEqual([]);
  });
});
