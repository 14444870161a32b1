import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fiscalYear, runTablesImport, runTablesList } from '#cli/commands/tables.ts';
import {
  dataDir,
  loadCodeTables,
  readManifest,
  versionFor,
  versionsInForce,
} from '#shared/data/code-tables.ts';
import { parseOrderLine } from '#shared/data/icd10cm-order-file.ts';

/** The repository's own data folder (shared/data): where the shipped tables and manifest live. */
const SHIPPED = pathToFileURL(`${dataDir()}/`);

/** A line of CMS's fixed-width order file (codes and descriptions are public-domain CDC/CMS text). */
function orderLine(order: number, code: string, billable: boolean, short: string, long: string): string {
  return `${String(order).padStart(5, '0')} ${code.padEnd(7)} ${billable ? 1 : 0} ${short.padEnd(60)} ${long}`;
}

/** A data folder with the shipped manifest and FY2022 table, to import into. */
function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-tables-'));
  mkdirSync(join(dir, 'icd10cm'));
  copyFileSync(new URL('code-tables.json', SHIPPED), join(dir, 'code-tables.json'));
  copyFileSync(
    new URL('icd10cm/icd10cm_fy2022_order.tsv.gz', SHIPPED),
    join(dir, 'icd10cm/icd10cm_fy2022_order.tsv.gz'),
  );
  return dir;
}

describe('code tables, versioned by dates of service', () => {
  it('ships ICD-10-CM FY2022, in force for October 2021 through September 2022', () => {
    const tables = loadCodeTables();
    const inForce = tables.icd10cmFor('2022-03-01');
    expect(inForce).toMatchObject({ inForce: true, info: { version: 'FY2022', sample: false } });
    expect(inForce.table.lookup('I69.351')?.billable).toBe(true);
    expect(tables.icd10cmFor('2026-03-01')).toMatchObject({ inForce: false, info: { version: 'FY2022' } });
  });

  it('picks the version covering a date, else the latest before it, else the earliest', () => {
    const v = (version: string, from: string, through: string) => ({
      version,
      from,
      through,
      file: '',
      sample: false,
      source: '',
    });
    const versions = [v('FY2023', '2022-10-01', '2023-09-30'), v('FY2022', '2021-10-01', '2022-09-30')];
    expect(versionFor(versions, '2022-10-01')).toMatchObject({ inForce: true, info: { version: 'FY2023' } });
    expect(versionFor(versions, '2022-09-30')).toMatchObject({ inForce: true, info: { version: 'FY2022' } });
    expect(versionFor(versions, '2025-01-01')).toMatchObject({ inForce: false, info: { version: 'FY2023' } });
    expect(versionFor(versions, '2020-01-01')).toMatchObject({ inForce: false, info: { version: 'FY2022' } });
  });

  it('names the versions a chart of a date is judged by, as the tables choose them, loading nothing', () => {
    const tables = loadCodeTables();
    const used = versionsInForce(tables.manifest, '2022-03-01');
    expect(used.find((t) => t.table === 'icd10cm')).toEqual({
      table: 'icd10cm',
      version: tables.icd10cmFor('2022-03-01').info.version,
      inForce: true,
      sample: false,
    });
    for (const kind of ['hospice-principal', 'code-first'] as const) {
      const choice = tables.codeListFor(kind, '2022-03-01');
      const table = kind === 'hospice-principal' ? 'hospicePrincipal' : 'codeFirst';
      expect(used.find((t) => t.table === table)).toEqual({
        table,
        version: choice?.info.version,
        inForce: choice?.inForce,
        sample: choice?.info.sample,
      });
    }
    // Past the last ICD-10-CM version: the nearest, said to be out of force.
    expect(versionsInForce(tables.manifest, '2031-03-01').find((t) => t.table === 'icd10cm')?.inForce).toBe(
      false,
    );
  });

  it('prefers an imported code list to the starter, and names PDGM only where a version is in force', () => {
    const v = (version: string, from: string, through: string, sample = false) => ({
      version,
      from,
      through,
      file: '',
      params: '',
      sample,
      source: '',
    });
    const manifest = {
      icd10cm: [v('FY2026', '2025-10-01', '2026-09-30')],
      pdgm: [v('CY2026', '2026-01-01', '2026-12-31', true)],
      hospicePrincipal: [
        v('starter', '2020-01-01', '2030-12-31', true),
        v('FY2026', '2025-10-01', '2026-09-30'),
      ],
      codeFirst: [v('starter', '2020-01-01', '2030-12-31', true)],
      carc: [],
      rarc: [],
    };
    expect(versionsInForce(manifest, '2026-03-01')).toEqual([
      { table: 'icd10cm', version: 'FY2026', inForce: true, sample: false },
      { table: 'pdgm', version: 'CY2026', inForce: true, sample: true },
      { table: 'hospicePrincipal', version: 'FY2026', inForce: true, sample: false },
      { table: 'codeFirst', version: 'starter', inForce: true, sample: true },
    ]);
    // Before PDGM's year: not grouped, so no PDGM table is named; the imported list is still the one used.
    expect(versionsInForce(manifest, '2025-11-01')).toEqual([
      { table: 'icd10cm', version: 'FY2026', inForce: true, sample: false },
      { table: 'hospicePrincipal', version: 'FY2026', inForce: true, sample: false },
      { table: 'codeFirst', version: 'starter', inForce: true, sample: true },
    ]);
    // Past the imported list: its nearest version, out of force (never the starter again).
    expect(versionsInForce(manifest, '2027-03-01').find((t) => t.table === 'hospicePrincipal')).toEqual({
      table: 'hospicePrincipal',
      version: 'FY2026',
      inForce: false,
      sample: false,
    });
  });

  it('knows a fiscal year by its name', () => {
    expect(fiscalYear('FY2026')).toEqual({ from: '2025-10-01', through: '2026-09-30' });
    expect(fiscalYear('2026')).toBeUndefined();
  });
});

describe('codetrail tables import icd10cm', () => {
  it('reads the fixed-width order file and refuses a line that is not a code row', () => {
    expect(parseOrderLine(orderLine(1, 'A00', false, 'Cholera', 'Cholera'))).toEqual({
      code: 'A00',
      billable: false,
      description: 'Cholera',
    });
    expect(
      parseOrderLine(
        orderLine(
          2,
          'I69351',
          true,
          'Hemiplga following cerebral infrc aff right dominant side',
          'Hemiplegia and hemiparesis following cerebral infarction affecting right dominant side',
        ),
      ),
    ).toMatchObject({ code: 'I69351', billable: true });
    expect(parseOrderLine('not an order file line')).toHaveProperty('error');
    expect(parseOrderLine(orderLine(3, 'I69351', true, 'x', 'y').replace(' 1 ', ' 7 '))).toEqual({
      error: 'column 15 is not 0 or 1',
    });
  });

  it('adds a fiscal year the stages then judge its charts by', async () => {
    const dir = dataFolder();
    const file = join(dir, 'icd10cm_order_2026.txt');
    writeFileSync(
      file,
      `${[
        orderLine(1, 'U09', false, 'Post COVID-19 condition', 'Post COVID-19 condition'),
        orderLine(
          2,
          'U099',
          true,
          'Post COVID-19 condition, unspecified',
          'Post COVID-19 condition, unspecified',
        ),
        orderLine(3, 'I10', true, 'Essential (primary) hypertension', 'Essential (primary) hypertension'),
      ].join('\r\n')}\r\n`,
    );
    const said = await runTablesImport(
      'icd10cm',
      file,
      { version: 'FY2026', dataDir: dir },
      () => new Date('2026-11-29T00:00:00Z'),
    );
    expect(said).toContain('3 codes, 2 billable');
    const manifest = readManifest(dir);
    expect(manifest.icd10cm.map((v) => v.version)).toEqual(['FY2022', 'FY2026']);
    const tables = loadCodeTables(dir);
    const fy2026 = tables.icd10cmFor('2026-03-01');
    expect(fy2026).toMatchObject({ inForce: true, info: { version: 'FY2026', from: '2025-10-01' } });
    expect(fy2026.table.lookup('U09.9')).toEqual({
      code: 'U09.9',
      billable: true,
      description: 'Post COVID-19 condition, unspecified',
    });
    expect(tables.icd10cmFor('2022-03-01').info.version).toBe('FY2022');
    expect(runTablesList({ dataDir: dir })).toMatch(/icd10cm\s+FY2026\s+2025-10-01\s+2026-09-30\s+no/);
    // The manifest is written the way the repository formats JSON.
    expect(readFileSync(join(dir, 'code-tables.json'), 'utf8')).toMatch(/^\{\n {2}"\$comment"/);
  });

  it('writes nothing when the file is not an order file', async () => {
    const dir = dataFolder();
    const file = join(dir, 'broken.txt');
    writeFileSync(file, `${orderLine(1, 'I10', true, 'x', 'y')}\nHTTP 502 Bad Gateway\n`);
    await expect(runTablesImport('icd10cm', file, { version: 'FY2027', dataDir: dir })).rejects.toThrow(
      'order file line 2',
    );
    expect(readManifest(dir).icd10cm.map((v) => v.version)).toEqual(['FY2022']);
    await expect(runTablesImport('hcpcs', file, { version: 'FY2027', dataDir: dir })).rejects.toThrow(
      'unknown table',
    );
  });
});

describe('codetrail tables import pdgm', () => {
  it('adds a calendar year of the PDGM code list and parameters, and the grouping uses it', async () => {
    const dir = dataFolder();
    mkdirSync(join(dir, 'pdgm'));
    const codes = join(dir, 'PDGM_codes_2026.csv');
    writeFileSync(
      codes,
      'ICD-10 Code,Description,Clinical Group,Comorbidity Group\nI50.22,Heart failure,MMTA - Cardiac and Circulatory,Heart 11\nR26.9,Gait,,\n',
    );
    const params = join(dataDir(), 'pdgm', 'pdgm_params_sample.json');
    const said = await runTablesImport('pdgm', codes, { version: 'CY2026', params, dataDir: dir });
    expect(said).toBe('PDGM CY2026 (2026-01-01 to 2026-12-31): 2 codes, 1 acceptable as principal');
    const pdgm = loadCodeTables(dir).pdgmFor('2026-05-01');
    expect(pdgm).toMatchObject({ inForce: true, info: { version: 'CY2026', sample: false } });
    expect(pdgm?.table.lookup('I5022')?.clinicalGroup).toBe('H');
    expect(runTablesList({ dataDir: dir })).toMatch(/pdgm\s+CY2026\s+2026-01-01\s+2026-12-31\s+no/);
    await expect(runTablesImport('pdgm', codes, { version: 'CY2027', dataDir: dir })).rejects.toThrow(
      '--params',
    );
  });
});

describe('codetrail start on the code tables', () => {
  it('warns about charts judged by a table not in force, and about sample tables', async () => {
    const { tableWarnings } = await import('#cli/commands/start.ts');
    const chart = (ruleIds: string[]) => ({
      findings: ruleIds.map((ruleId) => ({ ruleId, severity: 'warn' })),
    });
    const summary = { charts: [chart(['CODE-TABLES']), chart([]), chart(['DX-BILLABLE', 'CODE-TABLES'])] };
    const manifest = readManifest(dataDir());
    expect(tableWarnings(summary as never, manifest)).toEqual([
      expect.stringContaining('2 chart version(s) were checked against code tables not in force'),
      'PDGM CY2025-sample is a sample, not a complete table: findings against it are not conclusive',
      'Hospice unacceptable-principal list codetrail-starter is a sample, not a complete table: findings against it are not conclusive',
      'Code-first list codetrail-starter is a sample, not a complete table: findings against it are not conclusive',
      'CARC root-cause table codetrail-2026 is a sample, not a complete table: findings against it are not conclusive',
      'RARC family table codetrail-2026 is a sample, not a complete table: findings against it are not conclusive',
    ]);
    const sampled = {
      ...manifest,
      icd10cm: manifest.icd10cm.map((v) => ({ ...v, sample: true })),
      pdgm: [],
      hospicePrincipal: [],
      codeFirst: [],
      carc: [],
      rarc: [],
    };
    expect(tableWarnings({ charts: [] } as never, sampled)).toEqual([
      'ICD-10-CM FY2022 is a sample, not a complete table: findings against it are not conclusive',
    ]);
  });
});

describe('codetrail tables import hospice-principal / code-first', () => {
  it('adds a dated code list the rules then use for periods it covers, and lists it', async () => {
    const dir = dataFolder();
    const file = join(dir, 'cms-hospice-unacceptable.csv');
    writeFileSync(file, 'code,description\nR53.81,Other malaise\nG31.1,Senile degeneration of brain\n');
    const said = await runTablesImport(
      'hospice-principal',
      file,
      { version: 'CR13950', from: '2025-10-01', through: '2026-09-30', dataDir: dir },
      () => new Date('2026-11-29T00:00:00Z'),
    );
    expect(said).toBe('hospice-principal CR13950 (2025-10-01 to 2026-09-30): 2 codes');
    const tables = loadCodeTables(dir);
    const choice = tables.codeListFor('hospice-principal', '2026-01-15');
    expect(choice).toMatchObject({ inForce: true, info: { version: 'CR13950', sample: false } });
    expect(choice?.table.match('R5381')).toEqual({ code: 'R5381', description: 'Other malaise' });
    expect(runTablesList({ dataDir: dir })).toMatch(
      /hospice-principal\s+CR13950\s+2025-10-01\s+2026-09-30\s+no/,
    );
    expect(readManifest(dir).hospicePrincipal.map((v) => v.version)).toEqual([
      'codetrail-starter',
      'CR13950',
    ]);
  });

  it('takes its dates from an FY or CY version name, and writes nothing for a file that is not a code list', async () => {
    const dir = dataFolder();
    const file = join(dir, 'code-first.txt');
    writeFileSync(file, 'E08\tDiabetes due to underlying condition\n');
    expect(await runTablesImport('code-first', file, { version: 'FY2026', dataDir: dir })).toBe(
      'code-first FY2026 (2025-10-01 to 2026-09-30): 1 codes',
    );
    writeFileSync(file, 'E08\n<html>Bad Gateway</html>\n');
    await expect(runTablesImport('code-first', file, { version: 'FY2027', dataDir: dir })).rejects.toThrow(
      'code list line 2',
    );
    expect(readManifest(dir).codeFirst.map((v) => v.version)).toEqual(['codetrail-starter', 'FY2026']);
    await expect(runTablesImport('code-first', file, { version: 'CR1', dataDir: dir })).rejects.toThrow(
      'give --from and --through',
    );
  });
});

describe('code lists past the end of an imported version', () => {
  it('use the nearest imported list, not the starter, and CODE-TABLES says it is not in force', async () => {
    const dir = dataFolder();
    mkdirSync(join(dir, 'lists'));
    copyFileSync(
      new URL('lists/hospice_principal_starter.txt', SHIPPED),
      join(dir, 'lists/hospice_principal_starter.txt'),
    );
    const file = join(dir, 'cms.txt');
    writeFileSync(file, 'R53.81\tOther malaise\n');
    await runTablesImport('hospice-principal', file, {
      version: 'CR13950',
      from: '2025-10-01',
      through: '2026-09-30',
      dataDir: dir,
    });
    const tables = loadCodeTables(dir);
    expect(tables.codeListFor('hospice-principal', '2026-10-15')).toMatchObject({
      inForce: false,
      info: { version: 'CR13950' },
    });
    expect(tables.codeListFor('hospice-principal', '2026-01-15')).toMatchObject({ inForce: true });
  });

  it('an unknown table name is refused before anything is written, even one every object has', async () => {
    const dir = dataFolder();
    const file = join(dir, 'x.txt');
    writeFileSync(file, 'R54\n');
    await expect(runTablesImport('toString', file, { version: 'FY2026', dataDir: dir })).rejects.toThrow(
      'unknown table',
    );
    expect(existsSync(join(dir, 'lists'))).toBe(false);
  });
});
