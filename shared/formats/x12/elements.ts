/**
 * The elements of one X12 segment as positions in the text it came from, read on demand. Splitting a
 * segment into strings allocates one string per element, and an 835 of 40,000 claims has millions of
 * them; most amounts never need to be a string. One view is reused for every segment: a handler reads
 * what it needs and keeps strings, never the view.
 */
export class Elements {
  // Stryker disable next-line StringLiteral: reset() sets it before any read (a fresh view is empty)
  private text = '';
  /** start, end of element 0, then of element 1, ... */
  // Stryker disable next-line ArrayDeclaration: reset() writes it before any read (a fresh view is empty)
  private readonly bounds: number[] = [];
  /** How many elements, the segment id included. */
  length = 0;

  /** Points the view at text[from, end), split at `separator`. */
  reset(text: string, from: number, end: number, separator: string): this {
    this.text = text;
    const bounds = this.bounds;
    let n = 0;
    let at = from;
    for (;;) {
      const next = text.indexOf(separator, at);
      const stop = next < 0 ? end : Math.min(next, end);
      bounds[n++] = at;
      bounds[n++] = stop;
      if (stop === end) break;
      at = stop + separator.length;
    }
    this.length = n / 2;
    return this;
  }

  /** The segment id as a number (see segmentCode), without making it a string. */
  code(): number {
    return codeOf(this.text, this.bounds[0] as number, this.bounds[1] as number);
  }

  /** Element i as a string: '' when absent. Element 0 is the segment id. */
  str(i: number): string {
    if (i >= this.length) return '';
    return this.text.slice(this.bounds[2 * i], this.bounds[2 * i + 1]);
  }

  /** Element i, or undefined when the segment has fewer elements. */
  raw(i: number): string | undefined {
    return i < this.length ? this.str(i) : undefined;
  }

  /** Element i trimmed; undefined when absent or blank. */
  opt(i: number): string | undefined {
    return this.str(i).trim() || undefined;
  }

  /** Whether element i is present and not blank. */
  has(i: number): boolean {
    return this.opt(i) !== undefined;
  }

  /**
   * Element i as a number: 0 when absent, blank or not a number, exactly as Number() reads it. Plain
   * decimals of up to 15 digits (`-1234.56`) are read from the character codes without a string: the
   * digits as an integer divided by a power of ten is the correctly rounded double, the same one
   * Number() gives. Anything else is read as a string by Number().
   */
  num(i: number): number {
    if (i >= this.length) return 0;
    const text = this.text;
    let at = this.bounds[2 * i] as number;
    const end = this.bounds[2 * i + 1] as number;
    if (at === end) return 0;
    const negative = text.charCodeAt(at) === 45; // '-'
    if (negative) at++;
    let mantissa = 0;
    let digits = 0;
    /** How many digits came before the '.': -1 until one comes. */
    let point = -1;
    for (; at < end; at++) {
      const c = text.charCodeAt(at);
      if (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
      } else if (c === 46 && point < 0) point = digits;
      else return this.slowNum(i);
    }
    if (digits === 0 || digits > 15) return this.slowNum(i);
    const value = point < 0 ? mantissa : mantissa / (POWERS_OF_TEN[digits - point] as number);
    return negative ? -value : value;
  }

  /**
   * Element i as a composite (`HC:G0299:GP` -> qualifier HC, code G0299, modifiers [GP]), read from the
   * text without the element string in between; empty parts are dropped from the modifiers.
   */
  composite(i: number, component: string): { qualifier: string; code: string; modifiers: string[] } {
    if (i >= this.length) return { qualifier: '', code: '', modifiers: [] };
    const text = this.text;
    const end = this.bounds[2 * i + 1] as number;
    const parts: string[] = [];
    let at = this.bounds[2 * i] as number;
    for (;;) {
      const next = text.indexOf(component, at);
      const stop = next < 0 ? end : Math.min(next, end);
      parts.push(text.slice(at, stop));
      if (stop === end) break;
      at = stop + component.length;
    }
    const modifiers: string[] = [];
    for (let k = 2; k < parts.length; k++) if (parts[k] !== '') modifiers.push(parts[k] as string);
    return { qualifier: parts[0] as string, code: parts[1] ?? '', modifiers };
  }

  /** Every element as strings (for the rare segment read whole). */
  all(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.str(i));
    return out;
  }

  private slowNum(i: number): number {
    const n = Number(this.str(i));
    return Number.isFinite(n) ? n : 0;
  }
}

/**
 * A segment id (2 or 3 letters in X12) as a number, for a switch that compares numbers rather than
 * strings: one per segment in a file of hundreds of thousands.
 */
export function segmentCode(id: string): number {
  return codeOf(id, 0, id.length);
}

/**
 * The segmentCode of the id at text[from, end): its first four characters at most, as bytes, big-endian
 * (`CLP` is 0x434c50), so a longer id has the code of its first four characters.
 */
export function codeOf(text: string, from: number, end: number): number {
  let code = 0;
  for (let at = from; at < end && at < from + 4; at++) code = code * 256 + (text.charCodeAt(at) & 0xff);
  return code;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
