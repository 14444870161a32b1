import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVerdictFile } from '#cli/lib/verdict-file.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart } from '#shared/model/chart.ts';
import { parseConfig } from '#shared/model/config.ts';
import { DenialEntry, DenialFile } from '#shared/model/denial.ts';
import { decide, runRules, validateChartInput } from '#shared/rules/index.ts';
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
    line: number;
    reason: 'not-json' | 'schema';
    chartId?: string;
    version?: number;
    ruleIds?: string[];
    paths?: string[];
  }[];
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

async function exportEntries(): Promise<Seen[]> {
  const out: Seen[] = [];
  for (const agency of readdirSync(new URL('exports/', examples)).sort()) {
    for (const name of readdirSync(new URL(`exports/${agency}/`, examples)).sort()) {
      const file = `exports/${agency}/${name}`;
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

  it('quarantine exactly the broken lines and the chart that fails the schema', () => {
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
  it('is a valid Config: two agencies, base rate 0.1, coder-probation always sampled to the senior queue', () => {
    const config = parseConfig(JSON.parse(read('codetrail.config.json')));
    expect(config.agencies.map((a) => a.id)).toEqual(['demo-agency', 'demo-branch-east']);
    expect(config.sampling).toMatchObject({
      baseRate: 0.1,
      coderRates: { 'coder-probation': 1 },
      seniorReviewCoders: ['coder-probation'],
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
      const corrected: Chart = {
        ...chart,
        diagnoses: chart.diagnoses.map((d) => {
          const fix = entry.corrections.find((x) => x.sequence === d.sequence);
          return fix ? { ...d, code: fix.code, system: 'ICD-10-CM' } : d;
        }),
      };
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
