import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A data folder to import tables into: a manifest with one ICD-10-CM version (never loaded by the
 * tests that use it) and nothing else.
 */
export function importFolder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `codetrail-${name}-`));
  writeFileSync(
    join(dir, 'code-tables.json'),
    JSON.stringify({
      icd10cm: [{ version: 'FY2022', from: '2021-10-01', through: '2022-09-30', file: 'x', source: 's' }],
    }),
  );
  return dir;
}
