import { createReadStream } from 'node:fs';
import { LineSplitter } from '#shared/formats/byte-lines.ts';

/**
 * Reads CMS's ICD-10-CM order file (`icd10cm_order_<FY>.txt`, in the "Code Descriptions in Tabular
 * Order" ZIP), fixed width: order number in columns 1-5, the code (no dot) in 7-13, the valid-for-HIPAA
 * flag (1 billable, 0 header) in 15, the short description in 17-76 and the long one from 78 (layout as
 * read by vcastro/icd10us `data-raw/icd10cm.R`; see domain-rules.md §2.1).
 */
export interface OrderFileRow {
  code: string;
  billable: boolean;
  description: string;
}

const CODE = /^[A-Z][0-9][0-9A-Z]{1,5}$/;

/** One line of the order file, or why it is not a code row. */
export function parseOrderLine(line: string): OrderFileRow | { error: string } {
  const text = line.replace(/\r$/, '');
  if (text.length < 78) return { error: 'shorter than the order file layout (78 columns)' };
  if (!/^\d{5} $/.test(text.slice(0, 6))) return { error: 'columns 1-5 are not an order number' };
  const code = text.slice(6, 13).trim();
  if (!CODE.test(code)) return { error: 'columns 7-13 are not an ICD-10-CM code' };
  const flag = text[14];
  if (flag !== '0' && flag !== '1') return { error: 'column 15 is not 0 or 1' };
  const description = text.slice(77).trim();
  if (!description) return { error: 'no long description from column 78' };
  return { code, billable: flag === '1', description };
}

/** The TSV header the shipped tables use (shared/data/icd10cm/SOURCES.md). */
export const TABLE_HEADER =
  'icd10cm_code\tvalid_billing_code\ticd10cm_long_description\tpoa_exempt\tchronic_indicator';

/**
 * Converts an order file to the table format, streamed line by line. A line that is not a code row is
 * an error naming its number: a truncated or wrong file must not become a table that looks complete.
 */
export async function convertOrderFile(
  path: string,
): Promise<{ tsv: string; codes: number; billable: number }> {
  const rows: string[] = [TABLE_HEADER];
  let billable = 0;
  const splitter = new LineSplitter({ maxLineBytes: 4096 });
  const take = (lines: ReturnType<LineSplitter['push']>) => {
    for (const line of lines) {
      if ('error' in line) throw new Error(`order file line ${line.line}: ${line.error}`);
      if (line.text.trim() === '') continue;
      const row = parseOrderLine(line.text);
      if ('error' in row) throw new Error(`order file line ${line.line}: ${row.error}`);
      if (row.billable) billable++;
      rows.push(`${row.code}\t${row.billable ? 1 : 0}\t${row.description.replaceAll('\t', ' ')}\t\t`);
    }
  };
  for await (const chunk of createReadStream(path)) take(splitter.push(chunk as Buffer));
  take(splitter.finish());
  if (rows.length === 1) throw new Error('order file holds no codes');
  return { tsv: `${rows.join('\n')}\n`, codes: rows.length - 1, billable };
}
