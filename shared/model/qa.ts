import * as z from 'zod';
import { LineOfBusiness } from './chart.ts';

/**
 * The QA review vocabulary: how a reviewer classifies each correction, and the records the review loop
 * keeps per coder. Identifiers and codes only: no PHI (coder and reviewer ids are staff ids).
 */

export const ERROR_CATEGORIES = [
  'principal-selection',
  'sequencing',
  'specificity',
  'missed-comorbidity',
  'unsupported-code',
  'oasis-alignment',
  'visit-coding',
  'hospice-eligibility',
] as const;
export const ErrorCategory = z.enum(ERROR_CATEGORIES);
export type ErrorCategory = z.infer<typeof ErrorCategory>;

export const ERROR_SEVERITIES = ['critical', 'major', 'minor'] as const;
export const ErrorSeverity = z.enum(ERROR_SEVERITIES);
export type ErrorSeverity = z.infer<typeof ErrorSeverity>;

export const CODING_DIRECTIONS = ['over-coded', 'under-coded', 'neutral'] as const;
export const CodingDirection = z.enum(CODING_DIRECTIONS);
export type CodingDirection = z.infer<typeof CodingDirection>;

const icd10 = z.string().min(3).max(16);

/**
 * One correction a reviewer makes. A diagnosis correction names the sequence it changes: `code` replaces
 * the code there (or adds a diagnosis at a new sequence, e.g. a missed comorbidity), `remove` deletes the
 * diagnosis (an unsupported code). A correction without a sequence records an error outside the
 * diagnosis codes (OASIS alignment, visit coding, hospice eligibility) for accuracy and feedback.
 */
export const Correction = z
  .object({
    category: ErrorCategory,
    severity: ErrorSeverity,
    direction: CodingDirection,
    sequence: z.int().min(1).optional().describe('The diagnosis sequence the correction changes'),
    code: icd10.optional().describe('The corrected ICD-10-CM code at that sequence'),
    remove: z.literal(true).optional().describe('The diagnosis at that sequence is not supported: removed'),
    path: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_.[\]-]+$/)
      .optional()
      .describe('For corrections outside the diagnoses: the chart field, e.g. visits[3].hcpcs'),
  })
  .refine((c) => !(c.code && c.remove), { message: 'a correction either replaces a code or removes it' })
  .refine((c) => (c.code === undefined && c.remove === undefined) || c.sequence !== undefined, {
    message: 'a code change needs the diagnosis sequence it changes',
    path: ['sequence'],
  });
export type Correction = z.infer<typeof Correction>;

/** What a review found, scored: the unit of every accuracy figure. */
export const ReviewScore = z.object({
  /** No major or critical correction. */
  chartAccurate: z.boolean(),
  /** The diagnosis codes reviewed: those the coder coded, plus those the reviewer added. */
  codesReviewed: z.int().min(0),
  /** Codes the reviewer kept as coded. */
  codesConfirmed: z.int().min(0),
});
export type ReviewScore = z.infer<typeof ReviewScore>;

/**
 * One QA review of a coder's chart version, kept per coder (the coder ledger): what accuracy,
 * probation and reviewer agreement are computed from. Immutable; a dispute's outcome is its own record.
 */
export const ReviewRecord = z.object({
  kind: z.literal('review'),
  agencyId: z.string(),
  coderId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
  reviewerId: z.string(),
  reviewedAt: z.string(),
  /** first: the review that decides; second: a blind second review for reviewer agreement. */
  round: z.enum(['first', 'second']).default('first'),
  outcome: z.enum(['agree', 'corrected', 'rejected']),
  lineOfBusiness: LineOfBusiness,
  /** ICD-10-CM category (3 characters) of the principal diagnosis as coded. */
  category: z.string().max(8).optional(),
  score: ReviewScore,
  corrections: z
    .array(z.object({ category: ErrorCategory, severity: ErrorSeverity, direction: CodingDirection }))
    .default([]),
});
export type ReviewRecord = z.infer<typeof ReviewRecord>;

/** A chart version a coder coded that reached QA sampling: counts toward the probation window. */
export const CodedRecord = z.object({
  kind: z.literal('coded'),
  agencyId: z.string(),
  coderId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
  codedAt: z.string().describe('codingCompletedAt of the chart version, else when sampling saw it'),
  lineOfBusiness: LineOfBusiness,
});
export type CodedRecord = z.infer<typeof CodedRecord>;

/** A coding-related denial traced to a coder's chart version (denial ingestion). */
export const DenialMark = z.object({
  kind: z.literal('denial'),
  agencyId: z.string(),
  coderId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
  deniedAt: z.string(),
  reasonCodes: z.array(z.string()),
  /** ICD-10-CM category of the billed principal diagnosis, for the category risk factor. */
  category: z.string().max(8).optional(),
  /** The chart was billed with a QA reviewer's corrected codes: not counted against the coder. */
  qaCorrected: z.boolean().optional(),
});
export type DenialMark = z.infer<typeof DenialMark>;

/**
 * A dispute's outcome, kept per coder: an overturned dispute replaces the review's score by the score
 * without the overturned corrections (the review record itself never changes).
 */
export const DisputeRecord = z.object({
  kind: z.literal('dispute'),
  agencyId: z.string(),
  coderId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
  reviewedAt: z.string().describe('The disputed review'),
  resolvedAt: z.string(),
  reviewerId: z.string().describe('The senior reviewer who decided'),
  outcome: z.enum(['upheld', 'overturned']),
  corrections: z.array(z.int().min(0)),
  score: ReviewScore.describe('The review scored without the overturned corrections (as before when upheld)'),
});
export type DisputeRecord = z.infer<typeof DisputeRecord>;

export type CoderRecord = ReviewRecord | CodedRecord | DenialMark | DisputeRecord;
