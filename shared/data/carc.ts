import { readFileSync } from 'node:fs';
import { familyOfRootCause } from '#shared/denials/families.ts';
import { csvFields } from '#shared/formats/csv-fields.ts';
import { DENIAL_FAMILIES, type DenialFamily } from '#shared/model/remittance.ts';

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
  coderFeedback: 'yes' | 'partial' | 'no';
  /** The family denial metrics and feedback use: the file's `family` column, else from the root cause. */
  family: DenialFamily;
}

export interface CarcTable {
  readonly version: string;
  readonly sample: boolean;
  readonly size: number;
  lookup(code: string): CarcEntry | undefined;
}

const CARC = /^[A-Z]?\d{1,3}$/;
const FEEDBACK = new Set(['yes', 'partial', 'no']);
const FAMILIES: ReadonlySet<string> = new Set(DENIAL_FAMILIES);

export function parseCarcCsv(text: string, info: { version: string; sample?: boolean }): CarcTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
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
  const entries = new Map<string, CarcEntry>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = csvFields(line).map((f) => f.trim());
    const code = (fields[0] ?? '').toUpperCase();
    const rootCause = fields[rootAt] ?? '';
    const coderFeedback = fields[feedbackAt] ?? '';
    const family = familyAt >= 0 && fields[familyAt] ? fields[familyAt] : familyOfRootCause(rootCause);
    if (!CARC.test(code) || !/^[a-z_]{1,60}$/.test(rootCause) || !FEEDBACK.has(coderFeedback))
      throw new Error(
        `CARC table line ${i + 2}: expected a reason code, a root cause (a_word) and yes/partial/no`,
      );
    if (!FAMILIES.has(family))
      throw new Error(`CARC table line ${i + 2}: family must be one of ${DENIAL_FAMILIES.join(', ')}`);
    entries.set(code, {
      code,
      label: fields[1] ?? '',
      rootCause,
      coderFeedback: coderFeedback as CarcEntry['coderFeedback'],
      family: family as DenialFamily,
    });
  });
  if (entries.size === 0) throw new Error('CARC table holds no codes');
  return {
    version: info.version,
    sample: info.sample ?? false,
    size: entries.size,
    lookup: (code) => entries.get(code.trim().toUpperCase()),
  };
}

export function loadCarcFile(file: string, info: { version: string; sample?: boolean }): CarcTable {
  return parseCarcCsv(readFileSync(file, 'utf8'), info);
}
