import type { Ports } from '#shared/aws/ports.ts';
import type { AccuracyRow } from '#shared/metrics/qa-accuracy.ts';
import type { Batch } from '#shared/model/batch.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import type { IntakeReceipt } from '#shared/model/receipt.ts';
import { intakeReceipts } from './receipts.ts';
import { withChartId } from './reveal.ts';

export interface ChartSummary {
  agencyId: string;
  chartKey: string;
  /** The agency's own chart id (PHI), with `--reveal` alone: read from the chart file. */
  chartId?: string;
  version: number;
  status: ChartStatus;
  lineOfBusiness: string;
  coderId: string;
  findings: { ruleId: string; severity: string }[];
  sampling?: { sampled: boolean; rule: string; reason: string; queue?: string };
  qa?: { outcome: string; reviewerId: string };
  batchId?: string;
  claimRef?: string;
  denial?: { reasonCodes: string[]; remarkCodes: string[] };
  supersededBy?: number;
  /** Home health: the HIPPS code validation grouped the chart to (sample: from a sample PDGM table). */
  grouping?: { hipps: string; sample: boolean };
}

export interface QuarantineSummary {
  bucket: 'intake' | 'denials';
  report: string;
  /** The dropped file's object id: never its key, which an EMR export can name after the patient. */
  objectId: string;
  issueCount: number;
  issues: unknown[];
}

/**
 * One dropped file as its intake receipt tells it: by object id and SHA-256 (match a file with
 * `sha256sum`), never by its key, which an EMR export can name after the patient.
 */
export interface IntakeSummary {
  objectId: string;
  format: string;
  sha256?: string;
  runs: number;
  counts: IntakeReceipt['counts'];
  issueCount: number;
}

export interface RunSummary {
  generatedAt: string;
  intake: IntakeSummary[];
  charts: ChartSummary[];
  byStatus: Partial<Record<ChartStatus, number>>;
  batches: {
    batchId: string;
    agencyId: string;
    payerType?: string;
    lineOfBusiness?: string;
    status: string;
    chartCount: number;
    manifestKey?: string;
  }[];
  denials: { chartKey: string; chartId?: string; version: number; reasonCodes: string[] }[];
  quarantine: QuarantineSummary[];
  verdicts: { submitted: number; awaitingReview: number; invalid: unknown[] };
  deadLetters: { queue: string; messageId: string; receiveCount: number; body: string }[];
  /** QA accuracy by coder, with 95 percent Wilson intervals (`codetrail qa report` has the rest). */
  qaAccuracy?: AccuracyRow[];
}

function chartSummary(s: ChartState): ChartSummary {
  const out: ChartSummary = {
    agencyId: s.agencyId,
    chartKey: s.chartKey,
    version: s.version,
    status: s.status,
    lineOfBusiness: s.lineOfBusiness,
    coderId: s.coderId,
    findings: (s.findings ?? []).map((f) => ({ ruleId: f.ruleId, severity: f.severity })),
  };
  if (s.sampling) {
    out.sampling = { sampled: s.sampling.sampled, rule: s.sampling.rule, reason: s.sampling.reason };
    if (s.sampling.queue) out.sampling.queue = s.sampling.queue;
  }
  if (s.qa) out.qa = { outcome: s.qa.outcome, reviewerId: s.qa.reviewerId };
  if (s.batchId) out.batchId = s.batchId;
  if (s.claimRef) out.claimRef = s.claimRef;
  if (s.denial) out.denial = { reasonCodes: s.denial.reasonCodes, remarkCodes: s.denial.remarkCodes };
  if (s.supersededBy) out.supersededBy = s.supersededBy;
  if (s.grouping) out.grouping = { hipps: s.grouping.hipps, sample: s.grouping.sample };
  return out;
}

/** Everything the run left behind, from the stores themselves (no PHI: chartKeys, codes, staff ids). */
export async function collectSummary(
  ports: Ports,
  extra: Pick<RunSummary, 'verdicts' | 'deadLetters'>,
  now = new Date(),
): Promise<RunSummary> {
  const charts: ChartSummary[] = [];
  for await (const s of ports.charts.list()) charts.push(chartSummary(s));
  charts.sort(
    (a, b) =>
      a.agencyId.localeCompare(b.agencyId) || a.chartKey.localeCompare(b.chartKey) || a.version - b.version,
  );
  const byStatus: RunSummary['byStatus'] = {};
  for (const c of charts) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  const batches: RunSummary['batches'] = [];
  for await (const b of ports.batches.list() as AsyncIterable<Batch>) {
    const row: RunSummary['batches'][number] = {
      batchId: b.batchId,
      agencyId: b.agencyId,
      status: b.status,
      chartCount: b.chartCount ?? 0,
    };
    if (b.payerType) row.payerType = b.payerType;
    if (b.lineOfBusiness) row.lineOfBusiness = b.lineOfBusiness;
    if (b.manifestKey) row.manifestKey = b.manifestKey;
    batches.push(row);
  }
  batches.sort((a, b) => a.batchId.localeCompare(b.batchId));
  const quarantine: QuarantineSummary[] = [];
  for (const bucket of ['intake', 'denials'] as const) {
    for await (const o of ports.artifacts.list(bucket, 'quarantine/')) {
      if (!o.key.endsWith('/report.json')) continue;
      const report = JSON.parse(await ports.artifacts.getText(bucket, o.key)) as {
        objectId: string;
        issues: unknown[];
        issueCount?: number;
      };
      quarantine.push({
        bucket,
        report: o.key,
        objectId: report.objectId,
        issueCount: report.issueCount ?? report.issues.length,
        // An issue of a file refused whole, or of a FHIR drop's file, names the file by its key: left out.
        issues: report.issues.map((issue) => {
          if (typeof issue !== 'object' || issue === null || !('file' in issue)) return issue;
          const { file: _key, ...rest } = issue as Record<string, unknown>;
          return rest;
        }),
      });
    }
  }
  quarantine.sort((a, b) => a.objectId.localeCompare(b.objectId) || a.bucket.localeCompare(b.bucket));
  const intake: IntakeSummary[] = (await intakeReceipts(ports)).map((r) => ({
    objectId: r.objectId,
    format: r.format,
    ...(r.sha256 ? { sha256: r.sha256 } : {}),
    runs: r.segments,
    counts: r.counts,
    issueCount: r.issueCount,
  }));
  intake.sort((a, b) => a.objectId.localeCompare(b.objectId));
  return {
    generatedAt: now.toISOString(),
    intake,
    charts,
    byStatus,
    batches,
    denials: charts
      .filter((c) => c.denial)
      .map((c) => ({ chartKey: c.chartKey, version: c.version, reasonCodes: c.denial?.reasonCodes ?? [] })),
    quarantine,
    ...extra,
  };
}

/** A plain-text table: no dependency needed for a few aligned columns. */
/** A plain-text table; `empty` stands instead when there are no rows (a bare header says nothing). */
export function table(headers: string[], rows: (string | number)[][], empty?: string): string {
  if (rows.length === 0 && empty !== undefined) return empty;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderSummary(s: RunSummary): string {
  const parts: string[] = [];
  const revealed = s.denials.some((d) => d.chartId !== undefined);
  parts.push(
    'Files taken in (intake receipts; `codetrail intake receipts` shows them any time)',
    table(
      ['object', 'sha256', 'format', 'read', 'accepted', 'quarantined', 'superseded', 'duplicates'],
      s.intake.map((r) => [
        r.objectId,
        r.sha256?.slice(0, 12) ?? '(unread)',
        r.format,
        r.counts.read,
        r.counts.accepted,
        r.counts.quarantined,
        r.counts.superseded,
        r.counts.duplicates,
      ]),
      '(none)',
    ),
    '',
  );
  parts.push(
    'Charts by final status',
    table(
      ['status', 'charts'],
      Object.entries(s.byStatus).map(([k, v]) => [k, v ?? 0]),
    ),
  );
  parts.push(
    '',
    'Batches handed to billing',
    table(
      ['batch', 'agency', 'payer', 'line', 'status', 'charts'],
      s.batches.map((b) => [
        b.batchId,
        b.agencyId,
        b.payerType ?? '',
        b.lineOfBusiness ?? '',
        b.status,
        b.chartCount,
      ]),
      '(none)',
    ),
  );
  parts.push(
    '',
    'Denials',
    table(
      // The chart id column with `--reveal` alone.
      ['chart', ...(revealed ? ['chart id'] : []), 'version', 'reasons'],
      s.denials.map((d) => [
        d.chartKey,
        ...(revealed ? [d.chartId ?? ''] : []),
        d.version,
        d.reasonCodes.join(' '),
      ]),
      '(none)',
    ),
  );
  parts.push(
    '',
    'Quarantined input (see the report for each)',
    table(
      ['object', 'issues', 'report'],
      s.quarantine.map((q) => [q.objectId, q.issueCount, `${q.bucket}:${q.report}`]),
      '(none)',
    ),
  );
  parts.push(
    '',
    `QA verdicts: ${s.verdicts.submitted} submitted, ${s.verdicts.awaitingReview} for charts awaiting review, ` +
      `${s.verdicts.invalid.length} invalid${s.verdicts.invalid.length ? ' (listed in summary.json)' : ''}`,
  );
  parts.push(
    '',
    `Dead-letter queues: ${s.deadLetters.length ? s.deadLetters.map((d) => `${d.queue}: ${d.messageId}`).join(', ') : 'empty'}`,
  );
  return parts.join('\n');
}

/** The summary with each chart's own id beside its chartKey (`--reveal`): `ids` by chartKey. */
export function withChartIds(s: RunSummary, ids: ReadonlyMap<string, string>): RunSummary {
  return {
    ...s,
    charts: s.charts.map((c) => withChartId(c, ids)),
    denials: s.denials.map((d) => withChartId(d, ids)),
  };
}
