import { icd10Principal, printableCode } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** Principal diagnoses Medicare returns on hospice claims: debility and adult failure to thrive. */
export const HOSPICE_UNACCEPTABLE_PRINCIPAL: ReadonlyMap<string, string> = new Map([
  ['R54', 'age-related physical debility'],
  ['R627', 'adult failure to thrive'],
]);

/** HOSPICE-PRINCIPAL: R54 or R62.7 as the principal hospice diagnosis. */
export const hospicePrincipal: Rule = defineRule(
  {
    id: 'HOSPICE-PRINCIPAL',
    severity: 'reject',
    title: 'Hospice principal diagnosis is not debility or adult failure to thrive',
    what: 'On a hospice chart the principal diagnosis (sequence 1) is not R54 (age-related physical debility) or R62.7 (adult failure to thrive). Both may stay as additional diagnoses.',
    why: 'Since October 1, 2014 the Medicare claims system returns hospice claims with debility or adult failure to thrive as the principal diagnosis (FY2014 Hospice final rule); they "could be reported on the hospice claim as other, additional, or coexisting diagnoses". The terminal condition behind them must be coded first.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §3: FY2014 Hospice final rule (Fed. Reg. Aug 7 2013) on ICD-9 799.3 / 783.7, as quoted by AAPC Hospice Insider and Baker Donelson',
      },
      {
        tag: 'codetrail',
        cite: "domain-rules.md §3: the ICD-10-CM equivalents R54 and R62.7 are the research note's mapping, not read in a CMS list",
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: CMS CR "Principal Diagnosis Code Reporting Update for Hospice" (issued March 13, 2025) holds the current list; not retrieved',
      },
    ],
    limits:
      "Checks only R54 and R62.7: the CMS list of unacceptable hospice principal diagnoses (CR of March 13, 2025) is not loaded yet. Other symptom codes as principal are HOSPICE-SYMPTOM-PRINCIPAL's, manifestation codes (F02.8x dementia in other diseases) DX-MANIFESTATION-PRINCIPAL's, external cause codes DX-EXTERNAL-CAUSE-PRINCIPAL's.",
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice') return [];
    const principal = icd10Principal(chart);
    const what = principal && HOSPICE_UNACCEPTABLE_PRINCIPAL.get(principal.code);
    if (!principal || !what) return [];
    const code = printableCode(principal.code, 'ICD-10-CM') ?? '';
    return [
      finding(
        `${principal.path}: ${code} (${what}) cannot be the principal hospice diagnosis, Medicare returns the claim; code the terminal condition first and keep ${code} as an additional diagnosis`,
        principal.path,
      ),
    ];
  },
);
