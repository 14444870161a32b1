import { familyOfRootCause } from '#shared/denials/families.ts';
import { headedCsv } from '#shared/formats/csv-fields.ts';
import { DENIAL_FAMILIES, DenialFamily } from '#shared/model/remittance.ts';
import {
  type CoderFeedback,
  fileLoader,
  isCoderFeedback,
  type ReasonCodeTable,
  reasonCodeTable,
  type TableInfo,
} from './reason-code-table.ts';

/**
 * Claim Adjustment Reason Codes (X12 835 CAS segments) with the root cause codetrail traces a denial
 * to. File: CSV with the columns `carc`, a label, `root_cause_category`, `feeds_coder_feedback`
 * (yes / partial / no), optional `family` (one of DENIAL_FAMILIES; derived from the root cause when
 * absent or blank) and notes; see carc/SOURCES.md.
 */
export interface CarcEntry {
  code: string;
  label: string;
  rootCause: string;
  /** Whether a denial for this reason counts against the coder: yes, only with its remark codes, or no. */
  coderFeedback: CoderFeedback;
  /** The family denial metrics and feedback use: the file's `family` column, else from the root cause. */
  family: DenialFamily;
}

export type CarcTable = ReasonCodeTable<CarcEntry>;

const CARC = /^[A-Z]?\d{1,3}$/;

export function parseCarcCsv(text: string, info: TableInfo): CarcTable {
  const { header, rows } = headedCsv(text);
  if (
    header[0] !== 'carc' ||
    !header.includes('root_cause_category') ||
    !header.includes('feeds_coder_feedback')
  )
    throw new Error(
      'CARC table line 1: expected the columns carc, label, root_cause_category, feeds_coder_feedback',
    );
  const rootAt = header.indexOf('root_cause_category');
  const feedbackAt = header.indexOf('feeds_coder_feedback');
  const familyAt = header.indexOf('family');
  const entries = rows.map(({ line, fields }): CarcEntry => {
    const code = (fields[0] ?? '').toUpperCase();
    const rootCause = fields[rootAt] ?? '';
    const coderFeedback = fields[feedbackAt] ?? '';
    const family = DenialFamily.safeParse(
      familyAt >= 0 && fields[familyAt] ? fields[familyAt] : familyOfRootCause(rootCause),
    );
    if (!CARC.test(code) || !/^[a-z_]{1,60}$/.test(rootCause) || !isCoderFeedback(coderFeedback))
      throw new Error(
        `CARC table line ${line}: expected a reason code, a root cause (a_word) and yes/partial/no`,
      );
    if (!family.success)
      throw new Error(`CARC table line ${line}: family must be one of ${DENIAL_FAMILIES.join(', ')}`);
    return { code, label: fields[1] ?? '', rootCause, coderFeedback, family: family.data };
  });
  return reasonCodeTable(entries, info, 'CARC');
}

export const loadCarcFile = fileLoader(parseCarcCsv);
