import { DENIAL_FAMILIES, type DenialFamily } from '#shared/model/remittance.ts';

/**
 * The family of a CARC root-cause category (the finer classification of carc_root_causes.csv): a table
 * without a `family` column is mapped with this, so a category an agency adds still lands somewhere.
 * A root cause that names a family (`coding_bundling`) belongs to it; the rest are listed.
 */
const BY_ROOT_CAUSE: Readonly<Record<string, DenialFamily>> = {
  documentation_medical_necessity: 'medical_necessity',
  coverage: 'medical_necessity',
  coverage_documentation: 'documentation',
  cob: 'eligibility',
  provider_eligibility: 'other',
  provider_data: 'other',
  billing_data: 'other',
  billing_sequence: 'other',
  unspecified: 'other',
};

/** Every family but `other` names the root causes that start with it. */
const PREFIXES = DENIAL_FAMILIES.filter((f) => f !== 'other');

export function familyOfRootCause(rootCause: string): DenialFamily {
  const listed = BY_ROOT_CAUSE[rootCause];
  if (listed) return listed;
  for (const family of PREFIXES)
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
