import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { dataDir } from './data-dir.ts';

export { dataDir } from './data-dir.ts';

import { type CarcTable, loadCarcFile } from './carc.ts';
import { type CodeList, loadCodeListFile } from './code-list.ts';
import { type Icd10Table, loadIcd10cmFile } from './icd10cm.ts';
import { loadPdgmFiles, type PdgmTables } from './pdgm.ts';
import { loadRarcFile, type RarcTable } from './rarc.ts';

/**
 * The code tables, versioned by the dates of service they are in force for. `code-tables.json` in the
 * data folder lists every version; a chart is judged by the version in force on its period's from-date.
 * Table files load lazily, once per process, on first use.
 */
export const CODE_TABLES_MANIFEST = 'code-tables.json';

const isoDate = z.iso.date();
export const TableVersionInfo = z.object({
  version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  from: isoDate.describe('First date of service the version is in force for'),
  through: isoDate.describe('Last date of service'),
  file: z.string().describe('Relative to the data folder'),
  params: z.string().optional().describe('PDGM: the grouper parameters file, relative to the data folder'),
  sample: z.boolean().default(false).describe('A sample for development: not a complete table'),
  source: z.string(),
});
export type TableVersionInfo = z.infer<typeof TableVersionInfo>;

export const CodeTablesManifest = z.object({
  $comment: z.string().optional(),
  icd10cm: z.array(TableVersionInfo).min(1),
  pdgm: z.array(TableVersionInfo.extend({ params: z.string() })).default([]),
  hospicePrincipal: z
    .array(TableVersionInfo)
    .default([])
    .describe('Code lists: principal diagnoses Medicare returns on hospice claims'),
  codeFirst: z
    .array(TableVersionInfo)
    .default([])
    .describe('Code lists: codes with a mandatory "code first" note, never the principal diagnosis'),
  carc: z
    .array(TableVersionInfo)
    .default([])
    .describe('Claim adjustment reason codes with the root cause a denial is traced to'),
  rarc: z
    .array(TableVersionInfo)
    .default([])
    .describe('Remittance advice remark codes with the denial family they point to'),
});

/** The code lists of the manifest, by the name `codetrail tables import` and the rules use. */
export const CODE_LISTS = { 'hospice-principal': 'hospicePrincipal', 'code-first': 'codeFirst' } as const;
export type CodeListKind = keyof typeof CODE_LISTS;
export type CodeTablesManifest = z.infer<typeof CodeTablesManifest>;

export interface TableChoice<T> {
  table: T;
  info: TableVersionInfo;
  /** False when no version covers the date: the nearest one was used instead. */
  inForce: boolean;
}

export interface CodeTables {
  readonly manifest: CodeTablesManifest;
  /** The ICD-10-CM version in force on `date` (YYYY-MM-DD), or the nearest one. */
  icd10cmFor(date: string): TableChoice<Icd10Table>;
  /** The PDGM version in force on `date`, or the nearest one; undefined when none is loaded. */
  pdgmFor(date: string): TableChoice<PdgmTables> | undefined;
  /** A code list's version in force on `date`, or the nearest one; undefined when none is loaded. */
  codeListFor(kind: CodeListKind, date: string): TableChoice<CodeList> | undefined;
  /** The CARC root-cause table in force on `date` (a remittance's date), or the nearest one. */
  carcFor(date: string): TableChoice<CarcTable> | undefined;
  /** The RARC family table in force on `date`, or the nearest one. */
  rarcFor(date: string): TableChoice<RarcTable> | undefined;
}

/** One table version a chart was judged by: which, whether in force on its date, whether a sample. */
export interface TableVersionUsed {
  table: 'icd10cm' | 'pdgm' | 'hospicePrincipal' | 'codeFirst';
  version: string;
  /** False when no version covers the date: the nearest one was used instead. */
  inForce: boolean;
  /** A sample, not a complete table: findings against it are warnings. */
  sample: boolean;
}

/**
 * The versions of the tables the rules judge a chart of `date` by (the same choice as `CodeTables`
 * makes, from the manifest alone: nothing is loaded), for the audit trail to record with its findings.
 * PDGM only when a version is in force: otherwise no PDGM table is used (the period is not grouped),
 * where the other tables fall back to the nearest version (`inForce: false`).
 */
export function versionsInForce(manifest: CodeTablesManifest, date: string): TableVersionUsed[] {
  const out: TableVersionUsed[] = [];
  const lists: [TableVersionUsed['table'], readonly TableVersionInfo[]][] = [
    ['icd10cm', manifest.icd10cm],
    ['pdgm', manifest.pdgm],
    ['hospicePrincipal', completeFirst(manifest.hospicePrincipal)],
    ['codeFirst', completeFirst(manifest.codeFirst)],
  ];
  for (const [table, versions] of lists) {
    if (versions.length === 0) continue;
    const { info, inForce } = versionFor(versions, date);
    if (table === 'pdgm' && !inForce) continue;
    out.push({ table, version: info.version, inForce, sample: info.sample });
  }
  return out;
}

/** The version covering `date`; else the nearest: the latest that starts before it, or the earliest. */
export function versionFor(
  versions: readonly TableVersionInfo[],
  date: string,
): { info: TableVersionInfo; inForce: boolean } {
  const sorted = [...versions].sort((a, b) => a.from.localeCompare(b.from));
  const covering = sorted.filter((v) => v.from <= date && date <= v.through).pop();
  if (covering) return { info: covering, inForce: true };
  const before = sorted.filter((v) => v.from <= date).pop();
  return { info: before ?? (sorted[0] as TableVersionInfo), inForce: false };
}

export function readManifest(dir: string): CodeTablesManifest {
  const file = join(dir, CODE_TABLES_MANIFEST);
  if (!existsSync(file)) throw new Error(`code tables manifest not found at ${file}; set CODETRAIL_DATA_DIR`);
  return CodeTablesManifest.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const cache = new Map<string, CodeTables>();
let defaultTables: { env: string | undefined; tables: CodeTables } | undefined;

/**
 * The code tables of a data folder (default: CODETRAIL_DATA_DIR, else shared/data), once per process:
 * every chart asks, so the default folder is resolved once and each date's choice is remembered.
 */
export function loadCodeTables(dir?: string): CodeTables {
  if (dir === undefined && defaultTables && defaultTables.env === process.env.CODETRAIL_DATA_DIR)
    return defaultTables.tables;
  const root = dataDir(dir);
  const cached = cache.get(root) ?? build(root);
  cache.set(root, cached);
  if (dir === undefined) defaultTables = { env: process.env.CODETRAIL_DATA_DIR, tables: cached };
  return cached;
}

function build(root: string): CodeTables {
  const manifest = readManifest(root);
  const icd10cm = memoChoice(manifest.icd10cm, (info) => loadIcd10cmFile(join(root, info.file), info));
  const pdgm = memoChoice(manifest.pdgm, (info) =>
    loadPdgmFiles(join(root, info.file), join(root, info.params ?? ''), info),
  );
  const lists = {
    'hospice-principal': memoChoice(completeFirst(manifest.hospicePrincipal), (info) =>
      loadCodeListFile(join(root, info.file), info),
    ),
    'code-first': memoChoice(completeFirst(manifest.codeFirst), (info) =>
      loadCodeListFile(join(root, info.file), info),
    ),
  };
  return {
    manifest,
    icd10cmFor: (date) => icd10cm(date) as TableChoice<Icd10Table>,
    pdgmFor: (date) => (manifest.pdgm.length === 0 ? undefined : pdgm(date)),
    codeListFor: (kind, date) => lists[kind](date),
    carcFor: memoChoice(completeFirst(manifest.carc), (info) => loadCarcFile(join(root, info.file), info)),
    rarcFor: memoChoice(completeFirst(manifest.rarc), (info) => loadRarcFile(join(root, info.file), info)),
  };
}

/**
 * The versions to choose from for a list that ships as a codetrail starter (marked sample) and is
 * completed by import: once any complete version is imported, only complete ones count, so a date past
 * the imported list's end gets the nearest imported list (and CODE-TABLES says it is not in force), not
 * the starter.
 */
export function completeFirst(versions: readonly TableVersionInfo[]): readonly TableVersionInfo[] {
  const complete = versions.filter((v) => !v.sample);
  return complete.length > 0 ? complete : versions;
}

/** The choice of version for a date, remembered per date; each version's table loaded once, on first use. */
function memoChoice<T>(
  versions: readonly TableVersionInfo[],
  load: (info: TableVersionInfo) => T,
): (date: string) => TableChoice<T> | undefined {
  const tables = new Map<string, T>();
  const byDate = new Map<string, TableChoice<T>>();
  return (date) => {
    if (versions.length === 0) return undefined;
    const known = byDate.get(date);
    if (known) return known;
    const { info, inForce } = versionFor(versions, date);
    let table = tables.get(info.version);
    if (table === undefined) {
      table = load(info);
      tables.set(info.version, table);
    }
    const choice = { table, info, inForce };
    if (byDate.size < 100_000) byDate.set(date, choice);
    return choice;
  };
}
