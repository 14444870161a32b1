import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVerdictFile } from '#cli/lib/verdict-file.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { assembleCharts, sharedDirectory } from '#shared/formats/fhir/assemble-charts.ts';
import { CHART_RESOURCE_TYPES, routeResource } from '#shared/formats/fhir/resources.ts';
import type { Chart } from '#shared/model/chart.ts';
import { parseConfig } from '#shared/model/config.ts';
import { DenialEntry, DenialFile } from '#shared/model/denial.ts';
import { decide, runRules, validateChartInput } from '#shared/rules/index.ts';
import { applyCorrections } from '#shared/sampling/apply-corrections.ts';
import { readExportFile } from '../support/read-records.ts';

const examples = new URL('../../examples/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, examples), 'utf8');
const tables = { icd10cm: loadIcd10cm() };

interface ExpectedChart {
  chartId: string;
  version: number;
  agencyId: string;
  file: string;
  entry: number;
  lineOfBusiness: string;
  coderId: string;
  validation: 'VALIDATED' | 'QUERY_OPEN' | 'REJECTED';
  ruleIds: string[];
  journey: string;
}
interface Expected {
  journeys: Record<string, string>;
  charts: ExpectedChart[];
  quarantined: {
    agencyId: string;
    file: string;
    /** Absent for a whole file of a FHIR drop (`not-read`). */
    line?: number;
    reason: 'not-json' | 'schema' | 'not-read';
    chartId?: string;
    version?: number;
    ruleIds?: string[];
    paths?: string[];
    resourceType?: string;
  }[];
  fhirDrops: { agencyId: string; folder: string; unused: Record<string, number> }[];
  verdicts: { file: string; chartId: string; version: number; outcome: string; ruleIdsAfter: string[] }[];
  denials: { file: string; entry: number; chartId: string; known: boolean; reasonCodes: string[] }[];
}
const expected = JSON.parse(read('expected-outcomes.json')) as Expected;
const readme = read('README.md');

interface Seen {
  file: string;
  line: number;
  agency: string;
  value?: unknown;
  error?: string;
}

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count?: number }[];
  error: unknown[];
}

/** A FHIR Bulk Data drop as the test reads it; its charts go into the entries like canonical ones. */
interface Drop {
  agency: string;
  folder: string;
  manifest: Manifest;
  /** What intake would report: files not read, lines not routed to a patient, assembler issues. */
  issues: { file: string; line?: number; reason: string }[];
  /** Resources that fed no chart, summed over the drop's patients, as the intake receipt counts them. */
  unused: Record<string, number>;
}

const drops: Drop[] = [];

/**
 * A drop read as functions/intake/fhir-drop.ts reads it: the files its manifest lists (a type codetrail
 * does not read is reported, not read), each resource routed to its patient or the shared directory,
 * then one assembly per patient. A chart's place is its anchor's file and line, as intake reports it.
 */
async function readDrop(agency: string, folder: string, out: Seen[]): Promise<Drop> {
  const manifest = JSON.parse(read(`${folder}manifest.json`)) as Manifest;
  const drop: Drop = { agency, folder, manifest, issues: [], unused: {} };
  const shared: unknown[] = [];
  const byPatient = new Map<string, { value: unknown; file: string; line: number }[]>();
  for (const output of manifest.output) {
    const file = `${folder}${output.url.split('?')[0]?.split('/').pop()}`;
    if (!(CHART_RESOURCE_TYPES as readonly string[]).includes(output.type)) {
      drop.issues.push({ file, reason: `resource type ${output.type} is not read by codetrail` });
      continue;
    }
    for (const e of await readExportFile(new URL(file, examples))) {
      if ('error' in e) {
        if (e.error !== 'file holds no charts') out.push({ file, line: e.line, agency, error: e.error });
        continue;
      }
      const route = routeResource(e.value);
      if (route.kind === 'invalid') drop.issues.push({ file, line: e.line, reason: route.reason });
      else if (route.kind === 'shared') shared.push(e.value);
      else {
        const group = byPatient.get(route.patientId) ?? [];
        if (group.length === 0) byPatient.set(route.patientId, group);
        group.push({ value: e.value, file, line: e.line });
      }
    }
  }
  const directory = sharedDirectory(shared);
  const at = (group: { file: string; line: number }[], position: string | undefined) =>
    group[Number(position?.split('#')[1])];
  for (const patient of [...byPatient.keys()].sort()) {
    const group = byPatient.get(patient) ?? [];
    const assembled = assembleCharts({
      agencyId: agency,
      resources: group.map((g) => g.value),
      shared: directory,
    });
    for (const issue of assembled.issues) {
      const from = at(group, issue.at);
      drop.issues.push({ file: from?.file ?? folder, line: from?.line, reason: issue.reason });
    }
    for (const [reason, n] of Object.entries(assembled.unused))
      drop.unused[reason] = (drop.unused[reason] ?? 0) + n;
    for (const chart of assembled.charts) {
      const anchor = at(group, chart.anchor);
      out.push({ file: anchor?.file ?? folder, line: anchor?.line ?? 0, agency, value: chart.value });
    }
  }
  return drop;
}

async function exportEntries(): Promise<Seen[]> {
  const out: Seen[] = [];
  for (const agency of readdirSync(new URL('exports/', examples)).sort()) {
    for (const name of readdirSync(new URL(`exports/${agency}/`, examples)).sort()) {
      const file = `exports/${agency}/${name}`;
      if (statSync(new URL(file, examples)).isDirectory()) {
        if (existsSync(new URL(`${file}/manifest.json`, examples)))
          drops.push(await readDrop(agency, `${file}/`, out));
        continue;
      }
      if (!name.includes('.')) continue;
      for (const e of await readExportFile(new URL(file, examples))) {
        out.push(
          'error' in e
            ? { file, line: e.line, agency, error: e.error }
            : { file, line: e.line, agency, value: e.value },
        );
      }
    }
  }
  return out;
}

const entries = await exportEntries();
const key = (agencyId: string, chartId: string, version: number) => `${agencyId}/${chartId}/v${version}`;

function validate(value: unknown) {
  const checked = validateChartInput(value);
  const findings = checked.chart
    ? [...checked.findings, ...runRules(checked.chart, tables)]
    : checked.findings;
  return { chart: checked.chart, findings, decision: decide(findings) };
}

describe('example exports', () => {
  const charts = new Map<string, { seen: Seen; chart: Chart }>();
  for (const seen of entries) {
    if (seen.value === undefined) continue;
    const { chart } = validateChartInput(seen.value);
    if (chart) charts.set(key(chart.agencyId, chart.chartId, chart.version), { seen, chart });
  }

  it('hold exactly the charts expected-outcomes.json lists, where it says they are', () => {
    expect([...charts.keys()].sort()).toEqual(
      expected.charts.map((c) => key(c.agencyId, c.chartId, c.version)).sort(),
    );
    for (const c of expected.charts) {
      const found = charts.get(key(c.agencyId, c.chartId, c.version));
      expect(found?.seen.file).toBe(c.file);
      expect(found?.seen.line).toBe(c.entry);
      expect(found?.chart.lineOfBusiness).toBe(c.lineOfBusiness);
      expect(found?.chart.coderId).toBe(c.coderId);
      expect(found?.seen.agency, 'a chart sits under its own agency folder').toBe(c.agencyId);
    }
  });

  it.each(expected.charts.map((c) => [`${c.chartId} v${c.version}`, c] as const))(
    '%s reaches the validation decision and rule ids it is built for',
    (_, c) => {
      const found = charts.get(key(c.agencyId, c.chartId, c.version));
      const result = validate(found?.seen.value);
      expect(result.decision).toBe(c.validation);
      expect([...new Set(result.findings.map((f) => f.ruleId))]).toEqual(c.ruleIds);
      expect(expected.journeys[c.journey], `journey ${c.journey} is described`).toBeTruthy();
    },
  );

  it('quarantine exactly the broken lines, the chart that fails the schema and the drop files not read', () => {
    const broken = entries.filter((e) => e.error !== undefined).map((e) => `${e.file}#${e.line}`);
    expect(broken).toEqual(
      expected.quarantined.filter((q) => q.reason === 'not-json').map((q) => `${q.file}#${q.line}`),
    );
    for (const q of expected.quarantined.filter((x) => x.reason === 'schema')) {
      const seen = entries.find((e) => e.file === q.file && e.line === q.line);
      const result = validate(seen?.value);
      expect(result.chart).toBeUndefined();
      expect(result.decision).toBe('REJECTED');
      expect([...new Set(result.findings.map((f) => f.ruleId))]).toEqual(q.ruleIds);
      expect(result.findings.map((f) => f.path)).toEqual(q.paths);
      expect(seen?.value).toMatchObject({ agencyId: q.agencyId, chartId: q.chartId, version: q.version });
    }
    // In a FHIR drop, the only thing reported is the file of a type codetrail does not read: every
    // line of the other files routes to a patient or the shared directory, and every resource assembles.
    expect(drops.flatMap((d) => d.issues)).toEqual(
      expected.quarantined
        .filter((q) => q.reason === 'not-read')
        .map((q) => ({ file: q.file, reason: `resource type ${q.resourceType} is not read by codetrail` })),
    );
  });

  it('hold FHIR Bulk Data drops whose manifest lists every file, and leave unused only what they are built to', () => {
    expect(drops.map((d) => ({ agencyId: d.agency, folder: d.folder, unused: d.unused }))).toEqual(
      expected.fhirDrops,
    );
    for (const d of drops) {
      expect(d.manifest).toMatchObject({ requiresAccessToken: true, error: [] });
      expect(Date.parse(d.manifest.transactionTime)).not.toBeNaN();
      const files = readdirSync(new URL(d.folder, examples)).filter((n) => n.endsWith('.ndjson'));
      expect(d.manifest.output.map((o) => o.url.split('/').pop()).sort()).toEqual(files.sort());
      for (const o of d.manifest.output) {
        const name = `${o.type}.ndjson`;
        expect(o.url.endsWith(`/${name}`), `${name} is named after its type`).toBe(true);
        const lines = read(`${d.folder}${name}`).split('\n').filter(Boolean);
        expect(lines, `${name} count`).toHaveLength(o.count ?? -1);
        for (const line of lines) expect(JSON.parse(line).resourceType).toBe(o.type);
      }
      // Its charts are listed under the drop's folder.
      expect(expected.charts.filter((c) => c.file.startsWith(d.folder)).length).toBeGreaterThan(0);
    }
  });

  it('cover both lines of business, both agencies, every decision, and re-exported versions', () => {
    const decisions = new Set(expected.charts.map((c) => c.validation));
    expect(decisions).toEqual(new Set(['VALIDATED', 'QUERY_OPEN', 'REJECTED']));
    expect(new Set(expected.charts.map((c) => c.lineOfBusiness))).toEqual(
      new Set(['home_health', 'hospice']),
    );
    expect(new Set(expected.charts.map((c) => c.agencyId))).toEqual(
      new Set(['demo-agency', 'demo-branch-east']),
    );
    for (const c of expected.charts.filter((x) => x.version > 1)) {
      const earlier = expected.charts.find((x) => x.chartId === c.chartId && x.version === c.version - 1);
      expect(earlier, `${c.chartId} v${c.version} re-exports an earlier version`).toBeDefined();
      expect(earlier && earlier.file < c.file, 'the re-export comes in a later file').toBe(true);
    }
  });

  it('give findings that name no patient, member, chart id or date', () => {
    for (const { seen, chart } of charts.values()) {
      const text = JSON.stringify(validate(seen.value).findings);
      const identity = [
        chart.patient.name,
        chart.patient.id,
        chart.payer.memberId,
        chart.chartId,
        chart.period.from,
      ];
      for (const value of identity) if (value) expect(text).not.toContain(value);
    }
  });

  it('are synthetic: test patient names and SYN- ids only', () => {
    for (const { chart } of charts.values()) {
      expect(chart.patient.name).toMatch(/^Test Patient-[A-Z][a-z]+$/);
      expect(chart.patient.id).toMatch(/^SYN-/);
      if (chart.payer.memberId) expect(chart.payer.memberId).toMatch(/^SYN-/);
    }
  });

  it('are all listed in the README table with their outcome', () => {
    for (const c of [...expected.charts]) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${c.chartId} | ${c.version} |`));
      expect(row, `${c.chartId} v${c.version} has a README row`).toBeDefined();
      expect(row).toContain(`| ${c.validation} |`);
      for (const id of c.ruleIds) expect(row).toContain(id);
    }
    for (const q of expected.quarantined) expect(readme).toContain(q.file.split('/').pop());
  });
});

describe('example configuration', () => {
  it('is a valid Config: two agencies, base rate 0.1, every coder but coder-probation exempt from probation', () => {
    const config = parseConfig(JSON.parse(read('codetrail.config.json')));
    expect(config.agencies.map((a) => a.id)).toEqual(['demo-agency', 'demo-branch-east']);
    expect(config.sampling).toMatchObject({
      baseRate: 0.1,
      probation: { rate: 1, exempt: ['coder-a01', 'coder-b02', 'coder-c03', 'coder-e07'] },
      senior: { probation: true },
    });
    for (const c of expected.charts) expect(config.agencies.map((a) => a.id)).toContain(c.agencyId);
  });
});

describe('example QA verdicts', () => {
  const files = readdirSync(new URL('qa-verdicts/', examples)).sort();

  it('parse as verdict files, one object or an array, for clean charts of the coder on probation', () => {
    expect(files.map((f) => `qa-verdicts/${f}`)).toEqual(expected.verdicts.map((v) => v.file).sort());
    for (const v of expected.verdicts) {
      const parsed = parseVerdictFile(read(v.file));
      expect(parsed.issues).toEqual([]);
      expect(parsed.entries).toHaveLength(1);
      const entry = parsed.entries[0]?.entry;
      expect(entry).toMatchObject({
        agencyId: 'demo-agency',
        chartId: v.chartId,
        version: v.version,
        outcome: v.outcome,
      });
      const chart = expected.charts.find((c) => c.chartId === v.chartId && c.version === v.version);
      expect(chart).toMatchObject({ coderId: 'coder-probation', validation: 'VALIDATED' });
    }
  });

  it('a corrected chart stays clean when the rules re-run on the corrected codes', () => {
    for (const v of expected.verdicts) {
      const entry = parseVerdictFile(read(v.file)).entries[0]?.entry;
      const c = expected.charts.find((x) => x.chartId === v.chartId && x.version === v.version);
      const seen = entries.find((e) => e.file === c?.file && e.line === c?.entry);
      const chart = validateChartInput(seen?.value).chart;
      if (!chart || !entry) throw new Error(`${v.chartId} not found`);
      if (v.outcome === 'corrected') expect(entry.corrections.length).toBeGreaterThan(0);
      const corrected = {
        ...chart,
        diagnoses: applyCorrections(chart.diagnoses, entry.corrections),
      } as Chart;
      if (v.outcome === 'corrected') expect(corrected.diagnoses).not.toEqual(chart.diagnoses);
      const findings = runRules(corrected, tables);
      expect([...new Set(findings.map((f) => f.ruleId))]).toEqual(v.ruleIdsAfter);
    }
  });
});

describe('example denial file', () => {
  it('denies one clean chart by chart id and names one chart id nobody sent', () => {
    for (const d of expected.denials) {
      const file = DenialFile.parse(JSON.parse(read(d.file)));
      expect(file.agencyId).toBe('demo-agency');
      const entry = DenialEntry.parse(file.denials[d.entry - 1]);
      expect(entry.chartId).toBe(d.chartId);
      expect(entry.reasonCodes).toEqual(d.reasonCodes);
      const chart = expected.charts.find((c) => c.chartId === d.chartId && c.agencyId === file.agencyId);
      if (d.known) expect(chart).toMatchObject({ validation: 'VALIDATED', journey: 'denied' });
      else expect(chart).toBeUndefined();
    }
    expect(expected.denials.filter((d) => d.known)).toHaveLength(1);
    expect(expected.denials.filter((d) => !d.known)).toHaveLength(1);
  });
});
