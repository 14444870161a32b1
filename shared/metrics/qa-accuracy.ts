import {
  CODING_DIRECTIONS,
  type CodingDirection,
  ERROR_CATEGORIES,
  ERROR_SEVERITIES,
  type ErrorCategory,
  type ErrorSeverity,
  type ReviewRecord,
} from '#shared/model/qa.ts';
import { type Proportion, wilson } from '#shared/sampling/wilson.ts';

export const ACCURACY_DIMENSIONS = ['coder', 'category', 'lineOfBusiness', 'month'] as const;
export type AccuracyDimension = (typeof ACCURACY_DIMENSIONS)[number];

/** QA accuracy of one group of reviews (a coder, a principal-diagnosis category, a line of business, a month). */
export interface AccuracyRow {
  key: string;
  reviews: number;
  /** Reviewed charts with no major or critical correction, with the 95 percent Wilson interval. */
  charts: Proportion;
  /** Codes confirmed over codes reviewed, with the 95 percent Wilson interval. */
  codes: Proportion;
  /** Share of reviews with at least one correction. */
  correctionRate: number;
  severity: Record<ErrorSeverity, number>;
  direction: Record<CodingDirection, number>;
  errors: Record<ErrorCategory, number>;
}

const keyOf: Record<AccuracyDimension, (r: ReviewRecord) => string> = {
  coder: (r) => r.coderId,
  category: (r) => r.category ?? 'unknown',
  lineOfBusiness: (r) => r.lineOfBusiness,
  month: (r) => r.reviewedAt.slice(0, 7),
};

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * Accuracy by one dimension, from first-round reviews (a blind second review measures reviewers, not
 * coders). Sorted by key. Pure.
 */
export function accuracyBy(reviews: Iterable<ReviewRecord>, dimension: AccuracyDimension): AccuracyRow[] {
  const groups = new Map<string, ReviewRecord[]>();
  for (const r of reviews) {
    if (r.round !== 'first') continue;
    const key = keyOf[dimension](r);
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => accuracyOf(key, group));
}

export function accuracyOf(key: string, reviews: readonly ReviewRecord[]): AccuracyRow {
  const severity = zeros(ERROR_SEVERITIES);
  const direction = zeros(CODING_DIRECTIONS);
  const errors = zeros(ERROR_CATEGORIES);
  let accurate = 0;
  let confirmed = 0;
  let reviewed = 0;
  let corrected = 0;
  for (const r of reviews) {
    if (r.score.chartAccurate) accurate++;
    confirmed += r.score.codesConfirmed;
    reviewed += r.score.codesReviewed;
    if (r.corrections.length > 0) corrected++;
    for (const c of r.corrections) {
      severity[c.severity]++;
      direction[c.direction]++;
      errors[c.category]++;
    }
  }
  return {
    key,
    reviews: reviews.length,
    charts: wilson(accurate, reviews.length),
    codes: wilson(confirmed, reviewed),
    correctionRate: reviews.length === 0 ? 0 : corrected / reviews.length,
    severity,
    direction,
    errors,
  };
}
