import { loadCodeTables } from '#shared/data/code-tables.ts';
import type { TablesFor } from './rule.ts';

/**
 * The stages' TablesFor: each table in the version in force on the period's from-date, from the data
 * folder's code-tables.json. Tables load on the first chart that needs them, once per process.
 */
export const tablesInForce: TablesFor = (periodFrom) => {
  const tables = loadCodeTables();
  const pdgm = tables.pdgmFor(periodFrom)?.table;
  return { icd10cm: tables.icd10cmFor(periodFrom).table, ...(pdgm ? { pdgm } : {}) };
};
