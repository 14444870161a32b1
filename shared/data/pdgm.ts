import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { csvFields } from '#shared/formats/csv-fields.ts';
import { normaliseIcd10Code } from './icd10cm.ts';

/**
 * PDGM tables: the code list (each ICD-10-CM code's clinical group, when it may be the principal
 * diagnosis, and comorbidity subgroup) and the grouper parameters (OASIS functional points, thresholds,
 * comorbidity subgroups and interactions), one version per calendar year or grouper release.
 */

/** HIPPS position 2: the twelve clinical groups (domain-rules.md §1.2; verify against CMS HIPPS_Structure.txt). */
export const CLINICAL_GROUPS = {
  A: 'MMTA - Other',
  B: 'Neuro Rehab',
  C: 'Wound',
  D: 'Complex Nursing Interventions',
  E: 'MS Rehab',
  F: 'Behavioral Health',
  G: 'MMTA - Surgical Aftercare',
  H: 'MMTA - Cardiac and Circulatory',
  I: 'MMTA - Endocrine',
  J: 'MMTA - GI/GU',
  K: 'MMTA - Infectious Disease, Neoplasms, and Blood-Forming Diseases',
  L: 'MMTA - Respiratory',
} as const;
export type ClinicalGroup = keyof typeof CLINICAL_GROUPS;

export interface PdgmCode {
  code: string;
  description: string;
  /** Absent: the code may not be the principal diagnosis of a home health period (it does not group). */
  clinicalGroup?: ClinicalGroup;
  comorbidityGroup?: string;
}

const Threshold = z.object({ medium: z.int().min(0), high: z.int().min(0) });
export const PdgmParams = z.object({
  $comment: z.string().optional(),
  functionalPoints: z.record(z.string(), z.record(z.string(), z.int().min(0))),
  hospitalizationRisk: z.object({
    items: z.array(z.string()).min(1),
    minChecked: z.int().min(1),
    points: z.int().min(0),
  }),
  thresholds: z.record(
    z.enum(Object.keys(CLINICAL_GROUPS) as [ClinicalGroup, ...ClinicalGroup[]]),
    Threshold,
  ),
  lowComorbidity: z.array(z.string()),
  interactions: z.array(z.tuple([z.string(), z.string()])),
  lupaThresholds: z
    .record(z.string().regex(/^[1-4][A-L][A-C][1-3]1$/), z.int().min(1))
    .optional()
    .describe(
      "Visits below which a 30-day period is a LUPA, by HIPPS (CMS's case-mix weights and LUPA thresholds file)",
    ),
});
export type PdgmParams = z.infer<typeof PdgmParams>;

export interface PdgmTables {
  readonly version: string;
  readonly effective: { readonly from: string; readonly through: string };
  /** A sample lists some codes only: a code it does not list is unknown, not unacceptable. */
  readonly sample: boolean;
  readonly params: PdgmParams;
  lookup(code: string): PdgmCode | undefined;
}

const GROUP_BY_NAME = new Map<string, ClinicalGroup>(
  Object.entries(CLINICAL_GROUPS).flatMap(([letter, name]) => [
    [squash(name), letter as ClinicalGroup],
    [letter.toLowerCase(), letter as ClinicalGroup],
  ]),
);

/** Group names as CMS's workbook and others spell them: case, spaces and dashes do not matter. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const COLUMNS = {
  code: ['code', 'icd10code', 'icd10cmcode', 'diagnosiscode'],
  description: ['description', 'longdescription', 'codedescription'],
  clinicalGroup: ['clinicalgroup', 'clinicalgrouping'],
  comorbidityGroup: ['comorbiditygroup', 'comorbiditysubgroup', 'comorbidityadjustment'],
} as const;

/**
 * Reads a PDGM code list CSV: a header naming code, description, clinical group and comorbidity group
 * (as CMS's workbook exports them, or our own names), then one code a line. A clinical group that is
 * none of the twelve is an error: a misspelt group must not silently make codes ungroupable.
 */
export function parsePdgmCodes(text: string): Map<string, PdgmCode> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map(squash);
  const column = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const at = {
    code: column(COLUMNS.code),
    description: column(COLUMNS.description),
    clinicalGroup: column(COLUMNS.clinicalGroup),
    comorbidityGroup: column(COLUMNS.comorbidityGroup),
  };
  if (at.code < 0 || at.clinicalGroup < 0)
    throw new Error('PDGM code list: the header needs a code column and a clinical group column');
  const codes = new Map<string, PdgmCode>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const fields = csvFields(line);
    const code = (fields[at.code] ?? '').trim();
    if (!/^[A-Z][0-9][0-9A-Z.]{1,6}$/.test(code.toUpperCase()))
      throw new Error(`PDGM code list: line ${i + 1} has no ICD-10-CM code`);
    const groupName = (fields[at.clinicalGroup] ?? '').trim();
    const clinicalGroup = groupName ? GROUP_BY_NAME.get(squash(groupName)) : undefined;
    if (groupName && !clinicalGroup)
      throw new Error(`PDGM code list: line ${i + 1} names a clinical group that is none of the twelve`);
    const comorbidityGroup = at.comorbidityGroup >= 0 ? (fields[at.comorbidityGroup] ?? '').trim() : '';
    const entry: PdgmCode = {
      code: code.toUpperCase(),
      description: at.description >= 0 ? (fields[at.description] ?? '').trim() : '',
    };
    if (clinicalGroup) entry.clinicalGroup = clinicalGroup;
    if (comorbidityGroup) entry.comorbidityGroup = comorbidityGroup;
    codes.set(normaliseIcd10Code(code), entry);
  }
  if (codes.size === 0) throw new Error('PDGM code list: no codes');
  return codes;
}

/** OASIS responses are two digits (`02`): a params file keyed `2` means the same response. */
export function normaliseParams(params: PdgmParams): PdgmParams {
  const functionalPoints = Object.fromEntries(
    Object.entries(params.functionalPoints).map(([item, table]) => [
      item,
      Object.fromEntries(
        Object.entries(table).map(([response, points]) => [response.trim().padStart(2, '0'), points]),
      ),
    ]),
  );
  return { ...params, functionalPoints };
}

/** Loads one PDGM version: its code list and its parameters (file paths), as code-tables.json names them. */
export function loadPdgmFiles(
  codesFile: string,
  paramsFile: string,
  about: { version: string; from: string; through: string; sample: boolean },
): PdgmTables {
  const codes = parsePdgmCodes(readFileSync(codesFile, 'utf8'));
  const params = normaliseParams(PdgmParams.parse(JSON.parse(readFileSync(paramsFile, 'utf8'))));
  return {
    version: about.version,
    effective: { from: about.from, through: about.through },
    sample: about.sample,
    params,
    lookup: (code) => (typeof code === 'string' ? codes.get(normaliseIcd10Code(code)) : undefined),
  };
}
