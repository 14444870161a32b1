import type { Correction, ReviewScore } from '#shared/model/qa.ts';

/**
 * Scores one review (two units, both reported):
 *
 * - chart: accurate when no correction is major or critical and the chart was not sent back (rejected);
 * - codes: reviewed = the diagnosis codes the coder coded plus those the reviewer added (a missed code
 *   is a reviewed code the coder got wrong); confirmed = coded codes the reviewer neither replaced nor
 *   removed.
 *
 * A correction without a sequence (OASIS alignment, visit coding, hospice eligibility) touches no code:
 * it counts for the chart unit only.
 */
export function scoreReview(
  codedSequences: readonly number[],
  corrections: readonly Correction[],
  outcome?: 'agree' | 'corrected' | 'rejected',
): ReviewScore {
  const coded = new Set(codedSequences);
  const changed = new Set<number>();
  const added = new Set<number>();
  for (const c of corrections) {
    if (c.sequence === undefined || (c.code === undefined && !c.remove)) continue;
    if (coded.has(c.sequence)) changed.add(c.sequence);
    else if (c.code !== undefined) added.add(c.sequence);
  }
  return {
    chartAccurate:
      outcome !== 'rejected' && !corrections.some((c) => c.severity === 'major' || c.severity === 'critical'),
    codesReviewed: coded.size + added.size,
    codesConfirmed: coded.size - changed.size,
  };
}
