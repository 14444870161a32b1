import { headedCsv } from '#shared/formats/csv-fields.ts';
import { DENIAL_FAMILIES, DenialFamily, RARC_CODE } from '#shared/model/remittance.ts';
import {
  type CoderFeedback,
  fileLoader,
  isCoderFeedback,
  type ReasonCodeTable,
  reasonCodeTable,
  type TableInfo,
} from './reason-code-table.ts';

/**
 * Remittance Advice Remark Codes (RARC: 835 LQ*HE, MIA, MOA) with their denial family. File: CSV with
 * the columns `rarc`, a label, `family` (one of DENIAL_FAMILIES), `feeds_coder_feedback` (yes / partial
 * / no); see rarc/SOURCES.md.
 */
export interface RarcEntry {
  code: string;
  label: string;
  family: DenialFamily;
  coderFeedback: CoderFeedback;
}

export type RarcTable = ReasonCodeTable<RarcEntry>;

export function parseRarcCsv(text: string, info: TableInfo): RarcTable {
  const { header, rows } = headedCsv(text);
  const familyAt = header.indexOf('family');
  const feedbackAt = header.indexOf('feeds_coder_feedback');
  if (header[0] !== 'rarc' || familyAt < 0 || feedbackAt < 0)
    throw new Error('RARC table line 1: expected the columns rarc, label, family, feeds_coder_feedback');
  const entries = rows.map(({ line, fields }): RarcEntry => {
    const code = (fields[0] ?? '').toUpperCase();
    const family = DenialFamily.safeParse(fields[familyAt] ?? '');
    const coderFeedback = fields[feedbackAt] ?? '';
    if (!RARC_CODE.test(code) || !family.success || !isCoderFeedback(coderFeedback))
      throw new Error(
        `RARC table line ${line}: expected a remark code (M, MA or N and digits), a family (${DENIAL_FAMILIES.join(', ')}) and yes/partial/no`,
      );
    return { code, label: fields[1] ?? '', family: family.data, coderFeedback };
  });
  return reasonCodeTable(entries, info, 'RARC');
}

export const loadRarcFile = fileLoader(parseRarcCsv);
