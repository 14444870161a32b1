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

export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

export interface Segment {
  /** Elements, the segment id first: `CLP*A*1` -> ['CLP', 'A', '1']. */
  elements: string[];
  /** 1-based position of the segment in the file. */
  index: number;
  delimiters: Delimiters;
}

/** ISA is fixed width: 106 characters, the terminator last. */
const ISA_LENGTH = 106;

export class SegmentSplitter {
  private buffer = '';
  private delimiters: Delimiters | undefined;
  private count = 0;
  readonly warnings: string[] = [];

  /** Feeds a chunk; returns the segments it completes. */
  push(chunk: string): Segment[] {
    this.buffer += chunk;
    return this.drain(false);
  }

  /** The segments left at the end of the stream (a last segment without its terminator included). */
  end(): Segment[] {
    return this.drain(true);
  }

  private drain(final: boolean): Segment[] {
    const out: Segment[] = [];
    for (;;) {
      this.buffer = this.buffer.replace(/^[\s\uFEFF]+/, '');
      if (this.buffer.length === 0) return out;
      if (this.buffer.startsWith('ISA')) {
        if (this.buffer.length < ISA_LENGTH) {
          if (!final) return out;
          this.warnings.push('a truncated ISA header at the end of the file was ignored');
          this.buffer = '';
          return out;
        }
        this.delimiters = {
          element: this.buffer.charAt(3),
          repetition: this.buffer.charAt(82),
          component: this.buffer.charAt(104),
          segment: this.buffer.charAt(105),
        };
      } else if (
        !this.delimiters &&
        !final &&
        'ISA'.startsWith(this.buffer.slice(0, 3)) &&
        this.buffer.length < 3
      ) {
        return out; // perhaps the start of an ISA: wait for more
      } else if (!this.delimiters) {
        this.delimiters = {
          ...DEFAULT_DELIMITERS,
          element: /^[A-Z0-9]{2,3}(.)/.exec(this.buffer)?.[1] ?? '*',
        };
        this.warnings.push('no ISA header: delimiters * : ^ ~ assumed');
      }
      const d = this.delimiters;
      const end = this.buffer.indexOf(d.segment);
      if (end < 0) {
        if (!final) return out;
        const rest = this.buffer.trim();
        this.buffer = '';
        if (rest) out.push(this.segment(rest, d));
        return out;
      }
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + d.segment.length);
      if (text.trim()) out.push(this.segment(text.replace(/[\r\n]+/g, ''), d));
    }
  }

  private segment(text: string, delimiters: Delimiters): Segment {
    this.count++;
    return { elements: text.split(delimiters.element), index: this.count, delimiters };
  }
}
