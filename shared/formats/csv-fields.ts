/** One CSV line's fields (RFC 4180 quoting: "a, b" and "" for a quote). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/**
 * A CSV file with a header row: the header's names trimmed and lowercased, then each non-blank line's
 * fields trimmed, with its 1-based line number for error messages. A byte-order mark is dropped.
 */
export function headedCsv(text: string): { header: string[]; rows: { line: number; fields: string[] }[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const rows: { line: number; fields: string[] }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() !== '') rows.push({ line: i + 1, fields: csvFields(line).map((f) => f.trim()) });
  }
  return { header, rows };
}
