import { readFileSync } from 'node:fs';
import { csvFields } from '#shared/formats/csv-fields.ts';
import { DENIAL_FAMILIES, type DenialFamily, RARC_CODE } from '#shared/model/remittance.ts';

/**
 * Remittance Advice Remark Codes (RARC: 835 LQ*HE, MIA, MOA) with their denial family. File: CSV with
 * the columns `rarc`, a label, `family` (one of DENIAL_FAMILIES), `feeds_coder_feedback` (yes / partial
 * / no); see rarc/SOURCES.md.
 */
export interface RarcEntry {
  code: string;
  label: string;
  family: DenialFamily;
  coderFeedback: 'yes' | 'partial' | 'no';
}

export interface RarcTable {
  readonly version: string;
  readonly sample: boolean;
  readonly size: number;
  lookup(code: string): RarcEntry | undefined;
}

const FEEDBACK = new Set(['yes', 'partial', 'no']);
const FAMILIES: ReadonlySet<string> = new Set(DENIAL_FAMILIES);

export function parseRarcCsv(text: string, info: { version: string; sample?: boolean }): RarcTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const familyAt = header.indexOf('family');
  const feedbackAt = header.indexOf('feeds_coder_feedback');
  if (header[0] !== 'rarc' || familyAt < 0 || feedbackAt < 0)
    throw new Error('RARC table line 1: expected the columns rarc, label, family, feeds_coder_feedback');
  const entries = new Map<string, RarcEntry>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = csvFields(line).map((f) => f.trim());
    const code = (fields[0] ?? '').toUpperCase();
    const family = fields[familyAt] ?? '';
    const coderFeedback = fields[feedbackAt] ?? '';
    if (!RARC_CODE.test(code) || !FAMILIES.has(family) || !FEEDBACK.has(coderFeedback))
      throw new Error(
        `RARC table line ${i + 2}: expected a remark code (M, MA or N and digits), a family (${DENIAL_FAMILIES.join(', ')}) and yes/partial/no`,
      );
    entries.set(code, {
      code,
      label: fields[1] ?? '',
      family: family as DenialFamily,
      coderFeedback: coderFeedback as RarcEntry['coderFeedback'],
    });
  });
  if (entries.size === 0) throw new Error('RARC table holds no codes');
  return {
    version: info.version,
    sample: info.sample ?? false,
    size: entries.size,
    lookup: (code) => entries.get(code.trim().toUpperCase()),
  };
}

export function loadRarcFile(file: string, info: { version: string; sample?: boolean }): RarcTable {
  return parseRarcCsv(readFileSync(file, 'utf8'), info);
}
