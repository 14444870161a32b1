import { describe, expect, it } from 'vitest';
import { auditEventId, chainLink, GENESIS_HASH } from '#shared/audit-trail/chain.ts';
import type { DigestFile } from '#shared/audit-trail/segments.ts';
import { DynamoChainLinks } from '#shared/aws/dynamo-chain-links.ts';
import { DynamoSealedChain } from '#shared/aws/dynamo-sealed-chain.ts';
import { useLocalStack } from '../support/emulators.ts';

/**
 * The chain's adapters on dynalite: the conditions that keep the chain from forking, a claim from being
 * taken twice and two sealers from both recording where sealing stopped hold in DynamoDB itself, not
 * only in the in-memory stand-ins the chainer's and sealer's unit tests use.
 */
const stack = useLocalStack({ prefix: 'chainads' });
const links = () => new DynamoChainLinks(stack.clients.dynamo, stack.resources.auditTable);
const sealed = () => new DynamoSealedChain(stack.clients.dynamo, stack.resources.auditTable);

/** An event whose canonical text is not what DynamoDB attributes would give back. */
const awkward = {
  type: 'chart.validated',
  agencyId: 'agency-a',
  subject: 'chart:agency-a.ck1:v1',
  actor: 'stage:validation',
  at: '2026-12-07T09:00:00.000Z',
  idempotencyKey: '',
  detail: { empty: '', nested: { list: [1, 2.5, 1e21, -0.1], none: null }, text: 'é ✓ \u2028' },
};

describe('DynamoChainLinks on dynalite', () => {
  it('gives back the event a link holds exactly, and the agency tip from its newest link', async () => {
    const store = links();
    expect(await store.last('agency-a')).toBeUndefined();
    const first = chainLink('agency-a', 0, auditEventId(awkward), GENESIS_HASH, awkward);
    await store.add(first);
    const second = chainLink('agency-a', 1, 'e2', first.hash, { ...awkward, idempotencyKey: '2' });
    await store.add(second);
    expect(await store.at('agency-a', 0)).toEqual(first);
    expect(await store.last('agency-a')).toEqual(second);
    expect(await store.last('agency-b')).toBeUndefined();
  });

  it('refuses a second link at a place: the chain cannot fork', async () => {
    const store = links();
    const link = chainLink('agency-f', 0, 'e1', GENESIS_HASH, awkward);
    await store.add(link);
    await expect(
      store.add(chainLink('agency-f', 0, 'e2', GENESIS_HASH, { ...awkward, actor: 'someone' })),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await store.at('agency-f', 0)).toEqual(link);
  });

  it('claims a place once, and moves a claim only from the place it names', async () => {
    const store = links();
    expect(await store.claim('agency-c', 'e1', 4)).toBe(4);
    expect(await store.claim('agency-c', 'e1', 5)).toBe(4);
    // Moved only by one who saw it at 4.
    expect(await store.claim('agency-c', 'e1', 6, 3)).toBe(4);
    expect(await store.claim('agency-c', 'e1', 6, 4)).toBe(6);
    expect(await store.claim('agency-c', 'e1', 7)).toBe(6);
  });

  it('reads an event as the audit log recorded it, and nothing for one never recorded', async () => {
    // What a DynamoDB item can hold (a number past 2^53 it cannot, as the audit log records it).
    const recorded = {
      ...awkward,
      detail: { ...awkward.detail, nested: { list: [1, 2.5, -0.1], none: null } },
    };
    await stack.ports.audit.record(recorded);
    const id = auditEventId(recorded);
    expect(await links().recorded('agency-a', recorded.subject, id)).toEqual(recorded);
    expect(await links().recorded('agency-a', recorded.subject, 'f'.repeat(24))).toBeUndefined();
    expect(await links().recorded('agency-b', recorded.subject, id)).toBeUndefined();
  });
});

describe('DynamoSealedChain on dynalite', () => {
  const digest = (index: number, lastSeq: number) => ({ index, lastSeq }) as unknown as DigestFile;

  it('reads links in order from a place, as many as asked', async () => {
    const store = links();
    let prev = GENESIS_HASH;
    for (let seq = 0; seq < 25; seq++) {
      const link = chainLink('agency-s', seq, `e${seq}`, prev, { ...awkward, idempotencyKey: `${seq}` });
      await store.add(link);
      prev = link.hash;
    }
    const got = await sealed().links('agency-s', 5, 10);
    expect(got.map((l) => l.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect((await sealed().links('agency-s', 20, 10)).map((l) => l.seq)).toEqual([20, 21, 22, 23, 24]);
    expect(await sealed().links('agency-s', 25, 10)).toEqual([]);
  });

  it('records where sealing stopped only over the digest it replaces', async () => {
    const chain = sealed();
    expect(await chain.lastDigest('agency-d')).toBeUndefined();
    await chain.sealed('agency-d', digest(0, 9), undefined);
    // A second sealer that also saw none, or saw an older one, is refused.
    await expect(chain.sealed('agency-d', digest(0, 7), undefined)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    await chain.sealed('agency-d', digest(1, 19), digest(0, 9));
    await expect(chain.sealed('agency-d', digest(1, 18), digest(0, 9))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await chain.lastDigest('agency-d')).toEqual(digest(1, 19));
  });
});
