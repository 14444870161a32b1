import { readFileSync } from 'node:fs';
import { csvFields } from '#shared/formats/csv-fields.ts';
import { normaliseIcd10Code } from './icd10cm.ts';

/**
 * A versioned list of ICD-10-CM codes with one meaning, e.g. "unacceptable as the principal hospice
 * diagnosis" or "code first: never the principal diagnosis". The file is plain text, one entry per
 * line: the code (dotted or not), optionally a tab and its description; blank lines and lines
 * starting with `#` are comments. An entry names a code and every code under it, as ICD-10-CM's
 * notes at a category apply to its subcodes (`E08` covers `E08.22`).
 */
export interface CodeList {
  readonly version: string;
  readonly sample: boolean;
  readonly size: number;
  /** The entry covering `code` (the longest one), or undefined. */
  match(code: string): { code: string; description: string } | undefined;
}

const CODE = /^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$/;

/** Parses a code list's text; throws naming the first line that is not an entry or a comment. */
export function parseCodeList(text: string, info: { version: string; sample?: boolean }): CodeList {
  const entries = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [rawCode = '', description = ''] = trimmed.includes('\t')
      ? trimmed.split('\t')
      : csvFields(trimmed);
    const code = normaliseIcd10Code(rawCode.trim());
    if (!CODE.test(code)) {
      // A header row (`code,description`) is allowed as the first entry line.
      if (entries.size === 0 && /^code$/i.test(rawCode.trim())) return;
      throw new Error(`code list line ${i + 1}: not an ICD-10-CM code`);
    }
    entries.set(code, description.trim());
  });
  if (entries.size === 0) throw new Error('code list holds no codes');
  return {
    version: info.version,
    sample: info.sample ?? false,
    size: entries.size,
    match(raw) {
      const code = normaliseIcd10Code(raw);
      for (let length = Math.min(code.length, 7); length >= 3; length--) {
        const entry = code.slice(0, length);
        const description = entries.get(entry);
        if (description !== undefined) return { code: entry, description };
      }
      return undefined;
    },
  };
}

export function loadCodeListFile(file: string, info: { version: string; sample?: boolean }): CodeList {
  return parseCodeList(readFileSync(file, 'utf8'), info);
}
