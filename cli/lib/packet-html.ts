import { actorText, type StoryEvent, standingText } from '#shared/audit-trail/story.ts';
import type { PacketEvidence } from '../commands/audit-packet.ts';
import type { ChartHistory } from '../commands/history.ts';

/**
 * The audit packet as one HTML page a medical reviewer opens from a folder or an email, with no network:
 * inline style, no script, no link, image or font from anywhere. Every value is escaped: a chart's text
 * is the EMR's, never trusted markup.
 */
export function packetHtml(input: {
  history: ChartHistory;
  evidence: PacketEvidence;
  charts: { version: number; coded: unknown; corrected?: unknown }[];
  ok: boolean;
}): string {
  const { history, evidence, charts, ok } = input;
  const { story, trail } = history;
  const newest = charts.at(-1)?.coded as ChartLike | undefined;
  const body = [
    `<h1>Audit packet: chart ${esc(story.chartKey)}</h1>`,
    `<p class="${ok ? 'ok' : 'bad'}">${
      ok
        ? 'Every event of this chart is sealed in the agency&#39;s signed audit trail and verified; every hash below matches.'
        : 'Not everything verifies: the events and hashes marked below are not vouched for by the signed trail.'
    }</p>`,
    section('Patient and claim', identification(newest, story.agencyId)),
    section(
      'Audit trail',
      `<p>${
        trail === undefined
          ? 'Nothing of this agency is sealed yet.'
          : trail.ok
            ? `Verified: ${trail.events} event(s) in ${trail.segments} segment(s), each digest signed (ECDSA P-256, SHA-256).`
            : `NOT verified: ${trail.problems.map((p) => esc(`${p.kind} (segment ${p.segment}): ${p.detail}`)).join('; ')}`
      }</p>`,
    ),
    ...charts.map((c) =>
      section(`Version ${c.version}: codes as coded and as corrected`, codes(c.coded, c.corrected)),
    ),
    ...story.versions.map((v) => section(`Version ${v.version}: its story`, events(v.events))),
    ...story.batches.map((b) => section(`Batch ${b.batchId}`, events(b.events))),
    ...story.sources.map((s) => section(`File ${s.objectId}`, events(s.events))),
    ...(story.requests.length > 0 ? [section('Documentation requests', events(story.requests))] : []),
    ...(story.access.length > 0 ? [section('Opened by people', events(story.access))] : []),
    section('Evidence hashes (SHA-256)', hashes(evidence)),
    `<p class="small">Generated ${esc(evidence.generatedAt)} by ${esc(evidence.generatedBy)}. manifest.json lists the SHA-256 of every file of this packet; the SHA-256 of manifest.json is the packet's. To check the trail itself: <code>codetrail audit verify --dir TRAIL --public-key KEY.pem</code> over a copy of the audit bucket's <code>audit-trail/</code>.</p>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Audit packet ${esc(story.chartKey)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#111}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#0a5a0a;font-weight:600}.bad{color:#a00;font-weight:600}
.small{font-size:.85em;color:#444}code{font-size:.9em;word-break:break-all}
@media print{body{margin:0}}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

type ChartLike = {
  chartId?: unknown;
  lineOfBusiness?: unknown;
  coderId?: unknown;
  patient?: { id?: unknown; name?: unknown; birthDate?: unknown };
  payer?: { type?: unknown; name?: unknown; memberId?: unknown };
  period?: { from?: unknown; through?: unknown };
  diagnoses?: { sequence?: unknown; code?: unknown; description?: unknown }[];
};

function identification(chart: ChartLike | undefined, agencyId: string): string {
  if (!chart) return '<p>No chart file.</p>';
  const rows: [string, unknown][] = [
    ['Agency', agencyId],
    ["Agency's chart id", chart.chartId],
    ['Patient', [chart.patient?.name, chart.patient?.id].filter(Boolean).join(', ')],
    ['Date of birth', chart.patient?.birthDate],
    ['Payer', [chart.payer?.type, chart.payer?.name].filter(Boolean).join(', ')],
    ['Member id', chart.payer?.memberId],
    ['Period', chart.period ? `${String(chart.period.from)} to ${String(chart.period.through)}` : undefined],
    ['Line of business', chart.lineOfBusiness],
    ['Coder', chart.coderId],
  ];
  return table(
    ['', ''],
    rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]),
  );
}

/**
 * The codes by sequence, as coded and, where QA corrected them, as corrected: every sequence of either
 * list, so a code QA removed or added shows as one side's alone.
 */
function codes(coded: unknown, corrected: unknown): string {
  const list = (c: unknown) => (c as ChartLike | undefined)?.diagnoses ?? [];
  const bySequence = (c: unknown) => new Map(list(c).map((d) => [String(d.sequence), d]));
  const before = bySequence(coded);
  const after = bySequence(corrected);
  const sequences = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => Number(a) - Number(b));
  const code = (d: { code?: unknown; description?: unknown } | undefined) =>
    d ? `${String(d.code)}${d.description === undefined ? '' : ` (${String(d.description)})`}` : '(none)';
  return table(
    corrected === undefined ? ['#', 'As coded'] : ['#', 'As coded', 'As corrected by QA'],
    sequences.map((sequence) => {
      const row = [sequence, code(before.get(sequence))];
      if (corrected !== undefined) {
        const was = before.get(sequence)?.code;
        const now = after.get(sequence);
        row.push(now && now.code === was ? 'unchanged' : code(now));
      }
      return row;
    }),
  );
}

function events(list: readonly StoryEvent[]): string {
  if (list.length === 0) return '<p>No event.</p>';
  return table(
    ['When (UTC)', 'What', 'Who', 'Detail', 'Trail'],
    list.map((e) => [e.at, e.type, actorText(e), e.summary, standingText(e.standing)]),
  );
}

function hashes(evidence: PacketEvidence): string {
  const rows: string[][] = [];
  for (const v of evidence.versions) {
    rows.push([`Version ${v.version} chart file as coded`, v.coded.artifactKey, v.coded.sha256]);
    rows.push([
      `Version ${v.version} export record at receipt`,
      v.artifactKeyNamesReceiptHash ? 'named in the chart file key' : 'NOT the one the chart file key names',
      v.contentHashAtReceipt,
    ]);
    if (v.corrected)
      rows.push([`Version ${v.version} as corrected`, v.corrected.artifactKey, v.corrected.sha256]);
    if (v.billed)
      rows.push([
        `Version ${v.version} as billed`,
        v.billed.file === 'neither'
          ? 'NEITHER chart file here is the one billed'
          : `the chart file ${v.billed.file === 'as-coded' ? 'as coded' : 'as corrected'}`,
        v.billed.sha256,
      ]);
  }
  for (const b of evidence.batches)
    rows.push([
      `Batch ${b.batchId} manifest`,
      b.matches ? 'Object-Locked copy matches the hash recorded' : 'Object-Locked copy does NOT match',
      b.recordedSha256 ?? '',
    ]);
  for (const s of evidence.sources) rows.push([`File ${s.objectId}`, s.receipt ?? '', s.sha256 ?? '']);
  for (const t of evidence.trail) rows.push(['Audit trail object', t.key, t.sha256]);
  if (evidence.publicKeySha256) rows.push(['Signing key public half (PEM)', '', evidence.publicKeySha256]);
  return table(['What', 'Where, or what it shows', 'SHA-256'], rows);
}

function section(title: string, html: string): string {
  return `<h2>${esc(title)}</h2>\n${html}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.some((h) => h !== '') ? `<tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` : '';
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${th}\n${trs}\n</table>`;
}

/** Text as HTML: nothing a chart or an event holds is markup. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
