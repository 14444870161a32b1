import { describe, expect, it } from 'vitest';
import { createChainerService } from '#functions/audit-chainer/service.ts';
import { sealAgency } from '#shared/audit-trail/sealer.ts';
import { digestKey, segmentKey } from '#shared/audit-trail/segments.ts';
import { verifyTrail } from '#shared/audit-trail/verify.ts';
import type { Clock } from '#shared/aws/ports.ts';
import {
  MemoryChainLinks,
  MemorySealedChain,
  MemoryTrailObjects,
  syntheticEvent,
  testSigner,
} from '../support/audit-trail.ts';

const AGENCY = 'agency-a';
const signer = testSigner();
const publicKey = signer.publicKeyPem();
const now: Clock = { now: () => new Date('2026-12-07T22:00:00.000Z') };

/** An agency's chain of `count` more events, as the chainer links them. */
async function chainMore(links: MemoryChainLinks, from: number, count: number, agencyId = AGENCY) {
  const items = Array.from({ length: count }, (_, i) => ({
    messageId: `m-${from + i}`,
    body: links.record(syntheticEvent(agencyId, from + i).event),
    unreadable: false,
    sender: 'AROASTAGE:codetrail-validation',
  }));
  const service = createChainerService({
    links,
    audit: { record: () => Promise.reject(new Error('nothing is refused here')), list: async () => [] },
    agencies: [agencyId],
    staff: [],
    clock: now,
    onError: (e) => {
      throw e;
    },
  });
  expect(await service.chain(agencyId, items)).toBe(count);
}

function world() {
  const links = new MemoryChainLinks();
  return { links, chain: new MemorySealedChain(links), bucket: new MemoryTrailObjects() };
}

describe('the audit sealer', () => {
  it('seals what is chained in segments of at most the cap, each signed, and the trail verifies', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 25);
    expect(await sealAgency(AGENCY, chain, bucket, signer, now, 10)).toEqual({
      agencyId: AGENCY,
      segments: 3,
      events: 25,
    });
    expect([...bucket.files.keys()].sort()).toEqual(
      [0, 1, 2].flatMap((i) => [segmentKey(AGENCY, i), digestKey(AGENCY, i)]).sort(),
    );
    const report = verifyTrail(bucket.files, publicKey, [AGENCY]);
    expect(report).toMatchObject({ ok: true, segments: 3, events: 25 });
  });

  it('seals nothing when nothing new is chained, and carries on from where it stopped when more is', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 4);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    expect(await sealAgency(AGENCY, chain, bucket, signer, now)).toMatchObject({ segments: 0, events: 0 });
    await chainMore(links, 4, 3);
    expect(await sealAgency(AGENCY, chain, bucket, signer, now)).toMatchObject({ segments: 1, events: 3 });
    const report = verifyTrail(bucket.files, publicKey, [AGENCY]);
    expect(report).toMatchObject({ ok: true, segments: 2, events: 7 });
    expect(chain.heads.get(AGENCY)).toMatchObject({ index: 1, firstSeq: 4, lastSeq: 6 });
  });

  it('seals a quiet digest once a period with nothing new, chained like any, and the trail verifies as of then', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 4);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    const at = (iso: string): Clock => ({ now: () => new Date(iso) });
    // Less than a period on: nothing.
    expect(await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T22:50:00.000Z'))).toEqual({
      agencyId: AGENCY,
      segments: 0,
      events: 0,
    });
    // A period on, nothing new: a digest, no segment.
    expect(await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T22:55:00.000Z'))).toMatchObject({
      segments: 0,
      quiet: true,
    });
    expect(bucket.files.has(digestKey(AGENCY, 1))).toBe(true);
    expect(bucket.files.has(segmentKey(AGENCY, 1))).toBe(false);
    expect(chain.heads.get(AGENCY)).toMatchObject({ index: 1, firstSeq: 4, lastSeq: 3, eventHashes: [] });
    // Another quiet period, then events again: they continue the chain through both quiet digests.
    await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T23:55:00.000Z'));
    await chainMore(links, 4, 2);
    expect(await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-08T00:55:00.000Z'))).toMatchObject({
      segments: 1,
      events: 2,
    });
    expect(chain.heads.get(AGENCY)).toMatchObject({ index: 3, firstSeq: 4, lastSeq: 5 });
    const report = verifyTrail(bucket.files, publicKey, [AGENCY], undefined, '2026-12-08T01:30:00.000Z');
    expect(report).toMatchObject({ ok: true, segments: 2, quietDigests: 2, events: 6 });
    expect(report.endsAt).toEqual({ [AGENCY]: '2026-12-08T00:55:00.000Z' });
  });

  it('names a trail cut short at its end, as of when it was read, and a segment put where a quiet digest sealed none', async () => {
    const { links, chain, bucket } = world();
    const at = (iso: string): Clock => ({ now: () => new Date(iso) });
    await chainMore(links, 0, 3);
    await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T20:00:00.000Z'));
    await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T21:00:00.000Z'));
    await chainMore(links, 3, 2);
    await sealAgency(AGENCY, chain, bucket, signer, at('2026-12-07T22:00:00.000Z'));
    const asOf = '2026-12-07T22:30:00.000Z';
    const problems = (files: Map<string, string>, when = asOf) =>
      verifyTrail(files, publicKey, [AGENCY], undefined, when).problems.map((p) => `${p.kind}@${p.segment}`);
    expect(problems(bucket.files)).toEqual([]);
    // The newest segment and its digest removed together: the chain of digests still holds, its end is old.
    const cut = new Map(bucket.files);
    cut.delete(segmentKey(AGENCY, 2));
    cut.delete(digestKey(AGENCY, 2));
    expect(problems(cut)).toEqual([]);
    expect(problems(cut, '2026-12-07T23:30:00.000Z')).toEqual(['stale-trail@1']);
    // Without a time to hold it against, nothing can be said of its end.
    expect(verifyTrail(cut, publicKey, [AGENCY]).ok).toBe(true);
    // A stopped sealer looks the same, and is named the same.
    expect(problems(bucket.files, '2026-12-08T00:30:00.000Z')).toEqual(['stale-trail@2']);
    // A segment where the quiet digest sealed none.
    const inserted = new Map(bucket.files).set(
      segmentKey(AGENCY, 1),
      bucket.files.get(segmentKey(AGENCY, 0)) ?? '',
    );
    expect(problems(inserted)).toEqual(['inserted@1']);
    // A segment deleted, its digest replaced by a quiet-shaped one nobody signed: the signature fails, and
    // the segment is named missing (an unsigned digest cannot say it sealed none).
    const forgedQuiet = new Map(bucket.files);
    forgedQuiet.delete(segmentKey(AGENCY, 2));
    forgedQuiet.set(
      digestKey(AGENCY, 2),
      JSON.stringify({ ...JSON.parse(bucket.files.get(digestKey(AGENCY, 1)) ?? '{}'), index: 2 }),
    );
    expect(problems(forgedQuiet)).toEqual(['missing-segment@2', 'bad-signature@2']);
    // The quiet digest taken out, or claiming an event: named.
    const gone = new Map(bucket.files);
    gone.delete(digestKey(AGENCY, 1));
    expect(problems(gone)).toEqual(['missing-segment@1', 'missing-digest@1']);
    const quiet = JSON.parse(bucket.files.get(digestKey(AGENCY, 1)) ?? '{}');
    const claiming = new Map(bucket.files).set(
      digestKey(AGENCY, 1),
      JSON.stringify({ ...quiet, eventHashes: ['f'.repeat(64)], lastSeq: quiet.firstSeq }),
    );
    // (Not a digest at all, it says nothing of the segment: its absence is named too.)
    expect(problems(claiming)).toEqual(['missing-segment@1', 'altered-digest@1']);
  });

  it('finishes a quiet seal that stopped after writing its digest, and never seals an agency with no trail', async () => {
    const { links, chain, bucket } = world();
    const later: Clock = { now: () => new Date('2026-12-07T23:00:00.000Z') };
    expect(await sealAgency(AGENCY, chain, bucket, signer, later)).toEqual({
      agencyId: AGENCY,
      segments: 0,
      events: 0,
    });
    expect(bucket.files.size).toBe(0);
    await chainMore(links, 0, 2);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    bucket.stopAfter = '.json';
    await expect(sealAgency(AGENCY, chain, bucket, signer, later)).rejects.toThrow(/stopped/);
    expect(chain.heads.get(AGENCY)?.index).toBe(0);
    // The digest it left is taken up, not written again.
    const writes = bucket.writes;
    await sealAgency(AGENCY, chain, bucket, signer, later);
    expect(bucket.writes).toBe(writes);
    expect(chain.heads.get(AGENCY)?.index).toBe(1);
    expect(verifyTrail(bucket.files, publicKey, [AGENCY]).ok).toBe(true);
  });

  it('takes up a quiet digest a stopped run wrote when new events came since, and seals them after it', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 2);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    bucket.stopAfter = '.json';
    await expect(
      sealAgency(AGENCY, chain, bucket, signer, { now: () => new Date('2026-12-07T23:00:00.000Z') }),
    ).rejects.toThrow(/stopped/);
    await chainMore(links, 2, 3);
    expect(
      await sealAgency(AGENCY, chain, bucket, signer, { now: () => new Date('2026-12-07T23:10:00.000Z') }),
    ).toMatchObject({ segments: 1, events: 3 });
    expect(chain.heads.get(AGENCY)).toMatchObject({ index: 2, firstSeq: 2, lastSeq: 4 });
    expect(bucket.files.has(segmentKey(AGENCY, 1))).toBe(false);
    expect(verifyTrail(bucket.files, publicKey, [AGENCY])).toMatchObject({ ok: true, events: 5 });
  });

  it('finishes a run that stopped after writing a segment, sealing exactly what that segment holds', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 5);
    bucket.stopAfter = '.ndjson';
    await expect(sealAgency(AGENCY, chain, bucket, signer, now)).rejects.toThrow(/stopped/);
    expect(chain.heads.get(AGENCY)).toBeUndefined();
    // More is chained before the next run: the segment written keeps its five, the rest follow it.
    await chainMore(links, 5, 2);
    expect(await sealAgency(AGENCY, chain, bucket, signer, now)).toMatchObject({ segments: 2, events: 7 });
    expect(verifyTrail(bucket.files, publicKey, [AGENCY])).toMatchObject({
      ok: true,
      segments: 2,
      events: 7,
    });
  });

  it('keeps the digest a stopped run wrote, writing nothing twice', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 5);
    bucket.stopAfter = '.json';
    await expect(sealAgency(AGENCY, chain, bucket, signer, now)).rejects.toThrow(/stopped/);
    const written = bucket.files.get(digestKey(AGENCY, 0));
    const later: Clock = { now: () => new Date('2026-12-07T23:00:00.000Z') };
    expect(await sealAgency(AGENCY, chain, bucket, signer, later)).toMatchObject({ segments: 1, events: 5 });
    expect(bucket.files.get(digestKey(AGENCY, 0))).toBe(written);
    expect(bucket.writes).toBe(2);
    expect(chain.heads.get(AGENCY)?.signedAt).toBe(now.now().toISOString());
    expect(verifyTrail(bucket.files, publicKey, [AGENCY]).ok).toBe(true);
  });

  it('does not chain onto a digest of this segment that another key signed', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 3);
    const other = testSigner();
    await sealAgency(AGENCY, new MemorySealedChain(links), bucket, other, now);
    bucket.files.delete(segmentKey(AGENCY, 0));
    await expect(sealAgency(AGENCY, chain, bucket, signer, now)).rejects.toThrow(
      /holds what this chain did not seal/,
    );
    expect(chain.heads.get(AGENCY)).toBeUndefined();
  });

  it('stops, sealing nothing, where the bucket holds a segment or digest this chain did not seal', async () => {
    for (const key of [segmentKey(AGENCY, 0), digestKey(AGENCY, 0)]) {
      const { links, chain, bucket } = world();
      await chainMore(links, 0, 3);
      bucket.files.set(key, '{"not":"ours"}\n');
      await expect(sealAgency(AGENCY, chain, bucket, signer, now)).rejects.toThrow(
        /holds what this chain did not seal/,
      );
      expect(chain.heads.get(AGENCY)).toBeUndefined();
    }
  });

  it('lets one of two sealers of an agency record where sealing stopped', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 3);
    const stale = await chain.lastDigest(AGENCY);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    const digest = chain.heads.get(AGENCY);
    if (!digest) throw new Error('nothing sealed');
    await expect(chain.sealed(AGENCY, digest, stale)).rejects.toThrow(/moved/);
  });

  it('verifies a trail whose signing key was replaced with both public halves, and names the old digests without the old key', async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 3);
    await sealAgency(AGENCY, chain, bucket, signer, now);
    const replacement = testSigner();
    await chainMore(links, 3, 2);
    await sealAgency(AGENCY, chain, bucket, replacement, now);
    expect(verifyTrail(bucket.files, [publicKey, replacement.publicKeyPem()], [AGENCY])).toMatchObject({
      ok: true,
      segments: 2,
      events: 5,
    });
    const newOnly = verifyTrail(bucket.files, replacement.publicKeyPem(), [AGENCY]);
    expect(newOnly.ok).toBe(false);
    expect(newOnly.problems.map((p) => [p.kind, p.segment])).toContainEqual(['bad-signature', 0]);
  });

  it('checks the events of the segments sealed in a window alone, and every digest whatever the window', async () => {
    const { links, chain, bucket } = world();
    // Three segments, sealed on the 1st, 2nd and 3rd.
    for (const [day, from] of [
      ['01', 0],
      ['02', 3],
      ['03', 6],
    ] as const) {
      await chainMore(links, from, 3);
      await sealAgency(AGENCY, chain, bucket, signer, {
        now: () => new Date(`2026-12-${day}T10:00:00.000Z`),
      });
    }
    const window = (from: string, to: string) => ({
      from: `${from}T00:00:00.000Z`,
      to: `${to}T23:59:59.999Z`,
    });
    const segment = (i: number) => segmentKey(AGENCY, i);
    // Segment 0 (sealed on the 1st) changed: outside a window of the 2nd it is not read.
    bucket.files.set(
      segment(0),
      (bucket.files.get(segment(0)) ?? '').replace('"findings":0', '"findings":4'),
    );
    expect(verifyTrail(bucket.files, publicKey, [AGENCY]).ok).toBe(false);
    const second = verifyTrail(bucket.files, publicKey, [AGENCY], window('2026-12-02', '2026-12-02'));
    expect(second).toMatchObject({ ok: true, segments: 3, events: 9, outsideWindow: 1 });
    // Segment 2 holds what was chained from the 2nd's sealing on: a window of the 2nd reads it too.
    const third = verifyTrail(bucket.files, publicKey, [AGENCY], window('2026-12-03', '2026-12-31'));
    expect(third).toMatchObject({ ok: true, outsideWindow: 2 });
    expect(verifyTrail(bucket.files, publicKey, [AGENCY], window('2026-12-01', '2026-12-01')).ok).toBe(false);
    // A digest outside the window is still checked: the chain runs through it.
    const digest0 = JSON.parse(bucket.files.get(digestKey(AGENCY, 0)) ?? '{}');
    bucket.files.set(
      digestKey(AGENCY, 0),
      JSON.stringify({ ...digest0, signedAt: '2026-12-01T11:00:00.000Z' }),
    );
    const resigned = verifyTrail(bucket.files, publicKey, [AGENCY], window('2026-12-02', '2026-12-02'));
    expect(resigned.problems.map((p) => [p.kind, p.segment])).toContainEqual(['bad-signature', 0]);
  });

  it("seals one agency's chain apart from another's", async () => {
    const { links, chain, bucket } = world();
    await chainMore(links, 0, 3, 'agency-a');
    await chainMore(links, 0, 2, 'agency-b');
    await sealAgency('agency-a', chain, bucket, signer, now);
    await sealAgency('agency-b', chain, bucket, signer, now);
    expect(verifyTrail(bucket.files, publicKey, ['agency-a', 'agency-b'])).toMatchObject({
      ok: true,
      segments: 2,
      events: 5,
    });
  });
});
