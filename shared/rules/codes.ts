import { dottedIcd10Code, normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import type { Chart, Diagnosis } from '#shared/model/chart.ts';

/**
 * Findings name codes, but a code field is free text written by a person, so a code is echoed only
 * when it has the shape of a code in its system. Anything else (a typo, or worse a name pasted into
 * the field) is described, never repeated.
 */
const SHAPES: Record<Diagnosis['system'], RegExp> = {
  'ICD-10-CM': /^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$/,
  'ICD-9-CM': /^(?:\d{3}|V\d{2}|E\d{3})\d{0,2}$/,
  'SNOMED-CT': /^\d{6,18}$/,
  other: /^$/,
};

/**
 * The code as a finding may print it, or undefined when it does not look like a code of its system.
 * ICD-10-CM prints in its dotted form (`I50.22`); other systems as written (`428.0`, `44054006`).
 */
export function printableCode(code: string, system: Diagnosis['system']): string | undefined {
  const bare = normaliseIcd10Code(code);
  if (!SHAPES[system].test(bare)) return undefined;
  if (system === 'ICD-10-CM') return dottedIcd10Code(bare);
  const written = code.trim().toUpperCase();
  // A code written without a dot is its bare form already: only a dotted one is kept as written.
  return /^[A-Z0-9]+\.[A-Z0-9]+$/.test(written) ? written : bare;
}

/** `I50.22` or, when the value is not code-shaped, a description that repeats nothing of it. */
export function codeLabel(code: string, system: Diagnosis['system']): string {
  return printableCode(code, system) ?? `a value that is not shaped like a code of ${system}`;
}

export function diagnosisPath(index: number, field?: 'code' | 'system' | 'sequence'): string {
  return field ? `diagnoses[${index}].${field}` : `diagnoses[${index}]`;
}

/**
 * The principal diagnosis (sequence 1) when it is an ICD-10-CM code, with its index and bare code:
 * what the principal-diagnosis rules judge. Another system is DX-SYSTEM's to report.
 */
export function icd10Principal(
  chart: Chart,
): { index: number; diagnosis: Diagnosis; code: string; path: string } | undefined {
  const index = chart.diagnoses.findIndex((d) => d.sequence === 1);
  const diagnosis = chart.diagnoses[index];
  if (diagnosis?.system !== 'ICD-10-CM') return undefined;
  return { index, diagnosis, code: normaliseIcd10Code(diagnosis.code), path: diagnosisPath(index, 'code') };
}
