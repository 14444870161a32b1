import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCodeList } from '#shared/data/code-list.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';

const info = { version: 'T1' };

describe('code lists', () => {
  it('reads codes with or without dots, descriptions after a tab or comma, comments and a header', () => {
    const list = parseCodeList(
      '\uFEFFcode,description\r\n# a comment\r\n\r\nR54\tDebility\r\nE08,"Diabetes, due to"\r\nD63.1\r\n',
      info,
    );
    expect(list.size).toBe(3);
    expect(list.match('R54')).toEqual({ code: 'R54', description: 'Debility' });
    expect(list.match('D63.1')).toEqual({ code: 'D631', description: '' });
    expect(list.match('D63.0')).toBeUndefined();
  });

  it('covers the codes under an entry, by the longest entry', () => {
    const list = parseCodeList('E08\tcategory\nE08.2\tsubcategory\n', info);
    expect(list.match('E08.22')).toEqual({ code: 'E082', description: 'subcategory' });
    expect(list.match('E08.9')).toEqual({ code: 'E08', description: 'category' });
    expect(list.match('E09.9')).toBeUndefined();
  });

  it('names the first line that is not a code, and refuses an empty list', () => {
    expect(() => parseCodeList('R54\nnot a code\n', info)).toThrow('code list line 2: not an ICD-10-CM code');
    expect(() => parseCodeList('# only comments\n', info)).toThrow('code list holds no codes');
  });

  it('every listed code matches itself and its subcodes, and any text either parses or fails with a line number', () => {
    const code = fc.stringMatching(/^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,3}$/);
    fc.assert(
      fc.property(fc.uniqueArray(code, { minLength: 1, maxLength: 20 }), (codes) => {
        const list = parseCodeList(codes.join('\n'), info);
        for (const c of codes) {
          expect(list.match(c)?.code.startsWith(c.slice(0, 3))).toBe(true);
          expect(list.match(`${c}X`.slice(0, 7))).toBeDefined();
        }
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseCodeList(text, info);
        } catch (err) {
          expect((err as Error).message).toMatch(/^code list (line \d+|holds no codes)/);
        }
      }),
    );
  });

  it('ships the starter lists, marked sample, in force for every period', () => {
    const tables = loadCodeTables();
    const hospice = tables.codeListFor('hospice-principal', '2022-03-01');
    expect(hospice).toMatchObject({ inForce: true, info: { version: 'codetrail-starter', sample: true } });
    expect(hospice?.table.match('R62.7')?.code).toBe('R627');
    const codeFirst = tables.codeListFor('code-first', '2026-03-01');
    expect(codeFirst?.table.match('E08.22')?.code).toBe('E08');
  });
});
