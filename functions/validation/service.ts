import { chartSubject } from '#shared/identity/identifiers.ts';
import type { ChartStatus } from '#shared/model/chart-state.ts';
import type { ChartMessage } from '#shared/model/messages.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import type { TablesFor } from '#shared/rules/index.ts';
import { openQueries, queryPolicy } from '#shared/rules/queries.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { chartMessage, UnknownChartError } from '#shared/runtime/forward.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

/** The statuses validation decides, and the audit event each one records. */
const AUDIT_TYPE: Partial<Record<ChartStatus, string>> = {
  VALIDATED: 'chart.validated',
  REJECTED: 'chart.rejected',
  QUERY_OPEN: 'chart.query-opened',
};

/**
 * Validation: runs the coding rules over a received chart version. Errors send it back to the coder
 * (REJECTED), documentation gaps open a clinician query (QUERY_OPEN), a clean chart goes to QA sampling.
 */
export function createValidationService(deps: StageDeps & { tables: TablesFor }) {
  const { ports } = deps;
  return {
    async handle(message: ChartMessage): Promise<void> {
      let state = await ports.charts.get(message.chartKey, message.version);
      if (!state) throw new UnknownChartError(message.chartKey, message.version);
      if (state.status === 'RECEIVED') {
        const raw: unknown = JSON.parse(await ports.artifacts.getText('artifacts', state.artifactKey));
        const { findings, decision, grouping, principalCategory, tableVersions } = checkChart(
          raw,
          deps.tables,
        );
        const moved = await ports.charts.transition(state.chartKey, state.version, ['RECEIVED'], decision, {
          findings,
          // Home health: the PDGM grouping (HIPPS) goes with the chart.
          ...(grouping ? { grouping } : {}),
          // Kept with the chart so its audit event (written below, again on a redelivery) can name them.
          ...(tableVersions ? { tableVersions: [...tableVersions] } : {}),
          ...(principalCategory ? { principalCategory } : {}),
          // A query waits in QUERY_OPEN for the clinician; the agency's aging policy sets its due date.
          ...(decision === 'QUERY_OPEN'
            ? {
                queries: openQueries(
                  findings,
                  deps.clock.now().toISOString(),
                  queryPolicy(deps.config, state.agencyId),
                ),
              }
            : {}),
        });
        // Lost the race: the winner may die before its follow-ups, and this delivery's success deletes
        // the message (a duplicate of the winner's), so nothing would finish the chart. Re-read, and
        // run the follow-ups below as the winner would: they are idempotent.
        if (!moved.ok) {
          if (!moved.current) throw new UnknownChartError(message.chartKey, message.version);
          state = moved.current;
        } else state = moved.state;
      }
      const type = AUDIT_TYPE[state.status];
      if (!type) return; // past validation: its audit and message went out before the chart could move on
      // First delivery, or a redelivery after a crash between the writes: both follow-ups are idempotent.
      const findings = state.findings ?? [];
      await recordAudit(deps, {
        type,
        agencyId: state.agencyId,
        subject: chartSubject(state.chartKey, state.version),
        actor: 'stage:validation',
        idempotencyKey: 'validation',
        detail: {
          status: state.status,
          findings: findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity })),
          // What the findings were judged against, and what the chart grouped to: evidence for an audit.
          ...(state.tableVersions ? { tables: state.tableVersions } : {}),
          ...(state.grouping
            ? {
                grouping: {
                  hipps: state.grouping.hipps,
                  clinicalGroup: state.grouping.clinicalGroup,
                  pdgmVersion: state.grouping.pdgmVersion,
                  sample: state.grouping.sample,
                },
              }
            : {}),
        },
      });
      if (state.status === 'VALIDATED') await ports.queue.send('sample', [chartMessage(state)]);
    },
  };
}
