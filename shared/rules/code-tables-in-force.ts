import { defineRule, MISSING_TABLE, type Rule } from './rule.ts';

/** CODE-TABLES: the chart was judged by a table not in force on its period's from-date. */
export const codeTablesInForce: Rule = defineRule(
  {
    id: 'CODE-TABLES',
    severity: 'warn',
    title: 'Code tables in force for the period',
    what: "The ICD-10-CM table the rules used is in force on the chart's period from-date (its fiscal year covers that date); when no loaded version covers it, the nearest version is used and this warning says which, so the other findings are read with that in mind. For a home health chart, a PDGM table is in force too; when none is, the chart is not grouped (and the PDGM rules do not run), and this warning says so. Once a hospice-principal or code-first list is imported, one is in force too (home health: the code-first list; hospice: both); when none is, the nearest imported one is used and this warning says so.",
    why: 'ICD-10-CM changes every October 1 (and some April 1): codes are added, deleted and split, so existence and billability depend on the fiscal year of the dates of service. A chart judged by the wrong year can pass a deleted code or reject a new one.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §2.1: CDC/CMS ICD-10-CM "Code Descriptions in Tabular Order" per fiscal year (October 1), plus April 1 updates',
      },
      {
        tag: 'codetrail',
        cite: 'shared/data/code-tables.json: the versions loaded and their dates of service',
      },
    ],
    limits:
      'Covers ICD-10-CM, PDGM and the imported hospice-principal and code-first lists (a codetrail starter list is never out of force). Load the versions for the claim year with `codetrail tables import icd10cm`, `pdgm`, `hospice-principal` and `code-first`.',
  },
  (chart, tables, finding) => {
    const findings = [];
    const { from, through } = tables.icd10cm.effective;
    const date = chart.period.from;
    if (date < from || through < date)
      findings.push(
        finding(
          `period.from: no loaded ICD-10-CM table is in force for the period; the codes were checked against ${tables.icd10cm.version}; import the table for the claim's fiscal year`,
          'period.from',
        ),
      );
    for (const list of tables.missing ?? []) {
      if (list === MISSING_TABLE.pdgm) continue;
      if (list === MISSING_TABLE.hospicePrincipal && chart.lineOfBusiness !== 'hospice') continue;
      findings.push(
        finding(
          `period.from: no imported ${list} is in force for the period; the principal diagnosis was checked against the nearest one; import the list for the period`,
          'period.from',
        ),
      );
    }
    if (chart.lineOfBusiness === 'home_health' && tables.missing?.includes(MISSING_TABLE.pdgm))
      findings.push(
        finding(
          'period.from: no loaded PDGM table is in force for the period, so the chart was not grouped to a HIPPS code; import the PDGM tables for the period',
          'period.from',
        ),
      );
    return findings;
  },
);
