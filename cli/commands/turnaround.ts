import type { Ports } from '#shared/aws/ports.ts';
import type { Config } from '#shared/model/config.ts';
import { table } from '../lib/summary.ts';

/** Turnaround of one coder's batched charts, in the agency's business hours. */
export interface TurnaroundRow {
  agencyId: string;
  coderId: string;
  charts: number;
  /** Charts with a documentation lock time: the ones the coding clock runs for. */
  clocked: number;
  medianCodingHours?: number;
  p90CodingHours?: number;
  slaMet: number;
  slaMissed: number;
  medianToBatchHours?: number;
}

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * `codetrail turnaround`: per agency and coder, how long coding took from documentation lock to coding
 * complete (median and 90th percentile, business hours), how many charts met their coding SLA, and the
 * median from coding (or QA) to the batch; from the turnaround billing handoff keeps on each chart.
 */
export async function turnaroundReport(
  ports: Ports,
  config: Config,
  opts: { agency?: string },
): Promise<TurnaroundRow[]> {
  const rows = new Map<
    string,
    {
      agencyId: string;
      coderId: string;
      coding: number[];
      toBatch: number[];
      charts: number;
      met: number;
      missed: number;
    }
  >();
  // One read of the table for every agency (it is a scan: an agency filter reads no less).
  const agencies = new Set(
    config.agencies.map((a) => a.id).filter((id) => !opts.agency || id === opts.agency),
  );
  for await (const s of ports.charts.list(opts.agency)) {
    if (!s.turnaround || !agencies.has(s.agencyId)) continue;
    const key = `${s.agencyId}|${s.coderId}`;
    const row = rows.get(key) ?? {
      agencyId: s.agencyId,
      coderId: s.coderId,
      coding: [],
      toBatch: [],
      charts: 0,
      met: 0,
      missed: 0,
    };
    row.charts++;
    const t = s.turnaround;
    if (t.codingBusinessHours !== undefined) row.coding.push(t.codingBusinessHours);
    if (t.toBatchBusinessHours !== undefined) row.toBatch.push(t.toBatchBusinessHours);
    if (t.codingSla) t.codingSla.met ? row.met++ : row.missed++;
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => a.agencyId.localeCompare(b.agencyId) || a.coderId.localeCompare(b.coderId))
    .map((r) => {
      const coding = [...r.coding].sort((a, b) => a - b);
      const toBatch = [...r.toBatch].sort((a, b) => a - b);
      const row: TurnaroundRow = {
        agencyId: r.agencyId,
        coderId: r.coderId,
        charts: r.charts,
        clocked: coding.length,
        slaMet: r.met,
        slaMissed: r.missed,
      };
      const median = quantile(coding, 0.5);
      const p90 = quantile(coding, 0.9);
      const batchMedian = quantile(toBatch, 0.5);
      if (median !== undefined) row.medianCodingHours = median;
      if (p90 !== undefined) row.p90CodingHours = p90;
      if (batchMedian !== undefined) row.medianToBatchHours = batchMedian;
      return row;
    });
}

export async function runTurnaround(
  ports: Ports,
  config: Config,
  opts: { agency?: string; json?: boolean },
): Promise<string> {
  const rows = await turnaroundReport(ports, config, opts);
  if (opts.json) return JSON.stringify(rows, null, 2);
  if (rows.length === 0) return 'No chart has been batched yet.';
  const h = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
  return table(
    [
      'agency',
      'coder',
      'charts',
      'clocked',
      'median coding h',
      'p90 coding h',
      'SLA met',
      'SLA missed',
      'median to batch h',
    ],
    rows.map((r) => [
      r.agencyId,
      r.coderId,
      r.charts,
      r.clocked,
      h(r.medianCodingHours),
      h(r.p90CodingHours),
      r.slaMet,
      r.slaMissed,
      h(r.medianToBatchHours),
    ]),
  );
}
