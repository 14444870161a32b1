import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart } from '#shared/model/chart.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import { codeTablesInForce } from '#shared/rules/code-tables-in-force.ts';
import { ruleCatalog } from '#shared/rules/index.ts';
import { findingOf, type RuleTables } from '#shared/rules/rule.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth as hh, cleanHospice as hospice } from '../support/rule-charts.ts';

/** The code tables and what the engine makes of them: which are in force, and what CODE-TABLES says. */
const icd10cm = loadIcd10cm();

const codeTables = (chart: Chart, tables: RuleTables = { icd10cm }) => {
  const findings = codeTablesInForce.check(chart, tables);
  expectNoPhi(findings);
  for (const f of findings) expect(f).toMatchObject({ ruleId: 'CODE-TABLES', severity: 'warn' });
  return findings.map((f) => [f.path, f.message]);
};

const ICD_MESSAGE =
  "period.from: no loaded ICD-10-CM table is in force for the period; the codes were checked against FY2022; import the table for the claim's fiscal year";
const PDGM_MESSAGE =
  'period.from: no loaded PDGM table is in force for the period, so the chart was not grouped to a HIPPS code; import the PDGM tables for the period';
const listMessage = (list: string) =>
  `period.from: no imported ${list} is in force for the period; the principal diagnosis was checked against the nearest one; import the list for the period`;

describe('CODE-TABLES', () => {
  const from = (date: string) => hh({ period: { from: date, through: date } });

  it('warns, naming the table used, when the period starts outside the ICD-10-CM fiscal year', () => {
    expect(codeTables(from('2021-09-30'))).toEqual([['period.from', ICD_MESSAGE]]);
    expect(codeTables(from('2022-10-01'))).toEqual([['period.from', ICD_MESSAGE]]);
  });

  it('is quiet from the first to the last day of the fiscal year', () => {
    expect(codeTables(from('2021-10-01'))).toEqual([]);
    expect(codeTables(from('2022-09-30'))).toEqual([]);
  });

  it('says a home health chart was not grouped when no PDGM table is in force, and nothing of it on hospice', () => {
    expect(codeTables(hh(), { icd10cm, missing: ['PDGM'] })).toEqual([['period.from', PDGM_MESSAGE]]);
    expect(codeTables(hospice(), { icd10cm, missing: ['PDGM'] })).toEqual([]);
  });

  it('names each code list used out of force: the hospice-principal list on hospice charts only', () => {
    const missing = ['PDGM', 'hospice-principal list', 'code-first list'];
    expect(codeTables(hospice(), { icd10cm, missing })).toEqual([
      ['period.from', listMessage('hospice-principal list')],
      ['period.from', listMessage('code-first list')],
    ]);
    expect(codeTables(hh(), { icd10cm, missing })).toEqual([
      ['period.from', listMessage('code-first list')],
      ['period.from', PDGM_MESSAGE],
    ]);
  });
});

describe('tablesInForce on the shipped tables', () => {
  it('gives every chart of a period the same tables, and each table the same object every time', () => {
    const march = tablesInForce('2022-03-01');
    expect(tablesInForce('2022-03-01')).toBe(march);
    expect(tablesInForce('2022-03-02')).not.toBe(march);
    expect(march.pdgm).toBeDefined();
    expect(march.pdgm).toBe(march.pdgm);
    expect(march.hospicePrincipal).toBe(march.hospicePrincipal);
    expect(march.codeFirst).toBe(march.codeFirst);
    expect(march.missing).toBe(march.missing);
  });

  it('has the FY2022 table, the sample PDGM table and both starter lists in force in March 2022', () => {
    const march = tablesInForce('2022-03-01');
    expect(march.icd10cm.version).toBe('FY2022');
    expect(march.pdgm?.sample).toBe(true);
    expect(march.hospicePrincipal?.match('R54')).toBeDefined();
    expect(march.codeFirst?.match('E08.22')).toBeDefined();
    expect(march.missing).toEqual([]);
  });

  it('leaves a period before the PDGM table ungrouped, and says PDGM is missing', () => {
    const before = tablesInForce('2019-06-01');
    expect(before.pdgm).toBeUndefined();
    expect(before.missing).toEqual(['PDGM']);
    // The starter lists still apply.
    expect(before.hospicePrincipal?.match('R62.7')).toBeDefined();
  });
});

describe('tablesInForce on a data folder with other tables', () => {
  const dirs: string[] = [];
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const version = (name: string, from: string, through: string, file: string, sample = false) => ({
    version: name,
    from,
    through,
    file,
    sample,
    source: 'test',
  });

  /** A data folder with a two-code ICD-10-CM table and the PDGM versions and code lists given. */
  function dataFolder(lists: { pdgm?: object[]; hospicePrincipal?: object[]; codeFirst?: object[] }): string {
    const dir = mkdtempSync(join(tmpdir(), 'codetrail-rules-tables-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'lists'));
    const tsv =
      'icd10cm_code\tvalid_billing_code\ticd10cm_long_description\nR54\t1\tAge-related physical debility\nR5381\t1\tOther malaise\n';
    writeFileSync(join(dir, 'icd.tsv.gz'), gzipSync(tsv));
    writeFileSync(join(dir, 'lists/starter.txt'), 'R54\n');
    writeFileSync(join(dir, 'lists/cms.txt'), 'R53.81\tOther malaise\n');
    const manifest = {
      icd10cm: [version('FY2022', '2021-10-01', '2022-09-30', 'icd.tsv.gz')],
      pdgm: lists.pdgm ?? [],
      hospicePrincipal: lists.hospicePrincipal ?? [],
      codeFirst: lists.codeFirst ?? [],
    };
    writeFileSync(join(dir, 'code-tables.json'), JSON.stringify(manifest));
    return dir;
  }

  it('without PDGM or code lists: no grouping, no list, and only PDGM reported missing', () => {
    vi.stubEnv('CODETRAIL_DATA_DIR', dataFolder({}));
    const tables = tablesInForce('2022-03-01');
    expect(tables.icd10cm.size).toBe(2);
    expect(tables.pdgm).toBeUndefined();
    expect(tables.hospicePrincipal).toBeUndefined();
    expect(tables.codeFirst).toBeUndefined();
    expect(tables.missing).toEqual(['PDGM']);
  });

  it('reports nothing missing when a PDGM version is in force and no list was imported', () => {
    // Read from the manifest alone: the PDGM file is never opened for this answer. A fresh folder, so no
    // answer cached by an earlier test is reused.
    const pdgm = {
      ...version('CY2022', '2022-01-01', '2022-12-31', 'pdgm/none.csv'),
      params: 'pdgm/none.json',
    };
    vi.stubEnv('CODETRAIL_DATA_DIR', dataFolder({ pdgm: [pdgm] }));
    expect(tablesInForce('2022-03-01').missing).toEqual([]);
    expect(tablesInForce('2023-03-01').missing).toEqual(['PDGM']);
  });

  it('keeps the tables of at most 100,000 period dates, then makes them per chart', () => {
    vi.stubEnv('CODETRAIL_DATA_DIR', dataFolder({}));
    // 100,000 distinct dates fill the cache (one a day from 1800-01-01, some 274 years).
    const day = (n: number) => new Date(Date.UTC(1800, 0, 1 + n)).toISOString().slice(0, 10);
    for (let n = 0; n < 99_999; n++) tablesInForce(day(n));
    const last = tablesInForce(day(99_999));
    expect(tablesInForce(day(99_999))).toBe(last);
    const past = tablesInForce(day(100_000));
    expect(tablesInForce(day(100_000))).not.toBe(past);
  });

  it('past the end of an imported list: the nearest imported one, reported missing; the starter never counts', () => {
    const starter = version('codetrail-starter', '2014-10-01', '9999-12-31', 'lists/starter.txt', true);
    const cms = version('CR13950', '2025-10-01', '2026-09-30', 'lists/cms.txt');
    vi.stubEnv('CODETRAIL_DATA_DIR', dataFolder({ hospicePrincipal: [starter, cms], codeFirst: [starter] }));
    const later = tablesInForce('2027-01-15');
    expect(later.hospicePrincipal?.version).toBe('CR13950');
    expect(later.codeFirst?.version).toBe('codetrail-starter');
    expect(later.missing).toEqual(['PDGM', 'hospice-principal list']);
    const inside = tablesInForce('2026-01-15');
    expect(inside.hospicePrincipal?.match('R53.81')?.description).toBe('Other malaise');
    expect(inside.missing).toEqual(['PDGM']);
  });
});

describe('checkChart', () => {
  const in2022 = { period: { from: '2022-03-01', through: '2022-03-30' } };

  it('answers a chart that does not parse with its schema findings and decision only', () => {
    const result = checkChart({ ...homeHealthChart(), coderId: undefined }, tablesInForce);
    expect(Object.keys(result).sort()).toEqual(['decision', 'findings']);
  });

  it('gives no grouping for a home health chart that does not group under the PDGM table in force', () => {
    const ungrouped = checkChart(homeHealthChart({ ...in2022, oasis: { items: {} } }), tablesInForce);
    expect('grouping' in ungrouped).toBe(false);
  });

  it('names the category of a code-shaped ICD-10-CM principal, and nothing for any other', () => {
    const category = (diagnoses: Chart['diagnoses']) =>
      checkChart(hospiceChart({ ...in2022, diagnoses }), tablesInForce).principalCategory;
    expect(checkChart(homeHealthChart(in2022), tablesInForce).principalCategory).toBe('I69');
    expect(category([{ sequence: 1, code: 'c34.90', system: 'ICD-10-CM' }])).toBe('C34');
    expect(category([{ sequence: 2, code: 'C34.90', system: 'ICD-10-CM' }])).toBeUndefined();
    expect(category([{ sequence: 1, code: 'Jane Doe', system: 'ICD-10-CM' }])).toBeUndefined();
    expect(category([{ sequence: 1, code: '254637007', system: 'SNOMED-CT' }])).toBeUndefined();
  });
});

describe('the catalog and findings, as the next stage reads them', () => {
  it('carries limits only for the rules that state them', () => {
    const catalog = ruleCatalog();
    expect(catalog.filter((r) => r.limits === undefined).map((r) => r.id)).toContain('SCHEMA');
    for (const info of catalog) {
      expect(Object.keys(info)).toEqual(
        ['id', 'severity', 'title', 'what', 'why', 'sources', 'limits'].filter(
          (k) => k !== 'limits' || info.limits !== undefined,
        ),
      );
    }
  });

  it('gives a finding without a path no path field at all', () => {
    const rule = ruleCatalog()[0];
    if (!rule) throw new Error('empty catalog');
    expect(Object.keys(findingOf(rule, 'chart: m'))).toEqual(['ruleId', 'severity', 'message']);
    expect(findingOf(rule, 'm', 'coderId')).toEqual({
      ruleId: 'SCHEMA',
      severity: 'reject',
      message: 'm',
      path: 'coderId',
    });
  });
});
