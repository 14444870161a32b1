import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { ChartMessage, ReviewRequest } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage, UnknownChartError } from '#shared/runtime/forward.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { decideSampling } from '#shared/sampling/decide-sampling.ts';

/**
 * QA sampling: decides, deterministically and with a recorded reason, whether a validated chart is
 * re-reviewed by QA. Sampled charts wait on a human-drained review queue; the rest go to billing.
 */
export function createQaSamplingService(deps: StageDeps) {
  const { ports } = deps;

  /** Puts the chart on its review queue once; a crash between send and mark may send it twice. */
  async function requestReview(state: ChartState): Promise<void> {
    if (state.reviewRequestedAt || !state.sampling?.queue) return;
    const now = deps.clock.now().toISOString();
    const request: ReviewRequest = {
      kind: 'review-request',
      agencyId: state.agencyId,
      chartKey: state.chartKey,
      version: state.version,
      coderId: state.coderId,
      artifactKey: state.artifactKey,
      reason: state.sampling.reason,
      requestedAt: now,
    };
    await ports.queue.send(state.sampling.queue, [request]);
    await ports.charts.markOnce(state.chartKey, state.version, 'reviewRequestedAt', now);
  }

  return {
    async handle(message: ChartMessage): Promise<void> {
      let state = await ports.charts.get(message.chartKey, message.version);
      if (!state) throw new UnknownChartError(message.chartKey, message.version);
      if (state.status === 'VALIDATED') {
        const sampling = decideSampling(
          {
            chartKey: state.chartKey,
            version: state.version,
            coderId: state.coderId,
            hasWarnings: (state.findings ?? []).some((f) => f.severity === 'warn'),
          },
          deps.config.sampling,
        );
        const to = sampling.sampled ? 'SAMPLED' : 'NOT_SAMPLED';
        const moved = await ports.charts.transition(state.chartKey, state.version, ['VALIDATED'], to, {
          sampling,
        });
        if (!moved.ok) return; // another delivery won the race and does the same work
        state = moved.state;
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
      if (state.status === 'SAMPLED') await requestReview(state);
      else await ports.queue.send('billing', [chartMessage(state)]);
    },
  };
}
