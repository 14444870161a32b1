import type { CoderLedger } from '#shared/aws/ports.ts';
import type { SamplingConfig } from '#shared/model/config.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { applyDisputes } from '#shared/sampling/apply-disputes.ts';
import { type CoderHistory, DAY_MS } from '#shared/sampling/coder-standing.ts';

/** The instant `days` days before `at`, as the ledger's sort keys compare it. */
export function daysBefore(at: string, days: number): string {
  return new Date(Date.parse(at) - days * DAY_MS).toISOString();
}

/**
 * What the sampling policy needs to know of a coder at `at`, read from the ledger: the first coded
 * chart versions (one past the probation window is enough), the probation exit, the reviews of the
 * accuracy window and the denials of the denial window. A handful of range queries on one partition.
 */
export async function readCoderHistory(
  ledger: CoderLedger,
  agencyId: string,
  coderId: string,
  config: SamplingConfig,
  at: string,
): Promise<CoderHistory> {
  const [firstCoded, probationEndedAt, denials, reviews] = await Promise.all([
    ledger.firstCoded(agencyId, coderId, config.probation.charts + 1),
    ledger.probationEndedAt(agencyId, coderId),
    ledger.denials(agencyId, coderId, daysBefore(at, config.risk.recentDenials.days)),
    reviewsAsCounted(ledger, agencyId, coderId, { since: daysBefore(at, config.accuracyWindowDays), at }),
  ]);
  const history: CoderHistory = {
    firstCoded,
    reviews,
    denials: denials.filter((d) => d.deniedAt <= at),
  };
  if (probationEndedAt !== undefined) history.probationEndedAt = probationEndedAt;
  return history;
}

/**
 * A coder's reviews (both rounds) as they count: an overturned correction of a decided dispute no
 * longer counts against the coder. Reviews from `since` on; reviews and decisions up to `at` (all when
 * not given).
 */
export async function reviewsAsCounted(
  ledger: CoderLedger,
  agencyId: string,
  coderId: string,
  window: { since?: string; at?: string } = {},
): Promise<ReviewRecord[]> {
  const { since, at } = window;
  const [disputes, reviews] = await Promise.all([
    ledger.disputes(agencyId, coderId, since),
    (async () => {
      const out: ReviewRecord[] = [];
      for await (const r of ledger.reviews(agencyId, coderId, since))
        if (!at || r.reviewedAt <= at) out.push(r);
      return out;
    })(),
  ]);
  return applyDisputes(reviews, at ? disputes.filter((d) => d.resolvedAt <= at) : disputes);
}
