import type { Icd10Table } from '#shared/data/icd10cm.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartMessage } from '#shared/model/messages.ts';
import { decide, runRules, validateChartInput } from '#shared/rules/index.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage, UnknownChartError } from '#shared/runtime/forward.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

/**
 * Validation: runs the coding rules over a received chart version. Errors send it back to the coder
 * (REJECTED), documentation gaps open a clinician query (QUERY_OPEN), a clean chart goes to QA sampling.
 */
export function createValidationService(deps: StageDeps & { icd10cm: () => Icd10Table }) {
  const { ports } = deps;
  return {
    async handle(message: ChartMessage): Promise<void> {
      const state = await ports.charts.get(message.chartKey, message.version);
      if (!state) throw new UnknownChartError(message.chartKey, message.version);
      if (state.status !== 'RECEIVED') {
        // Redelivery: the work is done. If it went on to sampling, make sure sampling heard of it.
        if (state.status === 'VALIDATED') await ports.queue.send('sample', [chartMessage(state)]);
        return;
      }
      const raw: unknown = JSON.parse(await ports.artifacts.getText('artifacts', state.artifactKey));
      const checked = validateChartInput(raw);
      const findings = checked.chart
        ? [...checked.findings, ...runRules(checked.chart, { icd10cm: deps.icd10cm() })]
        : checked.findings;
      const status = decide(findings);
      const moved = await ports.charts.transition(state.chartKey, state.version, ['RECEIVED'], status, {
        findings,
      });
      if (!moved.ok) return; // another delivery won the race and did the same work
      await recordAudit(deps, {
        type: `chart.${status === 'VALIDATED' ? 'validated' : status === 'REJECTED' ? 'rejected' : 'query-opened'}`,
        agencyId: state.agencyId,
        subject: chartSubject(state.chartKey, state.version),
        actor: 'stage:validation',
        idempotencyKey: 'validation',
        detail: { status, findings: findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity })) },
      });
      if (status === 'VALIDATED') await ports.queue.send('sample', [chartMessage(state)]);
    },
  };
}
