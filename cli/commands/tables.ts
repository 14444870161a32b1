import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCarcCsv } from '#shared/data/carc.ts';
import { parseCodeList } from '#shared/data/code-list.ts';
import {
  CODE_LISTS,
  CODE_TABLES_MANIFEST,
  type CodeListKind,
  CodeTablesManifest,
  dataDir,
  readManifest,
  TableVersionInfo,
} from '#shared/data/code-tables.ts';
import { parseIcd10Tsv } from '#shared/data/icd10cm.ts';
import { convertOrderFile } from '#shared/data/icd10cm-order-file.ts';
import { PdgmParams, parsePdgmCodes } from '#shared/data/pdgm.ts';
import { parseRarcCsv } from '#shared/data/rarc.ts';
import { table } from '../lib/summary.ts';

/** A federal fiscal year's dates of service: FY2026 is 2025-10-01 through 2026-09-30. */
export function fiscalYear(version: string): { from: string; through: string } | undefined {
  const year = /^FY(\d{4})$/.exec(version)?.[1];
  if (!year) return undefined;
  return { from: `${Number(year) - 1}-10-01`, through: `${year}-09-30` };
}

/** A calendar year's dates of service: CY2026 is 2026-01-01 through 2026-12-31. */
export function calendarYear(version: string): { from: string; through: string } | undefined {
  const year = /^CY(\d{4})$/.exec(version)?.[1];
  return year ? { from: `${year}-01-01`, through: `${year}-12-31` } : undefined;
}

type ImportOptions = { version: string; from?: string; through?: string; dataDir?: string; params?: string };

/** The dates of service a version is in force for: both given, or from its name; never one alone. */
function datesOf(
  opts: ImportOptions,
  byName: (version: string) => { from: string; through: string } | undefined,
  example: string,
): { from: string; through: string } {
  if (opts.from === undefined && opts.through === undefined) {
    const dates = byName(opts.version);
    if (!dates) throw new Error(`give --from and --through, or a version named for its year (${example})`);
    return dates;
  }
  if (!opts.from || !opts.through) throw new Error('give both --from and --through, or neither');
  if (opts.through < opts.from) throw new Error('--through is before --from');
  return { from: opts.from, through: opts.through };
}

/** Adds (or replaces) a version in the manifest, sorted by date, and writes it as the repository formats JSON. */
function register(
  dir: string,
  table: 'icd10cm' | 'pdgm' | 'carc' | 'rarc' | (typeof CODE_LISTS)[CodeListKind],
  entry: TableVersionInfo,
): void {
  const manifest = readManifest(dir);
  const versions = [...manifest[table].filter((v) => v.version !== entry.version), entry].sort((a, b) =>
    a.from.localeCompare(b.from),
  );
  const next = CodeTablesManifest.parse({ ...manifest, [table]: versions });
  writeFileSync(join(dir, CODE_TABLES_MANIFEST), `${JSON.stringify(next, null, 2)}\n`);
}

/**
 * `codetrail tables import icd10cm FILE --version FY2026`: converts CMS's ICD-10-CM order file into the
 * table format, writes it beside the shipped ones and records the version and its dates of service in
 * code-tables.json (replacing a version of the same name). Everything is checked before anything is
 * written. The next `cdk deploy` ships it; a running local stack picks it up when restarted.
 */
export async function runTablesImport(
  kind: string,
  file: string,
  opts: ImportOptions,
  now: () => Date = () => new Date(),
): Promise<string> {
  if (kind === 'pdgm') return importPdgm(file, opts, now);
  if (Object.hasOwn(TEXT_TABLES, kind)) return importTextTable(kind as TextTableKind, file, opts, now);
  if (kind !== 'icd10cm')
    throw new Error(`unknown table ${kind}: codetrail imports ${IMPORTABLE_TABLES.join(', ')}`);
  const dates = datesOf(opts, fiscalYear, 'FY2026');
  const dir = dataDir(opts.dataDir);
  readManifest(dir);
  const relative = `icd10cm/icd10cm_${opts.version}_order.tsv.gz`;
  const entry = TableVersionInfo.parse({
    version: opts.version,
    ...dates,
    file: relative,
    sample: false,
    source: `CMS ICD-10-CM order file ${basename(file)}, imported ${now().toISOString().slice(0, 10)}`,
  });
  const converted = await convertOrderFile(file);
  // Parsed back before anything is written: a table the stages could not load is never registered.
  parseIcd10Tsv(converted.tsv, { version: opts.version, ...dates });
  mkdirSync(dirname(join(dir, relative)), { recursive: true });
  writeFileSync(join(dir, relative), gzipSync(converted.tsv));
  register(dir, 'icd10cm', entry);
  return `ICD-10-CM ${opts.version} (${dates.from} to ${dates.through}): ${converted.codes} codes, ${converted.billable} billable, written to ${join(dir, relative)}`;
}

/**
 * `codetrail tables import pdgm CODES.csv --params PARAMS.json --version CY2026`: CMS's PDGM code list
 * (a CSV export of its workbook: code, description, clinical group, comorbidity group) and the
 * grouper parameters of the year (functional points, thresholds, comorbidity subgroups: the final
 * rule's tables, as JSON in the format of pdgm/pdgm_params_sample.json). Both are checked before
 * anything is written.
 */
async function importPdgm(file: string, opts: ImportOptions, now: () => Date): Promise<string> {
  if (!opts.params) throw new Error('give --params: the grouper parameters of the year (JSON)');
  const dates = datesOf(opts, calendarYear, 'CY2026');
  const codesText = readFileSync(file, 'utf8');
  const codes = parsePdgmCodes(codesText);
  const paramsText = readFileSync(opts.params, 'utf8');
  PdgmParams.parse(JSON.parse(paramsText));
  const dir = dataDir(opts.dataDir);
  readManifest(dir);
  const stem = `pdgm/pdgm_${opts.version}`;
  const entry = TableVersionInfo.parse({
    version: opts.version,
    ...dates,
    file: `${stem}_codes.csv`,
    params: `${stem}_params.json`,
    sample: false,
    source: `CMS PDGM code list ${basename(file)} and parameters ${basename(opts.params)}, imported ${now().toISOString().slice(0, 10)}`,
  });
  mkdirSync(join(dir, 'pdgm'), { recursive: true });
  writeFileSync(join(dir, `${stem}_codes.csv`), codesText);
  writeFileSync(join(dir, `${stem}_params.json`), paramsText);
  register(dir, 'pdgm', entry);
  const grouping = [...codes.values()].filter((c) => c.clinicalGroup).length;
  return `PDGM ${opts.version} (${dates.from} to ${dates.through}): ${codes.size} codes, ${grouping} acceptable as principal`;
}

/** The tables imported as the file given, parsed to check it: code lists and reason-code tables. */
const TEXT_TABLES = {
  'hospice-principal': {
    file: (v: string) => `lists/hospice_principal_${v}.txt`,
    manifestKey: CODE_LISTS['hospice-principal'],
    count: (text: string, version: string) => `${parseCodeList(text, { version }).size} codes`,
  },
  'code-first': {
    file: (v: string) => `lists/code_first_${v}.txt`,
    manifestKey: CODE_LISTS['code-first'],
    count: (text: string, version: string) => `${parseCodeList(text, { version }).size} codes`,
  },
  carc: {
    file: (v: string) => `carc/carc_${v}.csv`,
    manifestKey: 'carc',
    count: (text: string, version: string) => `${parseCarcCsv(text, { version }).size} reason codes`,
  },
  rarc: {
    file: (v: string) => `rarc/rarc_${v}.csv`,
    manifestKey: 'rarc',
    count: (text: string, version: string) => `${parseRarcCsv(text, { version }).size} remark codes`,
  },
} as const;
type TextTableKind = keyof typeof TEXT_TABLES;

/** Every table `codetrail tables import` takes. */
export const IMPORTABLE_TABLES = ['icd10cm', 'pdgm', ...Object.keys(TEXT_TABLES)] as const;

/**
 * `codetrail tables import hospice-principal|code-first FILE --version V`: a code list, one ICD-10-CM
 * code per line with an optional tab- or comma-separated description (a CSV with a `code` header works).
 * `codetrail tables import carc|rarc FILE --version NAME`: claim adjustment reason codes with their root
 * cause, family and coder feedback (the columns of carc/carc_root_causes.csv), or remark codes with
 * their family (rarc/rarc_families.csv). Dates from --from/--through, or from a version named FY2026 /
 * CY2026. The file is checked by parsing it, then copied as it is.
 */
function importTextTable(kind: TextTableKind, file: string, opts: ImportOptions, now: () => Date): string {
  const table = TEXT_TABLES[kind];
  const dates = datesOf(opts, (v) => fiscalYear(v) ?? calendarYear(v), 'FY2026 or CY2026');
  const text = readFileSync(file, 'utf8');
  const counted = table.count(text, opts.version);
  const dir = dataDir(opts.dataDir);
  readManifest(dir);
  const relative = table.file(opts.version);
  const entry = TableVersionInfo.parse({
    version: opts.version,
    ...dates,
    file: relative,
    sample: false,
    source: `${basename(file)}, imported ${now().toISOString().slice(0, 10)}`,
  });
  mkdirSync(dirname(join(dir, relative)), { recursive: true });
  writeFileSync(join(dir, relative), text);
  register(dir, table.manifestKey, entry);
  return `${kind} ${opts.version} (${dates.from} to ${dates.through}): ${counted}`;
}

/** `codetrail tables list`: every table version and the dates of service it is in force for. */
export function runTablesList(opts: { dataDir?: string } = {}): string {
  const manifest = readManifest(dataDir(opts.dataDir));
  const families: [string, TableVersionInfo[]][] = [
    ['icd10cm', manifest.icd10cm],
    ['pdgm', manifest.pdgm],
    ...Object.entries(CODE_LISTS).map(([kind, key]): [string, TableVersionInfo[]] => [kind, manifest[key]]),
    ['carc', manifest.carc],
    ['rarc', manifest.rarc],
  ];
  const rows = families.flatMap(([name, versions]) =>
    versions.map((v) => [name, v.version, v.from, v.through, v.sample ? 'yes' : 'no', v.file]),
  );
  return table(['table', 'version', 'from', 'through', 'sample', 'file'], rows);
}
