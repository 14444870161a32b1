import type { CoderLedger } from '#shared/aws/ports.ts';
import type { SamplingConfig } from '#shared/model/config.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { applyDisputes } from '#shared/sampling/apply-disputes.ts';
import type { CoderHistory } from '#shared/sampling/coder-standing.ts';

const DAY_MS = 86_400_000;

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
  const since = daysBefore(at, config.accuracyWindowDays);
  const [firstCoded, probationEndedAt, denials, disputes] = await Promise.all([
    ledger.firstCoded(agencyId, coderId, config.probation.charts + 1),
    ledger.probationEndedAt(agencyId, coderId),
    ledger.denials(agencyId, coderId, daysBefore(at, config.risk.recentDenials.days)),
    ledger.disputes(agencyId, coderId, since),
  ]);
  const reviews: ReviewRecord[] = [];
  for await (const r of ledger.reviews(agencyId, coderId, since)) if (r.reviewedAt <= at) reviews.push(r);
  const history: CoderHistory = {
    firstCoded,
    // Decided disputes count as decided by `at`: an overturned correction no longer counts.
    reviews: applyDisputes(
      reviews,
      disputes.filter((d) => d.resolvedAt <= at),
    ),
    denials: denials.filter((d) => d.deniedAt <= at),
  };
  if (probationEndedAt !== undefined) history.probationEndedAt = probationEndedAt;
  return history;
}
