import { describe, expect, it } from 'vitest';
import { createBillingReplyService, UnknownBatchError } from '#functions/billing-reply/service.ts';
import type { Batch } from '#shared/model/batch.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { type ConfigInput, parseConfig } from '#shared/model/config.ts';
import { BillingReply } from '#shared/model/messages.ts';
import { fixedClock, memoryPorts } from '../support/memory-ports.ts';

// The billing-reply stage: the billing team's answers, recorded under the identity SQS saw send them.
const BATCH_ID = 'b20261123-0123456789ab';
const OTHER_BATCH = 'b20261123-ba9876543210';
const AGENCY = 'demo-agency';
/** The batch by its key: agency and id. */
const REF = { agencyId: AGENCY, batchId: BATCH_ID };
const BILLING_LEAD = 'AROAEXAMPLEBILLING:lead';

function stage(config: ConfigInput = {}) {
  const mem = memoryPorts();
  const service = createBillingReplyService({
    ports: mem.portsFor('billing-reply'),
    config: parseConfig(config),
    clock: fixedClock(),
  });
  return { mem, service };
}

const withStaff: ConfigInput = {
  staff: [
    { principal: BILLING_LEAD, staffId: 'billing-lead', roles: ['billing'] },
    { principal: 'AROAEXAMPLEREVIEW:rev', staffId: 'rev', roles: ['reviewer'] },
  ],
};

/** A handed-off batch of `charts`, each BATCHED into it (version 1; a newer version where asked). */
async function handedOff(
  mem: ReturnType<typeof memoryPorts>,
  charts: { chartKey: string; newer?: boolean }[],
): Promise<Batch> {
  const batch: Batch = {
    batchId: BATCH_ID,
    agencyId: 'demo-agency',
    status: 'OPEN',
    createdAt: '2026-11-23T10:00:00.000Z',
    candidates: charts.map((c) => ({ chartKey: c.chartKey, version: 1 })),
  };
  await mem.ports.batches.create(batch);
  await mem.ports.batches.claim(REF, '2026-11-23T10:00:00.000Z', '2026-11-23T09:00:00.000Z');
  await mem.ports.batches.handOff(REF, {
    manifestKey: `batches/demo-agency/${BATCH_ID}.json`,
    chartCount: charts.length,
    handedOffAt: '2026-11-23T10:00:00.000Z',
  });
  for (const c of charts) {
    for (const version of c.newer ? [1, 2] : [1]) {
      const state: ChartState = {
        chartKey: c.chartKey,
        version,
        agencyId: 'demo-agency',
        status: version === 1 ? 'BATCHED' : 'VALIDATED',
        lineOfBusiness: 'home_health',
        payerType: 'medicare',
        coderId: 'coder-a',
        contentHash: `h${version}`,
        artifactKey: `charts/demo-agency/${c.chartKey}/v${version}.json`,
        sourceObject: 'ob-1',
        receivedAt: '2026-11-23T09:00:00.000Z',
        updatedAt: '2026-11-23T09:00:00.000Z',
        ...(version === 1 ? { batchId: BATCH_ID } : {}),
      };
      await mem.ports.charts.create(state);
    }
  }
  return (await mem.ports.batches.get(REF)) as Batch;
}

const reasonKey = `billing-notes/${AGENCY}/${BATCH_ID}/0123456789ab.json`;

/** Another answer settles the batch just before this stage's own settle (two answers racing). */
function beatenBy(
  mem: ReturnType<typeof memoryPorts>,
  other: Parameters<ReturnType<typeof memoryPorts>['ports']['batches']['settle']>[1],
) {
  const settle = mem.ports.batches.settle.bind(mem.ports.batches);
  mem.ports.batches.settle = async (id, answer) => {
    await settle(id, other);
    return settle(id, answer);
  };
}

describe('billing-reply', () => {
  it('accepts a handed-off batch once, however often the answer comes', async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    await service.handle(
      { kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID },
      'AROAX:anyone',
      'm1',
    );
    await service.handle(
      { kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID },
      'AROAX:anyone',
      'm1',
    );
    expect((await mem.ports.batches.get(REF))?.status).toBe('ACCEPTED');
    const events = mem.events().filter((e) => e.subject === `batch:${BATCH_ID}`);
    expect(events.map((e) => e.type)).toEqual(['batch.accepted']);
    // Without staff (a trial stack) the actor is still who AWS says sent it.
    expect(events[0]?.actor).toBe('sender:AROAX:anyone');
  });

  it('rejects a batch: its charts back to READY_FOR_BILLING and to billing handoff, a newer version superseded', async () => {
    const { mem, service } = stage(withStaff);
    await handedOff(mem, [{ chartKey: 'ck-1' }, { chartKey: 'ck-2', newer: true }]);
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey },
      BILLING_LEAD,
      'm1',
    );
    const batch = await mem.ports.batches.get(REF);
    expect(batch?.status).toBe('REJECTED');
    expect(batch?.rejectionReason).toBe(reasonKey);
    const one = await mem.ports.charts.get('ck-1', 1);
    expect(one?.status).toBe('READY_FOR_BILLING');
    expect(one?.billingRejection).toMatchObject({ batchId: BATCH_ID, reasonKey, by: 'staff:billing-lead' });
    expect((await mem.ports.charts.get('ck-2', 1))?.status).toBe('SUPERSEDED');
    expect(mem.take('billing')).toEqual([
      { kind: 'chart', agencyId: 'demo-agency', chartKey: 'ck-1', version: 1 },
    ]);
    const types = mem.events().map((e) => `${e.type} ${e.subject} ${e.actor}`);
    expect(types).toEqual(
      expect.arrayContaining([
        `batch.rejected batch:${BATCH_ID} staff:billing-lead`,
        'chart.billing-rejected chart:ck-1:v1 staff:billing-lead',
        'chart.billing-rejected chart:ck-2:v1 staff:billing-lead',
      ]),
    );
    // Delivered again (the first delivery may have died before it sent them on): nothing moves or is
    // recorded twice; the charts still waiting are sent on again, which billing handoff takes as once.
    const before = mem.events().length;
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey },
      BILLING_LEAD,
      'm1',
    );
    expect(mem.take('billing')).toEqual([
      { kind: 'chart', agencyId: 'demo-agency', chartKey: 'ck-1', version: 1 },
    ]);
    expect(mem.events()).toHaveLength(before);
    expect((await mem.ports.charts.get('ck-1', 1))?.status).toBe('READY_FOR_BILLING');
    // Rejected again for another reason: the first rejection stands, the second is recorded as refused.
    const other = `billing-notes/${AGENCY}/${BATCH_ID}/ba9876543210.json`;
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey: other },
      BILLING_LEAD,
      'm2',
    );
    expect((await mem.ports.batches.get(REF))?.rejectionReason).toBe(reasonKey);
    expect(mem.events().at(-1)?.detail).toEqual({
      kind: 'batch-rejected',
      reason: 'the batch was rejected already, with another reason',
    });
    expect(mem.take('billing')).toEqual([]);
  });

  it.each([
    ['a sender who is not staff', 'AROAEXAMPLESTRANGER:x', 'the sender is not registered staff'],
    ['a reviewer', 'AROAEXAMPLEREVIEW:rev', 'rev is not on the billing team'],
    ['no sender at all', undefined, 'the message carries no sender identity'],
  ])(
    'with staff configured, records the answer of %s as refused and changes nothing',
    async (_, sender, reason) => {
      const { mem, service } = stage(withStaff);
      await handedOff(mem, [{ chartKey: 'ck-1' }]);
      await service.handle(
        { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey },
        sender,
        'm1',
      );
      expect((await mem.ports.batches.get(REF))?.status).toBe('HANDED_OFF');
      expect((await mem.ports.charts.get('ck-1', 1))?.status).toBe('BATCHED');
      expect(mem.events().map((e) => [e.type, e.detail])).toEqual([
        ['batch.reply-refused', { kind: 'batch-rejected', reason }],
      ]);
    },
  );

  it('refuses a reason filed under another batch, and an answer to a batch already settled', async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    const elsewhere = `billing-notes/${AGENCY}/${OTHER_BATCH}/0123456789ab.json`;
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey: elsewhere },
      'AROAX:a',
      'm1',
    );
    expect((await mem.ports.batches.get(REF))?.status).toBe('HANDED_OFF');
    await service.handle({ kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID }, 'AROAX:a', 'm2');
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey },
      'AROAX:a',
      'm3',
    );
    expect((await mem.ports.batches.get(REF))?.status).toBe('ACCEPTED');
    expect((await mem.ports.charts.get('ck-1', 1))?.status).toBe('BATCHED');
    const refused = mem.events().filter((e) => e.type === 'batch.reply-refused');
    expect(refused.map((e) => e.detail?.reason)).toEqual([
      'the reason is not filed under this batch',
      'the batch is ACCEPTED: only a handed-off batch can be rejected',
    ]);
  });

  it('names the status another answer left, when it settled the batch between the read and the write', async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    beatenBy(mem, { status: 'ACCEPTED', at: '2026-11-23T11:00:00.000Z' });
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey },
      'AROAX:a',
      'm1',
    );
    expect(mem.events().map((e) => e.detail?.reason)).toEqual([
      'the batch is ACCEPTED: only a handed-off batch can be rejected',
    ]);
  });

  it('records an acknowledgement another answer beat as refused, naming what that answer left', async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    beatenBy(mem, { status: 'REJECTED', at: '2026-11-23T11:00:00.000Z', reason: reasonKey });
    await service.handle({ kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID }, 'AROAX:a', 'm1');
    expect(mem.events().map((e) => e.detail?.reason)).toEqual([
      'the batch is REJECTED: only a handed-off batch can be acknowledged',
    ]);
  });

  it('refuses to accept a batch not yet handed off', async () => {
    const { mem, service } = stage();
    await mem.ports.batches.create({
      batchId: BATCH_ID,
      agencyId: 'demo-agency',
      status: 'OPEN',
      createdAt: '2026-11-23T10:00:00.000Z',
      candidates: [],
    });
    await service.handle({ kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID }, 'AROAX:a', 'm1');
    expect((await mem.ports.batches.get(REF))?.status).toBe('OPEN');
    expect(mem.events().map((e) => e.detail?.reason)).toEqual([
      'the batch is OPEN: only a handed-off batch can be acknowledged',
    ]);
  });

  it('records each pull and each refused check once per message, naming the check and the member', async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    const sha = 'a'.repeat(64);
    const pulled = (messageId: string) =>
      ({
        kind: 'batch-pulled',
        agencyId: AGENCY,
        batchId: BATCH_ID,
        manifestSha256: sha,
        messageId,
      }) as const;
    // The same coded-batches message told twice (two replies: a resend), by the same person: once.
    await service.handle(pulled('cb-1'), 'AROAX:a', 'm1');
    await service.handle(pulled('cb-1'), 'AROAX:a', 'm2');
    // The same message pulled by a colleague (it came back after a crash): theirs too.
    await service.handle(pulled('cb-1'), 'AROAX:b', 'm3');
    const refused = {
      kind: 'batch-refused',
      agencyId: AGENCY,
      batchId: BATCH_ID,
      check: 'chart-sha256',
      claimRef: 'CT0123456789ABCD',
    } as const;
    await service.handle(refused, 'AROAX:a', 'm4');
    const events = mem.events();
    expect(events.filter((e) => e.type === 'batch.pulled').map((e) => e.actor)).toEqual([
      'sender:AROAX:a',
      'sender:AROAX:b',
    ]);
    expect(events.find((e) => e.type === 'batch.pulled')?.detail).toEqual({
      chartCount: 1,
      manifestSha256: sha,
    });
    expect(events.find((e) => e.type === 'batch.verification-failed')?.detail).toEqual({
      check: 'chart-sha256',
      claimRef: 'CT0123456789ABCD',
    });
  });

  it('fails a reply naming a batch it does not hold (it comes again, then goes to the dead-letter queue)', async () => {
    const { service } = stage();
    await expect(
      service.handle({ kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID }, 'AROAX:a', 'm1'),
    ).rejects.toThrow(UnknownBatchError);
  });

  it('refuses an answer from a billing lead of other agencies alone, and records why', async () => {
    const { mem, service } = stage({
      agencies: [{ id: AGENCY }, { id: 'other-agency' }],
      staff: [
        { principal: BILLING_LEAD, staffId: 'billing-lead', roles: ['billing'], agencies: ['other-agency'] },
      ],
    });
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    await service.handle({ kind: 'batch-accepted', agencyId: AGENCY, batchId: BATCH_ID }, BILLING_LEAD, 'm1');
    expect((await mem.ports.batches.get(REF))?.status).toBe('HANDED_OFF');
    expect(mem.events().map((e) => [e.type, e.actor, e.detail])).toEqual([
      [
        'batch.reply-refused',
        'staff:billing-lead',
        { kind: 'batch-accepted', reason: `billing-lead does not work for ${AGENCY}` },
      ],
    ]);
  });

  it("finds a batch under its own agency alone: another agency's id, or its reason folder, names nothing here", async () => {
    const { mem, service } = stage();
    await handedOff(mem, [{ chartKey: 'ck-1' }]);
    await expect(
      service.handle(
        { kind: 'batch-accepted', agencyId: 'other-agency', batchId: BATCH_ID },
        'AROAX:a',
        'm1',
      ),
    ).rejects.toThrow(UnknownBatchError);
    const otherAgencys = `billing-notes/other-agency/${BATCH_ID}/0123456789ab.json`;
    await service.handle(
      { kind: 'batch-rejected', agencyId: AGENCY, batchId: BATCH_ID, reasonKey: otherAgencys },
      'AROAX:a',
      'm2',
    );
    expect((await mem.ports.batches.get(REF))?.status).toBe('HANDED_OFF');
    expect(mem.events().map((e) => e.detail)).toEqual([
      { kind: 'batch-rejected', reason: 'the reason is not filed under this batch' },
    ]);
  });

  it('takes no free text: a reason, a file key or a check outside the list fails the schema', () => {
    expect(
      BillingReply.safeParse({
        kind: 'batch-accepted',
        agencyId: AGENCY,
        batchId: BATCH_ID,
        note: 'Jane Doe',
      }).success,
    ).toBe(false);
    expect(
      BillingReply.safeParse({
        kind: 'batch-rejected',
        agencyId: AGENCY,
        batchId: BATCH_ID,
        reasonKey: 'billing-notes/Jane_Doe.json',
      }).success,
    ).toBe(false);
    expect(
      BillingReply.safeParse({
        kind: 'batch-refused',
        agencyId: AGENCY,
        batchId: BATCH_ID,
        check: 'Jane Doe DOB 1940',
      }).success,
    ).toBe(false);
    expect(
      BillingReply.safeParse({ kind: 'batch-accepted', agencyId: AGENCY, batchId: 'Jane_Doe' }).success,
    ).toBe(false);
    // The agency is an id, not a name: nothing else fits where it goes.
    expect(
      BillingReply.safeParse({ kind: 'batch-accepted', agencyId: 'Jane Doe', batchId: BATCH_ID }).success,
    ).toBe(false);
    expect(BillingReply.safeParse({ kind: 'batch-accepted', batchId: BATCH_ID }).success).toBe(false);
  });
});
