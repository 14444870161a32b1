import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTablesImport, runTablesList } from '#cli/commands/tables.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { parseRarcCsv } from '#shared/data/rarc.ts';
import { importFolder } from '../support/data-folder.ts';

const HEADER = 'rarc,short_label_paraphrase,family,feeds_coder_feedback';

describe('RARC family table', () => {
  it('ships a starter list, marked sample, that traces a remark to a denial family', () => {
    const choice = loadCodeTables().rarcFor('2026-11-01');
    expect(choice).toMatchObject({ inForce: true, info: { version: 'codetrail-2026', sample: true } });
    expect(choice?.table.lookup('MA66')).toMatchObject({ family: 'coding', coderFeedback: 'yes' });
    expect(choice?.table.lookup(' ma130 ')).toMatchObject({ family: 'other', coderFeedback: 'no' });
    expect(choice?.table.lookup('N9999')).toBeUndefined();
  });

  it('any text either parses or fails with a RARC table message', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => {
        try {
          parseRarcCsv(`${HEADER}\n${tail}`, { version: 'T' });
        } catch (err) {
          expect((err as Error).message).toMatch(/^RARC table (line \d+|holds no codes)/);
        }
      }),
    );
  });

  it('codetrail tables import rarc adds a dated version the classification then uses', async () => {
    const dir = importFolder('rarc');
    const file = join(dir, 'agency-rarc.csv');
    writeFileSync(file, `${HEADER}\nM76,"diagnosis missing, incomplete or invalid",coding,yes\n`);
    expect(await runTablesImport('rarc', file, { version: 'CY2026', dataDir: dir })).toBe(
      'rarc CY2026 (2026-01-01 to 2026-12-31): 1 remark codes',
    );
    expect(loadCodeTables(dir).rarcFor('2026-06-01')?.table.lookup('M76')?.family).toBe('coding');
    expect(runTablesList({ dataDir: dir })).toMatch(/rarc\s+CY2026\s+2026-01-01\s+2026-12-31\s+no/);
  });
});
