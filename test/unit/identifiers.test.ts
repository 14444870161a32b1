import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agencyFromKey, chartKeyOf, claimRefOf, objectIdOf } from '#shared/identity/identifiers.ts';
import { memoryPorts } from '../support/memory-ports.ts';

describe('identifiers', () => {
  it('derives a stable chartKey that does not contain the chart id', async () => {
    const { keys } = memoryPorts().ports;
    const a = await chartKeyOf(keys, 'agency-a', 'MRN-123456');
    expect(a).toBe(await chartKeyOf(keys, 'agency-a', 'MRN-123456'));
    expect(a).not.toBe(await chartKeyOf(keys, 'agency-b', 'MRN-123456'));
    expect(a).not.toContain('123456');
    expect(a).toMatch(/^ck[0-9a-f]{30}$/);
  });

  it('makes claimRefs of at most 20 characters that differ by version', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (key, v) => {
        const ref = claimRefOf(key, v);
        expect(ref.length).toBeLessThanOrEqual(20);
        expect(ref).toMatch(/^CT[0-9A-HJKMNP-TV-Z]+$/);
        expect(ref).not.toBe(claimRefOf(key, v + 1));
      }),
    );
  });

  it('names an object by bucket, key and ETag', () => {
    expect(objectIdOf('b', 'k', 'e1')).not.toBe(objectIdOf('b', 'k', 'e2'));
  });

  it('reads the agency from the drop layout only', () => {
    expect(agencyFromKey('exports/demo-agency/x.json')).toBe('demo-agency');
    expect(agencyFromKey('exports/x.json')).toBeUndefined();
    expect(agencyFromKey('exports/../x')).toBeUndefined();
  });
});
