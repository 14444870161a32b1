import { dispositionOf } from '#shared/denials/disposition.ts';
import { calendarDate } from '#shared/formats/calendar-date.ts';
import { csvFields } from '#shared/formats/csv-fields.ts';
import {
  AdjustmentGroup,
  type ClaimAdjustment,
  REMARK_CODE,
  RemittanceClaim,
  type RemittancePayment,
} from '#shared/model/remittance.ts';

/**
 * The CSV denial export: what a billing system that cannot send an X12 835 drops instead, one claim a
 * line, read into the same `RemittanceClaim` the 835 reader gives. docs/denial-csv.md documents it.
 *
 * One physical line is one record: a quoted field may hold commas and doubled quotes (RFC 4180) but
 * not a line break, because exports of this kind never need one and reading line by line keeps every
 * issue on the line a person sees in an editor. A line with any issue is skipped and the others go
 * on. Cell values may be PHI, so an issue names the line, the column and what was expected, never the
 * value.
 */

export interface DenialCsvColumn {
  name: string;
  required: boolean;
  description: string;
}

export const DENIAL_CSV_COLUMNS = [
  {
    name: 'claim_ref',
    required: true,
    description:
      "CLP01: the claimRef codetrail gave the claim at billing handoff (1 to 38 characters); becomes the claim's patient control number",
  },
  {
    name: 'status',
    required: true,
    description:
      'paid, denied or reversal (any case), read as CLP02 1, 4 and 22; or a 1-2 digit CLP02 code, kept as is',
  },
  { name: 'charge', required: false, description: 'the billed amount, a plain decimal (default 0)' },
  { name: 'paid', required: false, description: 'the amount the payer paid, a plain decimal (default 0)' },
  {
    name: 'patient_responsibility',
    required: false,
    description: "the patient's share, a plain decimal (default 0)",
  },
  {
    name: 'reason_codes',
    required: false,
    description:
      'claim adjustments as GROUP-CARC or GROUP-CARC:amount (GROUP one of CO, PR, OA, PI, the 5010 CAS groups; CARC 1-5 letters or digits), separated by ; or spaces; a denied line needs at least one',
  },
  {
    name: 'remark_codes',
    required: false,
    description: 'RARCs (1-8 letters or digits each), separated by ; or spaces',
  },
  {
    name: 'payer_claim_number',
    required: false,
    description: "CLP07, the payer's own claim number (at most 50 characters)",
  },
  {
    name: 'frequency',
    required: false,
    description: 'CLP09, one digit: 1 original, 7 replacement, 8 void',
  },
  {
    name: 'paid_date',
    required: false,
    description: 'when the payer adjudicated or paid the claim: YYYY-MM-DD or MM/DD/YYYY',
  },
  {
    name: 'payer_name',
    required: false,
    description: "file level: the payer's name (at most 200 characters)",
  },
  { name: 'payer_id', required: false, description: "file level: the payer's id (at most 80 characters)" },
  {
    name: 'trace_number',
    required: false,
    description: 'file level: the check or EFT trace number (at most 80 characters)',
  },
  {
    name: 'payment_date',
    required: false,
    description: 'file level: the date of the payment, YYYY-MM-DD or MM/DD/YYYY',
  },
] as const satisfies readonly DenialCsvColumn[];

type ColumnName = (typeof DENIAL_CSV_COLUMNS)[number]['name'];

export interface DenialCsvIssue {
  /** 1-based physical line of the file. */
  line: number;
  column?: string;
  reason: string;
}

export interface DenialCsvRead {
  payment: RemittancePayment;
  claims: { line: number; claim: RemittanceClaim }[];
  issues: DenialCsvIssue[];
}

/** Reads a whole CSV denial export; never throws, whatever the text. */
export function readDenialCsv(text: string): DenialCsvRead {
  const lines = physicalLines(text);
  const claims: DenialCsvRead['claims'] = [];
  const issues: DenialCsvIssue[] = [];
  // The header is the first line with a cell filled.
  let first = -1;
  let headerFields: string[] = [];
  for (let i = 0; i < lines.length && first < 0; i++) {
    const fields = csvFields(lines[i] ?? '');
    if (!isBlank(fields)) [first, headerFields] = [i, fields];
  }
  const header = readHeader(headerFields, first < 0 ? 1 : first + 1);
  issues.push(...header.issues);
  if (!header.columns) return { payment: {}, claims, issues };

  const payment = new PaymentFields();
  for (let i = first + 1; i < lines.length; i++) {
    const row = readRow(lines[i] ?? '', header.columns, i + 1, payment);
    if ('claim' in row) claims.push({ line: i + 1, claim: row.claim });
    else issues.push(...row.issues);
  }
  return { payment: payment.value(), claims, issues };
}

/** CRLF, LF and a lone CR all end a line, so line numbers match what an editor shows. */
function physicalLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

/** Blank lines, and the all-empty rows spreadsheets write for them (`,,,`), are skipped. */
function isBlank(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

// ---------------------------------------------------------------------------------------------------
// Header

/** Where each known column is, and how many cells the header has (unknown columns included). */
interface Columns {
  index: ReadonlyMap<ColumnName, number>;
  width: number;
}

const KNOWN = new Set<string>(DENIAL_CSV_COLUMNS.map((c) => c.name));
const REQUIRED = DENIAL_CSV_COLUMNS.filter((c) => c.required).map((c) => c.name);

function readHeader(cells: string[], line: number): { columns?: Columns; issues: DenialCsvIssue[] } {
  const names = cells.map((c) => c.trim().toLowerCase());
  // Without one known name the first line is data, not a header: its cells may be PHI, so none of them
  // is reported as an unknown column.
  if (!names.some((n) => KNOWN.has(n)))
    return {
      issues: [
        {
          line,
          reason: `no header row: the first line must name the columns (at least ${REQUIRED.join(', ')})`,
        },
      ],
    };
  const missing = REQUIRED.filter((r) => !names.includes(r));
  if (missing.length > 0)
    return {
      issues: [{ line, column: missing.join(', '), reason: 'the header lacks a required column' }],
    };
  const duplicated = names.filter((n, i) => KNOWN.has(n) && names.indexOf(n) !== i);
  // Two columns of one name leave no way to tell which one the billing system meant.
  if (duplicated.length > 0)
    return {
      issues: [{ line, column: duplicated[0], reason: 'the header names this column more than once' }],
    };
  return { columns: { index: columnIndex(names), width: names.length }, issues: unknownColumns(names, line) };
}

function columnIndex(names: string[]): Columns['index'] {
  const columns = new Map<ColumnName, number>();
  names.forEach((n, i) => {
    if (KNOWN.has(n)) columns.set(n as ColumnName, i);
  });
  return columns;
}

/** Each unknown column once; an unnamed column (a trailing comma) is not worth an issue. */
function unknownColumns(names: string[], line: number): DenialCsvIssue[] {
  const unknown = new Set(names.filter((n) => n !== '' && !KNOWN.has(n)));
  return [...unknown].map((column) => ({ line, column, reason: 'unknown column, ignored' }));
}

// ---------------------------------------------------------------------------------------------------
// Data lines

type Parsed<T> = { value: T } | { reason: string };

type RowResult = { claim: RemittanceClaim } | { issues: DenialCsvIssue[] };

/** What one data line says, cell by cell; `undefined` where the cell is empty or absent. */
type Cells = Partial<Record<ColumnName, string>>;

function readRow(text: string, columns: Columns, line: number, payment: PaymentFields): RowResult {
  const fields = csvFields(text);
  if (isBlank(fields)) return { issues: [] };
  const shape = rowShapeIssue(text, fields, columns, line);
  if (shape) return { issues: [shape] };
  const cells = cellsOf(fields, columns);
  const claim = claimOf(cells, line);
  const paid = payment.check(cells, line);
  // Every issue of the line at once, so one pass over the report shows all it needs.
  const issues = [...('issues' in claim ? claim.issues : []), ...paid.issues];
  if ('issues' in claim || issues.length > 0) return { issues };
  payment.keep(paid.fresh, line);
  return claim;
}

/** Problems that make every cell of the line doubtful, reported before any cell is read. */
function rowShapeIssue(
  text: string,
  fields: string[],
  columns: Columns,
  line: number,
): DenialCsvIssue | undefined {
  // An odd count of quotes means a quoted field runs to the end of the line (csvFields reads it that
  // way): most likely a line break inside quotes, which this format does not support.
  let quotes = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) quotes++;
  if (quotes % 2 === 1)
    return { line, reason: 'a quoted field is not closed (line breaks inside quotes are not supported)' };
  // Extra filled cells usually mean an unquoted comma (say in 1,234.00) shifted the cells after it.
  if (fields.slice(columns.width).some((f) => f.trim() !== ''))
    return {
      line,
      reason: 'the line has more cells than the header names (quote a cell that holds a comma)',
    };
  return undefined;
}

function cellsOf(fields: string[], columns: Columns): Cells {
  const cells: Cells = {};
  for (const [name, index] of columns.index) {
    const value = fields[index]?.trim() ?? '';
    if (value !== '') cells[name] = value;
  }
  return cells;
}

/** A claim from the cells, or every issue the cells have (so one pass shows all a line needs). */
function claimOf(cells: Cells, line: number): { claim: RemittanceClaim } | { issues: DenialCsvIssue[] } {
  const issues: DenialCsvIssue[] = [];
  const take = <T>(column: ColumnName, parsed: Parsed<T>, fallback: T): T => {
    if ('value' in parsed) return parsed.value;
    issues.push({ line, column, reason: parsed.reason });
    return fallback;
  };
  const optional = <T>(column: ColumnName, parse: (v: string) => Parsed<T>): T | undefined => {
    const cell = cells[column];
    return cell === undefined ? undefined : take(column, parse(cell), undefined);
  };

  const patientControlNumber = take('claim_ref', parseClaimRef(cells.claim_ref), '');
  const statusCode = take('status', parseStatus(cells.status), '');
  const charge = optional('charge', parseAmount) ?? 0;
  const payment = optional('paid', parseAmount) ?? 0;
  const patientResponsibility = optional('patient_responsibility', parseAmount) ?? 0;
  const adjustments = optional('reason_codes', parseReasonCodes) ?? [];
  const remarkCodes = optional('remark_codes', parseRemarkCodes) ?? [];
  const payerClaimControlNumber = optional('payer_claim_number', limitedText(50));
  const frequency = optional('frequency', parseFrequency);
  const paidDate = optional('paid_date', parseDate);
  if (issues.length > 0) return { issues };

  const disposition = dispositionOf(statusCode, payment, adjustments);
  // A denial without a reason cannot be classified or traced to a coder: the file must say why.
  if (disposition === 'denied' && adjustments.length === 0)
    return {
      issues: [{ line, column: 'reason_codes', reason: 'a denied claim needs at least one reason code' }],
    };

  const claim: RemittanceClaim = {
    patientControlNumber,
    statusCode,
    disposition,
    charge,
    payment,
    patientResponsibility,
    adjustments,
    remarkCodes,
    ...(payerClaimControlNumber === undefined ? {} : { payerClaimControlNumber }),
    ...(frequency === undefined ? {} : { frequency }),
    ...(paidDate === undefined ? {} : { paidDate }),
  };
  return modelCheck(claim, line);
}

/** The model's own schema has the last word, so the reader cannot drift from it unnoticed. */
function modelCheck(
  claim: RemittanceClaim,
  line: number,
): { claim: RemittanceClaim } | { issues: DenialCsvIssue[] } {
  const checked = RemittanceClaim.safeParse(claim);
  if (checked.success) return { claim: checked.data };
  // Zod's message is left out on purpose: a custom one could quote the value.
  return {
    issues: checked.error.issues.map((i) => ({
      line,
      column: COLUMN_OF_FIELD.get(String(i.path[0])) ?? String(i.path[0]),
      reason: `does not fit the remittance model (${i.code} at ${i.path.join('.') || 'claim'})`,
    })),
  };
}

const COLUMN_OF_FIELD = new Map<string, ColumnName>([
  ['patientControlNumber', 'claim_ref'],
  ['statusCode', 'status'],
  ['disposition', 'status'],
  ['charge', 'charge'],
  ['payment', 'paid'],
  ['patientResponsibility', 'patient_responsibility'],
  ['adjustments', 'reason_codes'],
  ['remarkCodes', 'remark_codes'],
  ['payerClaimControlNumber', 'payer_claim_number'],
  ['frequency', 'frequency'],
  ['paidDate', 'paid_date'],
]);

// ---------------------------------------------------------------------------------------------------
// File-level payment fields

const PAYMENT_COLUMNS = [
  { column: 'payer_name', field: 'payerName', parse: limitedText(200) },
  { column: 'payer_id', field: 'payerId', parse: limitedText(80) },
  { column: 'trace_number', field: 'traceNumber', parse: limitedText(80) },
  { column: 'payment_date', field: 'paymentDate', parse: parseDate },
] as const;

/**
 * One file is one payment: its payer, trace number and date come from the first accepted line that
 * has them. A later line that disagrees belongs to another payment, so it is reported and skipped
 * rather than filed under this one.
 */
class PaymentFields {
  private readonly seen = new Map<string, { value: string; line: number }>();

  /** The line's payment cells: issues when one is bad or disagrees, else the values not seen before. */
  check(cells: Cells, line: number): { issues: DenialCsvIssue[]; fresh: [string, string][] } {
    const issues: DenialCsvIssue[] = [];
    const fresh: [string, string][] = [];
    for (const { column, parse } of PAYMENT_COLUMNS) {
      const cell = cells[column];
      if (cell === undefined) continue;
      const parsed = parse(cell);
      const first = this.seen.get(column);
      if (!('value' in parsed)) issues.push({ line, column, reason: parsed.reason });
      else if (!first) fresh.push([column, parsed.value]);
      else if (first.value !== parsed.value)
        issues.push({
          line,
          column,
          reason: `differs from line ${first.line}: one file must hold one payment`,
        });
    }
    return { issues, fresh };
  }

  /** Called for accepted lines only: a skipped line decides nothing about the payment. */
  keep(fresh: [string, string][], line: number): void {
    for (const [column, value] of fresh) this.seen.set(column, { value, line });
  }

  value(): RemittancePayment {
    const payment: RemittancePayment = {};
    for (const { column, field } of PAYMENT_COLUMNS) {
      const kept = this.seen.get(column);
      if (kept) payment[field] = kept.value;
    }
    return payment;
  }
}

// ---------------------------------------------------------------------------------------------------
// Cells

function parseClaimRef(cell: string | undefined): Parsed<string> {
  if (cell === undefined) return { reason: 'required: the claimRef from billing handoff' };
  // Control characters would not survive an X12 round trip, so no claimRef holds one.
  if (cell.length > 38 || /\p{Cc}/u.test(cell))
    return { reason: 'expected 1 to 38 printable characters (the claimRef from billing handoff)' };
  return { value: cell };
}

const STATUS_WORDS = new Map([
  ['paid', '1'],
  ['denied', '4'],
  ['reversal', '22'],
]);

function parseStatus(cell: string | undefined): Parsed<string> {
  const reason = 'expected paid, denied, reversal or a 1-2 digit CLP02 code';
  if (cell === undefined) return { reason: `required: ${reason}` };
  const word = STATUS_WORDS.get(cell.toLowerCase());
  if (word) return { value: word };
  return /^\d{1,2}$/.test(cell) ? { value: cell } : { reason };
}

/** Plain decimals only: a currency sign or a thousands separator is a sign the export is a report. */
const AMOUNT = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

function parseAmount(cell: string): Parsed<number> {
  const n = AMOUNT.test(cell) ? Number(cell) : Number.NaN;
  if (!Number.isFinite(n))
    return {
      reason: 'expected a plain decimal such as 1234.50 or -12.5 (no currency sign, no thousands separator)',
    };
  // -0 would read back unequal to 0 in every comparison that uses Object.is.
  return { value: n === 0 ? 0 : n };
}

/** `;` or white space between entries: both are what people type in one spreadsheet cell. */
function entries(cell: string): string[] {
  return cell.split(/[;\s]+/).filter((e) => e !== '');
}

const REASON_CODE = new RegExp(`^(${AdjustmentGroup.options.join('|')})-([A-Z0-9]{1,5})(?::(.+))?$`);

function parseReasonCodes(cell: string): Parsed<ClaimAdjustment[]> {
  const adjustments: ClaimAdjustment[] = [];
  for (const [i, entry] of entries(cell).entries()) {
    const adjustment = reasonCode(entry.toUpperCase());
    if (!adjustment)
      return {
        reason: `entry ${i + 1}: expected GROUP-CARC or GROUP-CARC:amount (GROUP one of CO, PR, OA, PI; CARC 1-3 digits or a letter and 1-2 digits; amount a plain decimal)`,
      };
    adjustments.push(adjustment);
  }
  return { value: adjustments };
}

function reasonCode(entry: string): ClaimAdjustment | undefined {
  const m = REASON_CODE.exec(entry);
  if (!m) return undefined;
  const amount = m[3] === undefined ? { value: 0 } : parseAmount(m[3]);
  if (!('value' in amount)) return undefined;
  return {
    group: m[1] as ClaimAdjustment['group'],
    reason: m[2] ?? '',
    amount: amount.value,
    level: 'claim',
  };
}

function parseRemarkCodes(cell: string): Parsed<string[]> {
  const codes = entries(cell).map((e) => e.toUpperCase());
  const bad = codes.findIndex((c) => !REMARK_CODE.test(c));
  if (bad >= 0) return { reason: `entry ${bad + 1}: expected a remark code of 1-2 letters and 1-4 digits` };
  return { value: codes };
}

function parseFrequency(cell: string): Parsed<string> {
  return /^\d$/.test(cell)
    ? { value: cell }
    : { reason: 'expected one digit (1 original, 7 replacement, 8 void)' };
}

function limitedText(max: number): (cell: string) => Parsed<string> {
  return (cell) => (cell.length <= max ? { value: cell } : { reason: `expected at most ${max} characters` });
}

/** YYYY-MM-DD, or the US MM/DD/YYYY spreadsheets write (one-digit month and day too), to an ISO date. */
function parseDate(cell: string): Parsed<string> {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cell);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  const date = calendarDate(Number(y), Number(m), Number(d));
  return date ? { value: date } : { reason: 'expected a real calendar date as YYYY-MM-DD or MM/DD/YYYY' };
}
