import { isUtf8 } from 'node:buffer';

/**
 * Splits a JSON file into its top-level values without parsing (or holding) the whole file: the
 * elements of a top-level array, or a sequence of values (one pretty-printed chart, or NDJSON saved as
 * .json). It tracks only nesting depth and string state, byte by byte, so memory stays at one value
 * (capped). Each value carries its byte offsets for checkpoints, and `JSON.parse` judges each value on
 * its own, so one broken chart does not take its neighbours with it.
 */
export type JsonValueText =
  | { line: number; offset: number; end: number; nextLine: number; text: string }
  | { line: number; offset: number; end: number; nextLine: number; error: string };

export interface JsonValueOptions {
  /** `array`: the file is `[ v, v, ... ]`; `sequence`: values one after another. */
  mode: 'array' | 'sequence';
  /** Resuming: the byte offset and line of the first byte the source yields. */
  startOffset?: number;
  startLine?: number;
  /** Resuming inside an array, after its `[`. */
  insideArray?: boolean;
  maxValueBytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export async function* jsonValues(
  source: AsyncIterable<Uint8Array>,
  options: JsonValueOptions,
): AsyncGenerator<JsonValueText[]> {
  const { mode, maxValueBytes } = options;
  const base = mode === 'array' ? 1 : 0;
  let offset = options.startOffset ?? 0;
  let line = options.startLine ?? 1;
  let depth = mode === 'array' && options.insideArray ? 1 : 0;
  let arrayClosed = false;
  let inString = false;
  let escaped = false;
  // The value being recorded: where it started, its bytes so far (until it grows too long).
  let start = -1;
  let startLine = 0;
  let garbage = false;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let trailingReported = false;
  let out: JsonValueText[] = [];

  const finish = (end: number): JsonValueText => {
    const value = { line: startLine, offset: start, end, nextLine: line };
    const bytes = Buffer.concat(parts, size);
    const wasGarbage = garbage;
    const wasTooLong = tooLong;
    start = -1;
    parts = [];
    size = 0;
    tooLong = false;
    garbage = false;
    if (wasTooLong) return { ...value, error: `value is longer than ${maxValueBytes} bytes` };
    if (wasGarbage) return { ...value, error: 'not valid JSON' };
    if (!isUtf8(bytes)) return { ...value, error: 'value is not valid UTF-8' };
    return { ...value, text: bytes.toString('utf8') };
  };

  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    // Bytes of this chunk that belong to the value being recorded start here.
    let from = start >= 0 ? 0 : -1;
    const keep = (to: number) => {
      if (from < 0 || to <= from || tooLong) return;
      if (size + (to - from) > maxValueBytes) {
        tooLong = true;
        parts = [];
        size = 0;
        return;
      }
      parts.push(Buffer.from(chunk.subarray(from, to)));
      size += to - from;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === NEWLINE) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (garbage) {
        // Something that cannot start a value at the top level: it runs to the end of its line.
        if (b === NEWLINE) {
          keep(i);
          from = -1;
          out.push(finish(offset + i + 1));
        }
        continue;
      }
      if (start < 0) {
        if (isSpace(b)) continue;
        if (mode === 'array' && depth === 0) {
          if (b === OPEN_BRACKET && !arrayClosed) {
            depth = 1;
            continue;
          }
          // Text after the array's closing bracket, or a file that is no array: one error, then stop.
          if (!trailingReported) {
            trailingReported = true;
            out.push({
              line,
              offset: offset + i,
              end: offset + chunk.length,
              nextLine: line,
              error: arrayClosed ? 'content after the end of the array' : 'not a JSON array',
            });
          }
          continue;
        }
        if (mode === 'array' && b === COMMA) continue;
        if (mode === 'array' && b === CLOSE_BRACKET) {
          depth = 0;
          arrayClosed = true;
          continue;
        }
        start = offset + i;
        startLine = line;
        from = i;
        if (mode === 'sequence' && b !== OPEN_BRACE && b !== OPEN_BRACKET) {
          garbage = true;
          continue;
        }
      }
      if (b === QUOTE) {
        inString = true;
        continue;
      }
      if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
        continue;
      }
      if (mode === 'array' && depth === base && (b === COMMA || b === CLOSE_BRACKET)) {
        // The element ends before its separator; a resumed read starts at the separator.
        keep(i);
        from = -1;
        out.push(finish(offset + i));
        if (b === CLOSE_BRACKET) {
          depth = 0;
          arrayClosed = true;
        }
        continue;
      }
      if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth = Math.max(base, depth - 1);
        if (mode === 'sequence' && depth === 0) {
          keep(i + 1);
          from = -1;
          out.push(finish(offset + i + 1));
        }
      }
    }
    keep(chunk.length);
    offset += chunk.length;
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (start >= 0) {
    const cutOff = !garbage && (inString || depth > base);
    const value = finish(offset);
    yield [
      cutOff && 'text' in value
        ? { ...value, text: undefined, error: 'value is cut off at the end of the file' }
        : value,
    ];
  } else if (mode === 'array' && !arrayClosed && depth === 1) {
    yield [
      { line, offset, end: offset, nextLine: line, error: 'the array is cut off at the end of the file' },
    ];
  }
}
