import type { ReviewEntry } from '#shared/aws/ports.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState, SamplingDecision } from '#shared/model/chart-state.ts';
import type { ChartMessage } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { daysBefore, readCoderHistory } from '#shared/runtime/coder-history.ts';
import { chartMessage, reviewEntry, reviewRequest, UnknownChartError } from '#shared/runtime/forward.ts';
import { samplingKey } from '#shared/runtime/sampling-key.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { coderStanding } from '#shared/sampling/coder-standing.ts';
import { samplingDraw } from '#shared/sampling/sampling-draw.ts';
import { decideSampling } from '#shared/sampling/sampling-policy.ts';
import { chartFileTags } from '#shared/topology.ts';

/**
 * QA sampling: decides, deterministically and with every factor recorded, whether a validated chart is
 * re-reviewed by QA (shared/sampling/sampling-policy.ts), from the coder's standing in the coder ledger
 * (probation, accuracy, recent denials). Sampled charts wait on a human-drained review queue; the rest
 * go to billing.
 */
export function createQaSamplingService(deps: StageDeps) {
  const { ports } = deps;
  const sampling = deps.config.sampling;

  /**
   * Puts the chart on its review queue once; a crash between send and mark may send it twice. Its file is
   * tagged for review first, so a reviewer who takes the request may read it (the QA roles read only
   * files so tagged).
   */
  async function requestReview(state: ChartState, decision: SamplingDecision): Promise<void> {
    if (state.reviewRequestedAt || !decision.queue) return;
    const now = deps.clock.now().toISOString();
    await ports.artifacts.tagObject(
      'artifacts',
      state.artifactKey,
      chartFileTags({ review: true, billing: false }),
    );
    const request = reviewRequest(state, 'review', [state.coderId], decision.reason, now);
    // On the review board before the request goes: a reviewer who takes it finds what to be shown.
    await ports.reviews.open(reviewEntry(state, request, decision.queue as ReviewEntry['queue']));
    await ports.queue.send(decision.queue, [request], state.agencyId);
    await ports.charts.markOnce(state.chartKey, state.version, 'reviewRequestedAt', now);
  }

  async function decide(state: ChartState) {
    // UTC: the coder ledger's keys and windows compare instants as text.
    const at = new Date(state.codingCompletedAt ?? deps.clock.now()).toISOString();
    // Recorded first, so the coder's count includes this chart (written once: a redelivery adds nothing).
    await ports.coders.record({
      kind: 'coded',
      agencyId: state.agencyId,
      coderId: state.coderId,
      chartKey: state.chartKey,
      version: state.version,
      codedAt: at,
      lineOfBusiness: state.lineOfBusiness,
    });
    const [history, categoryDenials, key] = await Promise.all([
      readCoderHistory(ports.coders, state.agencyId, state.coderId, sampling, at),
      state.principalCategory
        ? ports.coders.categoryDenials(
            state.agencyId,
            state.principalCategory,
            daysBefore(at, sampling.risk.recentDenials.days),
          )
        : Promise.resolve(0),
      samplingKey(ports.samplingKeys),
    ]);
    const standing = coderStanding(state.coderId, history, sampling, at);
    // The exit is recorded once, at this chart's time; the audit follows it. A redelivery after a crash
    // between the two finds the exit recorded at this very time, and audits it from the standing that
    // made it (the coder's standing as if still in probation), as the first delivery would have.
    const { probationEndedAt, ...beforeExit } = history;
    const exit = coderStanding(state.coderId, beforeExit, sampling, at);
    if (
      probationEndedAt === at ||
      (standing.probation.exitsNow && (await ports.coders.endProbation(state.agencyId, state.coderId, at)))
    ) {
      await recordAudit(deps, {
        type: 'coder.probation-ended',
        agencyId: state.agencyId,
        subject: `coder:${state.agencyId}:${state.coderId}`,
        actor: 'stage:qa-sampling',
        idempotencyKey: 'probation-ended',
        detail: { reason: exit.probation.reason, codeAccuracy: exit.codes },
      });
    }
    const chart = {
      chartKey: state.chartKey,
      version: state.version,
      coderId: state.coderId,
      lineOfBusiness: state.lineOfBusiness,
      findingRuleIds: state.findings?.filter((f) => f.severity === 'warn').map((f) => f.ruleId) ?? [],
      ...(state.grouping ? { clinicalGroup: state.grouping.clinicalGroup } : {}),
      ...(state.principalCategory ? { category: state.principalCategory } : {}),
    };
    return decideSampling(
      chart,
      { standing, categoryDenials },
      sampling,
      samplingDraw(key, state.chartKey, state.version),
    );
  }

  return {
    async handle(message: ChartMessage): Promise<void> {
      let state = await ports.charts.get(message.chartKey, message.version);
      if (!state) throw new UnknownChartError(message.chartKey, message.version);
      if (state.status === 'VALIDATED') {
        const decision = await decide(state);
        const to = decision.sampled ? 'SAMPLED' : 'NOT_SAMPLED';
        const moved = await ports.charts.transition(state.chartKey, state.version, ['VALIDATED'], to, {
          sampling: decision,
        });
        // Lost the race: re-read and run the idempotent follow-ups below, so a winner that dies after
        // its write strands nothing (this delivery's success deletes the message).
        if (!moved.ok) {
          if (!moved.current) throw new UnknownChartError(message.chartKey, message.version);
          state = moved.current;
        } else state = moved.state;
      }
      if ((state.status !== 'SAMPLED' && state.status !== 'NOT_SAMPLED') || !state.sampling) return;
      // First delivery, or a redelivery after a crash between the writes: every follow-up is idempotent
      // (the review request is sent once, see requestReview).
      await recordAudit(deps, {
        type: state.sampling.sampled ? 'chart.sampled' : 'chart.not-sampled',
        agencyId: state.agencyId,
        subject: chartSubject(state.chartKey, state.version),
        actor: 'stage:qa-sampling',
        idempotencyKey: 'sampling',
        detail: { ...state.sampling },
      });
      if (state.status === 'SAMPLED') await requestReview(state, state.sampling);
      else await ports.queue.send('billing', [chartMessage(state)]);
    },
  };
}
