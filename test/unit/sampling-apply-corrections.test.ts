import { describe, expect, it } from 'vitest';
import { applyCorrections } from '#shared/sampling/apply-corrections.ts';

describe('applyCorrections', () => {
  const dx = [
    { sequence: 1, code: 'I50.9', system: 'ICD-10-CM' },
    { sequence: 2, code: 'I10', system: 'ICD-10-CM' },
  ];

  it('replaces the code at a sequence and keeps the rest of that diagnosis', () => {
    expect(applyCorrections(dx, [{ sequence: 1, code: 'I50.32' }])[0]).toEqual({
      sequence: 1,
      code: 'I50.32',
      system: 'ICD-10-CM',
    });
  });

  it('adds an ICD-10-CM diagnosis at a new sequence, in order', () => {
    const out = applyCorrections(dx, [{ sequence: 3, code: 'E11.9' }]);
    expect(out.map((d) => d.sequence)).toEqual([1, 2, 3]);
    expect(out[2]).toEqual({ sequence: 3, code: 'E11.9', system: 'ICD-10-CM' });
  });

  it('removes an unsupported diagnosis, and ignores corrections that change no code', () => {
    const out = applyCorrections(dx, [{ sequence: 2, remove: true }, { sequence: 1 }]);
    expect(out).toEqual([{ sequence: 1, code: 'I50.9', system: 'ICD-10-CM' }]);
  });

  it('keeps a duplicated sequence for the rules to report, and leaves the input alone', () => {
    const dup = [...dx, { sequence: 2, code: 'I11.0', system: 'ICD-10-CM' }];
    expect(applyCorrections(dup, [])).toHaveLength(3);
    expect(dx[0]?.code).toBe('I50.9');
  });

  it('returns the diagnoses in sequence order, whatever order they and the corrections come in', () => {
    const unordered = [
      { sequence: 4, code: 'I10', system: 'ICD-10-CM' },
      { sequence: 1, code: 'I50.9', system: 'ICD-10-CM' },
      { sequence: 3, code: 'N18.3', system: 'ICD-10-CM' },
    ];
    const out = applyCorrections(unordered, [
      { sequence: 5, code: 'Z79.4' },
      { sequence: 2, code: 'E11.9' },
    ]);
    expect(out.map((d) => d.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  it('changes no code for a correction without a sequence, even one that names a code', () => {
    expect(applyCorrections(dx, [{ code: 'E11.9' }])).toEqual(dx);
    expect(applyCorrections(dx, [{ remove: true }])).toEqual(dx);
  });

  it('keeps a code change when a later correction of that sequence changes no code', () => {
    expect(applyCorrections(dx, [{ sequence: 1, code: 'I50.32' }, { sequence: 1 }])[0]?.code).toBe('I50.32');
  });
});
