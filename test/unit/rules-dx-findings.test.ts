import { describe, expect, it } from 'vitest';
import { parseCodeList } from '#shared/data/code-list.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart } from '#shared/model/chart.ts';
import { dxDuplicate } from '#shared/rules/dx-duplicate.ts';
import { dxExists } from '#shared/rules/dx-exists.ts';
import { dxExternalCausePrincipal, isExternalCause } from '#shared/rules/dx-external-cause.ts';
import { dxManifestationPrincipal } from '#shared/rules/dx-manifestation.ts';
import { dxPresent } from '#shared/rules/dx-present.ts';
import { dxSystem } from '#shared/rules/dx-system.ts';
import type { Rule, RuleTables } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { dx, cleanHomeHealth as hh, cleanHospice as hospice } from '../support/rule-charts.ts';

/**
 * The diagnosis rules' findings word for word: the message is what the coder reads and acts on, so a
 * changed word is a changed behaviour. Each chart is clean but for the one thing the rule checks.
 */
const tables: RuleTables = { icd10cm: loadIcd10cm() };

const messages = (rule: Rule, chart: Chart, with_: RuleTables = tables) => {
  const findings = rule.check(chart, with_);
  expectNoPhi(findings);
  for (const f of findings) expect(f).toMatchObject({ ruleId: rule.id, severity: rule.severity });
  return findings.map((f) => [f.path, f.message]);
};

describe('DX-PRESENT messages', () => {
  it('asks for at least the principal diagnosis when none is coded, and says nothing more', () => {
    expect(messages(dxPresent, hh({ diagnoses: [] }))).toEqual([
      [
        'diagnoses',
        'diagnoses: the chart lists no diagnosis; code at least the principal diagnosis (sequence 1)',
      ],
    ]);
  });

  it('names the missing principal, and each reused sequence with the line that used it first', () => {
    const chart = hh({
      diagnoses: [
        { sequence: 2, code: 'I10' },
        { sequence: 3, code: 'E11.9' },
        { sequence: 2, code: 'I50.22' },
        { sequence: 3, code: 'M17.11' },
      ],
    });
    expect(messages(dxPresent, chart)).toEqual([
      ['diagnoses', 'diagnoses: no diagnosis has sequence 1, so the chart has no principal diagnosis'],
      [
        'diagnoses[2].sequence',
        'diagnoses[2].sequence: sequence 2 is already used by diagnoses[0]; give each diagnosis its own sequence',
      ],
      [
        'diagnoses[3].sequence',
        'diagnoses[3].sequence: sequence 3 is already used by diagnoses[1]; give each diagnosis its own sequence',
      ],
    ]);
  });
});

describe('DX-SYSTEM messages', () => {
  it('names the system, the sequence and the code, and says the original stays', () => {
    expect(
      messages(dxSystem, hh({ diagnoses: dx('I69.351', { code: '44054006', system: 'SNOMED-CT' }) })),
    ).toEqual([
      [
        'diagnoses[1].system',
        'diagnoses[1].system: diagnosis sequence 2 is coded in SNOMED-CT (44054006); claims need ICD-10-CM, so recode it (the original stays on the chart)',
      ],
    ]);
  });
});

describe('DX-EXISTS messages and the table year', () => {
  const unknown = (period: { from: string; through: string }) =>
    messages(dxExists, hospice({ diagnoses: dx('G30.1', 'F02.811'), period }));
  const plain = 'diagnoses[1].code: F02.811 is not an ICD-10-CM code in the FY2022 table';
  const outside = `${plain} (the chart's period is outside FY2022, the only table loaded; check the code against the table for its fiscal year)`;

  it('says when the period starts before or ends after the fiscal year of the table', () => {
    expect(tables.icd10cm.effective).toEqual({ from: '2021-10-01', through: '2022-09-30' });
    expect(unknown({ from: '2021-09-15', through: '2021-10-14' })).toEqual([['diagnoses[1].code', outside]]);
    expect(unknown({ from: '2022-09-15', through: '2022-10-14' })).toEqual([['diagnoses[1].code', outside]]);
  });

  it('takes a period on the first or the last days of the fiscal year as inside it', () => {
    expect(unknown({ from: '2021-10-01', through: '2021-10-30' })).toEqual([['diagnoses[1].code', plain]]);
    expect(unknown({ from: '2022-09-01', through: '2022-09-30' })).toEqual([['diagnoses[1].code', plain]]);
  });

  it('leaves codes of other systems to DX-SYSTEM', () => {
    expect(
      messages(dxExists, hh({ diagnoses: dx('I69.351', { code: 'Q99.99X', system: 'other' }) })),
    ).toEqual([]);
  });
});

describe('DX-DUPLICATE messages', () => {
  it('describes a repeated value that is not code-shaped without repeating it', () => {
    const chart = hh({
      diagnoses: dx('I69.351', { code: 'jd', system: 'other' }, { code: 'JD', system: 'other' }),
    });
    expect(messages(dxDuplicate, chart)).toEqual([
      [
        'diagnoses[2].code',
        'diagnoses[2].code: this code is already listed at diagnoses[1]; list each code once',
      ],
    ]);
  });

  it('treats the same characters in two systems as two codes', () => {
    const chart = hh({ diagnoses: dx('I69.351', 'I10', { code: 'I10', system: 'other' }) });
    expect(messages(dxDuplicate, chart)).toEqual([]);
  });
});

describe('DX-MANIFESTATION-PRINCIPAL messages', () => {
  it('quotes the table title of a manifestation code, with or without "other"', () => {
    expect(messages(dxManifestationPrincipal, hospice({ diagnoses: dx('F02.80', 'G30.9') }))).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: F02.80 (Dementia in other diseases classified elsewhere without behavioral disturbance) is a manifestation code and cannot be the principal diagnosis; code the underlying condition first and list the manifestation after it',
      ],
    ]);
    expect(messages(dxManifestationPrincipal, hh({ diagnoses: dx('G63', 'E11.42') }))).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: G63 (Polyneuropathy in diseases classified elsewhere) is a manifestation code and cannot be the principal diagnosis; code the underlying condition first and list the manifestation after it',
      ],
    ]);
  });

  it('passes an organism "as the cause of diseases classified elsewhere": that is not a manifestation title', () => {
    expect(tables.icd10cm.lookup('B95.62')?.description).toMatch(
      /as the cause of diseases classified elsewhere/,
    );
    expect(messages(dxManifestationPrincipal, hh({ diagnoses: dx('B95.62', 'L03.115') }))).toEqual([]);
  });

  it('names the code-first entry by its code when the list gives no description', () => {
    const codeFirst = parseCodeList('E08\n', { version: 'FY2026' });
    expect(
      messages(dxManifestationPrincipal, hh({ diagnoses: dx('E08.22', 'N18.30') }), { ...tables, codeFirst }),
    ).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: E08.22 carries a "code first" note (code-first list FY2026: E08) and cannot be the principal diagnosis; code the underlying condition first',
      ],
    ]);
  });

  it('finds a listed principal the table does not know, and passes one no list names', () => {
    const codeFirst = parseCodeList('E08\tDiabetes due to underlying condition\n', { version: 'V2' });
    // Not in FY2022 (DX-EXISTS rejects it too), but the code-first list still says why it cannot lead.
    const unknown = hh({ diagnoses: dx('E08.2X', 'N18.30') });
    expect(tables.icd10cm.lookup('E08.2X')).toBeUndefined();
    expect(messages(dxManifestationPrincipal, unknown, { ...tables, codeFirst })).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: E08.2X carries a "code first" note (code-first list V2: Diabetes due to underlying condition) and cannot be the principal diagnosis; code the underlying condition first',
      ],
    ]);
    expect(messages(dxManifestationPrincipal, unknown)).toEqual([]);
  });

  it('judges only an ICD-10-CM principal', () => {
    const snomed = hh({ diagnoses: dx({ code: '44054006', system: 'SNOMED-CT' }, 'I10') });
    expect(messages(dxManifestationPrincipal, snomed)).toEqual([]);
    expect(
      messages(dxManifestationPrincipal, hh({ diagnoses: dx({ sequence: 2, code: 'F02.80' }) })),
    ).toEqual([]);
  });
});

describe('DX-EXTERNAL-CAUSE-PRINCIPAL', () => {
  it('tells the coder to code the injury first, naming the external cause code', () => {
    expect(messages(dxExternalCausePrincipal, hh({ diagnoses: dx('W19.XXXD', 'S72.001D') }))).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: W19.XXXD is an external cause code (V00-Y99) and can never be the principal diagnosis; code the injury or condition first and list the external cause after it',
      ],
    ]);
  });

  it.each([
    ['V00.01XD', true],
    ['w19.xxxd', true],
    ['X58.XXXD', true],
    ['Y92.009', true],
    ['S06.0X1D', false],
    ['Z91.81', false],
    ['U07.1', false],
    ['VX1', false],
  ])('takes %s as an external cause: %s', (code, external) => {
    expect(isExternalCause(code)).toBe(external);
  });
});
