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

/**
 * Feed it chunks, get the lines they complete. Synchronous, so a reader pays one await per chunk rather
 * than one per line.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private lineNo: number;
  private lineStart: number;
  private consumed: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private tooLong = false;

  constructor(options: LineOptions) {
    this.maxLineBytes = options.maxLineBytes;
    this.lineNo = options.startLine ?? 1;
    this.lineStart = options.startOffset ?? 0;
    this.consumed = this.lineStart;
  }

  /** The lines `raw` completes (a line cut by the chunk's end waits for the next chunk). */
  push(raw: Uint8Array): ByteLine[] {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: ByteLine[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const stop = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(pos, stop);
      if (!this.tooLong) {
        if (this.pendingBytes + piece.length > this.maxLineBytes) {
          this.tooLong = true;
          this.pending = [];
          this.pendingBytes = 0;
        } else if (nl === -1 || this.pending.length > 0) {
          // Copy: the stream may reuse its chunk buffers.
          this.pending.push(Buffer.from(piece));
          this.pendingBytes += piece.length;
        }
      }
      if (nl === -1) {
        this.consumed += chunk.length - pos;
        break;
      }
      this.consumed += nl + 1 - pos;
      const bytes = this.tooLong
        ? undefined
        : this.pending.length > 0
          ? Buffer.concat(this.pending, this.pendingBytes)
          : piece;
      this.pending = [];
      this.pendingBytes = 0;
      out.push(this.emit(bytes, this.consumed));
      pos = nl + 1;
    }
    return out;
  }

  /** The last line, which needs no newline. */
  finish(): ByteLine[] {
    if (!this.tooLong && this.pendingBytes === 0) return [];
    const line = this.emit(Buffer.concat(this.pending, this.pendingBytes), this.consumed);
    this.pending = [];
    this.pendingBytes = 0;
    return [line];
  }

  private emit(bytes: Buffer | undefined, end: number): ByteLine {
    const offset = this.lineStart;
    const line = this.lineNo;
    this.lineNo++;
    this.lineStart = end;
    const at = { line, offset, end, nextLine: this.lineNo };
    if (this.tooLong) {
      this.tooLong = false;
      return { ...at, error: `line is longer than ${this.maxLineBytes} bytes` };
    }
    // Only a line that was too long comes without its bytes.
    if (!bytes) return { ...at, error: `line is longer than ${this.maxLineBytes} bytes` };
    let stop = bytes.length;
    if (stop > 0 && bytes[stop - 1] === CR) stop--;
    const body = stop === bytes.length ? bytes : bytes.subarray(0, stop);
    if (!isUtf8(body)) return { ...at, error: 'line is not valid UTF-8' };
    return { ...at, text: body.toString('utf8') };
  }
}

/** The lines of a byte stream, a chunk's worth at a time. */
export async function* byteLines(
  source: AsyncIterable<Uint8Array>,
  options: LineOptions,
): AsyncGenerator<ByteLine[]> {
  const splitter = new LineSplitter(options);
  for await (const chunk of source) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = splitter.finish();
  if (last.length > 0) yield last;
}
