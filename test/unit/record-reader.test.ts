import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReaderMode, readRecords, type SourceRecord } from '#shared/formats/record-reader.ts';

/** The bytes as a stream cut at the given points, as S3 hands them over in arbitrary chunks. */
async function* chunked(bytes: Uint8Array, cuts: readonly number[] = []): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

async function read(
  text: string | Uint8Array,
  fileName: string,
  cuts: readonly number[] = [],
  maxRecordBytes = 1024,
): Promise<{ records: SourceRecord[]; mode?: ReaderMode }> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const records: SourceRecord[] = [];
  let mode: ReaderMode | undefined;
  for await (const r of readRecords(chunked(bytes, cuts), {
    fileName,
    maxRecordBytes,
    onMode: (m) => {
      mode = m;
    },
  }))
    records.push(r);
  return { records, ...(mode ? { mode } : {}) };
}

const values = (records: SourceRecord[]) => records.map((r) => ('value' in r ? r.value : { error: r.error }));

describe('readRecords', () => {
  it('reads one chart, an array of charts, a pretty-printed chart and NDJSON', async () => {
    expect(values((await read('{"a":1}', 'x.json')).records)).toEqual([{ a: 1 }]);
    expect(values((await read('[{"a":1},{"a":2}]', 'x.json')).records)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(values((await read('{\n  "a": {"b": "}"}\n}\n', 'x.json')).records)).toEqual([{ a: { b: '}' } }]);
    const nd = await read('{"a":1}\n\n{"a":2}\n', 'x.ndjson');
    expect(nd.records.map((r) => r.line)).toEqual([1, 3]);
    expect(nd.mode).toBe('lines');
  });

  it('reports a broken line by number and keeps the rest', async () => {
    const { records } = await read('{"a":1}\n{broken\n{"a":3}', 'x.ndjson');
    expect(records[1]).toMatchObject({ line: 2, error: 'line is not valid JSON' });
    expect(records[2]).toMatchObject({ line: 3, value: { a: 3 } });
  });

  it('keeps the other elements of an array when one is broken', async () => {
    const { records } = await read('[\n{"a":1},\n{"a":},\n{"a":3}\n]', 'x.json');
    expect(values(records)).toEqual([{ a: 1 }, { error: 'value is not valid JSON' }, { a: 3 }]);
    expect(records.map((r) => r.line)).toEqual([2, 3, 4]);
  });

  it('tolerates a byte-order mark and CRLF line ends, and rejects UTF-16', async () => {
    expect((await read('\ufeff{"a":1}\r\n{"a":2}\r\n', 'x.ndjson')).records).toHaveLength(2);
    expect(values((await read('\ufeff[{"a":1}]', 'x.json')).records)).toEqual([{ a: 1 }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]);
    expect((await read(utf16, 'x.ndjson')).records).toEqual([
      expect.objectContaining({ error: 'file is UTF-16: exports must be UTF-8' }),
    ]);
  });

  it('reports a line that is not UTF-8 and one that is too long, without holding it', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('{"a":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}\n{"a":2}\n'),
    ]);
    expect(values((await read(latin1, 'x.ndjson')).records)).toEqual([
      { error: 'line is not valid UTF-8' },
      { a: 2 },
    ]);
    const huge = `{"a":"${'x'.repeat(5000)}"}\n{"a":2}\n`;
    expect(values((await read(huge, 'x.ndjson', [100, 200, 3000])).records)).toEqual([
      { error: 'line is longer than 1024 bytes' },
      { a: 2 },
    ]);
    expect(values((await read(`[${huge.trim().split('\n').join(',')}]`, 'x.json', [10])).records)).toEqual([
      { error: 'value is longer than 1024 bytes' },
      { a: 2 },
    ]);
  });

  it('reads NDJSON saved as .json line by line, so a broken line takes nothing else with it', async () => {
    const { records, mode } = await read('{"a":1}\n{"a": [1, 2}\n{"a":3}\n{"a":4}\n', 'x.json');
    expect(mode).toBe('lines');
    expect(values(records)).toEqual([{ a: 1 }, { error: 'line is not valid JSON' }, { a: 3 }, { a: 4 }]);
    expect((await read('{\n  "a": 1\n}\n', 'x.json')).mode).toBe('sequence');
    expect(values((await read('x', 'x.json')).records)).toEqual([{ error: 'line is not valid JSON' }]);
  });

  it('reports an empty file, a cut-off array and text after the array', async () => {
    expect(values((await read('  \n ', 'x.ndjson')).records)).toEqual([{ error: 'file holds no charts' }]);
    expect(values((await read('[{"a":1},{"a":', 'x.json')).records)).toEqual([
      { a: 1 },
      { error: 'value is cut off at the end of the file' },
    ]);
    expect(values((await read('[{"a":1}] junk', 'x.json')).records)).toEqual([
      { a: 1 },
      { error: 'content after the end of the array' },
    ]);
  });

  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const layouts = ['ndjson', 'array', 'sequence'] as const;
  const render = (vs: unknown[], layout: (typeof layouts)[number]) =>
    layout === 'ndjson'
      ? vs.map((v) => JSON.stringify(v)).join('\n')
      : layout === 'array'
        ? `[\n${vs.map((v) => JSON.stringify(v, null, 1)).join(',\n')}\n]`
        : vs.map((v) => JSON.stringify({ v }, null, 2)).join('\n');

  it('reads back what was written, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...layouts),
        fc.array(fc.nat({ max: 4000 }), { maxLength: 8 }),
        async (vs, layout, cuts) => {
          const text = render(vs, layout);
          const { records } = await read(text, layout === 'ndjson' ? 'x.ndjson' : 'x.json', cuts, 1 << 20);
          const expected = layout === 'sequence' ? vs.map((v) => ({ v })) : vs;
          // JSON drops -0 and undefined the same way both times.
          expect(values(records)).toEqual(JSON.parse(JSON.stringify(expected)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resumes after any record with exactly the records that follow it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { minLength: 1, maxLength: 12 }),
        fc.constantFrom(...layouts),
        fc.nat(),
        async (vs, layout, pick) => {
          const text = Buffer.from(render(vs, layout));
          const fileName = layout === 'ndjson' ? 'x.ndjson' : 'x.json';
          const whole = await read(text, fileName, [], 1 << 20);
          const at = pick % whole.records.length;
          const checkpoint = whole.records[at] as SourceRecord;
          const rest: SourceRecord[] = [];
          for await (const r of readRecords(chunked(text.subarray(checkpoint.end)), {
            fileName,
            maxRecordBytes: 1 << 20,
            from: { offset: checkpoint.end, line: checkpoint.nextLine, mode: whole.mode ?? 'lines' },
          }))
            rest.push(r);
          // (At the very end of the file, without a last newline, the next line is moot.)
          if (checkpoint.end < text.length)
            expect(checkpoint.nextLine).toBe(resumeLine(text, checkpoint.end));
          expect(rest).toEqual(whole.records.slice(at + 1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws and always reports something for arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom('x.json', 'x.ndjson', 'x.txt'),
        fc.array(fc.nat({ max: 3000 }), { maxLength: 5 }),
        async (bytes, name, cuts) => {
          const { records } = await read(bytes, name, cuts, 256);
          expect(records.length).toBeGreaterThan(0);
          let last = -1;
          for (const r of records) {
            expect(r.end).toBeGreaterThanOrEqual(r.offset);
            expect(r.offset).toBeGreaterThanOrEqual(last);
            last = r.end;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The line a resumed read starts on: one more than the newlines before the offset. */
function resumeLine(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
