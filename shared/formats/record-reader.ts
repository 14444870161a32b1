import { byteLines } from './byte-lines.ts';
import { jsonValues } from './json-values.ts';

/**
 * Reads the records of an export file as a stream: NDJSON line by line, a JSON array element by
 * element, or a JSON file that holds one value (or several, one after another). Memory holds one record
 * at most, capped at `maxRecordBytes`. Every record comes back with its line and byte offsets, or an
 * error for that record, so a broken record is reported and the rest of the file goes on; the position
 * after any record is a checkpoint a later read can resume from.
 */
export type ReaderMode = 'lines' | 'array' | 'sequence';

/** Where to resume: the byte offset and line after the last record taken, and how the file is read. */
export interface ReadPosition {
  offset: number;
  line: number;
  mode: ReaderMode;
}

/** A record and where it sits: `end` and `nextLine` are where a read resumes after it. */
export type SourceRecord =
  | { line: number; offset: number; end: number; nextLine: number; value: unknown; text?: string }
  | { line: number; offset: number; end: number; nextLine: number; error: string };

export interface ReadOptions {
  fileName: string;
  /** Resume after a checkpoint; the source must then yield the object's bytes from `from.offset` on. */
  from?: ReadPosition;
  maxRecordBytes: number;
  /** Keep each record's text beside its value (to pass it on without serialising it again). */
  keepText?: boolean;
}

/** 1 MiB per chart is far above any real chart; larger records are reported, not buffered. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Reads the records one by one; the mode is settled by the first bytes and reported through `onMode`. */
export async function* readRecords(
  source: AsyncIterable<Uint8Array>,
  options: ReadOptions & { onMode?: (mode: ReaderMode) => void },
): AsyncGenerator<SourceRecord> {
  for await (const batch of readRecordBatches(source, options)) yield* batch;
}

/**
 * The same records, a chunk's worth at a time: the hot path, with one await per chunk of the stream
 * rather than one per record.
 */
export async function* readRecordBatches(
  source: AsyncIterable<Uint8Array>,
  options: ReadOptions & { onMode?: (mode: ReaderMode) => void },
): AsyncGenerator<SourceRecord[]> {
  const from = options.from;
  let mode: ReaderMode;
  let body: AsyncIterable<Uint8Array> = source;
  let offset = from?.offset ?? 0;
  let line = from?.line ?? 1;
  if (from) mode = from.mode;
  else {
    const head = await peek(source, options.maxRecordBytes);
    if (head.kind === 'empty') {
      yield [{ line: 1, offset: 0, end: head.bytes, nextLine: 1, error: 'file holds no charts' }];
      return;
    }
    if (head.kind === 'utf16') {
      yield [{ line: 1, offset: 0, end: 0, nextLine: 1, error: 'file is UTF-16: exports must be UTF-8' }];
      return;
    }
    body = head.rest;
    offset = head.skipped;
    line = 1 + head.lines;
    mode = /\.(ndjson|jsonl)$/i.test(options.fileName)
      ? 'lines'
      : head.first === 0x5b
        ? 'array'
        : head.first === 0x7b && !head.firstLineIsJson
          ? 'sequence'
          : 'lines';
  }
  options.onMode?.(mode);
  const max = options.maxRecordBytes;
  const label = mode === 'lines' ? 'line' : 'value';
  let taken = 0;
  const pieces =
    mode === 'lines'
      ? byteLines(body, { startOffset: offset, startLine: line, maxLineBytes: max })
      : jsonValues(body, {
          mode,
          startOffset: offset,
          startLine: line,
          insideArray: from !== undefined && mode === 'array',
          maxValueBytes: max,
        });
  for await (const batch of pieces) {
    const records: SourceRecord[] = [];
    for (const piece of batch) {
      if ('error' in piece) {
        records.push(piece);
        continue;
      }
      const text = piece.text;
      // Blank lines (and blank space around a value) are no records; JSON.parse skips the space itself.
      if (text.length === 0 || (isSpace(text.charCodeAt(0)) && text.trim() === '')) continue;
      try {
        const value: unknown = JSON.parse(text);
        records.push(
          options.keepText
            ? {
                line: piece.line,
                offset: piece.offset,
                end: piece.end,
                nextLine: piece.nextLine,
                value,
                text,
              }
            : { line: piece.line, offset: piece.offset, end: piece.end, nextLine: piece.nextLine, value },
        );
      } catch {
        records.push({
          line: piece.line,
          offset: piece.offset,
          end: piece.end,
          nextLine: piece.nextLine,
          error: `${label} is not valid JSON`,
        });
      }
    }
    taken += records.length;
    if (records.length > 0) yield records;
  }
  if (taken === 0 && !from)
    yield [{ line: 1, offset: 0, end: offset, nextLine: 1, error: 'file holds no charts' }];
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

type Head =
  | { kind: 'empty'; bytes: number }
  | { kind: 'utf16' }
  | {
      kind: 'data';
      first: number;
      /** A first line that is a whole JSON value by itself: NDJSON, whatever the file is called. */
      firstLineIsJson: boolean;
      skipped: number;
      lines: number;
      rest: AsyncIterable<Uint8Array>;
    };

/**
 * Looks at the first meaningful byte (and, for `{`, the first line), then hands back a stream that still
 * yields everything from that byte on. Leading blanks are let go as they are seen, never held.
 */
async function peek(source: AsyncIterable<Uint8Array>, lookAhead: number): Promise<Head> {
  const iterator = source[Symbol.asyncIterator]();
  let buffered = Buffer.alloc(0);
  let done = false;
  let total = 0;
  let dropped = 0;
  let newlines = 0;
  const pull = async () => {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      return;
    }
    total += next.value.length;
    buffered = Buffer.concat([buffered, next.value]);
  };
  while (!done && buffered.length < 3) await pull();
  if (
    buffered.length >= 2 &&
    ((buffered[0] === 0xff && buffered[1] === 0xfe) || (buffered[0] === 0xfe && buffered[1] === 0xff))
  )
    return { kind: 'utf16' };
  let i = UTF8_BOM.every((b, k) => buffered[k] === b) ? 3 : 0;
  for (;;) {
    while (i < buffered.length && isSpace(buffered[i] as number)) {
      if (buffered[i] === 0x0a) newlines++;
      i++;
    }
    if (i < buffered.length) break;
    if (done) return { kind: 'empty', bytes: total };
    dropped += buffered.length;
    buffered = Buffer.alloc(0);
    i = 0;
    await pull();
  }
  const first = buffered[i] as number;
  let firstLineIsJson = false;
  if (first === 0x7b) {
    while (!done && buffered.indexOf(0x0a, i) === -1 && buffered.length - i < lookAhead) await pull();
    const nl = buffered.indexOf(0x0a, i);
    try {
      JSON.parse(buffered.subarray(i, nl === -1 ? buffered.length : nl).toString('utf8'));
      firstLineIsJson = true;
    } catch {
      // A pretty-printed chart (or a broken first line): read as a sequence of values.
    }
  }
  const head = buffered.subarray(i);
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield head;
      if (done) return;
      for (;;) {
        const more = await iterator.next();
        if (more.done) return;
        yield more.value;
      }
    },
  };
  return { kind: 'data', first, firstLineIsJson, skipped: dropped + i, lines: newlines, rest };
}
