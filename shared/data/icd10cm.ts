import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { dataDir as dataDirOf } from './data-dir.ts';

/**
 * The ICD-10-CM code table (code, billable flag, long description) for one fiscal year.
 *
 * Only FY2022 ships (see icd10cm/SOURCES.md): a dev/test fixture, stale for production. The file is
 * read from `<dataDir>/icd10cm/icd10cm_fy2022_order.tsv.gz`; dataDir is the argument, else
 * `CODETRAIL_DATA_DIR` (the Lambda bundle sets /var/task/data), else this source folder.
 *
 * Cost, measured on Node 20.20 (x86-64 dev box, one core): the first load per data folder takes
 * ~130-190 ms (gunzip ~20 ms of the 713 KB file to 8 MB, then ~100-150 ms to build the Map) and keeps
 * ~14 MB of heap (95,524 keys and packed values; the 8 MB text and the buffer are not retained).
 * Later calls return the memoised table; a lookup costs well under a microsecond. Expect the cold load
 * to be a few times slower on a 512 MB Lambda, which gets a fraction of a vCPU: load it lazily, on the
 * first chart that needs it, not at module import.
 */

/** The fiscal year a table is for, e.g. `FY2022` (the name in code-tables.json). */
export type Icd10Version = string;

export interface Icd10Entry {
  /** Display form with the dot after the category, e.g. `I69.30`; categories have none, e.g. `R54`. */
  code: string;
  /** valid_billing_code = 1: a leaf code a claim may carry. A category/subcategory header is false. */
  billable: boolean;
  description: string;
}

export interface Icd10Table {
  readonly version: Icd10Version;
  /** Dates of service the fiscal year covers (October 1 through September 30), YYYY-MM-DD. */
  readonly effective: { readonly from: string; readonly through: string };
  /** Number of codes (billable and headers). */
  readonly size: number;
  /** Normalises `code` (upper case, no dot, no spaces) and looks it up; undefined when unknown. */
  lookup(code: string): Icd10Entry | undefined;
}

export const ICD10CM_FILE = 'icd10cm/icd10cm_fy2022_order.tsv.gz';
const HEADER = 'icd10cm_code\tvalid_billing_code\ticd10cm_long_description';
const FY2022 = { from: '2021-10-01', through: '2022-09-30' } as const;
const NL = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const ZERO = 0x30;
const ONE = 0x31;
const CODE = /^[A-Z][0-9][0-9A-Z]{1,5}$/;

/** `i69.30 ` -> `I6930`: what the table is keyed by. */
export function normaliseIcd10Code(code: string): string {
  // Every rule normalises the same few codes of each chart: remember the answers (bounded).
  const known = normalised.get(code);
  if (known !== undefined) return known;
  // Most codes arrive as `I69.351` or `I69351`: strip the one dot without a regular expression.
  const bare = /^[A-Z0-9]{3}(?:\.[A-Z0-9]{1,4})?$/.test(code)
    ? code.length > 3 && code[3] === '.'
      ? code.slice(0, 3) + code.slice(4)
      : code
    : code.toUpperCase().replace(/[.\s]/g, '');
  if (normalised.size >= NORMALISED_MAX) normalised.clear();
  normalised.set(code, bare);
  return bare;
}

const NORMALISED_MAX = 200_000;
const normalised = new Map<string, string>();

/** `I6930` -> `I69.30`; three-character categories stay as they are. */
export function dottedIcd10Code(code: string): string {
  const bare = normaliseIcd10Code(code);
  return bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}

/**
 * Builds a table from the TSV bytes (or text). Each code maps to one packed string, decoded straight
 * from the bytes: the billable flag, a tab, then the description (`1\tHeart failure, unspecified`).
 * Decoding each field from the buffer gives small standalone strings, so the table holds no view onto
 * the 8 MB decompressed text and is one Map of ~95k keys and ~95k short strings.
 */
export function parseIcd10Tsv(
  input: Uint8Array | string,
  about: { version: Icd10Version; from: string; through: string } = { version: 'FY2022', ...FY2022 },
): Icd10Table {
  const buf =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const firstBreak = buf.indexOf(NL);
  const header = buf.toString('utf8', 0, firstBreak < 0 ? buf.length : firstBreak).replace(/\r$/, '');
  if (!header.startsWith(HEADER)) {
    throw new Error(`ICD-10-CM table: unexpected header (expected columns ${HEADER.replace(/\t/g, ', ')})`);
  }
  // The CDC file is ASCII; latin1 decodes ASCII identically and faster. Anything else decodes as UTF-8.
  const encoding = isAscii(buf) ? 'latin1' : 'utf8';
  const entries = new Map<string, string>();
  let start = firstBreak < 0 ? buf.length : firstBreak + 1;
  let lineNo = 1;
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    lineNo++;
    const lineEnd = buf[end - 1] === CR ? end - 1 : end;
    const lineStart = start;
    start = end + 1;
    if (lineEnd <= lineStart) continue;
    const tab1 = buf.indexOf(TAB, lineStart);
    const tab2 = tab1 < 0 || tab1 >= lineEnd ? -1 : buf.indexOf(TAB, tab1 + 1);
    if (tab2 < 0 || tab2 >= lineEnd) {
      throw new Error(`ICD-10-CM table: line ${lineNo} has fewer than 3 columns`);
    }
    let tab3 = buf.indexOf(TAB, tab2 + 1);
    if (tab3 < 0 || tab3 > lineEnd) tab3 = lineEnd;
    const code = buf.toString('latin1', lineStart, tab1);
    const flag = buf[tab1 + 1];
    if (!CODE.test(code) || tab2 !== tab1 + 2 || (flag !== ZERO && flag !== ONE)) {
      throw new Error(`ICD-10-CM table: line ${lineNo} is not a code row`);
    }
    entries.set(code, buf.toString(encoding, tab1 + 1, tab3));
  }
  if (entries.size === 0) throw new Error('ICD-10-CM table: no codes');
  const decoded = new Map<string, Icd10Entry>();
  return {
    version: about.version,
    effective: { from: about.from, through: about.through },
    size: entries.size,
    lookup(raw: string): Icd10Entry | undefined {
      if (typeof raw !== 'string') return undefined;
      const key = normaliseIcd10Code(raw);
      // Several rules look up the same codes of every chart: each entry is decoded once.
      const cached = decoded.get(key);
      if (cached) return cached;
      const packed = entries.get(key);
      if (packed === undefined) return undefined;
      const entry: Icd10Entry = Object.freeze({
        code: dottedIcd10Code(key),
        billable: packed.charCodeAt(0) === ONE,
        description: packed.slice(2),
      });
      decoded.set(key, entry);
      return entry;
    },
  };
}

/** Reads one table file (gzipped TSV) for the version `about` describes. */
export function loadIcd10cmFile(
  file: string,
  about: { version: Icd10Version; from: string; through: string },
): Icd10Table {
  let gz: Buffer;
  try {
    gz = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `ICD-10-CM table not readable at ${file} (${code}); set CODETRAIL_DATA_DIR to the data folder`,
    );
  }
  return parseIcd10Tsv(gunzipSync(gz), about);
}

const loaded = new Map<string, Icd10Table>();

/**
 * The FY2022 table the repository ships (once per data folder): for tests and tools. The stages take
 * the version in force for each chart from loadCodeTables (code-tables.ts).
 */
export function loadIcd10cm(dataDir?: string): Icd10Table {
  const dir = dataDirOf(dataDir);
  const cached = loaded.get(dir);
  if (cached) return cached;
  const table = loadIcd10cmFile(join(dir, ICD10CM_FILE), { version: 'FY2022', ...FY2022 });
  loaded.set(dir, table);
  return table;
}
