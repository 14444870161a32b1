import { codeLabel, icd10Principal } from './codes.ts';
import { unacceptableHospicePrincipal } from './hospice-principal.ts';
import { defineRule, type Rule } from './rule.ts';

/** HOSPICE-SYMPTOM-PRINCIPAL: a symptom or sign code (R00-R99) as the principal hospice diagnosis. */
export const hospiceSymptomPrincipal: Rule = defineRule(
  {
    id: 'HOSPICE-SYMPTOM-PRINCIPAL',
    severity: 'query',
    title: 'Hospice principal diagnosis is the terminal condition, not a symptom',
    what: "On a hospice chart the principal diagnosis (sequence 1, ICD-10-CM) is not a symptom, sign or ill-defined condition code (chapter 18, R00-R99). R54, R62.7 and the codes on the loaded unacceptable list are HOSPICE-PRINCIPAL's (the claim is returned); any other R-code as principal opens a query to the hospice physician for the terminal diagnosis that explains it.",
    why: "The hospice principal diagnosis is the terminal illness that supports a prognosis of six months or less. ICD-10-CM guidelines do not use a chapter 18 code as principal once a related definitive diagnosis is established; in hospice a symptom as principal means the certifying physician's terminal diagnosis is not in the coded record. The physician answers, then the coder sequences the terminal condition first and keeps the symptom as an additional diagnosis if it is not integral to it.",
    sources: [
      {
        tag: 'CMS',
        cite: 'ICD-10-CM Official Guidelines for Coding and Reporting FY2022, Section II.A: "Codes for symptoms, signs, and ill-defined conditions from Chapter 18 are not to be used as principal diagnosis when a related definitive diagnosis has been established"; cited from the guideline text, not from domain-rules.md',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §3: CMS expects the terminal condition and all related conditions coded; debility and adult failure to thrive are returned as principal',
      },
      {
        tag: 'codetrail',
        cite: "severity query: whether a definitive terminal diagnosis exists is the physician's to document",
      },
    ],
    limits:
      "Symptom codes only; codes outside chapter 18 that Medicare returns are HOSPICE-PRINCIPAL's, by the list loaded with `codetrail tables import hospice-principal`.",
  },
  (chart, tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice') return [];
    const principal = icd10Principal(chart);
    if (!principal || !/^R\d/.test(principal.code) || unacceptableHospicePrincipal(principal.code, tables))
      return [];
    return [
      finding(
        `${principal.path}: ${codeLabel(principal.code, 'ICD-10-CM')} is a symptom or sign code (R00-R99); ask the hospice physician for the terminal diagnosis behind it, code that first and keep the symptom after it if it is not integral to it`,
        principal.path,
      ),
    ];
  },
);
