import type { DisputeRecord, ReviewRecord } from '#shared/model/qa.ts';

/**
 * The reviews as they count after disputes: an overturned dispute replaces its review's score by the
 * score without the overturned corrections, and those corrections leave the severity and category mix.
 * An upheld dispute changes nothing. Pure; reviews keep their order.
 */
export function applyDisputes(
  reviews: readonly ReviewRecord[],
  disputes: readonly DisputeRecord[],
): ReviewRecord[] {
  const overturned = new Map<string, DisputeRecord>();
  for (const d of disputes)
    if (d.outcome === 'overturned') overturned.set(`${d.chartKey}|${d.version}|${d.reviewedAt}`, d);
  return reviews.map((r) => {
    const d = r.round === 'first' ? overturned.get(`${r.chartKey}|${r.version}|${r.reviewedAt}`) : undefined;
    if (!d) return r;
    const gone = new Set(d.corrections);
    return { ...r, score: d.score, corrections: r.corrections.filter((_, i) => !gone.has(i)) };
  });
}
