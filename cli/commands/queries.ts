import type { Ports } from '#shared/aws/ports.ts';
import type { Config } from '#shared/model/config.ts';
import { queryAging, queryPolicy } from '#shared/rules/queries.ts';
import { revealChartIds, withChartId } from '../lib/reveal.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';

export interface OpenQuery {
  agencyId: string;
  chartKey: string;
  version: number;
  coderId: string;
  ruleId: string;
  evidence?: string;
  question: string;
  openedAt: string;
  dueOn: string;
  businessDays: number;
  overdue: boolean;
  level: string;
}

/** Every documentation query of the charts waiting in QUERY_OPEN, oldest first, with its age and level. */
export async function openQueryList(
  ports: Pick<Ports, 'charts'>,
  config: Config,
  now: Date,
  agency?: string,
): Promise<OpenQuery[]> {
  const out: OpenQuery[] = [];
  // One agency by its status index; every agency by a scan (a report, not a hot path).
  const states = agency ? ports.charts.byStatus(agency, 'QUERY_OPEN') : ports.charts.list();
  for await (const state of states) {
    if (state.status !== 'QUERY_OPEN') continue;
    const policy = queryPolicy(config, state.agencyId);
    for (const q of state.queries ?? []) {
      out.push({
        agencyId: state.agencyId,
        chartKey: state.chartKey,
        version: state.version,
        coderId: state.coderId,
        ...q,
        ...queryAging(q, now.toISOString(), policy),
      });
    }
  }
  return out.sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.chartKey.localeCompare(b.chartKey));
}

/**
 * `codetrail queries`: the open documentation queries, with their age in business days and who should
 * be chasing them now (clinician, then clinical manager, then administrator, by the agency's
 * `queryAging.escalateAfterDays`). A chart leaves the list when a re-export answers its queries.
 */
export async function runQueries(
  target: Pick<Target, 'actor'> & { ports: Pick<Ports, 'charts' | 'artifacts' | 'audit'> },
  config: Config,
  opts: { agency?: string; json?: boolean; reveal?: boolean },
  now: () => Date = () => new Date(),
): Promise<string> {
  const listed = await openQueryList(target.ports, config, now(), opts.agency);
  // `--reveal`: the clinician is asked about a chart they know by its EMR id.
  const ids = opts.reveal ? await revealChartIds(target, listed) : undefined;
  const queries = ids ? listed.map((q) => withChartId(q, ids)) : listed;
  if (opts.json) return JSON.stringify(queries, null, 2);
  if (queries.length === 0) return 'No documentation query is open.';
  return table(
    [
      'agency',
      'chart',
      ...(ids ? ['chart id'] : []),
      'version',
      'rule',
      'evidence',
      'opened',
      'due',
      'age (business days)',
      'escalated to',
    ],
    queries.map((q) => [
      q.agencyId,
      q.chartKey,
      ...(ids ? [ids.get(q.chartKey) ?? ''] : []),
      q.version,
      q.ruleId,
      q.evidence ?? '',
      q.openedAt.slice(0, 10),
      q.dueOn,
      `${q.businessDays}${q.overdue ? ' (overdue)' : ''}`,
      q.level,
    ]),
  );
}
