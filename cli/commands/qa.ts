import { readFileSync } from 'node:fs';
import { pendingReviews, submitVerdicts } from '../lib/review-queue.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';
import { parseVerdictFile } from '../lib/verdict-file.ts';

/**
 * `codetrail qa review`: lists the charts waiting for QA review (both queues), or, with --verdicts FILE,
 * submits a reviewer's verdicts and removes the review requests they answer.
 */
export async function runQaReview(
  target: Target,
  opts: { verdicts?: string; agency?: string },
): Promise<string> {
  if (!opts.verdicts) {
    const pending = await pendingReviews(target.ports, opts.agency);
    if (pending.length === 0) return 'No chart is waiting for QA review.';
    return table(
      ['queue', 'agency', 'chart', 'version', 'coder', 'why sampled'],
      pending.map((p) => [
        p.sampling?.queue ?? '',
        p.agencyId,
        p.chartKey,
        p.version,
        p.coderId,
        p.sampling?.reason ?? '',
      ]),
    );
  }
  const parsed = parseVerdictFile(readFileSync(opts.verdicts, 'utf8'));
  const applied = await submitVerdicts(
    {
      sqs: target.clients.sqs,
      ports: target.ports,
      queueUrls: target.resources.queueUrls,
      actor: target.actor,
    },
    parsed.entries.map((e) => e.entry),
  );
  const lines = applied.map(
    (a) =>
      `${a.chartKey} v${a.version}: ${a.outcome}${a.awaitingReview ? '' : ' (this chart is not awaiting QA review: the verdict will be recorded and set aside)'}`,
  );
  for (const issue of parsed.issues)
    lines.push(`entry ${issue.index}${issue.path ? ` ${issue.path}` : ''}: ${issue.reason}`);
  return lines.join('\n');
}

/** `codetrail qa show CHARTKEY VERSION`: the chart a reviewer re-reviews, from the artifacts bucket. */
export async function runQaShow(target: Target, chartKey: string, version: number): Promise<string> {
  const state = await target.ports.charts.get(chartKey, version);
  if (!state) throw new Error(`no chart ${chartKey} v${version}`);
  const chart = await target.ports.artifacts.getText('artifacts', state.artifactKey);
  return JSON.stringify(
    {
      status: state.status,
      findings: state.findings ?? [],
      sampling: state.sampling,
      ...(state.grouping ? { grouping: state.grouping } : {}),
      chart: JSON.parse(chart),
    },
    null,
    2,
  );
}
