import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Ports } from '#shared/aws/ports.ts';
import { chartKeyOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { ReviewRequest, type Verdict } from '#shared/model/messages.ts';
import type { VerdictFileEntry } from './verdict-file.ts';

type ReviewQueue = 'qa-review' | 'qa-review-senior';
type QueueUrls = Partial<Record<ReviewQueue, string>>;

/**
 * The charts waiting for QA review, read from the table (status SAMPLED, review requested). Reading
 * the queue instead would count as a receive each time and push requests toward its dead-letter queue.
 */
export async function pendingReviews(ports: Ports, agencyId?: string): Promise<ChartState[]> {
  const out: ChartState[] = [];
  const source = agencyId ? ports.charts.byStatus(agencyId, 'SAMPLED') : ports.charts.list();
  for await (const s of source) if (s.status === 'SAMPLED' && s.reviewRequestedAt) out.push(s);
  return out.sort((a, b) => (a.reviewRequestedAt ?? '').localeCompare(b.reviewRequestedAt ?? ''));
}

export interface AppliedVerdict {
  chartKey: string;
  version: number;
  outcome: string;
  awaitingReview: boolean;
}

/**
 * Sends reviewers' verdicts to the qa-result queue, keyed by chartKey (the EMR chart id stays here).
 * A note, free text that may hold PHI, goes to the artifacts bucket and the verdict carries its key.
 * A verdict for a chart not awaiting review is still sent: the qa-result stage records it and sets it
 * aside, so nothing a reviewer said is silently lost. Then the review requests answered leave the queue.
 */
export async function submitVerdicts(
  deps: { sqs: SQSClient; ports: Ports; queueUrls: QueueUrls; actor: string },
  entries: VerdictFileEntry[],
  now: () => Date = () => new Date(),
): Promise<AppliedVerdict[]> {
  const applied: AppliedVerdict[] = [];
  const verdicts: Verdict[] = [];
  for (const entry of entries) {
    const chartKey = await chartKeyOf(deps.ports.keys, entry.agencyId, entry.chartId);
    const reviewedAt = entry.reviewedAt ?? now().toISOString();
    const verdict: Verdict = {
      kind: 'verdict',
      agencyId: entry.agencyId,
      chartKey,
      version: entry.version,
      reviewerId: entry.reviewerId,
      outcome: entry.outcome,
      corrections: entry.corrections,
      reviewedAt,
      submittedBy: deps.actor,
    };
    if (entry.note) {
      const noteKey = `qa-notes/${entry.agencyId}/${chartKey}/v${entry.version}-${sha256Hex(`${entry.reviewerId}|${reviewedAt}`).slice(0, 12)}.json`;
      await deps.ports.artifacts.putJson('artifacts', noteKey, {
        reviewerId: entry.reviewerId,
        reviewedAt,
        note: entry.note,
      });
      verdict.noteKey = noteKey;
    }
    verdicts.push(verdict);
    const state = await deps.ports.charts.get(chartKey, entry.version);
    applied.push({
      chartKey,
      version: entry.version,
      outcome: entry.outcome,
      awaitingReview: state?.status === 'SAMPLED',
    });
  }
  await deps.ports.queue.send('qa-result', verdicts);
  await removeAnswered(deps.sqs, deps.queueUrls, new Set(verdicts.map((v) => `${v.chartKey}:${v.version}`)));
  return applied;
}

/** Deletes the review requests the verdicts answer; the others go back to the reviewers at once. */
async function removeAnswered(sqs: SQSClient, queueUrls: QueueUrls, answered: Set<string>): Promise<void> {
  if (answered.size === 0) return;
  for (const queue of ['qa-review', 'qa-review-senior'] as const) {
    const url = queueUrls[queue];
    if (!url) continue;
    const release: string[] = [];
    for (;;) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
      );
      if (!got.Messages?.length) break;
      for (const m of got.Messages) {
        const request = ReviewRequest.safeParse(JSON.parse(m.Body ?? '{}'));
        if (request.success && answered.has(`${request.data.chartKey}:${request.data.version}`)) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
        } else if (m.ReceiptHandle) {
          release.push(m.ReceiptHandle);
        }
      }
    }
    for (const handle of release) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
      );
    }
  }
}
