import type { ReviewRecord } from '#shared/model/qa.ts';

/** How two reviewers agree on the charts both reviewed (a first review and its blind second review). */
export interface AgreementRow {
  /** The two reviewers, in alphabetical order. */
  reviewers: [string, string];
  charts: number;
  /** Share of charts where both gave the same outcome (agree, corrected, rejected). */
  observed: number;
  /**
   * Cohen's kappa: agreement beyond what the two reviewers' own outcome rates would give by chance.
   * Undefined when chance agreement is certain (both always gave one and the same outcome).
   */
  kappa?: number;
}

/**
 * Cohen's kappa per reviewer pair, over the outcome of each chart version's first review and its blind
 * second review (Cohen 1960: kappa = (po - pe) / (1 - pe)). Pure; pairs sorted by reviewers.
 */
export function reviewerAgreement(reviews: Iterable<ReviewRecord>): AgreementRow[] {
  const rounds = new Map<string, { first?: ReviewRecord; second?: ReviewRecord }>();
  for (const r of reviews) {
    const key = `${r.agencyId}|${r.chartKey}|${r.version}`;
    const entry = rounds.get(key) ?? {};
    entry[r.round] = r;
    rounds.set(key, entry);
  }
  const pairs = new Map<string, { reviewers: [string, string]; outcomes: [string, string][] }>();
  for (const { first, second } of rounds.values()) {
    if (!first || !second) continue;
    const [a, b] = [first, second].sort((x, y) => (x.reviewerId < y.reviewerId ? -1 : 1)) as [
      ReviewRecord,
      ReviewRecord,
    ];
    const key = `${a.reviewerId}|${b.reviewerId}`;
    const pair = pairs.get(key) ?? { reviewers: [a.reviewerId, b.reviewerId], outcomes: [] };
    pair.outcomes.push([a.outcome, b.outcome]);
    pairs.set(key, pair);
  }
  return [...pairs.values()]
    .sort((x, y) => (x.reviewers.join('|') < y.reviewers.join('|') ? -1 : 1))
    .map(({ reviewers, outcomes }) => ({ reviewers, charts: outcomes.length, ...cohensKappa(outcomes) }));
}

export function cohensKappa(pairs: readonly [string, string][]): { observed: number; kappa?: number } {
  const n = pairs.length;
  if (n === 0) return { observed: 0 };
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let same = 0;
  for (const [x, y] of pairs) {
    if (x === y) same++;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const observed = same / n;
  let chance = 0;
  for (const [category, count] of a) chance += (count / n) * ((b.get(category) ?? 0) / n);
  return chance >= 1 ? { observed } : { observed, kappa: (observed - chance) / (1 - chance) };
}
