import { loadCodeTables, versionFor } from '#shared/data/code-tables.ts';
import type { TablesFor } from './rule.ts';

/**
 * The stages' TablesFor: each table in the version in force on the period's from-date, from the data
 * folder's code-tables.json. Tables load on the first chart that needs them, once per process.
 */
const NONE: readonly string[] = [];
const PDGM_MISSING: readonly string[] = ['PDGM'];

export const tablesInForce: TablesFor = (periodFrom) => {
  const tables = loadCodeTables();
  const pdgmChoice = () => tables.pdgmFor(periodFrom);
  return {
    icd10cm: tables.icd10cmFor(periodFrom).table,
    // PDGM loads on first use (only home health rules ask), and only the version in force counts: a
    // period before PDGM, or past the last imported year, is not grouped (CODE-TABLES says so).
    get pdgm() {
      const choice = pdgmChoice();
      return choice?.inForce ? choice.table : undefined;
    },
    get hospicePrincipal() {
      return tables.codeListFor('hospice-principal', periodFrom)?.table;
    },
    get codeFirst() {
      return tables.codeListFor('code-first', periodFrom)?.table;
    },
    get missing() {
      // From the manifest alone: finding out loads no table.
      const versions = tables.manifest.pdgm;
      return versions.length > 0 && versionFor(versions, periodFrom).inForce ? NONE : PDGM_MISSING;
    },
  };
};
