import { chartSubject } from '#shared/identity/identifiers.ts';
import type { QaOutcome } from '#shared/model/chart-state.ts';
import type { Verdict } from '#shared/model/messages.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import type { TablesFor } from '#shared/rules/index.ts';
import type { PdgmGrouping } from '#shared/rules/pdgm-grouping.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage } from '#shared/runtime/forward.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

type Diagnosis = { sequence: number; code: string; system?: string };

/** Who acted: the principal that submitted the verdict (IAM or local user), else the reviewer it names. */
function actorOf(verdict: Verdict): string {
  return verdict.submittedBy ?? `reviewer:${verdict.reviewerId}`;
}

/**
 * QA result: applies a reviewer's verdict to a sampled chart version. A pass goes to billing; a
 * correction is recorded against the same version (original and corrected codes both kept), the rules
 * re-run on the corrected codes, and the chart goes to billing if they pass; a rejection sends it back
 * to the coder. A verdict for a chart that is not waiting for review is recorded and set aside.
 */
export function createQaResultService(deps: StageDeps & { tables: TablesFor }) {
  const { ports } = deps;

  function recordVerdict(verdict: Verdict, status: string, coderId: string): Promise<void> {
    return recordAudit(deps, {
      type: `verdict.${verdict.outcome}`,
      agencyId: verdict.agencyId,
      subject: chartSubject(verdict.chartKey, verdict.version),
      actor: actorOf(verdict),
      idempotencyKey: 'verdict',
      detail: {
        status,
        reviewerId: verdict.reviewerId,
        coderId,
        corrections: verdict.corrections,
        ...(verdict.noteKey ? { noteKey: verdict.noteKey } : {}),
      },
    });
  }

  return {
    async handle(verdict: Verdict): Promise<void> {
      const subject = chartSubject(verdict.chartKey, verdict.version);
      const state = await ports.charts.get(verdict.chartKey, verdict.version);
      if (state?.status !== 'SAMPLED') {
        // The same verdict again (a redelivery, perhaps after a crash between the writes): redo the
        // idempotent follow-ups, and stop.
        if (state?.qa?.reviewerId === verdict.reviewerId && state.qa.reviewedAt === verdict.reviewedAt) {
          if (
            state.status === 'QA_PASSED' ||
            state.status === 'QA_CORRECTED' ||
            state.status === 'REJECTED'
          ) {
            await recordVerdict(verdict, state.status, state.coderId);
            if (state.status !== 'REJECTED') await ports.queue.send('billing', [chartMessage(state)]);
          }
          return;
        }
        await recordAudit(deps, {
          type: 'verdict.set-aside',
          agencyId: verdict.agencyId,
          subject,
          actor: actorOf(verdict),
          idempotencyKey: `set-aside:${verdict.reviewerId}:${verdict.reviewedAt}`,
          detail: {
            reason: state ? `chart is ${state.status}, not awaiting QA review` : 'no such chart version',
            outcome: verdict.outcome,
          },
        });
        return;
      }

      const qa: QaOutcome = {
        outcome: verdict.outcome,
        reviewerId: verdict.reviewerId,
        reviewedAt: verdict.reviewedAt,
      };
      let grouping: PdgmGrouping | undefined;
      let to: 'QA_PASSED' | 'QA_CORRECTED' | 'REJECTED' =
        verdict.outcome === 'pass' ? 'QA_PASSED' : 'REJECTED';
      if (verdict.outcome === 'corrected') {
        const raw = JSON.parse(await ports.artifacts.getText('artifacts', state.artifactKey)) as {
          diagnoses?: Diagnosis[];
        };
        const original = (raw.diagnoses ?? []).map((d) => ({ sequence: d.sequence, code: d.code }));
        const corrected = applyCorrections(raw.diagnoses ?? [], verdict.corrections);
        // The corrected codes are judged, and grouped, anew: the HIPPS follows the diagnoses billing sends.
        const check = checkChart({ ...raw, diagnoses: corrected }, deps.tables);
        const findings = check.findings;
        if (check.grouping) grouping = check.grouping;
        qa.originalDiagnoses = original;
        qa.correctedDiagnoses = corrected.map((d) => ({ sequence: d.sequence, code: d.code }));
        qa.findings = findings;
        to = check.decision === 'REJECTED' ? 'REJECTED' : 'QA_CORRECTED';
      }
      const moved = await ports.charts.transition(state.chartKey, state.version, ['SAMPLED'], to, {
        qa,
        ...(grouping ? { grouping } : {}),
      });
      if (!moved.ok) return;
      await recordVerdict(verdict, to, state.coderId);
      if (to !== 'REJECTED') await ports.queue.send('billing', [chartMessage(state)]);
    },
  };
}

/**
 * The diagnoses with a reviewer's corrections applied by sequence: a correction replaces the code at its
 * sequence (keeping the rest of that diagnosis), or adds an ICD-10-CM diagnosis at a new sequence.
 */
export function applyCorrections(
  diagnoses: readonly Diagnosis[],
  corrections: readonly Diagnosis[],
): Diagnosis[] {
  // Diagnoses are kept one for one (a duplicated sequence stays, for the rules to report).
  const result = diagnoses.map((d) => {
    const c = corrections.find((x) => x.sequence === d.sequence);
    return c ? { ...d, code: c.code } : d;
  });
  for (const c of corrections) {
    if (!diagnoses.some((d) => d.sequence === c.sequence)) result.push({ ...c, system: 'ICD-10-CM' });
  }
  return result.sort((a, b) => a.sequence - b.sequence);
}
