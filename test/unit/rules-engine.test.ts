import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { rulesMarkdown } from '#shared/rules/catalog-doc.ts';
import { decide, RULES, ruleCatalog, runRules } from '#shared/rules/index.ts';
import { dx, cleanHomeHealth as hh, cleanHospice as hospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };

function only(ruleId: string, chart: Chart): Finding[] {
  return runRules(chart, tables).filter((f) => f.ruleId === ruleId);
}

describe('clean charts', () => {
  it('give no findings for home health or hospice', () => {
    expect(runRules(hh(), tables)).toEqual([]);
    expect(runRules(hospice(), tables)).toEqual([]);
    expect(decide(runRules(hh(), tables))).toBe('VALIDATED');
  });
});

describe('DX-PRESENT', () => {
  it('flags a chart without diagnoses', () => {
    expect(only('DX-PRESENT', hh({ diagnoses: [] }))).toEqual([
      expect.objectContaining({
        severity: 'reject',
        path: 'diagnoses',
        message: expect.stringMatching(/no diagnosis/),
      }),
    ]);
  });

  it('flags a chart without a sequence 1', () => {
    const findings = only(
      'DX-PRESENT',
      hh({ diagnoses: dx({ sequence: 2, code: 'I10' }, { sequence: 3, code: 'E11.9' }) }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/no diagnosis has sequence 1/);
  });

  it('flags each repeated sequence at its own path', () => {
    const chart = hh({
      diagnoses: dx('I69.351', { sequence: 2, code: 'I10' }, { sequence: 2, code: 'E11.9' }),
    });
    expect(only('DX-PRESENT', chart)).toEqual([
      expect.objectContaining({
        path: 'diagnoses[2].sequence',
        message: expect.stringMatching(/sequence 2 is already used by diagnoses\[1\]/),
      }),
    ]);
  });

  it('passes a principal with unique sequences in any order', () => {
    expect(
      only(
        'DX-PRESENT',
        hh({ diagnoses: dx({ sequence: 2, code: 'I10' }, { sequence: 1, code: 'I69.351' }) }),
      ),
    ).toEqual([]);
  });
});

describe('DX-SYSTEM', () => {
  it('reports a SNOMED CT diagnosis and keeps it on the chart', () => {
    const chart = hh({ diagnoses: dx('I69.354', { code: '44054006', system: 'SNOMED-CT' }) });
    const before = structuredClone(chart);
    const findings = only('DX-SYSTEM', chart);
    expect(findings).toEqual([
      {
        ruleId: 'DX-SYSTEM',
        severity: 'reject',
        path: 'diagnoses[1].system',
        message: expect.stringMatching(
          /sequence 2 is coded in SNOMED-CT \(44054006\); claims need ICD-10-CM/,
        ),
      },
    ]);
    expect(chart).toEqual(before);
    expect(chart.diagnoses).toHaveLength(2);
  });

  it('reports ICD-9 as written and never echoes a value that is not code-shaped', () => {
    const findings = only(
      'DX-SYSTEM',
      hh({
        diagnoses: dx('I50.22', { code: '428.0', system: 'ICD-9-CM' }, { code: 'Jane Roe', system: 'other' }),
      }),
    );
    expect(findings.map((f) => f.path)).toEqual(['diagnoses[1].system', 'diagnoses[2].system']);
    expect(findings[0]?.message).toContain('ICD-9-CM (428.0)');
    expect(findings[1]?.message).not.toContain('Jane');
    expect(findings[1]?.message).toContain('not shaped like a code');
  });

  it('does not check ICD-10-CM codes in other systems: DX-EXISTS and DX-BILLABLE skip them', () => {
    const findings = runRules(hh({ diagnoses: dx('I69.351', { code: 'E11.6', system: 'other' }) }), tables);
    expect(findings.map((f) => f.ruleId)).toEqual(['DX-SYSTEM']);
  });
});

describe('DX-EXISTS', () => {
  it('rejects a code that is not in the FY2022 table', () => {
    expect(only('DX-EXISTS', hh({ diagnoses: dx('I69.351', 'I50.2X') }))).toEqual([
      {
        ruleId: 'DX-EXISTS',
        severity: 'reject',
        path: 'diagnoses[1].code',
        message: 'diagnoses[1].code: I50.2X is not an ICD-10-CM code in the FY2022 table',
      },
    ]);
  });

  it('rejects a code added in a later fiscal year, and says when the period is outside the table', () => {
    expect(only('DX-EXISTS', hospice({ diagnoses: dx('G30.1', 'F02.811') }))[0]?.message).not.toMatch(
      /outside/,
    );
    const later = hospice({
      diagnoses: dx('G30.1', 'F02.811'),
      period: { from: '2024-03-01', through: '2024-03-31' },
    });
    const message = only('DX-EXISTS', later)[0]?.message ?? '';
    expect(message).toMatch(
      /F02\.811 is not an ICD-10-CM code in the FY2022 table \(the chart's period is outside FY2022/,
    );
    expect(message).not.toMatch(/2024/);
  });

  it('passes known codes in any form and never echoes a value that is not code-shaped', () => {
    expect(only('DX-EXISTS', hh({ diagnoses: dx('i69351', ' I10 ') }))).toEqual([]);
    const junk = only('DX-EXISTS', hh({ diagnoses: dx('Doe, John') }));
    expect(junk).toHaveLength(1);
    expect(junk[0]?.message).not.toMatch(/Doe|John/);
  });
});

describe('DX-BILLABLE', () => {
  it('rejects category headers and asks for the highest specificity', () => {
    const findings = only('DX-BILLABLE', hh({ diagnoses: dx('I50.2', 'e116') }));
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'reject',
        path: 'diagnoses[0].code',
        message:
          'diagnoses[0].code: I50.2 (Systolic (congestive) heart failure) is a category header, not a billable code in FY2022; code to the highest specificity available under I50.2',
      }),
      expect.objectContaining({
        path: 'diagnoses[1].code',
        message: expect.stringContaining('E11.6 (Type 2 diabetes'),
      }),
    ]);
  });

  it('passes billable codes and leaves unknown codes to DX-EXISTS', () => {
    expect(only('DX-BILLABLE', hh({ diagnoses: dx('I50.22', 'E11.65', 'Z47.1') }))).toEqual([]);
    expect(runRules(hh({ diagnoses: dx('I50.2X') }), tables).map((f) => f.ruleId)).toEqual(['DX-EXISTS']);
  });
});

describe('DX-DUPLICATE', () => {
  it('warns on a code listed twice, whatever its form', () => {
    const findings = only('DX-DUPLICATE', hh({ diagnoses: dx('M17.11', 'I10', 'E11.9', 'i10') }));
    expect(findings).toEqual([
      {
        ruleId: 'DX-DUPLICATE',
        severity: 'warn',
        path: 'diagnoses[3].code',
        message: 'diagnoses[3].code: I10 is already listed at diagnoses[1]; list each code once',
      },
    ]);
    expect(decide(runRules(hh({ diagnoses: dx('M17.11', 'I10', 'I10') }), tables))).toBe('VALIDATED');
  });

  it('is quiet for distinct codes', () => {
    expect(only('DX-DUPLICATE', hh({ diagnoses: dx('I50.22', 'I50.32', 'E11.9') }))).toEqual([]);
  });
});

describe('HH-OASIS-DOC', () => {
  it('opens a query for a home health chart with no OASIS document or data', () => {
    const findings = only('HH-OASIS-DOC', hh({ oasis: undefined, documents: [{ type: 'plan_of_care' }] }));
    expect(findings).toEqual([expect.objectContaining({ severity: 'query', path: 'oasis' })]);
    expect(decide(findings)).toBe('QUERY_OPEN');
    expect(only('HH-OASIS-DOC', hh({ oasis: { items: {} }, documents: [] }))).toHaveLength(1);
  });

  it('is satisfied by an OASIS document, items, or an assessment date', () => {
    expect(only('HH-OASIS-DOC', hh({ oasis: undefined, documents: [{ type: 'oasis' }] }))).toEqual([]);
    expect(only('HH-OASIS-DOC', hh({ oasis: { items: { M1800: '01' } }, documents: [] }))).toEqual([]);
    expect(only('HH-OASIS-DOC', hh({ oasis: { assessmentDate: '2022-03-01' }, documents: [] }))).toEqual([]);
  });

  it('does not apply to hospice', () => {
    expect(only('HH-OASIS-DOC', hospice())).toEqual([]);
  });
});

describe('HOSPICE-CTI', () => {
  const benefit = { benefitPeriod: { number: 1, from: '2022-02-01', through: '2022-05-01' } };

  it('opens a query for a hospice chart with no CTI date or certification document', () => {
    const findings = only(
      'HOSPICE-CTI',
      hospice({ hospice: benefit, documents: [{ type: 'election_statement' }] }),
    );
    expect(findings).toEqual([expect.objectContaining({ severity: 'query', path: 'hospice.ctiDate' })]);
  });

  it('is satisfied by a CTI date, a cti document or a certification document', () => {
    expect(
      only('HOSPICE-CTI', hospice({ hospice: { ...benefit, ctiDate: '2022-01-30' }, documents: [] })),
    ).toEqual([]);
    expect(only('HOSPICE-CTI', hospice({ hospice: benefit, documents: [{ type: 'cti' }] }))).toEqual([]);
    expect(
      only('HOSPICE-CTI', hospice({ hospice: benefit, documents: [{ type: 'certification' }] })),
    ).toEqual([]);
  });

  it('does not apply to home health', () => {
    expect(only('HOSPICE-CTI', hh())).toEqual([]);
  });
});

describe('HOSPICE-PRINCIPAL', () => {
  it('rejects R54 and R62.7 as the principal hospice diagnosis', () => {
    expect(only('HOSPICE-PRINCIPAL', hospice({ diagnoses: dx('R54', 'I50.9') }))).toEqual([
      expect.objectContaining({
        severity: 'reject',
        path: 'diagnoses[0].code',
        message: expect.stringMatching(
          /^diagnoses\[0\]\.code: R54 \(age-related physical debility\) cannot be the principal hospice diagnosis/,
        ),
      }),
    ]);
    expect(only('HOSPICE-PRINCIPAL', hospice({ diagnoses: dx('r627') }))[0]?.message).toMatch(
      /R62\.7 \(adult failure to thrive\)/,
    );
  });

  it('finds the principal by sequence, not by position', () => {
    const chart = hospice({
      diagnoses: [
        { sequence: 2, code: 'G30.1' },
        { sequence: 1, code: 'R54' },
      ],
    });
    expect(only('HOSPICE-PRINCIPAL', chart).map((f) => f.path)).toEqual(['diagnoses[1].code']);
  });

  it('allows them as additional diagnoses, and does not apply to home health', () => {
    expect(only('HOSPICE-PRINCIPAL', hospice({ diagnoses: dx('C34.90', 'R54', 'R62.7') }))).toEqual([]);
    expect(only('HOSPICE-PRINCIPAL', hh({ diagnoses: dx('R54') }))).toEqual([]);
  });
});

describe('decide', () => {
  const f = (severity: Finding['severity']): Finding => ({ ruleId: 'X', severity, message: 'm' });
  it('puts errors before queries before warnings', () => {
    expect(decide([])).toBe('VALIDATED');
    expect(decide([f('warn')])).toBe('VALIDATED');
    expect(decide([f('warn'), f('query')])).toBe('QUERY_OPEN');
    expect(decide([f('query'), f('reject'), f('warn')])).toBe('REJECTED');
    expect(decide([f('reject')])).toBe('REJECTED');
  });
});

describe('runRules and the catalog', () => {
  it('stamps every finding with its rule id and the rule severity, in catalog order', () => {
    const chart = hospice({
      diagnoses: dx('R54', { code: '44054006', system: 'SNOMED-CT' }, 'I50.2', 'Q99.99X', 'R54'),
      hospice: { benefitPeriod: { number: 1, from: '2022-02-01', through: '2022-05-01' } },
      documents: [],
    });
    const findings = runRules(chart, tables);
    const severity = new Map(RULES.map((r) => [r.id, r.severity]));
    for (const finding of findings) expect(finding.severity).toBe(severity.get(finding.ruleId));
    expect([...new Set(findings.map((x) => x.ruleId))]).toEqual([
      'DX-SYSTEM',
      'DX-EXISTS',
      'DX-BILLABLE',
      'DX-DUPLICATE',
      'HOSPICE-CTI',
      'HOSPICE-PRINCIPAL',
    ]);
    expect(decide(findings)).toBe('REJECTED');
  });

  it('is pure: same answer twice, chart untouched', () => {
    const chart = hh({ diagnoses: dx('I50.2', 'I10', 'I10'), oasis: undefined, documents: [] });
    const before = structuredClone(chart);
    expect(runRules(chart, tables)).toEqual(runRules(chart, tables));
    expect(chart).toEqual(before);
  });

  it('never puts patient identity into a finding', () => {
    const chart = hh({
      diagnoses: dx('I50.2', { code: 'Patient-Zulu', system: 'other' }, 'Zulu'),
      oasis: undefined,
      documents: [],
    });
    const text = JSON.stringify(runRules(chart, tables));
    for (const phi of ['Zulu', 'SYN-PT-SECRET-ID', 'SYN-MBR-SECRET', 'HH-T-1', '1940-01-01', '2022-03-01']) {
      expect(text).not.toContain(phi);
    }
  });

  it('has unique ids, and docs/rules.md is generated from exactly the catalog', () => {
    const catalog = ruleCatalog();
    expect(new Set(catalog.map((r) => r.id)).size).toBe(catalog.length);
    expect(catalog.map((r) => r.id)).toEqual(['SCHEMA', ...RULES.map((r) => r.id)]);
    for (const rule of catalog) {
      expect(rule.sources.length).toBeGreaterThan(0);
      expect(rule.id).toMatch(/^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$/);
    }
    // docs/rules.md is generated from the catalog: `npm run docs` after changing a rule.
    const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    expect(doc, 'docs/rules.md is stale: run `npm run docs`').toBe(rulesMarkdown(catalog));
  });
});
