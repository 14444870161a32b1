import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartState, QaOutcome } from '#shared/model/chart-state.ts';
import type { Verdict } from '#shared/model/messages.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import type { TablesFor } from '#shared/rules/index.ts';
import type { PdgmGrouping } from '#shared/rules/pdgm-grouping.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage } from '#shared/runtime/forward.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { applyCorrections } from '#shared/sampling/apply-corrections.ts';
import { scoreReview } from '#shared/sampling/review-score.ts';

type Diagnosis = { sequence: number; code: string; system?: string };

/** Who acted: the principal that submitted the verdict (IAM or local user), else the reviewer it names. */
function actorOf(verdict: Verdict): string {
  return verdict.submittedBy ?? `reviewer:${verdict.reviewerId}`;
}

const DONE = ['QA_PASSED', 'QA_CORRECTED', 'REJECTED'] as const;

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

  function recordVerdict(verdict: Verdict, state: ChartState): Promise<void> {
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
        ...(state.qa?.score ? { score: state.qa.score } : {}),
        ...(verdict.noteKey ? { noteKey: verdict.noteKey } : {}),
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

  /** The review, scored, in the coder ledger (written once). */
  function recordReview(state: ChartState, qa: QaOutcome): Promise<boolean> {
    const review: ReviewRecord = {
      kind: 'review',
      agencyId: state.agencyId,
      coderId: state.coderId,
      chartKey: state.chartKey,
      version: state.version,
      reviewerId: qa.reviewerId,
      reviewedAt: qa.reviewedAt,
      round: 'first',
      outcome: qa.outcome,
      lineOfBusiness: state.lineOfBusiness,
      score: qa.score ?? { chartAccurate: qa.outcome !== 'rejected', codesReviewed: 0, codesConfirmed: 0 },
      corrections: (qa.corrections ?? []).map(({ category, severity, direction }) => ({
        category,
        severity,
        direction,
      })),
    };
    if (state.principalCategory) review.category = state.principalCategory;
    return ports.coders.record(review);
  }

  /** Billing, the ledger and the audit trail: idempotent, so a redelivery after a crash redoes them. */
  async function followUp(verdict: Verdict, state: ChartState): Promise<void> {
    if (state.qa) await recordReview(state, state.qa);
    await recordVerdict(verdict, state);
    if (state.status !== 'REJECTED') await ports.queue.send('billing', [chartMessage(state)]);
  }

  return {
    async handle(verdict: Verdict): Promise<void> {
      const state = await ports.charts.get(verdict.chartKey, verdict.version);
      if (state?.status !== 'SAMPLED') {
        // The same verdict again (a redelivery, perhaps after a crash between the writes): redo the
        // idempotent follow-ups, and stop.
        if (state?.qa?.reviewerId === verdict.reviewerId && state.qa.reviewedAt === verdict.reviewedAt) {
          if ((DONE as readonly string[]).includes(state.status)) await followUp(verdict, state);
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
        return;
      }

      const raw = JSON.parse(await ports.artifacts.getText('artifacts', state.artifactKey)) as {
        diagnoses?: Diagnosis[];
      };
      const diagnoses = raw.diagnoses ?? [];
      const qa: QaOutcome = {
        outcome: verdict.outcome,
        reviewerId: verdict.reviewerId,
        reviewedAt: verdict.reviewedAt,
        corrections: verdict.corrections,
        score: scoreReview(
          diagnoses.map((d) => d.sequence),
          verdict.corrections,
        ),
      };
      let grouping: PdgmGrouping | undefined;
      let to: (typeof DONE)[number] = verdict.outcome === 'agree' ? 'QA_PASSED' : 'REJECTED';
      if (verdict.outcome === 'corrected') {
        const corrected = applyCorrections(diagnoses, verdict.corrections);
        // The corrected codes are judged, and grouped, anew: the HIPPS follows the diagnoses billing sends.
        const check = checkChart({ ...raw, diagnoses: corrected }, deps.tables);
        if (check.grouping) grouping = check.grouping;
        qa.originalDiagnoses = diagnoses.map((d) => ({ sequence: d.sequence, code: d.code }));
        qa.correctedDiagnoses = corrected.map((d) => ({ sequence: d.sequence, code: d.code }));
        qa.findings = check.findings;
        to = check.decision === 'REJECTED' ? 'REJECTED' : 'QA_CORRECTED';
        if (to === 'QA_CORRECTED') {
          // What billing bills: the chart with the corrected codes, beside the original (both kept).
          qa.correctedArtifactKey = correctedArtifactKey(state.artifactKey);
          await ports.artifacts.putJson('artifacts', qa.correctedArtifactKey, {
            ...raw,
            diagnoses: corrected,
          });
        }
      }
      const moved = await ports.charts.transition(state.chartKey, state.version, ['SAMPLED'], to, {
        qa,
        ...(grouping ? { grouping } : {}),
      });
      if (!moved.ok) return;
      await followUp(verdict, moved.state);
    },
  };
}

/** Where the corrected chart of a version lives: beside the chart as received, which stays unchanged. */
export function correctedArtifactKey(artifactKey: string): string {
  return artifactKey.replace(/(\.json)?$/, '.qa-corrected.json');
}
