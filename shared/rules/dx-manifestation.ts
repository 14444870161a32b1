import { codeLabel, icd10Principal, printableCode } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** ICD-10-CM titles manifestation codes this way: they are never the first-listed diagnosis. */
const MANIFESTATION = /\bin (?:other )?diseases classified elsewhere\b/i;

/** DX-MANIFESTATION-PRINCIPAL: a manifestation code ("in diseases classified elsewhere") sequenced first. */
export const dxManifestationPrincipal: Rule = defineRule(
  {
    id: 'DX-MANIFESTATION-PRINCIPAL',
    severity: 'reject',
    title: 'Manifestation code not sequenced as principal',
    what: 'The principal diagnosis (sequence 1, ICD-10-CM) is not a manifestation code: a code whose ICD-10-CM title contains "in diseases classified elsewhere" (for example F02.80, dementia in other diseases classified elsewhere, or G63 polyneuropathy in diseases classified elsewhere), or a code on the code-first list in force for the period (else the nearest imported one, which CODE-TABLES reports) (codes whose "code first" note is mandatory, e.g. E08 diabetes due to an underlying condition; an entry covers the codes under it). The underlying condition (the etiology, e.g. G30.9 Alzheimer\'s disease) is coded first, the manifestation after it. Home health and hospice alike.',
    why: 'ICD-10-CM\'s etiology/manifestation convention: codes titled "in diseases classified elsewhere" describe the manifestation of an underlying disease, carry a "code first" note, and may never be the first-listed (principal) diagnosis. A home health claim with one as principal does not group under PDGM (CMS grouper Code_First_Conditions); a hospice claim with a dementia manifestation as principal is returned.',
    sources: [
      {
        tag: 'CMS',
        cite: 'ICD-10-CM Official Guidelines for Coding and Reporting FY2022, Section I.A.13 "Etiology/manifestation convention"; cited from the guideline text, not from domain-rules.md',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §3: manifestation codes ("in diseases classified elsewhere", "code first" notes) cannot be first-listed (AAPC hospice article); the CMS grouper ships Code_First_Conditions.txt',
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §2.1: long descriptions of the CDC/CMS ICD-10-CM order file (FY2022 via icd10us)',
      },
    ],
    limits:
      'Codes with a "code first" note whose title does not say "in diseases classified elsewhere" are found only when on the code-first list in force: the shipped one is a codetrail starter (E08, F01, F06, D63.0, D63.1, marked sample); import CMS\'s Code_First_Conditions, or a fuller list, with `codetrail tables import code-first`. A "code first" note that applies only "if applicable" or "if known" is not a rejection and belongs on no list.',
  },
  (chart, tables, finding) => {
    const principal = icd10Principal(chart);
    if (!principal) return [];
    const entry = tables.icd10cm.lookup(principal.code);
    const label = codeLabel(principal.code, 'ICD-10-CM');
    if (entry && MANIFESTATION.test(entry.description)) {
      return [
        finding(
          `${principal.path}: ${label} (${entry.description}) is a manifestation code and cannot be the principal diagnosis; code the underlying condition first and list the manifestation after it`,
          principal.path,
        ),
      ];
    }
    const codeFirst = tables.codeFirst;
    if (!codeFirst) return [];
    const listed = codeFirst.match(principal.code);
    if (!listed) return [];
    return [
      finding(
        `${principal.path}: ${label} carries a "code first" note (code-first list ${codeFirst.version}: ${listed.description || printableCode(listed.code, 'ICD-10-CM')}) and cannot be the principal diagnosis; code the underlying condition first`,
        principal.path,
      ),
    ];
  },
);
