import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonical, canonicalHash } from '#shared/audit-trail/canonical.ts';
import {
  appendToChain,
  type ChainedEvent,
  chainedHash,
  chainLink,
  emptyHead,
  GENESIS_HASH,
} from '#shared/audit-trail/chain.ts';
import {
  type DigestFile,
  digestKey,
  sealSegment,
  segmentKey,
  segmentText,
} from '#shared/audit-trail/segments.ts';
import { type LocalAuditSigner, signatureHolds } from '#shared/audit-trail/signer.ts';
import { type TrailProblem, verifyTrail } from '#shared/audit-trail/verify.ts';
import { buildTrail, syntheticEvent, testSigner } from '../support/audit-trail.ts';

// Issue 14, item 1 and 2: a tamper-evident trail, and a verifier that names what was changed.

describe('canonical JSON (RFC 8785)', () => {
  it("gives one text whatever the key order, with the RFC's number forms", () => {
    expect(canonical({ b: 1, a: { d: [1e21, 0.1, -0], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[1e+21,0.1,0]},"b":1}',
    );
    expect(canonicalHash({ x: 1, y: 2 })).toBe(canonicalHash({ y: 2, x: 1 }));
  });

  it('is a fixed point: the canonical text of a parsed canonical text is itself (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonical(value);
        expect(canonical(JSON.parse(text))).toBe(text);
      }),
    );
  });
});

describe("an agency's hash chain", () => {
  it('numbers events from 0, links each to the one before, and chains a retried event once', () => {
    const first = appendToChain('north', emptyHead(), [
      syntheticEvent('north', 0),
      syntheticEvent('north', 1),
    ]);
    const again = appendToChain('north', first.head, [
      syntheticEvent('north', 1),
      syntheticEvent('north', 2),
    ]);
    const chain = [...first.chained, ...again.chained];
    expect(chain.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(chain[0]?.prevHash).toBe(GENESIS_HASH);
    for (const [i, e] of chain.entries()) {
      expect(e.hash).toBe(chainedHash(e));
      if (i > 0) expect(e.prevHash).toBe(chain[i - 1]?.hash);
    }
    expect(again.head).toMatchObject({ nextSeq: 3, lastHash: chain[2]?.hash });
  });

  it('hashes a link without a sender exactly as links were hashed before senders were kept', () => {
    // A link chained before `sentBy` existed: its hash was over these five fields alone, and must stay so,
    // or every trail already sealed would fail to verify.
    const { event } = syntheticEvent('north', 3);
    const old = { agencyId: 'north', seq: 7, eventId: 'e'.repeat(24), prevHash: 'a'.repeat(64), event };
    expect(chainLink('north', 7, 'e'.repeat(24), 'a'.repeat(64), event).hash).toBe(canonicalHash(old));
    // With a sender, the sender is covered.
    expect(chainLink('north', 7, 'e'.repeat(24), 'a'.repeat(64), event, 'staff:qa-7').hash).toBe(
      canonicalHash({ ...old, sentBy: 'staff:qa-7' }),
    );
  });

  it('binds the agency and the place: the same event elsewhere hashes otherwise', () => {
    const [a] = appendToChain('north', emptyHead(), [syntheticEvent('x', 0)]).chained;
    const [b] = appendToChain('south', emptyHead(), [syntheticEvent('x', 0)]).chained;
    expect(a?.hash).not.toBe(b?.hash);
  });
});

let signer: LocalAuditSigner;
beforeAll(() => {
  signer = testSigner();
});

/** The problems verify finds, as `kind@agency/segment#seq`, sorted. */
function named(problems: readonly TrailProblem[]): string[] {
  return problems
    .map((p) => `${p.kind}@${p.agencyId}/${p.segment}${p.seq === undefined ? '' : `#${p.seq}`}`)
    .sort();
}

/** A segment's events, as its file holds them. */
function eventsOf(files: Map<string, string>, agency: string, index: number): ChainedEvent[] {
  return (files.get(segmentKey(agency, index)) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChainedEvent);
}

/** The trail with one segment's events replaced, as an attacker with write access would leave it. */
function withEvents(files: Map<string, string>, agency: string, index: number, events: ChainedEvent[]) {
  return new Map(files).set(segmentKey(agency, index), segmentText(events));
}

/** An event changed, its own hash (and so the chain after it) recomputed, as a careful forger would. */
function forged(e: ChainedEvent, change: Record<string, unknown>): ChainedEvent {
  const event = { ...e.event, ...change };
  return { ...e, event, hash: chainedHash({ ...e, event }) };
}

describe('audit verify over a generated trail (300 events, 3 agencies, segments of 25)', () => {
  const AGENCIES = ['north', 'south', 'east'];
  let files: Map<string, string>;
  beforeAll(async () => {
    ({ files } = await buildTrail(signer, AGENCIES, 100, 25));
  });

  it('verifies the untouched trail', () => {
    const report = verifyTrail(files, signer.publicKeyPem());
    expect(report).toMatchObject({
      ok: true,
      agencies: ['east', 'north', 'south'],
      segments: 12,
      events: 300,
    });
    expect(report.problems).toEqual([]);
  });

  it('names every single-event modification, whether or not its hash was recomputed', () => {
    for (const agency of AGENCIES)
      for (let seq = 0; seq < 100; seq++) {
        const index = Math.floor(seq / 25);
        const events = eventsOf(files, agency, index);
        const at = seq % 25;
        const original = events[at] as ChainedEvent;
        for (const changed of [
          { ...original, event: { ...original.event, actor: 'staff:someone-else' } },
          forged(original, { actor: 'staff:someone-else' }),
          // Who AWS says sent it, changed or added.
          { ...original, sentBy: 'staff:someone-else' },
        ]) {
          const tampered = events.map((e, i) => (i === at ? changed : e));
          const report = verifyTrail(withEvents(files, agency, index, tampered), signer.publicKeyPem());
          expect(named(report.problems), `${agency} ${seq}`).toEqual([`modified@${agency}/${index}#${seq}`]);
        }
      }
  }, 60_000);

  it('names every deletion, insertion and swap of neighbours', () => {
    for (const agency of AGENCIES)
      for (let seq = 0; seq < 100; seq++) {
        const index = Math.floor(seq / 25);
        const at = seq % 25;
        const events = eventsOf(files, agency, index);
        const check = (tampered: ChainedEvent[], expected: string[]) =>
          expect(
            named(verifyTrail(withEvents(files, agency, index, tampered), signer.publicKeyPem()).problems),
            `${agency} ${seq}`,
          ).toEqual(expected);
        check(
          events.filter((_, i) => i !== at),
          [`deleted@${agency}/${index}#${seq}`],
        );
        const stranger = forged(
          { ...(events[at] as ChainedEvent), eventId: 'ev-forged', seq: 9_999 },
          { actor: 'x' },
        );
        check([...events.slice(0, at), stranger, ...events.slice(at)], [`inserted@${agency}/${index}`]);
        if (at < 24) {
          const swapped = [...events];
          [swapped[at], swapped[at + 1]] = [swapped[at + 1] as ChainedEvent, swapped[at] as ChainedEvent];
          // Two neighbours swapped: the one that now stands too early is out of place.
          check(swapped, [`reordered@${agency}/${index}#${seq + 1}`]);
        }
      }
  }, 60_000);

  it('names a segment or digest taken out, a digest changed or signed by another key, and segments swapped', async () => {
    const verify = (f: Map<string, string>) => named(verifyTrail(f, signer.publicKeyPem()).problems);
    const without = (key: string) => {
      const f = new Map(files);
      f.delete(key);
      return f;
    };
    expect(verify(without(segmentKey('south', 2)))).toEqual(['missing-segment@south/2']);
    expect(verify(without(digestKey('south', 2)))).toEqual(['missing-digest@south/2']);
    const digest = JSON.parse(files.get(digestKey('east', 1)) ?? '{}') as DigestFile;
    const changed = new Map(files).set(
      digestKey('east', 1),
      JSON.stringify({ ...digest, signedAt: '2027-01-01T00:00:00.000Z' }),
    );
    // Changed, it no longer holds its signature; nothing it says is used (the next digest is not blamed).
    expect(verify(changed)).toEqual(['bad-signature@east/1']);
    // A signature with anything added (base64 a lax decoder would ignore) does not hold either.
    const padded = new Map(files).set(
      digestKey('east', 3),
      JSON.stringify({
        ...JSON.parse(files.get(digestKey('east', 3)) ?? '{}'),
        signature: `${(JSON.parse(files.get(digestKey('east', 3)) ?? '{}') as DigestFile).signature}==`,
      }),
    );
    expect(verify(padded)).toEqual(['bad-signature@east/3']);
    const other = testSigner();
    const { files: forgedTrail } = await buildTrail(other, ['east'], 100, 25);
    expect(verify(new Map([...files, ...forgedTrail]))).toEqual(
      [0, 1, 2, 3].map((i) => `bad-signature@east/${i}`),
    );
    const swapped = new Map(files)
      .set(segmentKey('north', 0), files.get(segmentKey('north', 1)) ?? '')
      .set(segmentKey('north', 1), files.get(segmentKey('north', 0)) ?? '');
    const report = verify(swapped);
    expect(report).toContain('deleted@north/0#0');
    expect(report).toContain('inserted@north/0');
    expect(report.every((p) => p.startsWith('deleted@north/') || p.startsWith('inserted@north/'))).toBe(true);
  });

  it('names a gap of segments and digests taken out together once, however wide', () => {
    const f = new Map(files);
    for (const i of [1, 2]) {
      f.delete(segmentKey('north', i));
      f.delete(digestKey('north', i));
    }
    // One gap: what comes after it cannot be chained to what is gone, and is not blamed for it.
    expect(named(verifyTrail(f, signer.publicKeyPem()).problems)).toEqual([
      'missing-digest@north/1',
      'missing-segment@north/1',
    ]);
    // A file under a far index (hostile, or a typo) is one gap, not billions of problems.
    const far = new Map(files).set(digestKey('north', 9_999_999_999), '{}');
    const report = verifyTrail(far, signer.publicKeyPem(), ['north']);
    expect(named(report.problems)).toEqual([
      'altered-digest@north/9999999999',
      'missing-digest@north/4',
      'missing-segment@north/4',
      'missing-segment@north/9999999999',
    ]);
  });

  it('names lines rewritten around an intact event: a field added, its hash field changed, other line ends', () => {
    const events = eventsOf(files, 'south', 1);
    const lines = segmentText(events).split('\n');
    const tamper = (i: number, line: string) =>
      new Map(files).set(segmentKey('south', 1), lines.map((l, j) => (j === i ? line : l)).join('\n'));
    const verify = (f: Map<string, string>) => named(verifyTrail(f, signer.publicKeyPem()).problems);
    const e3 = JSON.parse(lines[3] ?? '{}') as Record<string, unknown>;
    expect(verify(tamper(3, JSON.stringify({ ...e3, approvedBy: 'staff:mallory' })))).toEqual([
      'modified@south/1#28',
    ]);
    expect(verify(tamper(3, canonical({ ...e3, hash: 'f'.repeat(64) })))).toEqual(['modified@south/1#28']);
    const crlf = new Map(files).set(segmentKey('south', 1), segmentText(events).replaceAll('\n', '\r\n'));
    expect(verify(crlf).length).toBeGreaterThan(0);
    // Hostile lines are reported, never thrown.
    expect(verify(tamper(3, '{"seq":28,"eventId":"\ud800","event":{}}'))).toEqual(['modified@south/1#28']);
    expect(verify(tamper(3, '{"seq":1e999,"eventId":"x"}'))).toEqual(['modified@south/1#28']);
    expect(verify(tamper(3, `${'['.repeat(50_000)}${']'.repeat(50_000)}`))).toEqual(['modified@south/1#28']);
  });

  it('names one event moved to the front as the one out of place', () => {
    const events = eventsOf(files, 'east', 2);
    const moved = [events[10] as ChainedEvent, ...events.filter((_, i) => i !== 10)];
    expect(named(verifyTrail(withEvents(files, 'east', 2, moved), signer.publicKeyPem()).problems)).toEqual([
      'reordered@east/2#60',
    ]);
  });

  it('names an agency asked for that has no trail at all', () => {
    const report = verifyTrail(files, signer.publicKeyPem(), ['north', 'west']);
    expect(named(report.problems)).toEqual(['missing-segment@west/0']);
  });

  it('seals only an unbroken chain, and chains only plain JSON', async () => {
    const { chained } = appendToChain(
      'north',
      emptyHead(),
      [0, 1, 2].map((n) => syntheticEvent('north', n)),
    );
    await expect(
      sealSegment('north', [chained[0], chained[2]] as ChainedEvent[], undefined, signer, 'now'),
    ).rejects.toThrow("north's chain is broken at 1: nothing is sealed");
    await expect(sealSegment('south', chained, undefined, signer, 'now')).rejects.toThrow(
      "south's chain is broken at 0",
    );
    await expect(sealSegment('north', chained.slice(1), undefined, signer, 'now')).rejects.toThrow(
      'broken at 0',
    );
    for (const bad of [{ n: Number.POSITIVE_INFINITY }, { s: '\ud800' }, { f: [() => 1] }, { b: 1n }])
      expect(() =>
        appendToChain('north', emptyHead(), [{ eventId: 'ev-bad', event: bad as Record<string, unknown> }]),
      ).toThrow('audit event ev-bad is not plain JSON: it cannot be chained');
  });

  it('checks only the agencies asked for, and reads the public key alone', () => {
    const tampered = withEvents(files, 'north', 0, eventsOf(files, 'north', 0).slice(1));
    expect(verifyTrail(tampered, signer.publicKeyPem(), ['south']).ok).toBe(true);
    expect(verifyTrail(tampered, signer.publicKeyPem(), ['north']).ok).toBe(false);
    const digest = JSON.parse(files.get(digestKey('north', 0)) ?? '{}') as DigestFile;
    expect(signatureHolds(testSigner().publicKeyPem(), 'x', Buffer.from(digest.signature, 'base64'))).toBe(
      false,
    );
  });
});

describe('audit verify over 10,000 events', () => {
  it('names each of 1,000 mutations drawn from a seed, and passes the untouched trail', async () => {
    const { files } = await buildTrail(signer, ['north', 'south'], 5_000, 500);
    const key = signer.publicKeyPem();
    expect(verifyTrail(files, key).ok).toBe(true);
    const kinds = ['modified', 'deleted', 'inserted', 'reordered'] as const;
    // Each segment's events parsed once: every run changes a copy.
    const parsed = new Map<string, ChainedEvent[]>();
    const segmentEvents = (agency: string, index: number) => {
      const key = `${agency}/${index}`;
      if (!parsed.has(key)) parsed.set(key, eventsOf(files, agency, index));
      return parsed.get(key) as ChainedEvent[];
    };
    fc.assert(
      fc.property(
        fc.constantFrom('north', 'south'),
        fc.integer({ min: 0, max: 4_998 }),
        fc.constantFrom(...kinds),
        (agency, seq, kind) => {
          const index = Math.floor(seq / 500);
          const at = seq % 500;
          const events = segmentEvents(agency, index);
          const e = events[at] as ChainedEvent;
          let tampered: ChainedEvent[];
          if (kind === 'modified')
            tampered = events.map((x, i) => (i === at ? forged(x, { actor: 'staff:x' }) : x));
          else if (kind === 'deleted') tampered = events.filter((_, i) => i !== at);
          else if (kind === 'inserted')
            tampered = [
              ...events.slice(0, at),
              forged({ ...e, eventId: 'ev-new', seq: 99_999 }, {}),
              ...events.slice(at),
            ];
          else {
            if (at === 499) return;
            tampered = [...events];
            [tampered[at], tampered[at + 1]] = [tampered[at + 1] as ChainedEvent, e];
          }
          const problems = named(verifyTrail(withEvents(files, agency, index, tampered), key).problems);
          expect(problems).toEqual([
            kind === 'inserted'
              ? `inserted@${agency}/${index}`
              : `${kind}@${agency}/${index}#${kind === 'reordered' ? seq + 1 : seq}`,
          ]);
        },
      ),
      { numRuns: 1_000, seed: 14 },
    );
  }, 120_000);
});
