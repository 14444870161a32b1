import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { KeyService, StageQueue } from '#shared/aws/ports.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { ReviewRequest, type Verdict } from '#shared/model/messages.ts';
import type { VerdictFileEntry } from './verdict-file.ts';

export interface PendingReview {
  request: ReviewRequest;
  queue: 'qa-review' | 'qa-review-senior';
  receiptHandle: string;
}

/** Reads every review request waiting on the QA queues, leaving them there (visibility 0). */
export async function pendingReviews(
  sqs: SQSClient,
  queueUrls: Partial<Record<'qa-review' | 'qa-review-senior', string>>,
  visibilitySeconds = 0,
): Promise<PendingReview[]> {
  const out: PendingReview[] = [];
  for (const queue of ['qa-review', 'qa-review-senior'] as const) {
    const url = queueUrls[queue];
    if (!url) continue;
    const seen = new Set<string>();
    for (;;) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: visibilitySeconds,
        }),
      );
      const fresh = (got.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        seen.add(m.MessageId ?? '');
        const parsed = ReviewRequest.safeParse(JSON.parse(m.Body ?? '{}'));
        if (parsed.success) out.push({ request: parsed.data, queue, receiptHandle: m.ReceiptHandle ?? '' });
      }
    }
  }
  return out;
}

export interface AppliedVerdict {
  chartKey: string;
  version: number;
  outcome: string;
  matchedReview: boolean;
}

/**
 * Sends reviewers' verdicts to the qa-result queue, keyed by chartKey (the EMR chart id stays here),
 * and removes the review requests they answer. A verdict that answers no pending request is still sent:
 * the qa-result stage records it and sets it aside, so nothing a reviewer said is silently lost.
 */
export async function submitVerdicts(
  deps: {
    sqs: SQSClient;
    keys: KeyService;
    queue: StageQueue;
    queueUrls: Partial<Record<'qa-review' | 'qa-review-senior', string>>;
  },
  entries: VerdictFileEntry[],
  now: () => Date = () => new Date(),
): Promise<AppliedVerdict[]> {
  const pending = await pendingReviews(deps.sqs, deps.queueUrls, 10);
  const applied: AppliedVerdict[] = [];
  const verdicts: Verdict[] = [];
  const answered: PendingReview[] = [];
  for (const entry of entries) {
    const chartKey = await chartKeyOf(deps.keys, entry.agencyId, entry.chartId);
    const verdict: Verdict = {
      kind: 'verdict',
      agencyId: entry.agencyId,
      chartKey,
      version: entry.version,
      reviewerId: entry.reviewerId,
      outcome: entry.outcome,
      corrections: entry.corrections,
      reviewedAt: entry.reviewedAt ?? now().toISOString(),
    };
    if (entry.note) verdict.note = entry.note;
    verdicts.push(verdict);
    const match = pending.filter(
      (p) => p.request.chartKey === chartKey && p.request.version === entry.version,
    );
    answered.push(...match);
    applied.push({
      chartKey,
      version: entry.version,
      outcome: entry.outcome,
      matchedReview: match.length > 0,
    });
  }
  await deps.queue.send('qa-result', verdicts);
  for (const p of pending) {
    const url = deps.queueUrls[p.queue];
    if (!url) continue;
    // Answered requests leave the queue; the others go back to the reviewers at once.
    if (answered.includes(p))
      await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: p.receiptHandle }));
    else
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: p.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
  }
  return applied;
}
