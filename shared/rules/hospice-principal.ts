import { codeLabel, icd10Principal } from './codes.ts';
import { defineRule, type Rule, type RuleTables } from './rule.ts';

/**
 * Principal diagnoses Medicare has returned on hospice claims since October 1, 2014, whatever list is
 * loaded: debility and adult failure to thrive.
 */
const ALWAYS_UNACCEPTABLE: ReadonlyMap<string, string> = new Map([
  ['R54', 'age-related physical debility'],
  ['R627', 'adult failure to thrive'],
]);

/** Why `code` (bare ICD-10-CM) cannot be the principal hospice diagnosis, or undefined when it can. */
export function unacceptableHospicePrincipal(code: string, tables: RuleTables): string | undefined {
  const always = ALWAYS_UNACCEPTABLE.get(code);
  if (always) return always;
  const list = tables.hospicePrincipal;
  if (!list) return undefined;
  const listed = list.match(code);
  if (!listed) return undefined;
  return `on the unacceptable hospice principal list ${list.version}${listed.description ? `: ${listed.description}` : ''}`;
}

/** HOSPICE-PRINCIPAL: a principal hospice diagnosis Medicare returns (R54, R62.7, the loaded list). */
export const hospicePrincipal: Rule = defineRule(
  {
    id: 'HOSPICE-PRINCIPAL',
    severity: 'reject',
    title: 'Hospice principal diagnosis is acceptable to Medicare',
    what: 'On a hospice chart the principal diagnosis (sequence 1) is not R54 (age-related physical debility) or R62.7 (adult failure to thrive), nor a code on the unacceptable hospice principal list in force for the period (else the nearest imported one, which CODE-TABLES reports) (`codetrail tables import hospice-principal`; an entry covers the codes under it). Such codes may stay as additional diagnoses.',
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
      "Ships only a starter list (R54, R62.7, marked sample): the CMS list of unacceptable hospice principal diagnoses (CR of March 13, 2025) is imported with `codetrail tables import hospice-principal`. Other symptom codes as principal are HOSPICE-SYMPTOM-PRINCIPAL's, manifestation codes (F02.8x dementia in other diseases) DX-MANIFESTATION-PRINCIPAL's, external cause codes DX-EXTERNAL-CAUSE-PRINCIPAL's.",
  },
  (chart, tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice') return [];
    const principal = icd10Principal(chart);
    if (!principal) return [];
    const what = unacceptableHospicePrincipal(principal.code, tables);
    if (!what) return [];
    // A list entry covers the codes under it, so a value that only starts like a code may match.
    const code = codeLabel(principal.code, 'ICD-10-CM');
    return [
      finding(
        `${principal.path}: ${code} (${what}) cannot be the principal hospice diagnosis, Medicare returns the claim; code the terminal condition first and keep ${code} as an additional diagnosis`,
        principal.path,
      ),
    ];
  },
);
