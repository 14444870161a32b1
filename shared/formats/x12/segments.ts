/**
 * X12 segments from a stream of text, with the delimiters each interchange declares in its ISA header:
 * element separator (ISA byte 4), repetition (ISA11), component (ISA16) and segment terminator (the
 * byte after ISA16). Line breaks after a terminator are tolerated. Without an ISA (a bare ST...SE
 * file) the common delimiters are assumed (`*`, `:`, `^`, `~`) and a warning says so.
 */
export interface Delimiters {
  element: string;
  component: string;
  repetition: string;
  segment: string;
}

import { codeOf, Elements } from './elements.ts';

export { Elements, segmentCode } from './elements.ts';

/**
 * Called once per segment with its elements, the segment id first (`CLP*A*1` -> CLP, A, 1), its 1-based
 * position in the file and the delimiters in force. A segment whose id is not wanted comes with its id
 * alone. The Elements view is reused for the next segment: keep strings from it, never the view.
 */
export type SegmentHandler = (elements: Elements, index: number, delimiters: Delimiters) => void;

/** ISA is fixed width: 106 characters, the terminator last. */
const ISA_LENGTH = 106;

/** Whitespace and a BOM may sit between segments (line breaks after terminators, a BOM at the start). */
function isGap(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 0xfeff;
}

/**
 * The next position of `char` at or after a cursor that only moves forward, remembered: a new search
 * starts only once the cursor has passed the last one found, so a chunk is scanned once per character
 * however many segments it holds (a file with LF after every terminator and no CR would otherwise
 * rescan the chunk for a CR per segment).
 */
class NextChar {
  /** One past the position last found (0 before the first search): a cursor there needs a new search. */
  private after = 0;
  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}
  from(pos: number): number {
    // indexOf's -1 (none left) read unsigned is 2^32 - 1: past the end of any string, never searched again.
    if (this.after <= pos) this.after = (this.text.indexOf(this.char, pos) >>> 0) + 1;
    return this.after - 1;
  }
}

/**
 * Splits with a cursor over the chunk (no copy of the rest of the buffer per segment) and keeps only
 * the unfinished tail between chunks: memory is one chunk plus one segment, whatever the file's size.
 */
export class SegmentSplitter {
  private buffer = '';
  private delimiters: Delimiters | undefined;
  private count = 0;
  private readonly view = new Elements();
  readonly warnings: string[] = [];

  /**
   * @param onSegment receives each segment as it completes.
   * @param wanted the segment ids (as segmentCode numbers) whose elements are needed; the others are passed as their id alone,
   *   which saves splitting them (most of an 835's NM1, N3, AMT, QTY... are not read). All when absent.
   */
  constructor(
    private readonly onSegment: SegmentHandler,
    private readonly wanted?: ReadonlySet<number>,
  ) {}

  /** Feeds a chunk: its complete segments are handed on, an unfinished one is kept for the next. */
  push(chunk: string): void {
    this.drain(this.buffer + chunk, false);
  }

  /** The end of the stream: what is left is handed on (a last segment without its terminator too). */
  end(): void {
    this.drain(this.buffer, true);
  }

  private drain(text: string, final: boolean): void {
    const length = text.length;
    let pos = 0;
    const lf = new NextChar(text, '\n');
    const cr = new NextChar(text, '\r');
    for (;;) {
      while (isGap(text.charCodeAt(pos))) pos++; // NaN past the end: not a gap
      if (pos >= length) break;
      if (text.startsWith('ISA', pos)) {
        if (length - pos < ISA_LENGTH) {
          if (!final) break;
          this.warnings.push('a truncated ISA header at the end of the file was ignored');
          pos = length;
          break;
        }
        this.delimiters = {
          element: text.charAt(pos + 3),
          repetition: text.charAt(pos + 82),
          component: text.charAt(pos + 104),
          segment: text.charAt(pos + 105),
        };
      } else if (!this.delimiters && !final && 'ISA'.startsWith(text.slice(pos))) {
        break; // perhaps the start of an ISA: wait for more
      } else if (!this.delimiters) {
        // The element separator is the character after the first segment's id, the others the common ones.
        this.delimiters = {
          element: /^[A-Z0-9]{2,3}(.)/.exec(text.slice(pos))?.[1] ?? '*',
          component: ':',
          repetition: '^',
          segment: '~',
        };
        this.warnings.push('no ISA header: delimiters * : ^ ~ assumed');
      }
      const d = this.delimiters;
      let end = text.indexOf(d.segment, pos);
      if (end < 0) {
        if (!final) break;
        end = length;
      }
      if (lf.from(pos) < end || cr.from(pos) < end) {
        // A segment wrapped over lines (some clearinghouses wrap at 80 columns), or the last one
        // followed by a line break: joined up, the only segments copied out of the chunk. Never empty:
        // it starts at a character that is not a gap.
        const body = text.slice(pos, end).replace(/[\r\n]/g, '');
        this.hand(body, 0, body.length, d);
      } else if (end > pos) this.hand(text, pos, end, d);
      pos = end + d.segment.length;
    }
    this.buffer = text.slice(pos);
  }

  private hand(text: string, from: number, end: number, d: Delimiters): void {
    this.count++;
    if (this.wanted) {
      // The id's code from its characters, without splitting the segment: an unwanted one goes on as its id.
      const first = text.indexOf(d.element, from);
      const idEnd = first < 0 ? end : Math.min(first, end);
      if (!this.wanted.has(codeOf(text, from, idEnd))) {
        this.onSegment(this.view.reset(text, from, idEnd, d.element), this.count, d);
        return;
      }
    }
    this.onSegment(this.view.reset(text, from, end, d.element), this.count, d);
  }
}
