import {
  type CodeTables,
  completeFirst,
  loadCodeTables,
  versionFor,
  versionsInForce,
} from '#shared/data/code-tables.ts';
import { MISSING_TABLE, type RuleTables, type TablesFor } from './rule.ts';

/** RuleTables by date, per loaded set of tables: charts of one period share one (the tables never change). */
const byTables = new WeakMap<CodeTables, Map<string, RuleTables>>();

/**
 * The stages' TablesFor: each table in the version in force on the period's from-date, from the data
 * folder's code-tables.json. Tables load on the first chart that needs them, once per process.
 */
export const tablesInForce: TablesFor = (periodFrom) => {
  const tables = loadCodeTables();
  let byDate = byTables.get(tables);
  if (!byDate) {
    byDate = new Map();
    byTables.set(tables, byDate);
  }
  const known = byDate.get(periodFrom);
  if (known) return known;
  const made = ruleTables(tables, periodFrom);
  if (byDate.size < 100_000) byDate.set(periodFrom, made);
  return made;
};

function ruleTables(tables: CodeTables, periodFrom: string): RuleTables {
  // Each table is looked up on first use (PDGM loads only when a home health rule asks), then kept:
  // this object serves every chart of the period.
  const once = <T>(find: () => T): (() => T) => {
    let found: { value: T } | undefined;
    return () => {
      found ??= { value: find() };
      return found.value;
    };
  };
  // Only the PDGM version in force counts: a period before PDGM, or past the last imported year, is not
  // grouped (CODE-TABLES says so).
  const pdgm = once(() => {
    const choice = tables.pdgmFor(periodFrom);
    return choice?.inForce ? choice.table : undefined;
  });
  const hospicePrincipal = once(() => tables.codeListFor('hospice-principal', periodFrom)?.table);
  const codeFirst = once(() => tables.codeListFor('code-first', periodFrom)?.table);
  const missing = once(() => missingTables(tables, periodFrom));
  const versions = once(() => versionsInForce(tables.manifest, periodFrom));
  return {
    icd10cm: tables.icd10cmFor(periodFrom).table,
    get pdgm() {
      return pdgm();
    },
    get hospicePrincipal() {
      return hospicePrincipal();
    },
    get codeFirst() {
      return codeFirst();
    },
    get missing() {
      return missing();
    },
    get versions() {
      return versions();
    },
  };
}

/** The tables with no version in force for the period, from the manifest alone (loads no table). */
function missingTables(tables: CodeTables, periodFrom: string): readonly string[] {
  const { pdgm, hospicePrincipal, codeFirst } = tables.manifest;
  // No PDGM version at all is missing too: versionFor finds none in force in an empty list.
  const out: string[] = versionFor(pdgm, periodFrom).inForce ? [] : [MISSING_TABLE.pdgm];
  for (const [name, versions] of [
    [MISSING_TABLE.hospicePrincipal, hospicePrincipal],
    [MISSING_TABLE.codeFirst, codeFirst],
  ] as const) {
    const complete = completeFirst(versions);
    if (complete.length > 0 && !versionFor(complete, periodFrom).inForce) out.push(name);
  }
  return out;
}
