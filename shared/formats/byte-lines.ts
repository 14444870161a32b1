import { isUtf8 } from 'node:buffer';

/**
 * Splits a byte stream into lines without ever holding more than one line (capped) in memory. Each line
 * carries its byte offsets, so a reader can checkpoint after any line and resume there with an S3 ranged
 * GET. Hand-written rather than node:readline because readline gives neither byte offsets nor a bound
 * on line length, and decodes invalid UTF-8 silently into U+FFFD.
 */
export type ByteLine =
  | { line: number; offset: number; end: number; nextLine: number; text: string }
  | { line: number; offset: number; end: number; nextLine: number; error: string };

export interface LineOptions {
  /** Byte offset of the first byte the source yields (a resumed read starts mid-file). */
  startOffset?: number;
  /** Number of the first line the source yields. */
  startLine?: number;
  /** A longer line is reported and skipped, never buffered whole. */
  maxLineBytes: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

export async function* byteLines(
  source: AsyncIterable<Uint8Array>,
  options: LineOptions,
): AsyncGenerator<ByteLine> {
  const { maxLineBytes } = options;
  let lineNo = options.startLine ?? 1;
  let lineStart = options.startOffset ?? 0;
  let consumed = lineStart;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;

  const emit = (bytes: Buffer | undefined, end: number): ByteLine | undefined => {
    const offset = lineStart;
    const line = lineNo;
    lineNo++;
    lineStart = end;
    const at = { line, offset, end, nextLine: lineNo };
    if (tooLong) {
      tooLong = false;
      return { ...at, error: `line is longer than ${maxLineBytes} bytes` };
    }
    if (!bytes) return undefined;
    let stop = bytes.length;
    if (stop > 0 && bytes[stop - 1] === CR) stop--;
    const body = stop === bytes.length ? bytes : bytes.subarray(0, stop);
    if (!isUtf8(body)) return { ...at, error: 'line is not valid UTF-8' };
    return { ...at, text: body.toString('utf8') };
  };

  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const stop = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(pos, stop);
      if (!tooLong) {
        if (pendingBytes + piece.length > maxLineBytes) {
          tooLong = true;
          pending = [];
          pendingBytes = 0;
        } else if (nl === -1 || pending.length > 0) {
          // Copy: the stream may reuse its chunk buffers.
          pending.push(Buffer.from(piece));
          pendingBytes += piece.length;
        }
      }
      if (nl === -1) {
        consumed += chunk.length - pos;
        break;
      }
      consumed += nl + 1 - pos;
      const bytes = tooLong ? undefined : pending.length > 0 ? Buffer.concat(pending, pendingBytes) : piece;
      pending = [];
      pendingBytes = 0;
      const out = emit(bytes, consumed);
      if (out) yield out;
      pos = nl + 1;
    }
  }
  // The last line needs no newline.
  if (tooLong || pendingBytes > 0) {
    const out = emit(Buffer.concat(pending, pendingBytes), consumed);
    if (out) yield out;
  }
}
