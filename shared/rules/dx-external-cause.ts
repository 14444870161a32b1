import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import { codeLabel, icd10Principal } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** ICD-10-CM chapter 20, external causes of morbidity: V00-Y99. */
export function isExternalCause(code: string): boolean {
  return /^[VWXY]\d/.test(normaliseIcd10Code(code));
}

/** DX-EXTERNAL-CAUSE-PRINCIPAL: an external cause code (V00-Y99) sequenced first. */
export const dxExternalCausePrincipal: Rule = defineRule(
  {
    id: 'DX-EXTERNAL-CAUSE-PRINCIPAL',
    severity: 'reject',
    title: 'External cause code not sequenced as principal',
    what: 'The principal diagnosis (sequence 1, ICD-10-CM) is not an external cause code (chapter 20, V00-Y99: how an injury happened, where, the activity, the status). The injury or condition is coded first; external cause codes may follow it. Home health and hospice alike.',
    why: 'ICD-10-CM guidelines: external cause codes are never the first-listed or principal diagnosis; they add detail to the injury or condition code. A claim with one as principal cannot group under PDGM and is returned.',
    sources: [
      {
        tag: 'CMS',
        cite: 'ICD-10-CM Official Guidelines for Coding and Reporting FY2022, Section I.C.20 "External Causes of Morbidity": "External cause codes should never be sequenced as the first-listed or principal diagnosis"; cited from the guideline text, not from domain-rules.md',
      },
    ],
  },
  (chart, _tables, finding) => {
    const principal = icd10Principal(chart);
    if (!principal || !isExternalCause(principal.code)) return [];
    return [
      finding(
        `${principal.path}: ${codeLabel(principal.code, 'ICD-10-CM')} is an external cause code (V00-Y99) and can never be the principal diagnosis; code the injury or condition first and list the external cause after it`,
        principal.path,
      ),
    ];
  },
);
