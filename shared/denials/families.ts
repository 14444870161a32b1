import { DENIAL_FAMILIES, type DenialFamily } from '#shared/model/remittance.ts';

/**
 * The family of a CARC root-cause category (the finer classification of carc_root_causes.csv): a table
 * without a `family` column is mapped with this, so a category an agency adds still lands somewhere.
 * A root cause that names a family (`coding_bundling`) belongs to it; the exceptions are listed; the
 * rest (provider_eligibility, provider_data, billing_data, billing_sequence, unspecified, anything
 * new) are `other`.
 */
const BY_ROOT_CAUSE: ReadonlyMap<string, DenialFamily> = new Map([
  ['documentation_medical_necessity', 'medical_necessity'],
  ['coverage', 'medical_necessity'],
  ['coverage_documentation', 'documentation'],
  ['cob', 'eligibility'],
]);

export function familyOfRootCause(rootCause: string): DenialFamily {
  // A Map, not an object: a root cause such as `constructor` must not find Object's prototype.
  const listed = BY_ROOT_CAUSE.get(rootCause);
  if (listed) return listed;
  for (const family of DENIAL_FAMILIES)
    if (rootCause === family || rootCause.startsWith(`${family}_`)) return family;
  return 'other';
}

/**
 * Which family wins when a claim carries reasons of several: the one that says most about what to fix.
 * A coder-related reason first (it is the one rework and QA act on), contractual and patient
 * responsibility last (they explain amounts, not a denial).
 */
export const FAMILY_PRECEDENCE: readonly DenialFamily[] = [
  'coding',
  'documentation',
  'medical_necessity',
  'authorization',
  'eligibility',
  'timely_filing',
  'duplicate',
  'other',
  'contractual',
  'patient_responsibility',
];
