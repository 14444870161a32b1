import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvFields } from '#shared/formats/csv-fields.ts';

/** How a CSV writer quotes a field. */
const quote = (field: string) => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

describe('csvFields', () => {
  it('reads quoted fields, empty fields and doubled quotes', () => {
    expect(csvFields('a,"b, c",,"say ""hi"""')).toEqual(['a', 'b, c', '', 'say "hi"']);
    expect(csvFields('')).toEqual(['']);
  });

  it('gives back the fields a CSV writer quoted, whatever they hold (but line breaks)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((f) => !/[\r\n]/.test(f)),
          { minLength: 1, maxLength: 8 },
        ),
        (fields) => {
          expect(csvFields(fields.map(quote).join(','))).toEqual(fields);
        },
      ),
    );
  });
});
