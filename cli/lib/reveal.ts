import type { Ports } from '#shared/aws/ports.ts';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { actAs } from '../local/iam-enforcement.ts';
import { recordChartOpened } from './chart-access.ts';
import type { Target } from './target.ts';

/**
 * `--reveal`: the agency's own chart id beside each chartKey a report names, for a person allowed to
 * read the chart files. The id is PHI and codetrail keeps it nowhere but in the chart file itself, so it
 * is read from there: a person whose role may not read chart files is refused by AWS, and the command
 * says so. Each chart read is recorded as the person opening it (`chart.opened`, purpose `reveal`), as
 * any reading of a chart file is. The ids go into the report alone: never a log, a metric or an audit
 * event; the tests' PHI scans run without `--reveal`.
 */
export async function revealChartIds(
  target: Pick<Target, 'actor'> & { ports: Pick<Ports, 'charts' | 'artifacts' | 'audit'> },
  charts: Iterable<{ agencyId: string; chartKey: string; version: number }>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // One read per chart (its id is the same in every version), of the newest version listed.
  const newest = new Map<string, { agencyId: string; chartKey: string; version: number }>();
  for (const chart of charts) {
    const known = newest.get(chart.chartKey);
    if (!known || known.version < chart.version) newest.set(chart.chartKey, chart);
  }
  for (const chart of newest.values()) {
    // As the agency's compliance role, which may read its chart files (locally the role is acted; in AWS
    // the person's own credentials are what AWS checks).
    const chartId = await actAs(agencyRole(PERSON_ROLES.compliance, chart.agencyId), async () => {
      const state = await target.ports.charts.get(chart.chartKey, chart.version);
      if (!state?.artifactKey) return undefined;
      // No event, no chart: the opening is recorded before the file is read.
      await refusedAsReveal(() => recordChartOpened(target, chart, 'reveal'));
      return chartIdIn(
        await refusedAsReveal(() => target.ports.artifacts.getText('artifacts', state.artifactKey)),
      );
    });
    if (chartId !== undefined) ids.set(chart.chartKey, chartId);
  }
  return ids;
}

/** AWS refusing the person (the chart file, or recording its opening) as one line saying what to do. */
async function refusedAsReveal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'AccessDenied' || name === 'AccessDeniedException')
      throw new Error('--reveal: your role may not read chart files; run the report without --reveal');
    throw error;
  }
}

/** `item` with its chart's own id beside its chartKey, when `ids` (by chartKey) has one; else `item` itself. */
export function withChartId<T extends { chartKey: string }>(
  item: T,
  ids: ReadonlyMap<string, string>,
): T & { chartId?: string } {
  const chartId = ids.get(item.chartKey);
  return chartId === undefined ? item : { ...item, chartId };
}

/** The chart id a chart file names, if it is a chart file at all (a file that is not is named by chartKey alone). */
function chartIdIn(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const chartId = (JSON.parse(text) as { chartId?: unknown }).chartId;
    return typeof chartId === 'string' ? chartId : undefined;
  } catch {
    return undefined;
  }
}
