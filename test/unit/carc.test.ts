import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTablesImport, runTablesList } from '#cli/commands/tables.ts';
import { parseCarcCsv } from '#shared/data/carc.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { importFolder } from '../support/data-folder.ts';

const HEADER = 'carc,short_label_paraphrase,root_cause_category,feeds_coder_feedback,notes';

describe('CARC root-cause table', () => {
  it('ships a curated subset, marked sample, that traces a reason code to a root cause', () => {
    const choice = loadCodeTables().carcFor('2026-11-01');
    expect(choice).toMatchObject({ inForce: true, info: { version: 'codetrail-2026', sample: true } });
    expect(choice?.table.lookup('146')).toMatchObject({
      rootCause: 'coding_code_set_version',
      coderFeedback: 'yes',
    });
    expect(choice?.table.lookup(' b9 ')).toMatchObject({
      rootCause: 'eligibility_hospice_overlap',
      coderFeedback: 'no',
    });
    expect(choice?.table.lookup('9999')).toBeUndefined();
  });

  it('names the line that is not a reason code row, and wants its columns', () => {
    expect(() =>
      parseCarcCsv(`${HEADER}\n16,lacks info,billing_data,partial,\nxx,?,?,?\n`, { version: 'T' }),
    ).toThrow('CARC table line 3');
    expect(() => parseCarcCsv('code,label\n16,x\n', { version: 'T' })).toThrow('CARC table line 1');
    expect(() => parseCarcCsv(`${HEADER}\n`, { version: 'T' })).toThrow('holds no codes');
  });

  it('any text either parses or fails with a CARC table message', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => {
        try {
          parseCarcCsv(`${HEADER}\n${tail}`, { version: 'T' });
        } catch (err) {
          expect((err as Error).message).toMatch(/^CARC table (line \d+|holds no codes)/);
        }
      }),
    );
  });

  it('codetrail tables import carc adds a dated version', async () => {
    const dir = importFolder('carc');
    const file = join(dir, 'agency-carc.csv');
    writeFileSync(
      file,
      `${HEADER}\n16,lacks info,billing_data,partial,\n50,"not medically necessary, per LCD",documentation_medical_necessity,yes,\n`,
    );
    expect(await runTablesImport('carc', file, { version: 'CY2026', dataDir: dir })).toBe(
      'carc CY2026 (2026-01-01 to 2026-12-31): 2 reason codes',
    );
    const carc = loadCodeTables(dir).carcFor('2026-06-01');
    expect(carc?.table.lookup('50')?.label).toBe('not medically necessary, per LCD');
    expect(runTablesList({ dataDir: dir })).toMatch(/carc\s+CY2026\s+2026-01-01\s+2026-12-31\s+no/);
  });
});
