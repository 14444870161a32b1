import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Elements, segmentCode } from '#shared/formats/x12/elements.ts';
import { type Delimiters, SegmentSplitter } from '#shared/formats/x12/segments.ts';

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

  it('joins a segment wrapped over lines and ignores line breaks after terminators', () => {
    expect(segments('ST*835*1~\r\nCLP*A*1*12\r\n34.5~\nSE*3*1')).toEqual([
      ['ST', '835', '1'],
      ['CLP', 'A', '1', '1234.5'],
      ['SE', '3', '1'],
    ]);
  });
});
