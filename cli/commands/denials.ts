import type { Ports } from '#shared/aws/ports.ts';
import { type DenialMetrics, denialMetrics } from '#shared/metrics/denial-metrics.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { Config } from '#shared/model/config.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import { revealChartIds, withChartId } from '../lib/reveal.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';

export interface DenialReport extends DenialMetrics {
  agencyId: string;
  /** Open rework items, oldest first: what the coding lead works down. */
  openRework: {
    chartKey: string;
    /** The agency's own chart id (PHI), with `--reveal` alone. */
    chartId?: string;
    version: number;
    coderId: string;
    family: string;
    reasonCodes: string[];
    openedAt: string;
  }[];
  /** Open overpayment items, earliest deadline first: what billing must quantify and return. */
  openOverpayments: {
    chartKey: string;
    /** The agency's own chart id (PHI), with `--reveal` alone. */
    chartId?: string;
    version: number;
    claimRef?: string;
    dueBy?: string;
    netPaid?: number;
  }[];
}

/** `codetrail denials`: per agency, the denial metrics, open rework and open overpayments. */
export async function denialReport(
  ports: Ports,
  config: Config,
  opts: { agency?: string; since?: string; now?: Date },
): Promise<DenialReport[]> {
  const out: DenialReport[] = [];
  // Every chart version, in one read of the table (a scan: an agency filter reads no less): the denial
  // rate by principal category needs each billed one's category.
  const chartsOf = new Map<string, ChartState[]>();
  for await (const s of ports.charts.list(opts.agency)) {
    const list = chartsOf.get(s.agencyId);
    if (list) list.push(s);
    else chartsOf.set(s.agencyId, [s]);
  }
  for (const agency of config.agencies) {
    if (opts.agency && agency.id !== opts.agency) continue;
    const records: RemittanceRecord[] = [];
    // Every record: a claim answered inside the window is judged on all its answers.
    for await (const r of ports.remittances.list(agency.id)) records.push(r);
    const charts = chartsOf.get(agency.id) ?? [];
    const metrics = denialMetrics({
      records,
      charts,
      now: opts.now ?? new Date(),
      ...(opts.since ? { since: opts.since } : {}),
    });
    out.push({
      agencyId: agency.id,
      ...metrics,
      openRework: charts
        .filter((s) => s.rework && !s.rework.closedAt)
        .map((s) => ({
          chartKey: s.chartKey,
          version: s.version,
          coderId: s.coderId,
          family: s.rework?.family ?? '',
          reasonCodes: s.rework?.reasonCodes ?? [],
          openedAt: s.rework?.openedAt ?? '',
        }))
        .sort((a, b) => a.openedAt.localeCompare(b.openedAt)),
      openOverpayments: charts
        .filter((s) => s.overpayment && !s.overpayment.resolvedAt)
        .map((s) => ({
          chartKey: s.chartKey,
          version: s.version,
          ...(s.claimRef ? { claimRef: s.claimRef } : {}),
          ...(s.overpayment?.dueBy ? { dueBy: s.overpayment.dueBy } : {}),
          ...(s.overpayment?.netPaid === undefined ? {} : { netPaid: s.overpayment.netPaid }),
        }))
        .sort((a, b) => (a.dueBy ?? '9999').localeCompare(b.dueBy ?? '9999')),
    });
  }
  return out;
}

const pct = (n: number | undefined) => (n === undefined ? '-' : `${(n * 100).toFixed(1)}%`);

export function formatDenialReport(reports: readonly DenialReport[]): string {
  const parts: string[] = [];
  for (const r of reports) {
    // The chart id column with `--reveal` alone.
    const revealed = [...r.openRework, ...r.openOverpayments].some((i) => i.chartId !== undefined);
    const idColumn = revealed ? ['chart id'] : [];
    const idOf = (i: { chartId?: string }) => (revealed ? [i.chartId ?? ''] : []);
    parts.push(
      `${r.agencyId}: ${r.claims} claim(s) adjudicated, net paid ${r.netPaid.toFixed(2)}; denial rate ${pct(r.denialRate)} (${r.denied}), coding-related ${pct(r.codingDenialRate)} (${r.codingDenied}), clean-claim (first-pass) rate ${pct(r.cleanClaimRate)}`,
      '',
      'By payer',
      table(
        ['payer', 'claims', 'denied', 'denial rate'],
        r.byPayer.map((p) => [p.payer, p.claims, p.denied, pct(p.denialRate)]),
        '(none)',
      ),
      '',
      'Denied claims by family',
      table(
        ['family', 'denied claims', 'share'],
        r.byFamily.map((f) => [f.family, f.deniedClaims, pct(f.share)]),
        '(none)',
      ),
      '',
      'By principal diagnosis category (the 10 with most denials)',
      table(
        ['category', 'claims', 'denied', 'coding-related', 'denial rate'],
        r.byCategory
          .slice(0, 10)
          .map((c) => [c.category, c.claims, c.denied, c.codingDenied, pct(c.denialRate)]),
        '(none)',
      ),
      '',
      'Denied claims by reason (CARC)',
      table(
        ['reason', 'family', 'denied claims', 'share'],
        r.byCarc.map((c) => [c.code, c.family, c.deniedClaims, pct(c.share)]),
        '(none)',
      ),
      '',
      `Rework: ${r.rework.open} open (median age ${r.rework.medianOpenAgeDays ?? '-'} days, oldest ${r.rework.oldestOpenAgeDays ?? '-'}), ${r.rework.closed} closed (median ${r.rework.medianDaysToClose ?? '-'} days to close)`,
      table(
        ['chart', ...idColumn, 'version', 'coder', 'family', 'reasons', 'opened'],
        r.openRework.map((w) => [
          w.chartKey,
          ...idOf(w),
          w.version,
          w.coderId,
          w.family,
          w.reasonCodes.join(' '),
          w.openedAt,
        ]),
        '',
      ),
      `Possible overpayments: ${r.overpayments.open} open, ${r.overpayments.overdue} past their deadline${r.overpayments.nextDueBy ? `, next due ${r.overpayments.nextDueBy}` : ''}`,
      table(
        ['chart', ...idColumn, 'version', 'claimRef', 'due by', 'net paid'],
        r.openOverpayments.map((o) => [
          o.chartKey,
          ...idOf(o),
          o.version,
          o.claimRef ?? '',
          o.dueBy ?? 'per contract',
          o.netPaid ?? '',
        ]),
        '',
      ),
    );
  }
  return parts
    .filter((p, i, all) => !(p === '' && all[i - 1] === ''))
    .join('\n')
    .trimEnd();
}

export async function runDenials(
  target: Pick<Target, 'actor'> & { ports: Ports },
  config: Config,
  opts: { agency?: string; since?: string; json?: boolean; reveal?: boolean },
): Promise<string> {
  const found = await denialReport(target.ports, config, opts);
  // `--reveal`: the coding lead and billing work rework and overpayments by the EMR's chart id.
  const reports = opts.reveal
    ? withDenialChartIds(
        found,
        await revealChartIds(
          target,
          found.flatMap((r) =>
            [...r.openRework, ...r.openOverpayments].map((i) => ({ ...i, agencyId: r.agencyId })),
          ),
        ),
      )
    : found;
  return opts.json ? JSON.stringify(reports, null, 2) : formatDenialReport(reports);
}

/** The reports with each open item's chart id beside its chartKey (`ids` by chartKey). */
export function withDenialChartIds(
  reports: readonly DenialReport[],
  ids: ReadonlyMap<string, string>,
): DenialReport[] {
  return reports.map((r) => ({
    ...r,
    openRework: r.openRework.map((i) => withChartId(i, ids)),
    openOverpayments: r.openOverpayments.map((i) => withChartId(i, ids)),
  }));
}
