/**
 * Reads a canonical export file: a JSON object (one chart), a JSON array (many charts) or NDJSON (one
 * chart per line). Every entry comes back with its line number, or a parse error for that line, so a
 * broken line is reported while the rest of the file goes on.
 */
export type CanonicalEntry = { line: number; value: unknown } | { line: number; error: string };

export function readCanonical(text: string, fileName: string): CanonicalEntry[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  const looksNdjson = /\.(ndjson|jsonl)$/i.test(fileName);
  if (!looksNdjson && (trimmed.startsWith('[') || trimmed.startsWith('{'))) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed)) return parsed.map((value, i) => ({ line: i + 1, value }));
      return [{ line: 1, value: parsed }];
    } catch {
      // A .json that is not one JSON document may still be NDJSON written with the wrong extension.
      if (!trimmed.startsWith('{')) return [{ line: 1, error: 'not valid JSON' }];
    }
  }
  return readNdjson(body);
}

function readNdjson(body: string): CanonicalEntry[] {
  const entries: CanonicalEntry[] = [];
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    try {
      entries.push({ line: i + 1, value: JSON.parse(line) });
    } catch {
      entries.push({ line: i + 1, error: 'line is not valid JSON' });
    }
  }
  if (entries.length === 0) entries.push({ line: 1, error: 'file holds no charts' });
  return entries;
}
