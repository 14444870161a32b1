import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import { queueOfPurpose, type ReviewQueue } from '#shared/aws/ports.ts';
import { agencyOfChartKey } from '#shared/identity/identifiers.ts';
import { agencyQueueUrl, agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { recordChartOpened } from '../lib/chart-access.ts';
import { HeldReviews } from '../lib/held-reviews.ts';
import {
  answerKey,
  pendingReviews,
  stillAwaited,
  submitDisputes,
  submitResolutions,
  submitVerdicts,
  takeNextReview,
} from '../lib/review-queue.ts';
import { table } from '../lib/summary.ts';
import { agencyNamedBy, agencyOf, STATE_DIR, type Target } from '../lib/target.ts';
import {
  DisputeFileEntry,
  parseEntryFile,
  parseVerdictFile,
  ResolutionFileEntry,
} from '../lib/verdict-file.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * `codetrail qa review`: lists the charts waiting for QA review (both queues), or, with --verdicts FILE,
 * submits a reviewer's verdicts and removes the review requests they answer.
 */
export async function runQaReview(
  target: Target,
  opts: { verdicts?: string; agency?: string; next?: boolean; reviewer?: string; senior?: boolean },
): Promise<string> {
  // Listing reads the review board, as each agency's QA role: one Query per agency, never a scan.
  if (!opts.next && !opts.verdicts) return listPending(target, opts.agency, opts.senior);
  return takeOrSubmit(target, opts);
}

/**
 * What a reviewer does, as the QA role (senior or not) the stack deploys: against the local stack its
 * policy is enforced, so what the deployed role could not do fails here as well.
 */
async function takeOrSubmit(
  target: Target,
  opts: { verdicts?: string; next?: boolean; reviewer?: string; senior?: boolean; agency?: string },
): Promise<string> {
  const queue = opts.senior ? 'qa-review-senior' : 'qa-review';
  if (opts.next) {
    if (!opts.reviewer) throw new Error('--next needs --reviewer: who takes the chart');
    // From one agency's queue, as that agency's QA role.
    const agency = agencyOf(target, opts.agency);
    return actAs(agencyRole(qaRole(opts.senior), agency), () =>
      takeNext(target, queue, agency, opts.reviewer ?? '', opts.senior),
    );
  }
  const parsed = parseVerdictFile(readFileSync(opts.verdicts ?? '', 'utf8'));
  // Each agency's verdicts as that agency's QA role (a reviewer of several agencies holds each one's).
  const applied = await byAgency(
    target,
    parsed.entries.map((e) => e.entry),
    (agency, entries) =>
      actAs(agencyRole(qaRole(opts.senior), agency), () =>
        submitVerdicts(submitDeps(target, queue), entries),
      ),
  );
  const lines = applied.map(
    (a) =>
      `${a.chartKey} v${a.version}: ${a.outcome}${a.awaitingReview ? '' : ' (this chart is not awaiting this review: the verdict will be recorded and set aside)'}`,
  );
  return [...lines, ...issueLines(parsed.issues)].join('\n');
}

/**
 * The entries of each agency, handed to `work` agency by agency (as that agency's role: against a
 * deployed stack, credentials for each agency's role a file names); the results in that order. Every
 * agency is checked before anything is sent: one the stack does not serve stops the whole file.
 */
async function byAgency<E extends { agencyId: string }, R>(
  target: Target,
  entries: readonly E[],
  work: (agency: string, entries: E[]) => Promise<R[]>,
): Promise<R[]> {
  const groups = new Map<string, E[]>();
  for (const e of entries) groups.set(e.agencyId, [...(groups.get(e.agencyId) ?? []), e]);
  for (const agency of groups.keys()) agencyOf(target, agency, 'the file names an agency');
  const out: R[] = [];
  for (const [agency, group] of groups) out.push(...(await work(agency, group)));
  return out;
}

/** The next chart on one agency's queue for the reviewer, held for half an hour, and shown. */
async function takeNext(
  target: Target,
  queue: ReviewQueue,
  agency: string,
  reviewer: string,
  senior: boolean | undefined,
): Promise<string> {
  const holdSeconds = 1800;
  const taken = await takeNextReview(
    {
      sqs: target.clients.sqs,
      queueUrls: { [queue]: agencyQueueUrl(target.resources.queueUrls[queue] ?? '', agency) },
      // A stale request (answered already, or a copy of one) is deleted rather than reviewed again.
      awaited: (request) => stillAwaited(target.ports, request, queue),
    },
    queue,
    reviewer,
    holdSeconds,
  );
  if (!taken) return `No chart is waiting on ${senior ? 'the senior' : 'the'} QA queue for ${reviewer}.`;
  const { request, receiptHandle } = taken;
  // Held for 30 minutes; the verdict submitted from this machine deletes exactly this message.
  heldReviews(target).hold(answerKey(request.chartKey, request.version, request.purpose), {
    queue,
    receiptHandle,
    heldUntil: new Date(Date.now() + holdSeconds * 1000).toISOString(),
  });
  return showChart(target, request.agencyId, queue, request.chartKey, request.version, request.purpose);
}

/** The agencies a QA command reads the board of: the one named, else every agency the stack lists. */
function agenciesOf(target: Target, agency: string | undefined): readonly string[] {
  const agencies = agency ? [agencyOf(target, agency)] : target.agencies;
  if (agencies.length === 0)
    throw new Error(`name the agency with --agency: ${target.description} does not list its agencies`);
  return agencies;
}

async function listPending(target: Target, agency: string | undefined, senior?: boolean): Promise<string> {
  const agencies = agenciesOf(target, agency);
  // The role's own queue: a first reviewer never lists a dispute (its entry shows the first review).
  const queue = senior ? 'qa-review-senior' : 'qa-review';
  const pending = [];
  // Against a deployed stack the credentials are one agency's role (or a few): a board they may not read
  // is named, not fatal, unless none could be read.
  const refused: string[] = [];
  for (const a of agencies) {
    try {
      pending.push(
        ...(await actAs(agencyRole(qaRole(senior), a), () => pendingReviews(target.ports, [a], [queue]))),
      );
    } catch (error) {
      if (!/AccessDenied/.test((error as Error).name)) throw error;
      refused.push(a);
    }
  }
  if (refused.length === agencies.length)
    throw new Error(
      `these credentials may read no agency's review board (${refused.join(', ')}): assume an agency's QA role`,
    );
  const notListed =
    refused.length > 0
      ? `\nNot listed (these credentials may not read their boards): ${refused.join(', ')}`
      : '';
  pending.sort((x, y) => x.waitingSince.localeCompare(y.waitingSince));
  if (pending.length === 0) return `No chart is waiting for QA review.${notListed}`;
  const rows = table(
    ['waiting for', 'agency', 'chart', 'version', 'coder', 'since', 'why'],
    pending.map((p) => [p.purpose, p.agencyId, p.chartKey, p.version, p.coderId, p.waitingSince, p.reason]),
  );
  return `${rows}${notListed}`;
}

/**
 * `codetrail qa show CHARTKEY VERSION`: the chart a reviewer re-reviews, from the artifacts bucket, with
 * its findings, HIPPS grouping and why it was sampled. For a blind second review the first review is
 * left out; for a dispute the review and the disputed corrections are shown.
 */
export async function runQaShow(
  target: Target,
  chartKey: string,
  version: number,
  purpose: 'review' | 'second-review' | 'dispute' = 'review',
  opts: { senior?: boolean; agency?: string } = {},
): Promise<string> {
  // A dispute is a senior's to see, whoever asks.
  const senior = opts.senior === true || purpose === 'dispute';
  const queue = senior ? 'qa-review-senior' : 'qa-review';
  // The chart's agency (its chartKey leads with it), as that agency's QA role.
  const agency = agencyNamedBy(target, opts.agency, agencyOfChartKey(chartKey), 'the chart');
  return actAs(agencyRole(qaRole(senior), agency), () =>
    showChart(target, agency, queue, chartKey, version, purpose),
  );
}

/**
 * The chart as a reviewer sees it: its review board entry (what qa-sampling or qa-result chose to show)
 * and its file, read as the acting role (a QA role reads only the board and the files sampled for review).
 */
async function showChart(
  target: Target,
  agency: string,
  queue: ReviewQueue,
  chartKey: string,
  version: number,
  purpose: 'review' | 'second-review' | 'dispute',
): Promise<string> {
  // A second review is on the first reviewers' queue, a dispute on the seniors'.
  const on = queueOfPurpose(purpose, queue);
  const entry = await target.ports.reviews.get({ agencyId: agency, queue: on, chartKey, version, purpose });
  // A closed stub (a version superseded before its review was asked for) names no file.
  if (!entry?.artifactKey) throw new Error(`no ${purpose} of ${chartKey} v${version} on the review board`);
  await recordChartOpened(
    target,
    { agencyId: agency, chartKey, version },
    purpose === 'review' ? 'qa-review' : purpose === 'second-review' ? 'qa-second-review' : 'qa-dispute',
  );
  const chart = await target.ports.artifacts.getText('artifacts', entry.artifactKey);
  return JSON.stringify(
    {
      purpose,
      chartKey,
      version,
      coderId: entry.coderId,
      why: entry.reason,
      ...(entry.closedAt ? { answeredAt: entry.closedAt } : {}),
      ...entry.shown,
      chart: JSON.parse(chart),
    },
    null,
    2,
  );
}

/** `codetrail qa dispute FILE`: a coder disputes corrections of a QA review of their chart. */
export function runQaDispute(target: Target, file: string): Promise<string> {
  // As the coder role the stack deploys: a dispute and its note, nothing read.
  return sendEntryFile(
    target,
    file,
    DisputeFileEntry,
    PERSON_ROLES.coder,
    submitDisputes,
    (d) => `${d.chartKey} v${d.version}: dispute sent to senior review`,
  );
}

/** `codetrail qa resolve FILE`: a senior reviewer upholds or overturns disputed corrections. */
export function runQaResolve(target: Target, file: string): Promise<string> {
  return sendEntryFile(
    target,
    file,
    ResolutionFileEntry,
    PERSON_ROLES.qaSenior,
    submitResolutions,
    (r) => `${r.chartKey} v${r.version}: ${r.outcome}`,
  );
}

/** A dispute or resolution file: each agency's entries sent as that agency's `role`, a line for each, then the file's issues. */
async function sendEntryFile<E extends { agencyId: string }, R>(
  target: Target,
  file: string,
  schema: z.ZodType<E>,
  role: (typeof PERSON_ROLES)[keyof typeof PERSON_ROLES],
  submit: (deps: ReturnType<typeof submitDeps>, entries: E[]) => Promise<R[]>,
  line: (sent: R) => string,
): Promise<string> {
  const parsed = parseEntryFile(readFileSync(file, 'utf8'), schema);
  const sent = await byAgency(
    target,
    parsed.entries.map((e) => e.entry),
    (agency, entries) =>
      actAs(agencyRole(role, agency), () => submit(submitDeps(target, 'qa-review-senior'), entries)),
  );
  return [...sent.map(line), ...issueLines(parsed.issues)].join('\n');
}

/** What a submission needs; the requests it answers are looked for on `queue` alone (the role's own). */
function submitDeps(target: Target, queue: 'qa-review' | 'qa-review-senior') {
  return {
    sqs: target.clients.sqs,
    ports: target.ports,
    queue,
    queueUrls: { [queue]: target.resources.queueUrls[queue] },
    actor: target.actor,
    held: heldReviews(target),
  };
}

/** The reviews this machine holds (`--next`), under the state folder, one file per stack. */
function heldReviews(target: Target): HeldReviews {
  const name = target.description.replace(/[^A-Za-z0-9._-]+/g, '_');
  return new HeldReviews(join(STATE_DIR, `held-reviews-${name}.json`));
}

function issueLines(issues: readonly { index: number; path?: string; reason: string }[]): string[] {
  return issues.map((i) => `entry ${i.index}${i.path ? ` ${i.path}` : ''}: ${i.reason}`);
}

/** The QA role a reviewer acts as: the senior's for senior work, else the reviewer's. */
function qaRole(senior: boolean | undefined) {
  return senior ? PERSON_ROLES.qaSenior : PERSON_ROLES.qaReviewer;
}
