import type { Ports } from '#shared/aws/ports.ts';
import {
  ACCURACY_DIMENSIONS,
  type AccuracyDimension,
  type AccuracyRow,
  accuracyBy,
} from '#shared/metrics/qa-accuracy.ts';
import { type AgreementRow, reviewerAgreement } from '#shared/metrics/reviewer-agreement.ts';
import type { Config } from '#shared/model/config.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { reviewsAsCounted } from '#shared/runtime/coder-history.ts';
import { fmt, fmtProportion } from '#shared/sampling/coder-standing.ts';
import { pendingReviews } from '../lib/review-queue.ts';
import { table } from '../lib/summary.ts';

export interface QaReport {
  generatedAt: string;
  accuracyTarget: number;
  by: Partial<Record<AccuracyDimension, AccuracyRow[]>>;
  /** Cohen's kappa per reviewer pair, from the blind second reviews. */
  agreement: AgreementRow[];
  /** Sampled charts waiting for review longer than slas.qaReviewHours. */
  overdue: {
    agencyId: string;
    chartKey: string;
    version: number;
    waitingFor: string;
    waitingHours: number;
  }[];
  /** Reviewed charts a coder needs before the lower bound is judged against the target. */
  minReviewedCharts: number;
}

/** Every review of the agencies' coders (both rounds), from the coder ledger, after disputes. */
export async function allReviews(ports: Ports, agencyIds: readonly string[]): Promise<ReviewRecord[]> {
  const out: ReviewRecord[] = [];
  for (const agencyId of agencyIds)
    for await (const coderId of ports.coders.coders(agencyId))
      out.push(...(await reviewsAsCounted(ports.coders, agencyId, coderId)));
  return out;
}

/**
 * `codetrail qa report`: accuracy by coder, principal-diagnosis category, line of business and month
 * (chart and code accuracy with 95 percent Wilson intervals, correction rate, severity mix, over- versus
 * under-coding), and the sampled charts waiting past the QA turnaround SLA.
 */
export async function qaReport(
  ports: Ports,
  config: Config,
  opts: { agency?: string; by?: AccuracyDimension[] },
  now = new Date(),
): Promise<QaReport> {
  const agencies = config.agencies.map((a) => a.id).filter((id) => !opts.agency || id === opts.agency);
  const reviews = await allReviews(ports, agencies);
  const by: QaReport['by'] = {};
  for (const dimension of opts.by ?? ACCURACY_DIMENSIONS) by[dimension] = accuracyBy(reviews, dimension);
  const overdue: QaReport['overdue'] = [];
  const slaMs = config.slas.qaReviewHours * 3_600_000;
  // First reviews, blind second reviews and disputes alike: the QA queues' age alarm covers all three.
  // The review board, one Query per agency.
  for (const s of await pendingReviews(ports, agencies, ['qa-review', 'qa-review-senior'])) {
    const waited = now.getTime() - Date.parse(s.waitingSince);
    if (waited > slaMs)
      overdue.push({
        agencyId: s.agencyId,
        chartKey: s.chartKey,
        version: s.version,
        waitingFor: s.purpose,
        waitingHours: Math.floor(waited / 3_600_000),
      });
  }
  // Agency by agency, in the configuration's order; each agency's longest waiting first.
  const order = new Map(agencies.map((id, i) => [id, i]));
  overdue.sort((a, b) => (order.get(a.agencyId) ?? 0) - (order.get(b.agencyId) ?? 0));
  return {
    generatedAt: now.toISOString(),
    accuracyTarget: config.sampling.accuracyTarget,
    minReviewedCharts: config.sampling.minReviewedCharts,
    by,
    agreement: reviewerAgreement(reviews),
    overdue,
  };
}

const TITLES: Record<AccuracyDimension, string> = {
  coder: 'By coder',
  category: 'By principal diagnosis category (ICD-10-CM, 3 characters)',
  lineOfBusiness: 'By line of business',
  month: 'By month reviewed',
};

export function renderQaReport(report: QaReport): string {
  const parts: string[] = [];
  for (const [dimension, rows] of Object.entries(report.by) as [AccuracyDimension, AccuracyRow[]][]) {
    parts.push(TITLES[dimension]);
    parts.push(
      table(
        [
          '',
          'reviews',
          'chart accuracy [95% CI]',
          'codes',
          'code accuracy [95% CI]',
          'corrected',
          'critical/major/minor',
          'over/under/neutral',
          'lower bound < target',
        ],
        rows.map((r) => [
          r.key,
          r.reviews,
          fmtProportion(r.charts),
          r.codes.n,
          fmtProportion(r.codes),
          fmt(r.correctionRate),
          `${r.severity.critical}/${r.severity.major}/${r.severity.minor}`,
          `${r.direction['over-coded']}/${r.direction['under-coded']}/${r.direction.neutral}`,
          r.reviews >= report.minReviewedCharts && r.codes.lower < report.accuracyTarget ? 'yes' : '',
        ]),
        '(no review yet)',
      ),
      '',
    );
  }
  parts.push(
    "Reviewer agreement (blind second reviews; Cohen's kappa over the outcomes)",
    table(
      ['reviewers', 'charts', 'same outcome', 'kappa'],
      report.agreement.map((a) => [
        a.reviewers.join(' & '),
        a.charts,
        fmt(a.observed),
        a.kappa === undefined ? '-' : a.kappa.toFixed(2),
      ]),
      '(no second review yet)',
    ),
    '',
  );
  parts.push(
    `Waiting for QA review past the SLA`,
    table(
      ['agency', 'chart', 'version', 'waiting for', 'hours waiting'],
      report.overdue.map((o) => [o.agencyId, o.chartKey, o.version, o.waitingFor, o.waitingHours]),
      '(none)',
    ),
  );
  return parts.join('\n');
}

/** `--by coder,month`: the accuracy dimensions named, each checked. */
export function accuracyDimensions(text: string): AccuracyDimension[] {
  const by = text.split(',').map((d) => d.trim());
  for (const d of by)
    if (!(ACCURACY_DIMENSIONS as readonly string[]).includes(d))
      throw new Error(`--by: unknown dimension ${d}`);
  return by as AccuracyDimension[];
}
