import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCanonical } from '#shared/formats/canonical-reader.ts';

describe('readCanonical', () => {
  it('reads one chart, an array of charts and NDJSON', () => {
    expect(readCanonical('{"a":1}', 'x.json')).toEqual([{ line: 1, value: { a: 1 } }]);
    expect(readCanonical('[{"a":1},{"a":2}]', 'x.json')).toHaveLength(2);
    expect(readCanonical('{"a":1}\n\n{"a":2}\n', 'x.ndjson')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
    ]);
  });

  it('reports a broken line by number and keeps the rest', () => {
    const out = readCanonical('{"a":1}\n{broken\n{"a":3}', 'x.ndjson');
    expect(out[1]).toEqual({ line: 2, error: 'line is not valid JSON' });
    expect(out[2]).toEqual({ line: 3, value: { a: 3 } });
  });

  it('tolerates a byte-order mark and CRLF line ends', () => {
    expect(readCanonical('\ufeff{"a":1}\r\n{"a":2}\r\n', 'x.ndjson')).toHaveLength(2);
  });

  it('never throws and always reports something for arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.constantFrom('x.json', 'x.ndjson', 'x.txt'),
        (text, name) => {
          const out = readCanonical(text, name);
          expect(out.length).toBeGreaterThan(0);
          for (const e of out) expect('value' in e || 'error' in e).toBe(true);
        },
      ),
    );
  });
});
