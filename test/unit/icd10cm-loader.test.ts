import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  dottedIcd10Code,
  ICD10CM_FILE,
  loadIcd10cm,
  normaliseIcd10Code,
  parseIcd10Tsv,
} from '#shared/data/icd10cm.ts';

const HEADER = 'icd10cm_code\tvalid_billing_code\ticd10cm_long_description\tpoa_exempt\tchronic_indicator';

describe('loadIcd10cm (the shipped FY2022 table)', () => {
  const table = loadIcd10cm();

  it('is FY2022 with all 95,524 rows', () => {
    expect(table.version).toBe('FY2022');
    expect(table.effective).toEqual({ from: '2021-10-01', through: '2022-09-30' });
    expect(table.size).toBe(95_524);
  });

  it('finds a billable code with its dotted form and description', () => {
    expect(table.lookup('I69.30')).toEqual({
      code: 'I69.30',
      billable: true,
      description: 'Unspecified sequelae of cerebral infarction',
    });
    expect(table.lookup('Z47.1')).toEqual({
      code: 'Z47.1',
      billable: true,
      description: 'Aftercare following joint replacement surgery',
    });
    expect(table.lookup('R54')).toEqual({
      code: 'R54',
      billable: true,
      description: 'Age-related physical debility',
    });
  });

  it('marks category and subcategory headers as not billable', () => {
    expect(table.lookup('I50.2')).toEqual({
      code: 'I50.2',
      billable: false,
      description: 'Systolic (congestive) heart failure',
    });
    expect(table.lookup('E11.6')?.billable).toBe(false);
    expect(table.lookup('I50')?.billable).toBe(false);
    expect(table.lookup('E11.621')?.billable).toBe(true);
  });

  it('accepts dotted, undotted, lower-case and spaced forms alike', () => {
    const expected = table.lookup('I69.351');
    expect(expected?.billable).toBe(true);
    for (const form of ['I69351', 'i69.351', ' I69.351 ', 'I 69 351', 'i69351\t']) {
      expect(table.lookup(form)).toEqual(expected);
    }
  });

  it('answers undefined for unknown codes and junk', () => {
    for (const code of ['I50.2X', 'F02.811', 'Q99.99', 'ZZZ', '', '...', 'not a code']) {
      expect(table.lookup(code)).toBeUndefined();
    }
    expect(table.lookup(42 as unknown as string)).toBeUndefined();
  });

  it('is memoised: one parse per data folder, however the folder is spelled', () => {
    expect(loadIcd10cm()).toBe(table);
    // The repository's own shared/data (the loader's default folder), spelled another way.
    const here = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'shared', 'data');
    expect(loadIcd10cm(here)).toBe(table);
    expect(loadIcd10cm(`${here}/./`)).toBe(table);
  });
});

describe('loadIcd10cm data folder resolution', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.unstubAllEnvs();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function dataDirWith(rows: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'codetrail-icd-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'icd10cm'));
    writeFileSync(join(dir, ICD10CM_FILE), gzipSync(`${[HEADER, ...rows].join('\n')}\n`));
    return dir;
  }

  it('reads <dataDir>/icd10cm/icd10cm_fy2022_order.tsv.gz from an explicit folder', () => {
    const dir = dataDirWith([
      'A00\t0\tCholera\t\t',
      'A000\t1\tCholera due to Vibrio cholerae 01, biovar cholerae\tN\tA',
    ]);
    const table = loadIcd10cm(dir);
    expect(table.size).toBe(2);
    expect(table.lookup('a00.0')).toEqual({
      code: 'A00.0',
      billable: true,
      description: 'Cholera due to Vibrio cholerae 01, biovar cholerae',
    });
    expect(loadIcd10cm(dir)).toBe(table);
  });

  it('falls back to CODETRAIL_DATA_DIR (what the Lambda bundle sets) before its own folder', () => {
    const dir = dataDirWith(['R54\t1\tAge-related physical debility\tN\tC']);
    vi.stubEnv('CODETRAIL_DATA_DIR', dir);
    const table = loadIcd10cm();
    expect(table.size).toBe(1);
    expect(table.lookup('R54')?.billable).toBe(true);
  });

  it('says where it looked when the file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codetrail-icd-empty-'));
    dirs.push(dir);
    expect(() => loadIcd10cm(dir)).toThrow(
      /not readable at .*icd10cm_fy2022_order\.tsv\.gz \(ENOENT\).*CODETRAIL_DATA_DIR/,
    );
  });
});

describe('parseIcd10Tsv', () => {
  it('handles CRLF line ends, a missing trailing newline and short rows', () => {
    const table = parseIcd10Tsv(
      `${HEADER}\r\nI10\t1\tEssential (primary) hypertension\tN\tC\r\nI50\t0\tHeart failure`,
    );
    expect(table.lookup('I10')?.description).toBe('Essential (primary) hypertension');
    expect(table.lookup('I50')).toEqual({ code: 'I50', billable: false, description: 'Heart failure' });
  });

  it('decodes UTF-8 descriptions when the file is not pure ASCII', () => {
    const table = parseIcd10Tsv(
      Buffer.from(`${HEADER}\nH8101\t1\tMéni\u00e8re's disease, right ear\tN\tC\n`, 'utf8'),
    );
    expect(table.lookup('H81.01')?.description).toBe("Ménière's disease, right ear");
  });

  it('rejects a file that is not the order table', () => {
    expect(() => parseIcd10Tsv('code,description\nI10,Hypertension\n')).toThrow(/unexpected header/);
    expect(() => parseIcd10Tsv(`${HEADER}\nI10\tyes\tHypertension\n`)).toThrow(/line 2 is not a code row/);
    expect(() => parseIcd10Tsv(`${HEADER}\nI10\n`)).toThrow(/line 2 has fewer than 3 columns/);
    expect(() => parseIcd10Tsv(`${HEADER}\n`)).toThrow(/no codes/);
  });
});

describe('code forms', () => {
  it('normalises and dots codes', () => {
    expect(normaliseIcd10Code(' i69.351 ')).toBe('I69351');
    expect(dottedIcd10Code('I69351')).toBe('I69.351');
    expect(dottedIcd10Code('r54')).toBe('R54');
    expect(dottedIcd10Code('S72.001D')).toBe('S72.001D');
  });
});
