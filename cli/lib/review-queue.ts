import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Ports, queueOfPurpose, type ReviewEntry, type ReviewQueue } from '#shared/aws/ports.ts';
import { agencyOfChartKey, chartKeyOf, sha256Hex } from '#shared/identity/identifiers.ts';
import { type Dispute, type DisputeResolution, ReviewRequest, type Verdict } from '#shared/model/messages.ts';
import { AGENCY_PLACEHOLDER, agencyQueueUrl } from '#shared/topology.ts';
import type { HeldReviews } from './held-reviews.ts';
import type { DisputeFileEntry, ResolutionFileEntry, VerdictFileEntry } from './verdict-file.ts';

/** The review queues' URLs: one agency's, or templates with `{agency}` (each agency has its own queues). */
type QueueUrls = Partial<Record<ReviewQueue, string>>;

/** The queue of `agency` a URL (or URL template) stands for. */
function queueOf(url: string, agency: string): string {
  return url.includes(AGENCY_PLACEHOLDER) ? agencyQueueUrl(url, agency) : url;
}

/** The agency of an answer key's chart (its chartKey leads with it). */
function agencyOfAnswer(key: string): string | undefined {
  return agencyOfChartKey(key.slice(0, key.indexOf(':')));
}

export type ReviewPurpose = ReviewRequest['purpose'];

/**
 * The charts waiting for a QA reviewer, from the review board: one Query per agency, never a scan of the
 * table (the QA roles read the board and nothing else of it). Reading the queues instead would count as
 * receives and push requests toward their dead-letter queues.
 */
export async function pendingReviews(
  ports: Pick<Ports, 'reviews'>,
  agencies: readonly string[],
  queues: readonly ReviewQueue[],
): Promise<(ReviewEntry & { waitingSince: string })[]> {
  const out: (ReviewEntry & { waitingSince: string })[] = [];
  for (const agency of agencies)
    for (const queue of queues)
      for (const entry of await ports.reviews.pending(agency, queue))
        out.push({ ...entry, waitingSince: entry.requestedAt });
  return out.sort((a, b) => a.waitingSince.localeCompare(b.waitingSince));
}

type SubmitDeps = {
  sqs: SQSClient;
  ports: Ports;
  /**
   * The reviewer's own review queue: where the requests they answer are, and their board partition.
   * Without it (`codetrail start` submitting the examples' verdicts as the operator), both.
   */
  queue?: ReviewQueue;
  queueUrls: QueueUrls;
  actor: string;
  held?: HeldReviews;
};

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
  deps: SubmitDeps,
  entries: VerdictFileEntry[],
  now: () => Date = () => new Date(),
): Promise<AppliedVerdict[]> {
  const verdicts = await messagesFor(deps, entries, now, (e, chartKey, time) => {
    const reviewedAt = e.reviewedAt ?? time;
    const message: Verdict = {
      kind: 'verdict',
      agencyId: e.agencyId,
      chartKey,
      version: e.version,
      reviewerId: e.reviewerId,
      round: e.round,
      outcome: e.outcome,
      corrections: e.corrections,
      reviewedAt,
      submittedBy: deps.actor,
    };
    return { message, author: e.reviewerId, at: reviewedAt };
  });
  const applied: AppliedVerdict[] = [];
  for (const v of verdicts) {
    // Awaiting this round: its entry on the review board is open (qa-result judges it again).
    const second = v.round === 'second';
    // A blind second review is on the first reviewers' queue, whoever sends it.
    // A senior's first verdict may answer a chart sampled to either queue (seniors read both partitions).
    const queues: ReviewQueue[] = second
      ? [queueOfPurpose('second-review')]
      : deps.queue === 'qa-review'
        ? ['qa-review']
        : ['qa-review-senior', 'qa-review'];
    let entry: ReviewEntry | undefined;
    for (const queue of queues) {
      entry = await deps.ports.reviews.get({
        agencyId: v.agencyId,
        queue,
        chartKey: v.chartKey,
        version: v.version,
        purpose: second ? 'second-review' : 'review',
      });
      if (entry) break;
    }
    applied.push({
      chartKey: v.chartKey,
      version: v.version,
      outcome: v.outcome,
      awaitingReview: entry !== undefined && entry.closedAt === undefined,
    });
  }
  await deps.ports.queue.send('qa-result', verdicts);
  await removeAnswered(
    deps.sqs,
    deps.queueUrls,
    new Set(
      verdicts.map((v) =>
        answerKey(v.chartKey, v.version, v.round === 'second' ? 'second-review' : 'review'),
      ),
    ),
    deps.held,
  );
  return applied;
}

export function answerKey(chartKey: string, version: number, purpose: string): string {
  return `${chartKey}:${version}:${purpose}`;
}

/**
 * Deletes the review requests the answers answer: those taken with `--next` by their receipt handle
 * (they are hidden, no receive would see them), the others by looking through the queues; every other
 * request goes back to the reviewers at once.
 */
export async function removeAnswered(
  sqs: SQSClient,
  queueUrls: QueueUrls,
  answered: Set<string>,
  held?: HeldReviews,
): Promise<void> {
  if (answered.size === 0) return;
  if (held) {
    const holds = held.all();
    const deleted: string[] = [];
    for (const key of answered) {
      const h = holds[key];
      const template = h ? queueUrls[h.queue] : undefined;
      const agency = agencyOfAnswer(key);
      if (!h || !template || !agency) continue;
      const url = queueOf(template, agency);
      try {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: h.receiptHandle }));
        deleted.push(key);
      } catch {
        // The hold has lapsed (the handle is stale): the request is visible again, found below.
      }
    }
    held.release(deleted);
    for (const key of deleted) answered.delete(key);
    if (answered.size === 0) return;
  }
  // Each agency whose charts were answered has its own queues: those are looked through.
  const agencies = new Set([...answered].map(agencyOfAnswer).filter((a): a is string => a !== undefined));
  for (const queue of ['qa-review', 'qa-review-senior'] as const)
    for (const agency of agencies) {
      const template = queueUrls[queue];
      if (template) await removeFrom(sqs, queueOf(template, agency), answered);
    }
}

/** Deletes the answered requests found on one queue; the others go back to the reviewers at once. */
async function removeFrom(sqs: SQSClient, url: string, answered: ReadonlySet<string>): Promise<void> {
  const release: string[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    if (!got.Messages?.length) break;
    for (const m of got.Messages) {
      const request = ReviewRequest.safeParse(JSON.parse(m.Body ?? '{}'));
      const { chartKey, version, purpose } = request.success
        ? request.data
        : { chartKey: '', version: 0, purpose: '' };
      if (request.success && answered.has(answerKey(chartKey, version, purpose))) {
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

/** A free-text note (may hold PHI) goes to the artifacts bucket; messages carry its key only. */
async function storeNote(
  ports: Ports,
  agencyId: string,
  chartKey: string,
  version: number,
  author: string,
  at: string,
  note: string,
): Promise<string> {
  // The key hashes the note itself: the same file submitted again names the same note, which is there.
  const noteKey = `qa-notes/${agencyId}/${chartKey}/v${version}-${sha256Hex(`${author}|${at}|${note}`).slice(0, 12)}.json`;
  // Written once: the role may add a note, never replace one (its policy requires If-None-Match).
  await ports.artifacts.putJson('artifacts', noteKey, { author, at, note }, { once: true });
  return noteKey;
}

/**
 * One message per file entry, keyed by chartKey (the EMR chart id stays here), its free-text note put
 * in the artifacts bucket and named by key. `build` gets the entry, its chartKey and its time.
 */
async function messagesFor<E extends FileEntry, M extends { noteKey?: string }>(
  deps: SubmitDeps,
  entries: readonly E[],
  now: () => Date,
  build: (entry: E, chartKey: string, at: string) => { message: M; author: string; at: string },
): Promise<M[]> {
  const messages: M[] = [];
  for (const e of entries) {
    const chartKey = await chartKeyOf(deps.ports.keys, e.agencyId, e.chartId);
    const { message, author, at } = build(e, chartKey, now().toISOString());
    if (e.note)
      message.noteKey = await storeNote(deps.ports, e.agencyId, chartKey, e.version, author, at, e.note);
    messages.push(message);
  }
  return messages;
}

type FileEntry = { agencyId: string; chartId: string; version: number; note?: string | undefined };

/** Sends coders' disputes to the qa-result stage, which records each and asks a senior reviewer. */
export async function submitDisputes(
  deps: SubmitDeps,
  entries: DisputeFileEntry[],
  now: () => Date = () => new Date(),
): Promise<{ chartKey: string; version: number }[]> {
  const messages = await messagesFor(deps, entries, now, (e, chartKey, time) => {
    const disputedAt = e.disputedAt ?? time;
    const message: Dispute = {
      kind: 'dispute',
      agencyId: e.agencyId,
      chartKey,
      version: e.version,
      coderId: e.coderId,
      corrections: e.corrections,
      disputedAt,
      submittedBy: deps.actor,
    };
    return { message, author: e.coderId, at: disputedAt };
  });
  await deps.ports.queue.send('qa-result', messages);
  return messages.map((m) => ({ chartKey: m.chartKey, version: m.version }));
}

/** Sends senior reviewers' decisions on disputes, and takes the answered dispute requests off the queue. */
export async function submitResolutions(
  deps: SubmitDeps,
  entries: ResolutionFileEntry[],
  now: () => Date = () => new Date(),
): Promise<{ chartKey: string; version: number; outcome: string }[]> {
  const messages = await messagesFor(deps, entries, now, (e, chartKey, time) => {
    const resolvedAt = e.resolvedAt ?? time;
    const message: DisputeResolution = {
      kind: 'dispute-resolution',
      agencyId: e.agencyId,
      chartKey,
      version: e.version,
      reviewerId: e.reviewerId,
      outcome: e.outcome,
      resolvedAt,
      submittedBy: deps.actor,
    };
    return { message, author: e.reviewerId, at: resolvedAt };
  });
  await deps.ports.queue.send('qa-result', messages);
  await removeAnswered(
    deps.sqs,
    deps.queueUrls,
    new Set(messages.map((m) => answerKey(m.chartKey, m.version, 'dispute'))),
    deps.held,
  );
  return messages.map((m) => ({ chartKey: m.chartKey, version: m.version, outcome: m.outcome }));
}

/**
 * Whether the chart version still waits for what a request asks: false once its review board entry is
 * closed (the request is stale: a copy sent twice by two deliveries racing, answered from another copy,
 * or the version superseded before its review, even before the entry was opened).
 */
export async function stillAwaited(
  ports: Pick<Ports, 'reviews'>,
  request: ReviewRequest,
  queue: ReviewQueue,
): Promise<boolean> {
  // A second review is on the first reviewers' queue, a dispute on the seniors', wherever it was taken.
  const on = queueOfPurpose(request.purpose, queue);
  const entry = await ports.reviews.get({ ...request, queue: on });
  // No entry: a request from before the board (qa-result judges it); a closed one (or a closed stub) is stale.
  return entry?.closedAt === undefined;
}

/**
 * The next review request a reviewer may take from a queue: held for `holdSeconds` (its visibility
 * timeout), so no one else takes it meanwhile. Requests the reviewer may not take (they coded the
 * chart, or gave its first review) go back at once; a request whose chart no longer waits for it (`awaited`
 * says no) is deleted, so no reviewer reviews a chart twice. Undefined when none is waiting.
 */
export async function takeNextReview(
  deps: { sqs: SQSClient; queueUrls: QueueUrls; awaited?: (request: ReviewRequest) => Promise<boolean> },
  queue: ReviewQueue,
  reviewerId: string,
  holdSeconds = 1800,
): Promise<{ request: ReviewRequest; receiptHandle: string } | undefined> {
  const url = deps.queueUrls[queue];
  if (!url) throw new Error(`no queue url for ${queue}`);
  // Each agency has its own review queues: a reviewer takes from one agency's.
  if (url.includes(AGENCY_PLACEHOLDER)) throw new Error(`${queue}: name the agency whose queue to take from`);
  const release: string[] = [];
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      const got = await deps.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: holdSeconds }),
      );
      if (!got.Messages?.length) return undefined;
      let found: { request: ReviewRequest; receiptHandle: string } | undefined;
      for (const m of got.Messages) {
        if (!m.ReceiptHandle) continue;
        const request = ReviewRequest.safeParse(JSON.parse(m.Body ?? '{}'));
        const mine =
          request.success &&
          !found &&
          request.data.coderId !== reviewerId &&
          !request.data.notBy?.includes(reviewerId);
        if (!mine || !request.success) {
          release.push(m.ReceiptHandle);
          continue;
        }
        if (deps.awaited && !(await deps.awaited(request.data))) {
          await deps.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
          continue;
        }
        found = { request: request.data, receiptHandle: m.ReceiptHandle };
      }
      if (found) return found;
    }
    return undefined;
  } finally {
    for (const handle of release)
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
      );
  }
}
