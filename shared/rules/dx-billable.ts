import type { Finding } from '#shared/model/chart-state.ts';
import { codeLabel, diagnosisPath } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** DX-BILLABLE: each ICD-10-CM code is a billable leaf, not a category or subcategory header. */
export const dxBillable: Rule = defineRule(
  {
    id: 'DX-BILLABLE',
    severity: 'reject',
    title: 'ICD-10-CM code is billable',
    what: 'Each ICD-10-CM diagnosis found in the table has valid_billing_code = 1. A header (for example I50.2 or E11.6) has more specific codes below it and is rejected with a message asking for the highest specificity.',
    why: 'ICD-10-CM guidelines require codes at their highest number of characters available; a claim with a header code is returned or denied (CARC 16, claim lacks information; CARC 146 invalid diagnosis).',
    sources: [
      {
        tag: 'CMS',
        cite: 'ICD-10-CM Official Guidelines for Coding and Reporting FY2022, Section I.B.2 "Level of Detail in Coding"; cited from the guideline text, not from domain-rules.md',
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §2.1: valid_billing_code in the CDC/CMS order file (FY2022 via icd10us)',
      },
      { tag: '3P', cite: 'domain-rules.md §5.3 and §7: CARC 16/146; "code exists & billable (ICD-10 file)"' },
    ],
    limits: 'Billability is that of the loaded table (FY2022 only; see DX-EXISTS).',
  },
  (chart, tables, finding) => {
    const findings: Finding[] = [];
    chart.diagnoses.forEach((d, i) => {
      if (d.system !== 'ICD-10-CM') return;
      const entry = tables.icd10cm.lookup(d.code);
      if (!entry || entry.billable) return;
      findings.push(
        finding(
          `${diagnosisPath(i, 'code')}: ${codeLabel(d.code, d.system)} (${entry.description}) is a category header, not a billable code in ${tables.icd10cm.version}; code to the highest specificity available under ${entry.code}`,
          diagnosisPath(i, 'code'),
        ),
      );
    });
    return findings;
  },
);
