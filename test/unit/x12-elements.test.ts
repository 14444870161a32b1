import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Elements, segmentCode } from '#shared/formats/x12/elements.ts';
import { type Delimiters, SegmentSplitter } from '#shared/formats/x12/segments.ts';
import { isaElements } from '../support/x12-835.ts';

const view = (segment: string) => new Elements().reset(segment, 0, segment.length, '*');

describe('Elements', () => {
  it('reads elements as split would, the id first and a trailing empty element kept', () => {
    const e = view('CLP*CT1*4**0*');
    expect(e.all()).toEqual('CLP*CT1*4**0*'.split('*'));
    expect(e.length).toBe(6);
    expect(e.str(1)).toBe('CT1');
    expect(e.str(9)).toBe('');
    expect(e.raw(9)).toBeUndefined();
    expect(e.opt(3)).toBeUndefined();
    expect(e.code()).toBe(segmentCode('CLP'));
  });

  it('reads a composite element in place, as split on the component separator would', () => {
    const e = view('SVC*HC:G0299:GP::59*HC*');
    expect(e.composite(1, ':')).toEqual({ qualifier: 'HC', code: 'G0299', modifiers: ['GP', '59'] });
    expect(e.composite(2, ':')).toEqual({ qualifier: 'HC', code: '', modifiers: [] });
    expect(e.composite(3, ':')).toEqual({ qualifier: '', code: '', modifiers: [] });
    expect(e.composite(9, ':')).toEqual({ qualifier: '', code: '', modifiers: [] });
  });

  it('trims only when an element is padded', () => {
    const e = view('N1*PR* SYNTHETIC PAYER *  ');
    expect(e.opt(2)).toBe('SYNTHETIC PAYER');
    expect(e.opt(3)).toBeUndefined();
    expect(e.has(1)).toBe(true);
  });

  it('trims every kind of blank at either end, Unicode ones too, the same whichever end is padded', () => {
    const e = view('N1*PR*\u00a0PAYER*PAYER\u00a0*\ufeffPAYER\t*\u00a0');
    expect([e.opt(2), e.opt(3), e.opt(4), e.opt(5)]).toEqual(['PAYER', 'PAYER', 'PAYER', undefined]);
  });

  it('reads a view over the middle of a text', () => {
    const text = 'xxCAS*CO*45*12.5~yy';
    const e = new Elements().reset(text, 2, text.indexOf('~'), '*');
    expect(e.all()).toEqual(['CAS', 'CO', '45', '12.5']);
    expect(e.num(3)).toBe(12.5);
  });

  it('reads numbers exactly as Number() does, 0 for what is not a number', () => {
    const amount = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc
        .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.nat({ max: 18 }))
        .map(([negative, digits, point]) => {
          const s = digits.toString();
          const at = Math.max(0, s.length - point);
          return `${negative ? '-' : ''}${s.slice(0, at)}.${s.slice(at)}`;
        }),
      fc.string({ maxLength: 8 }),
      fc.constantFrom('', '.', '-', '-0', '12.', '.5', '+5', ' 7', '1e3', '0.1', '1234.56', '00012'),
    );
    fc.assert(
      fc.property(amount, (value) => {
        fc.pre(!value.includes('*'));
        const expected = Number(value);
        expect(view(`AMT*${value}`).num(1)).toBe(Number.isFinite(expected) ? expected : 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Elements, property', () => {
  /** An element as payers write them: amounts, ids, padded text, composites, blanks, and odd bytes. */
  const element = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.nat({ max: 18 }))
      .map(([negative, digits, point]) => {
        const s = digits.toString();
        const at = Math.max(0, s.length - point);
        return `${negative ? '-' : ''}${s.slice(0, at)}.${s.slice(at)}`;
      }),
    fc.string({ unit: fc.constantFrom(...'AB09.-: \te'), maxLength: 8 }),
    fc.constantFrom('', ' ', 'HC:G0299:GP::59', ' PADDED ', 'X ', ' X', '-', '.', '-0', '1.2.3', '12a5'),
  );
  const segment = fc.array(element, { maxLength: 8 }).map((elements) => elements.join('*'));
  /** What split, trim and Number() make of element i. */
  const expected = (parts: string[], i: number) => {
    const part = parts[i];
    const n = Number(part);
    const components = part?.split(':') ?? [];
    return {
      str: part ?? '',
      raw: part,
      opt: part?.trim() || undefined,
      has: (part?.trim() ?? '') !== '',
      num: part === undefined || !Number.isFinite(n) ? 0 : n,
      composite: {
        qualifier: components[0] ?? '',
        code: components[1] ?? '',
        modifiers: components.slice(2).filter((m) => m !== ''),
      },
    };
  };

  it('reads every element of any segment as split, trim and Number() would, over a view reused for each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), segment, fc.string({ maxLength: 4 })), {
          minLength: 1,
        }),
        (segments) => {
          const e = new Elements();
          for (const [before, body, after] of segments) {
            // Text on either side of the segment (a separator among it) is never read.
            e.reset(`${before}${body}*${after}`, before.length, before.length + body.length, '*');
            const parts = body.split('*');
            expect(e.length).toBe(parts.length);
            expect(e.all()).toEqual(parts);
            expect(e.code()).toBe(segmentCode(parts[0] ?? ''));
            for (let i = 0; i <= parts.length + 1; i++) {
              const read = {
                str: e.str(i),
                raw: e.raw(i),
                opt: e.opt(i),
                has: e.has(i),
                num: e.num(i),
                composite: e.composite(i, ':'),
              };
              expect(read, `element ${i} of ${JSON.stringify(body)}`).toStrictEqual(expected(parts, i));
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('Elements, without a string in between', () => {
  it('reads a plain decimal of up to 15 digits from the character codes, anything else through Number()', () => {
    const value = fc.oneof(
      fc
        .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.nat({ max: 18 }), fc.boolean())
        .map(([negative, digits, point, withPoint]) => {
          const s = digits.toString();
          const at = Math.max(0, s.length - point);
          return `${negative ? '-' : ''}${s.slice(0, at)}${withPoint ? '.' : ''}${s.slice(at)}`;
        }),
      fc.string({ unit: fc.constantFrom(...'09.-e '), maxLength: 6 }),
      fc.constantFrom('123456789012345', '-12345678901234.5', '1234567890123456', '.5', '12.', '-.5', '.5.'),
    );
    fc.assert(
      fc.property(value, fc.string({ unit: fc.constantFrom(...'0123456789*'), maxLength: 3 }), (v, after) => {
        fc.pre(!v.includes('*'));
        // Digits right after the element: a read past its end would take them.
        const text = `AMT*${v}*${after}`;
        const e = new Elements().reset(text, 0, 4 + v.length, '*');
        const asString = vi.spyOn(e, 'str');
        const digits = v.replace(/\D/g, '').length;
        const plain = /^-?\d*\.?\d*$/.test(v) && digits >= 1 && digits <= 15;
        const n = Number(v);
        expect(e.num(1)).toBe(Number.isFinite(n) ? n : 0);
        expect(asString.mock.calls.length > 0, `${JSON.stringify(v)} read as a string`).toBe(
          !plain && v !== '',
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('segmentCode', () => {
  it("reads an id's first four characters as bytes, big-endian", () => {
    expect(segmentCode('CLP')).toBe(0x434c50);
    expect(segmentCode('N1')).toBe(0x4e31);
    expect(segmentCode('ABCDE')).toBe(0x41424344);
    expect(segmentCode('')).toBe(0);
  });
});

describe('SegmentSplitter', () => {
  const segments = (text: string, wanted?: ReadonlySet<string>) => {
    const out: string[][] = [];
    const splitter = new SegmentSplitter(
      (e: Elements, _i: number, _d: Delimiters) => out.push(e.all()),
      wanted && new Set([...wanted].map(segmentCode)),
    );
    splitter.push(text);
    splitter.end();
    return out;
  };

  it('passes unwanted segments as their id alone, still in order', () => {
    expect(segments('ST*835*1~NM1*QC*1*DOE~CLP*A*1~', new Set(['ST', 'CLP']))).toEqual([
      ['ST', '835', '1'],
      ['NM1'],
      ['CLP', 'A', '1'],
    ]);
  });

  it('assumes the common delimiters but the element separator without an ISA, and says so', () => {
    const handed: Delimiters[] = [];
    const splitter = new SegmentSplitter((_e, _i, d) => handed.push(d));
    splitter.push('ST|835|0001~SE|2|0001~');
    splitter.end();
    expect(handed).toEqual([
      { element: '|', component: ':', repetition: '^', segment: '~' },
      { element: '|', component: ':', repetition: '^', segment: '~' },
    ]);
    expect(splitter.warnings).toEqual(['no ISA header: delimiters * : ^ ~ assumed']);
  });

  it('reads a wrapped segment exactly as its one-line twin, blanks before the terminator and all', () => {
    expect(segments('ST*835*1~CLP*A*1*XY\n \t~SE*3*1')).toEqual(segments('ST*835*1~CLP*A*1*XY \t~SE*3*1'));
    expect(segments('ST*835*1~CLP*A*1*XY\n \t~SE*3*1')[1]).toEqual(['CLP', 'A', '1', 'XY \t']);
  });

  it('joins a segment wrapped over lines and ignores line breaks after terminators', () => {
    expect(segments('ST*835*1~\r\nCLP*A*1*12\r\n34.5~\nSE*3*1')).toEqual([
      ['ST', '835', '1'],
      ['CLP', 'A', '1', '1234.5'],
      ['SE', '3', '1'],
    ]);
  });
});

describe('SegmentSplitter, property', () => {
  const chars = (alphabet: string, minLength: number, maxLength: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
  /** Never in a value ([A-Z0-9], blanks, '.', '-'); a CR or LF may end segments. */
  const PUNCTUATION = [...'*|^~:>!{}#@&`\\=?<;%$"\'()[],/_+'];
  const delimiters: fc.Arbitrary<Delimiters> = fc
    .tuple(fc.shuffledSubarray(PUNCTUATION, { minLength: 4, maxLength: 4 }), fc.constantFrom('', '\n', '\r'))
    .map(([[element = '*', component = ':', repetition = '^', segment = '~'], lineEnd]) => ({
      element,
      component,
      repetition,
      segment: lineEnd || segment,
    }));
  const IDS = ['ST', 'SE', 'CLP', 'CAS', 'N1', 'NM1', 'AMT', 'LQ', 'PLB', 'A1', 'ZZZ'];
  /** A segment as its elements, the id first: an empty id now and then, never an empty segment. */
  const segment = fc
    .oneof(
      {
        weight: 9,
        arbitrary: fc.tuple(fc.constantFrom(...IDS), fc.array(chars('AB09 .-', 0, 6), { maxLength: 6 })),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(
          fc.constant(''),
          fc.array(chars('AB09 .-', 0, 6), { minLength: 1, maxLength: 3 }),
        ),
      },
    )
    .map(([id, elements]) => [id, ...elements]);
  const interchange = fc.record({ delimiters, segments: fc.array(segment, { maxLength: 12 }) });
  /** What may sit between segments: line breaks, blanks, tabs, a BOM. */
  const gap = chars(' \t\r\n\ufeff', 0, 3);

  const isaOf = (d: Delimiters) =>
    isaElements({ control: '000000101', repetition: d.repetition, component: d.component });

  const written = fc
    .record({
      interchanges: fc.array(interchange, { minLength: 1, maxLength: 3 }),
      gaps: fc.infiniteStream(gap),
      wrapAt: fc.integer({ min: 1, max: 40 }),
      wrapWith: fc.constantFrom('\n', '\r\n', '\r'),
      wanted: fc.subarray(['ISA', ...IDS]),
    })
    .chain(({ interchanges, gaps, wrapAt, wrapWith, wanted }) => {
      const wraps = interchanges.every((i) => i.delimiters.segment.trim() !== '');
      let text = '';
      const expected: { elements: string[]; index: number; delimiters: Delimiters }[] = [];
      const wantedCodes = new Set(wanted.map(segmentCode));
      for (const { delimiters: d, segments } of interchanges) {
        for (const elements of [isaOf(d), ...segments]) {
          const body = elements.join(d.element);
          const lines =
            elements[0] === 'ISA' || !wraps ? [body] : body.match(new RegExp(`[^]{1,${wrapAt}}`, 'g'));
          text += `${gaps.next().value}${(lines ?? []).join(wrapWith)}${d.segment}`;
          expected.push({ elements, index: expected.length + 1, delimiters: d });
        }
      }
      text += gaps.next().value;
      const cuts = fc.array(fc.integer({ min: 1, max: Math.max(1, text.length) }), { maxLength: 10 });
      return cuts.map((points) => {
        const at = [...new Set(points)].sort((a, b) => a - b);
        const chunks = [0, ...at].map((p, i) => text.slice(p, at[i] ?? text.length));
        return { chunks, wanted: wantedCodes, expected };
      });
    });

  const split = (chunks: string[], wanted?: ReadonlySet<number>) => {
    const out: { elements: string[]; index: number; delimiters: Delimiters }[] = [];
    const splitter = new SegmentSplitter(
      (e, index, delimiters) => out.push({ elements: e.all(), index, delimiters }),
      wanted,
    );
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
    return { segments: out, warnings: splitter.warnings };
  };

  it("hands every segment with its elements (an unwanted one as its id), its place and its interchange's delimiters", () => {
    fc.assert(
      fc.property(written, ({ chunks, wanted, expected }) => {
        expect(split(chunks)).toStrictEqual({ segments: expected, warnings: [] });
        const idAlone = (s: (typeof expected)[number]) =>
          wanted.has(segmentCode(s.elements[0] ?? '')) ? s : { ...s, elements: [s.elements[0]] };
        expect(split(chunks, wanted).segments).toStrictEqual(expected.map(idAlone));
      }),
      { numRuns: 300 },
    );
  });
});

// How the splitter reads, not what: the 835 benchmark's figures rest on these (no copy of a segment, one
// scan of a chunk per line-break character), so a change that undoes them fails here, not only in a bench.
describe('SegmentSplitter, reading in place', () => {
  const text = ['ST*835*0001', 'CLP*CT1*4*100*0', 'SVC*HC:G0299*100*0', 'SE*4*0001'].join('~\n');

  it('splits a segment in the chunk itself, copying out only one wrapped over lines', () => {
    const reset = vi.spyOn(Elements.prototype, 'reset');
    try {
      const splitter = new SegmentSplitter(() => {});
      splitter.push(`${text}~\n`);
      splitter.push('LX*1~CLP*CT2*4*10\r\n0*0~\nSE*3*0002');
      splitter.end();
      expect(reset.mock.calls.map(([chunk, from, end]) => chunk.slice(from, end))).toEqual([
        'ST*835*0001',
        'CLP*CT1*4*100*0',
        'SVC*HC:G0299*100*0',
        'SE*4*0001',
        'LX*1',
        'CLP*CT2*4*100*0',
        'SE*3*0002',
      ]);
      // The whole chunk each time, but for the wrapped segment.
      expect(reset.mock.calls.map(([chunk]) => chunk.length)).toEqual([
        ...Array(4).fill(text.length + 2),
        'LX*1~CLP*CT2*4*10\r\n0*0~\nSE*3*0002'.length,
        'CLP*CT2*4*100*0'.length,
        // The last segment, left over at the end of the stream.
        'SE*3*0002'.length,
      ]);
    } finally {
      reset.mockRestore();
    }
  });

  it('splits in place the segments of a file whose terminator is a line break', () => {
    const isa = (terminator: string) =>
      `ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHAGENCY    *261120*1200*^*00501*000000101*0*T*:${terminator}`;
    for (const [terminator, after] of [
      ['\n', ''],
      ['\r', '\n'],
    ] as const) {
      const chunk = `${isa(terminator)}${after}GS*HP*A*B${terminator}${after}ST*835*0001${terminator}${after}`;
      const reset = vi.spyOn(Elements.prototype, 'reset');
      try {
        const splitter = new SegmentSplitter(() => {});
        splitter.push(chunk);
        expect(
          reset.mock.calls.map(([text, from, end]) => [text.length, text.slice(from, end).slice(0, 3)]),
          JSON.stringify(terminator),
        ).toEqual([
          [chunk.length, 'ISA'],
          [chunk.length, 'GS*'],
          [chunk.length, 'ST*'],
        ]);
      } finally {
        reset.mockRestore();
      }
    }
  });

  it('looks for each line-break character once per chunk however many segments it holds', () => {
    const indexOf = vi.spyOn(String.prototype, 'indexOf');
    try {
      const splitter = new SegmentSplitter(() => {}, new Set());
      // LF after every terminator and no CR, the layout that made a CR search per segment rescan the chunk.
      splitter.push('LX*1~\n'.repeat(200));
      const searches = (char: string) => indexOf.mock.calls.filter(([searched]) => searched === char).length;
      // One CR search finds none; one LF search per line break.
      expect([searches('\r'), searches('\n')]).toEqual([1, 200]);
    } finally {
      indexOf.mockRestore();
    }
  });

  it('skips an empty segment (two terminators in a row), without counting it', () => {
    const out: [string, number][] = [];
    const splitter = new SegmentSplitter((e, index) => out.push([e.str(0), index]));
    for (const chunk of ['ST*835*1~~', '~CLP*A~ ~\n~', 'SE*3*1~']) splitter.push(chunk);
    splitter.end();
    expect(out).toEqual([
      ['ST', 1],
      ['CLP', 2],
      ['SE', 3],
    ]);
  });
});
