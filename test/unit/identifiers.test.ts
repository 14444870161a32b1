import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agencyFromKey,
  agencyOfChartKey,
  chartDigest,
  chartKeyOf,
  claimAliasKeyOf,
  claimRefOf,
  objectIdOf,
} from '#shared/identity/identifiers.ts';
import { memoryPorts } from '../support/memory-ports.ts';

describe('identifiers', () => {
  it('derives a stable chartKey that does not contain the chart id', async () => {
    const { keys } = memoryPorts().ports;
    const a = await chartKeyOf(keys, 'agency-a', 'MRN-123456');
    expect(a).toBe(await chartKeyOf(keys, 'agency-a', 'MRN-123456'));
    expect(a).not.toBe(await chartKeyOf(keys, 'agency-b', 'MRN-123456'));
    expect(a).not.toContain('123456');
    // The agency leads, so every key made of a chartKey carries it (IAM can limit a person to some agencies).
    expect(a).toMatch(/^agency-a\.ck[0-9a-f]{30}$/);
    expect(agencyOfChartKey(a)).toBe('agency-a');
    expect(agencyOfChartKey('ck0123')).toBeUndefined();
    expect(agencyOfChartKey('Jane Doe.ck0123')).toBeUndefined();
    expect(agencyOfChartKey('agency-a.xx0123')).toBeUndefined();
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

  it('derives a known claimRef from a known chartKey and version (the 835 echoes it back)', () => {
    // Pinned: billing sent claims under these; a change of derivation would orphan every remittance.
    // Both hold Y and Z, the top of the alphabet, which a narrower modulus would never reach.
    expect(claimRefOf('ck000000000000000000000000000018', 1)).toBe('CTX9MCEY1STWF9ZY');
    expect(claimRefOf('ck00000000000000000000000000000c', 1)).toBe('CTK98PAVBZ65YTVT');
    // The agency a chartKey is filed under is layout: the claimRef derives from its HMAC part alone.
    expect(claimRefOf('demo-agency.ck000000000000000000000000000018', 1)).toBe('CTX9MCEY1STWF9ZY');
    expect(chartDigest('demo-agency.ck0a')).toBe('ck0a');
    expect(chartDigest('ck0a')).toBe('ck0a');
  });

  it("spells claimRefs with all 32 characters of Crockford's base 32", () => {
    const used = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of claimRefOf(`ck${i}`, 1).slice(2)) used.add(c);
    expect([...used].sort().join('')).toBe('0123456789ABCDEFGHJKMNPQRSTVWXYZ');
  });

  it('names an object by bucket, key and ETag', () => {
    expect(objectIdOf('b', 'k', 'e1')).not.toBe(objectIdOf('b', 'k', 'e2'));
  });

  it('derives a known object id of ob and 30 hex characters', () => {
    // Pinned: the object ledger knows a redelivered drop by this id; a new derivation would take every
    // object already done as new.
    expect(objectIdOf('bucket-a', 'exports/demo-agency/x.json', '"etag-1"')).toBe(
      'obe09924b79d5072b19c1ce96ed9b9fa',
    );
  });

  it('keys a billing claim number by agency, apart from chart ids, without the number in it', async () => {
    const { keys } = memoryPorts().ports;
    const alias = await claimAliasKeyOf(keys, 'agency-a', 'ACCT-778899');
    expect(alias).toBe(await claimAliasKeyOf(keys, 'agency-a', 'ACCT-778899'));
    expect(alias).not.toBe(await claimAliasKeyOf(keys, 'agency-a', 'ACCT-778800'));
    expect(alias).not.toBe(await claimAliasKeyOf(keys, 'agency-b', 'ACCT-778899'));
    expect(alias).not.toBe(await keys.mac('chart|agency-a|ACCT-778899'));
    expect(alias).not.toContain('778899');
  });

  it('reads the agency from the drop layout only', () => {
    expect(agencyFromKey('exports/demo-agency/x.json')).toBe('demo-agency');
    expect(agencyFromKey('exports/x.json')).toBeUndefined();
    expect(agencyFromKey('exports/../x')).toBeUndefined();
  });
});
