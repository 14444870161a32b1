import { queueOfPurpose, type ReviewQueue } from '#shared/aws/ports.ts';
import { agencyOfChartKey, chartDigest, chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState, QaOutcome } from '#shared/model/chart-state.ts';
import type {
  Dispute,
  DisputeResolution,
  QaResultMessage,
  ReviewRequest,
  Verdict,
} from '#shared/model/messages.ts';
import type { DisputeRecord, ReviewRecord } from '#shared/model/qa.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import type { TablesFor } from '#shared/rules/index.ts';
import type { PdgmGrouping } from '#shared/rules/pdgm-grouping.ts';
import { openQueries, queryPolicy } from '#shared/rules/queries.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage, reviewEntry, reviewRequest } from '#shared/runtime/forward.ts';
import { samplingKey } from '#shared/runtime/sampling-key.ts';
import { staffRefusal, verifiedActor } from '#shared/runtime/staff-check.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { applyCorrections } from '#shared/sampling/apply-corrections.ts';
import { scoreReview } from '#shared/sampling/review-score.ts';
import { samplingDraw } from '#shared/sampling/sampling-draw.ts';

type Diagnosis = { sequence: number; code: string; system?: string };
/**
 * The chart artifact as stored: rule input, of which QA reads and corrects the diagnoses. Intake stores
 * only charts that passed the chart schema, where `diagnoses` is required.
 */
type ChartArtifact = Record<string, unknown> & { diagnoses: Diagnosis[] };

/** The verdict as the chart's QA outcome, scored against the codes it reviewed. */
function scoredOutcome(verdict: Verdict, sequences: number[]): QaOutcome {
  return {
    outcome: verdict.outcome,
    reviewerId: verdict.reviewerId,
    reviewedAt: verdict.reviewedAt,
    corrections: verdict.corrections,
    score: scoreReview(sequences, verdict.corrections, verdict.outcome),
  };
}

/**
 * Who acted: the verified sender the message was stamped with on arrival (`handle`), never an id its body
 * names (reviewerId, coderId and the submitter's own `submittedBy` are what the sender claims).
 */
function actorOf(message: { submittedBy?: string | undefined }): string {
  return message.submittedBy ?? 'sender:unknown';
}

/** Where a first review leaves a chart: billed as coded, billed corrected, back to the coder, or waiting for a clinician. */
const DONE = ['QA_PASSED', 'QA_CORRECTED', 'REJECTED', 'QUERY_OPEN'] as const;
const BILLED: ReadonlySet<string> = new Set(['QA_PASSED', 'QA_CORRECTED']);

/** The queues a chart waits on for a reviewer. */
type QueueOfReview = 'qa-review' | 'qa-review-senior';

/**
 * QA result: applies a reviewer's verdict to a sampled chart version. `agree` goes to billing; a
 * correction is recorded against the same version (original and corrected codes both kept, each
 * correction with its category, severity and direction), the rules re-run on the corrected codes, and
 * the chart goes to billing if they pass; `rejected` sends it back to the coder. The review is scored
 * (chart and code accuracy) into the coder ledger. A verdict for a chart that is not waiting for
 * review, or by the coder of the chart, is recorded and set aside.
 */
export function createQaResultService(deps: StageDeps & { tables: TablesFor }) {
  const { ports } = deps;

  // Fields left undefined in an audit detail or a ledger record are not stored (removeUndefinedValues).
  function recordVerdict(verdict: Verdict, state: ChartState, qa: QaOutcome): Promise<void> {
    return recordAudit(deps, {
      type: `verdict.${verdict.outcome}`,
      agencyId: verdict.agencyId,
      subject: chartSubject(verdict.chartKey, verdict.version),
      actor: actorOf(verdict),
      idempotencyKey: 'verdict',
      detail: {
        status: state.status,
        reviewerId: verdict.reviewerId,
        coderId: state.coderId,
        corrections: verdict.corrections,
        score: qa.score,
        noteKey: verdict.noteKey,
      },
    });
  }

  function setAside(verdict: Verdict, reason: string): Promise<void> {
    return recordAudit(deps, {
      type: 'verdict.set-aside',
      agencyId: verdict.agencyId,
      subject: chartSubject(verdict.chartKey, verdict.version),
      actor: actorOf(verdict),
      idempotencyKey: `set-aside:${verdict.reviewerId}:${verdict.reviewedAt}`,
      detail: { reason, outcome: verdict.outcome },
    });
  }

  /**
   * The review, scored, in the coder ledger (written once). A review stored before reviews were scored
   * (the first releases kept neither score nor corrections) counts as a chart review without codes.
   */
  async function recordReview(
    state: ChartState,
    qa: QaOutcome,
    round: ReviewRecord['round'] = 'first',
  ): Promise<void> {
    await ports.coders.record({
      kind: 'review',
      agencyId: state.agencyId,
      coderId: state.coderId,
      chartKey: state.chartKey,
      version: state.version,
      reviewerId: qa.reviewerId,
      // UTC, so the ledger's time-ordered keys and windows compare like with like.
      reviewedAt: utc(qa.reviewedAt),
      round,
      outcome: qa.outcome,
      lineOfBusiness: state.lineOfBusiness,
      score: qa.score ?? { chartAccurate: qa.outcome !== 'rejected', codesReviewed: 0, codesConfirmed: 0 },
      category: state.principalCategory,
      corrections: (qa.corrections ?? []).map(({ category, severity, direction }) => ({
        category,
        severity,
        direction,
      })),
    });
  }

  /** Billing, the ledger and the audit trail: idempotent, so a redelivery after a crash redoes them. */
  async function followUp(verdict: Verdict, state: ChartState, qa: QaOutcome): Promise<void> {
    await closeReview(state, 'review');
    await recordReview(state, qa);
    await recordVerdict(verdict, state, qa);
    await maybeSecondReview(state, verdict.reviewerId);
    if (BILLED.has(state.status)) await ports.queue.send('billing', [chartMessage(state)]);
  }

  /**
   * A keyed share of first verdicts goes for a blind second review: the request says nothing of the
   * first verdict and may not be taken by the coder or the first reviewer. Sent once.
   */
  async function maybeSecondReview(state: ChartState, firstReviewer: string): Promise<void> {
    const rate = deps.config.sampling.secondReviewRate;
    // At rate 0 no draw is needed: a verdict does not wait on the key service.
    if (rate <= 0 || state.secondReviewRequestedAt) return;
    const draw = samplingDraw(
      await samplingKey(ports.samplingKeys),
      // The chart's HMAC part, as every draw: the agency it is filed under does not move it.
      `second-review|${chartDigest(state.chartKey)}`,
      state.version,
    );
    if (draw >= rate) return;
    const now = deps.clock.now().toISOString();
    await sendReviewRequest(
      state,
      'second-review',
      [state.coderId, firstReviewer],
      'blind second review',
      'qa-review',
    );
    await ports.charts.markOnce(state.chartKey, state.version, 'secondReviewRequestedAt', now);
  }

  /** Puts the request on the review board (opened once), then on its queue. */
  async function sendReviewRequest(
    state: ChartState,
    purpose: ReviewRequest['purpose'],
    notBy: string[],
    reason: string,
    queue: QueueOfReview,
  ): Promise<void> {
    const request = reviewRequest(state, purpose, notBy, reason, deps.clock.now().toISOString());
    await ports.reviews.open(reviewEntry(state, request, queue));
    await ports.queue.send(queue, [request], state.agencyId);
  }

  /**
   * The review is answered: off the board (once; a redelivery finds it closed). A first review is on the
   * queue its sampling named; a second review on the first reviewers', a dispute on the seniors'.
   */
  function closeReview(state: ChartState, purpose: ReviewRequest['purpose']): Promise<void> {
    const queue = queueOfPurpose(purpose, state.sampling?.queue as ReviewQueue | undefined);
    const slot = {
      agencyId: state.agencyId,
      queue,
      chartKey: state.chartKey,
      version: state.version,
      purpose,
    };
    return ports.reviews.close(slot, deps.clock.now().toISOString());
  }

  /** A blind second review: scored into the ledger as round two, for reviewer agreement only. */
  async function secondReview(verdict: Verdict, state: ChartState | undefined): Promise<void> {
    // A second review is requested only after the first review is stored.
    if (!state?.qa || !state.secondReviewRequestedAt) {
      await setAside(verdict, 'no second review was requested for this chart version');
      return;
    }
    const first = state.qa.reviewerId;
    if (verdict.reviewerId === state.coderId || verdict.reviewerId === first) {
      await setAside(verdict, 'a second review is by someone other than the coder and the first reviewer');
      // The CLI took the request off the queue when it sent this: put it back for someone who may answer.
      if (!state.secondReview)
        await sendReviewRequest(
          state,
          'second-review',
          [state.coderId, first],
          'blind second review',
          'qa-review',
        );
      return;
    }
    // Another reviewer's second review, stored before or racing this one, wins: claimOnce tells.
    const mine = await claimOnce(
      state,
      'secondReview',
      { reviewerId: verdict.reviewerId, outcome: verdict.outcome, reviewedAt: verdict.reviewedAt },
      (stored) => stored.reviewerId === verdict.reviewerId && stored.reviewedAt === verdict.reviewedAt,
    );
    if (!mine) {
      await setAside(verdict, 'the second review is already done');
      return;
    }
    // Read once the review is this message's (a redelivery owns it too): a losing racer reads nothing.
    const { diagnoses } = await readChart(state);
    const qa = scoredOutcome(
      verdict,
      diagnoses.map((d) => d.sequence),
    );
    await recordReview(state, qa, 'second');
    await closeReview(state, 'second-review');
    await recordAudit(deps, {
      type: 'verdict.second-review',
      agencyId: verdict.agencyId,
      subject: chartSubject(verdict.chartKey, verdict.version),
      actor: actorOf(verdict),
      idempotencyKey: 'second-review',
      detail: {
        reviewerId: verdict.reviewerId,
        firstReviewerId: first,
        outcome: verdict.outcome,
        score: qa.score,
      },
    });
  }

  /**
   * Writes a once-field of the chart version. When this message owns it (it wrote it, or it is the same
   * message again, a redelivery, that wrote it before), returns the version as it stands: a redelivery
   * sees what the first delivery did after the write. Undefined when another message got there first.
   */
  async function claimOnce<F extends 'secondReview' | 'dispute' | 'disputeResolution'>(
    state: ChartState,
    field: F,
    value: NonNullable<ChartState[F]>,
    same: (stored: NonNullable<ChartState[F]>) => boolean,
  ): Promise<ChartState | undefined> {
    if (await ports.charts.markOnce(state.chartKey, state.version, field, value)) return state;
    // markOnce fails only on a version that holds the field (this one was read to get here, and versions
    // are never deleted), and reads are consistent: the version and the field are there.
    const now = (await ports.charts.get(state.chartKey, state.version)) as ChartState;
    return same(now[field] as NonNullable<ChartState[F]>) ? now : undefined;
  }

  /** A dispute or decision that cannot apply: recorded (once per message) and set aside. */
  function setAsideDispute(message: Dispute | DisputeResolution, reason: string): Promise<void> {
    const dispute = message.kind === 'dispute';
    return recordAudit(deps, {
      type: 'dispute.set-aside',
      agencyId: message.agencyId,
      subject: chartSubject(message.chartKey, message.version),
      actor: actorOf(message),
      idempotencyKey: dispute
        ? `dispute-set-aside:${message.disputedAt}`
        : `resolution-set-aside:${message.reviewerId}:${message.resolvedAt}`,
      detail: { reason },
    });
  }

  /** The coder disputes corrections of the review: recorded once, and sent to senior review. */
  async function openDispute(dispute: Dispute, state: ChartState | undefined): Promise<void> {
    if (!state?.qa) {
      await setAsideDispute(dispute, 'the chart version has no QA review');
      return;
    }
    const corrections = state.qa.corrections ?? [];
    const reason =
      dispute.coderId !== state.coderId
        ? 'only the coder of the chart may dispute its review'
        : corrections.length === 0
          ? 'the review made no correction'
          : dispute.corrections.some((i) => i >= corrections.length)
            ? `the review has ${corrections.length} correction(s): index out of range`
            : undefined;
    if (reason) {
      await setAsideDispute(dispute, reason);
      return;
    }
    // One dispute per review; this one again (a redelivery) redoes what a crash may have cut short.
    const claim = {
      corrections: [...new Set(dispute.corrections)].sort((a, b) => a - b),
      disputedAt: dispute.disputedAt,
    };
    const mine = await claimOnce(
      state,
      'dispute',
      claim,
      (stored) => stored.disputedAt === dispute.disputedAt,
    );
    if (!mine) {
      await setAsideDispute(dispute, 'a dispute of this review is already open or decided');
      return;
    }
    // A redelivery after the first delivery sent the request: nothing left to do.
    if (mine.disputeRequestedAt) return;
    await recordAudit(deps, {
      type: 'dispute.opened',
      agencyId: dispute.agencyId,
      subject: chartSubject(dispute.chartKey, dispute.version),
      actor: actorOf(dispute),
      idempotencyKey: 'dispute',
      detail: { corrections: dispute.corrections, noteKey: dispute.noteKey },
    });
    // Sent, then marked: a crash between the two sends it twice, never zero times.
    await sendReviewRequest(
      // With its dispute: the claim returns the version as read before it, on a first delivery.
      { ...mine, dispute: mine.dispute ?? claim },
      'dispute',
      [state.coderId, state.qa.reviewerId],
      `dispute of correction(s) ${dispute.corrections.join(', ')}`,
      'qa-review-senior',
    );
    await ports.charts.markOnce(
      state.chartKey,
      state.version,
      'disputeRequestedAt',
      deps.clock.now().toISOString(),
    );
  }

  /**
   * A senior reviewer decides a dispute. Overturned: the review is re-scored without the disputed
   * corrections, and that score counts from now on (the review record stays as it was).
   */
  async function resolveDispute(resolution: DisputeResolution, state: ChartState | undefined): Promise<void> {
    // A dispute is opened only on a reviewed version.
    if (!state?.qa || !state.dispute) {
      await setAsideDispute(resolution, 'no dispute is open for this chart version');
      return;
    }
    if (resolution.reviewerId === state.coderId || resolution.reviewerId === state.qa.reviewerId) {
      await setAsideDispute(
        resolution,
        'a dispute is decided by someone other than the coder and the reviewer',
      );
      // The CLI took the request off the queue when it sent this: put it back for a senior who may decide.
      if (!state.disputeResolution)
        await sendReviewRequest(
          state,
          'dispute',
          [state.coderId, state.qa.reviewerId],
          `dispute of correction(s) ${state.dispute.corrections.join(', ')}`,
          'qa-review-senior',
        );
      return;
    }
    // Another decision, stored before or racing this one, wins: claimOnce tells.
    const mine = await claimOnce(
      state,
      'disputeResolution',
      { outcome: resolution.outcome, reviewerId: resolution.reviewerId, resolvedAt: resolution.resolvedAt },
      (stored) => sameResolution(stored, resolution),
    );
    if (!mine) {
      await setAsideDispute(resolution, 'the dispute is already decided');
      return;
    }
    await closeReview(state, 'dispute');
    const disputed = new Set(state.dispute.corrections);
    // Stryker disable next-line ArrayDeclaration: a dispute is opened only on a review with corrections
    const kept = (state.qa.corrections ?? []).filter(
      (_, i) => resolution.outcome === 'upheld' || !disputed.has(i),
    );
    const record: DisputeRecord = {
      kind: 'dispute',
      agencyId: state.agencyId,
      coderId: state.coderId,
      chartKey: state.chartKey,
      version: state.version,
      reviewedAt: utc(state.qa.reviewedAt),
      resolvedAt: utc(resolution.resolvedAt),
      reviewerId: resolution.reviewerId,
      outcome: resolution.outcome,
      corrections: state.dispute.corrections,
      // Upheld: the review counts as it was scored (a review stored unscored is scored now, whole).
      score:
        resolution.outcome === 'upheld' && state.qa.score
          ? state.qa.score
          : scoreReview(
              (await readChart(state)).diagnoses.map((d) => d.sequence),
              kept,
              // Otherwise corrected or agree, by what is kept (scoreReview's default).
              state.qa.outcome === 'rejected' && kept.length > 0 ? 'rejected' : undefined,
            ),
    };
    await ports.coders.record(record);
    await recordAudit(deps, {
      type: `dispute.${resolution.outcome}`,
      agencyId: resolution.agencyId,
      subject: chartSubject(resolution.chartKey, resolution.version),
      actor: actorOf(resolution),
      idempotencyKey: 'dispute-resolution',
      detail: {
        reviewerId: resolution.reviewerId,
        corrections: state.dispute.corrections,
        score: record.score,
        noteKey: resolution.noteKey,
      },
    });
  }

  /** The chart version as received (the coder's codes), from the artifacts bucket. */
  async function readChart(state: ChartState): Promise<{ raw: ChartArtifact; diagnoses: Diagnosis[] }> {
    const raw = JSON.parse(await ports.artifacts.getText('artifacts', state.artifactKey)) as ChartArtifact;
    return { raw, diagnoses: raw.diagnoses };
  }

  return {
    /** `sender`: the SQS SenderId of the message (who really sent it), checked against `staff`. */
    async handle(received: QaResultMessage, sender?: string): Promise<void> {
      // The actor of everything this message does is who AWS says sent it, whatever its body claims.
      const message = { ...received, submittedBy: verifiedActor(deps.config.staff, sender) };
      // Read once: the sender check and every kind of message start from the chart version.
      const state = await ports.charts.get(message.chartKey, message.version);
      const refused = await refusal(message, sender, state);
      if (refused) return;
      if (message.kind === 'dispute') return openDispute(message, state);
      if (message.kind === 'dispute-resolution') return resolveDispute(message, state);
      if (message.round === 'second') return secondReview(message, state);
      return firstReview(message, state);
    },
  };

  /**
   * Who may send what: reviewers (or seniors) verdicts, a senior the verdict on a chart sampled to the
   * senior queue, the coder a dispute, a senior a dispute decision. A refused message is recorded and
   * set aside ('recorded'); undefined lets it through.
   */
  async function refusal(
    message: QaResultMessage,
    sender: string | undefined,
    state: ChartState | undefined,
  ): Promise<'recorded' | undefined> {
    // With no staff configured, staffRefusal lets every message through.
    const staff = deps.config.staff;
    // The chart's agency, as its state (or its chartKey) says: a message names its own, and may name
    // another, which would file its events where the chart's agency's compliance role cannot read them.
    const agencyId = state?.agencyId ?? agencyOfChartKey(message.chartKey) ?? message.agencyId;
    let reason: string | undefined;
    let claimed: string;
    if (message.kind === 'dispute') {
      claimed = message.coderId;
      reason = staffRefusal(staff, sender, claimed, ['coder'], agencyId);
    } else if (message.kind === 'dispute-resolution') {
      claimed = message.reviewerId;
      reason = staffRefusal(staff, sender, claimed, ['senior'], agencyId);
    } else {
      claimed = message.reviewerId;
      const senior = message.round === 'first' && state?.sampling?.queue === 'qa-review-senior';
      reason = staffRefusal(staff, sender, claimed, senior ? ['senior'] : ['reviewer', 'senior'], agencyId);
      if (reason && senior && !staffRefusal(staff, sender, claimed, ['reviewer'], agencyId))
        reason = `${claimed} is a reviewer; the chart was sampled to senior review`;
    }
    // Agency ids are checked by the message schema: naming them reveals nothing.
    if (message.agencyId !== agencyId)
      reason = `the message names ${message.agencyId}; the chart is ${agencyId}'s`;
    if (!reason) return undefined;
    await recordAudit(deps, {
      type: `${message.kind === 'verdict' ? 'verdict' : 'dispute'}.refused`,
      agencyId,
      subject: chartSubject(message.chartKey, message.version),
      actor: verifiedActor(staff, sender),
      idempotencyKey: `refused:${message.kind}:${claimed}:${'reviewedAt' in message ? message.reviewedAt : 'disputedAt' in message ? message.disputedAt : message.resolvedAt}`,
      detail: { reason, claimed, kind: message.kind },
    });
    return 'recorded';
  }

  async function firstReview(verdict: Verdict, state: ChartState | undefined): Promise<void> {
    if (state?.status !== 'SAMPLED') {
      // The same verdict again (a redelivery, perhaps after a crash between the writes): redo the
      // idempotent follow-ups, and stop.
      if (state?.qa?.reviewerId === verdict.reviewerId && state.qa.reviewedAt === verdict.reviewedAt) {
        if ((DONE as readonly string[]).includes(state.status)) await followUp(verdict, state, state.qa);
        // Moved on since (superseded, say) after a crash before the follow-ups: off the board all the same.
        else await closeReview(state, 'review');
        return;
      }
      await setAside(
        verdict,
        state ? `chart is ${state.status}, not awaiting QA review` : 'no such chart version',
      );
      return;
    }
    if (verdict.reviewerId === state.coderId) {
      await setAside(verdict, 'a reviewer never reviews their own coding');
      // The CLI takes a request off the queue when it submits a verdict: put the chart back for review.
      // qa-sampling moves a version to SAMPLED with its decision, and a sampled decision names its queue.
      const { reason, queue } = state.sampling as NonNullable<ChartState['sampling']>;
      await sendReviewRequest(state, 'review', [state.coderId], reason, queue as QueueOfReview);
      return;
    }

    const { raw, diagnoses } = await readChart(state);
    const qa = scoredOutcome(
      verdict,
      diagnoses.map((d) => d.sequence),
    );
    // Undefined changes are not written (the chart store's transition skips them).
    let grouping: PdgmGrouping | undefined;
    let queries: ChartState['queries'];
    let to: (typeof DONE)[number] = verdict.outcome === 'agree' ? 'QA_PASSED' : 'REJECTED';
    if (verdict.outcome === 'corrected') {
      const corrected = applyCorrections(diagnoses, verdict.corrections);
      // The corrected codes are judged, and grouped, anew: the HIPPS follows the diagnoses billing sends.
      const check = checkChart({ ...raw, diagnoses: corrected }, deps.tables);
      grouping = check.grouping;
      qa.originalDiagnoses = diagnoses.map((d) => ({ sequence: d.sequence, code: d.code }));
      qa.correctedDiagnoses = corrected.map((d) => ({ sequence: d.sequence, code: d.code }));
      qa.findings = check.findings;
      // Corrected codes that the rules reject go back to the coder; ones that raise a documentation
      // query wait for the clinician like any queried chart (a re-export answers it); else billing.
      to =
        check.decision === 'REJECTED'
          ? 'REJECTED'
          : check.decision === 'QUERY_OPEN'
            ? 'QUERY_OPEN'
            : 'QA_CORRECTED';
      if (to === 'QUERY_OPEN')
        queries = openQueries(
          check.findings,
          deps.clock.now().toISOString(),
          queryPolicy(deps.config, state.agencyId),
        );
      if (to === 'QA_CORRECTED') {
        // What billing bills: the chart with the corrected codes, beside the original (both kept). Named
        // after the verdict, so two verdicts racing for the chart never overwrite each other's file.
        qa.correctedArtifactKey = correctedArtifactKey(state.artifactKey, verdict);
        await ports.artifacts.putJson('artifacts', qa.correctedArtifactKey, {
          ...raw,
          diagnoses: corrected,
        });
      }
    }
    // Corrected codes that do not group leave no HIPPS: the one of the codes as coded goes with them.
    const regrouped = verdict.outcome === 'corrected';
    const moved = await ports.charts.transition(
      state.chartKey,
      state.version,
      ['SAMPLED'],
      to,
      { qa, grouping, queries },
      regrouped && grouping === undefined ? { remove: ['grouping'] } : {},
    );
    // Lost the race. The same verdict delivered twice: the winner may die after its write, so this
    // delivery (whose success deletes the message) does the idempotent follow-ups itself. Another
    // verdict: this one is set aside, as one arriving a moment later would be.
    if (!moved.ok) return firstReview(verdict, moved.current);
    await followUp(verdict, moved.state, qa);
  }
}

/**
 * Where a verdict's corrected chart lives: beside the chart as received (which stays unchanged), named
 * after the verdict (reviewer and time), so each verdict writes its own file.
 */
export function correctedArtifactKey(
  artifactKey: string,
  verdict: Pick<Verdict, 'reviewerId' | 'reviewedAt'>,
): string {
  const id = sha256Hex(`${verdict.reviewerId}|${verdict.reviewedAt}`).slice(0, 12);
  return artifactKey.replace(/(\.json)?$/, `.qa-${id}.json`);
}

function sameResolution(
  stored: NonNullable<ChartState['disputeResolution']>,
  resolution: Pick<DisputeResolution, 'outcome' | 'reviewerId' | 'resolvedAt'>,
): boolean {
  return (
    stored.outcome === resolution.outcome &&
    stored.reviewerId === resolution.reviewerId &&
    stored.resolvedAt === resolution.resolvedAt
  );
}

/** An ISO instant with any offset, as the UTC instant the coder ledger sorts by. */
function utc(instant: string): string {
  return new Date(instant).toISOString();
}
