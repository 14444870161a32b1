import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { codeLabel, diagnosisPath } from './codes.ts';
import { defineRule, type Rule, type RuleTables } from './rule.ts';

/** DX-EXISTS: each ICD-10-CM code exists in the code table (billable or not: DX-BILLABLE says which). */
export const dxExists: Rule = defineRule(
  {
    id: 'DX-EXISTS',
    severity: 'reject',
    title: 'ICD-10-CM code exists',
    what: "Each diagnosis coded in ICD-10-CM (dot and spaces ignored, any case) is a code of the ICD-10-CM table the caller supplies. When the chart's period lies outside that table's fiscal year the message says so.",
    why: 'A code that does not exist for the dates of service is an invalid claim: CARC 146 "Diagnosis was invalid for the date(s) of service reported". ICD-10-CM changes every October 1 (and some April 1), so existence depends on the fiscal year.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §2.1: CDC/CMS ICD-10-CM "Code Descriptions in Tabular Order" per fiscal year; table shipped: FY2022 via icd10us (shared/data/icd10cm/SOURCES.md)',
      },
      { tag: '3P', cite: 'domain-rules.md §5.3: CARC 146 text as transcribed in OpenEMR' },
    ],
    limits:
      'Only the FY2022 table ships (a dev/test fixture). Charts with dates of service after 2022-09-30 are checked against FY2022: codes added later are rejected and codes deleted later pass. Load the table for the claim year before production use.',
  },
  (chart, tables, finding) => {
    const outside = outsideTable(chart, tables);
    const findings: Finding[] = [];
    chart.diagnoses.forEach((d, i) => {
      if (d.system !== 'ICD-10-CM' || tables.icd10cm.lookup(d.code)) return;
      const note = outside
        ? ` (the chart's period is outside ${tables.icd10cm.version}, the only table loaded; check the code against the table for its fiscal year)`
        : '';
      findings.push(
        finding(
          `${diagnosisPath(i, 'code')}: ${codeLabel(d.code, d.system)} is not an ICD-10-CM code in the ${tables.icd10cm.version} table${note}`,
          diagnosisPath(i, 'code'),
        ),
      );
    });
    return findings;
  },
);

function outsideTable(chart: Chart, tables: RuleTables): boolean {
  const { from, through } = tables.icd10cm.effective;
  return chart.period.from < from || chart.period.through > through;
}
