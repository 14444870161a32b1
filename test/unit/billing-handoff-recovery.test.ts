import { describe, expect, it } from 'vitest';
import type { BatchRef, ChartStore } from '#shared/aws/ports.ts';
import { calendarFor, turnaround } from '#shared/billing/turnaround.ts';
import { chartSubject, claimRefOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { Chart } from '#shared/model/chart.ts';
import { billingDesk, CALIFORNIA, type ClearedChart, DESK_START, keyOf } from '../support/billing-desk.ts';

const MINUTE = 60_000;
type Desk = ReturnType<typeof billingDesk>;

/** The message ids of `charts`, as handle() reports the ones to deliver again. */
const ids = (...charts: ClearedChart[]) => charts.map((c) => c.item.messageId);
/** handle()'s answer: those messages failed (counted RecordsFailed), nothing deferred. */
const failedOnly = (...charts: ClearedChart[]) => ({ failed: ids(...charts), deferred: [] });
/** handle()'s answer: those messages wait for another live invocation's batch (RecordsDeferred). */
const deferredOnly = (...charts: ClearedChart[]) => ({ failed: [], deferred: ids(...charts) });

/** Billing rejects a handed-off batch: its charts go back to READY_FOR_BILLING with the rejection. */
async function reject(desk: Desk, batchId: string, at: string, ...charts: ClearedChart[]) {
  await desk.mem.ports.batches.settle(
    { agencyId: CALIFORNIA, batchId },
    {
      status: 'REJECTED',
      at,
      reason: `billing-notes/${batchId}.json`,
    },
  );
  for (const c of charts)
    await desk.mem.ports.charts.transition(c.chartKey, c.version, ['BATCHED'], 'READY_FOR_BILLING', {
      billingRejection: { batchId, reasonKey: `billing-notes/${batchId}.json`, at, by: 'billing-team' },
    });
}

/**
 * A chart store whose first `transition` to `to` (of chart `only`, when given) first lets `meanwhile`
 * run: another delivery, say.
 */
function racing(
  desk: Desk,
  to: string,
  meanwhile: (chartKey: string) => Promise<unknown>,
  only?: ClearedChart,
): ChartStore {
  const charts = desk.mem.ports.charts;
  let raced = false;
  return {
    ...charts,
    async transition(chartKey, version, from, status, changes, options) {
      if (status === to && !raced && (only === undefined || only.chartKey === chartKey)) {
        raced = true;
        await meanwhile(chartKey);
      }
      return charts.transition(chartKey, version, from, status, changes, options);
    },
  };
}

describe('billing handoff: deliveries that come again', () => {
  it('leaves the hand-off record and its audit event to another invocation that handed the batch off first', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-R1');
    const batches = desk.mem.ports.batches;
    const handOff = batches.handOff.bind(batches);
    // A takeover racing this invocation hands the batch off first, with what it read.
    batches.handOff = async (batchId, changes) => {
      await handOff(batchId, { ...changes, manifestKey: 'manifests/by-the-other.json', chartCount: 7 });
      return handOff(batchId, changes);
    };
    expect(await desk.service().handle([a.item])).toEqual({ failed: [], deferred: [] });
    expect((await desk.batches())[0]).toMatchObject({
      status: 'HANDED_OFF',
      manifestKey: 'manifests/by-the-other.json',
      chartCount: 7,
    });
    // The other invocation writes its own event; this one writes none that could contradict the record.
    expect(desk.events('batch.handed-off')).toEqual([]);
  });

  it('names the batch after its day and a hash of its group and members, and adds nothing on a redelivery', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-D1');
    const b = await desk.clear('HH-D2');
    expect(await desk.service().handle([a.item, b.item])).toEqual({ failed: [], deferred: [] });
    // Pinned: a redelivery after a deploy must find the batch an earlier release made.
    expect(desk.announced().map((r) => r.batchId)).toEqual(['b20261123-88ac67c4a5ad']);
    desk.advance(MINUTE);
    expect(await desk.service().handle([b.item, a.item])).toEqual({ failed: [], deferred: [] });
    expect(desk.announced()).toEqual([]);
    expect(await desk.batches()).toHaveLength(1);
    expect(desk.events('chart.batched')).toHaveLength(2);
  });

  it('bills nothing, and asks for no retry, for a chart on hold or superseded', async () => {
    const desk = billingDesk();
    const held = await desk.clear('HH-D4', { state: { status: 'QUERY_OPEN' } });
    const superseded = await desk.clear('HH-D5', { state: { status: 'SUPERSEDED', supersededBy: 2 } });
    expect(await desk.service().handle([held.item, superseded.item])).toEqual({ failed: [], deferred: [] });
    expect(desk.announced()).toEqual([]);
    expect(await desk.batches()).toEqual([]);
    expect(await desk.state(held)).toMatchObject({ status: 'QUERY_OPEN' });
  });

  it('fails a message it cannot read, or that names a chart the table does not hold', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-D3');
    const unknown = {
      messageId: 'm-unknown',
      body: { kind: 'chart', agencyId: CALIFORNIA, chartKey: 'nope', version: 1 },
    };
    const garbled = { messageId: 'm-garbled', body: { kind: 'chart', chartKey: a.chartKey } };
    expect(await desk.service().handle([unknown, a.item, garbled])).toEqual({
      failed: expect.arrayContaining(['m-garbled', 'm-unknown']),
      deferred: [],
    });
    expect(desk.announced().map((r) => r.chartCount)).toEqual([1]);
  });
});

describe('billing handoff: a crash part-way', () => {
  it('waits while the crashed holder’s claim is live, then takes the batch over with the same files', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-C1');
    const b = await desk.clear('HH-C2');
    const down = { send: async () => Promise.reject(new Error('SQS down')) };
    await expect(desk.service({ queue: down }).handle([a.item, b.item])).rejects.toThrow('SQS down');
    const [batch] = await desk.batches();
    const key = `batches/${CALIFORNIA}/${batch?.batchId}.json`;
    const firstRun = await desk.mem.ports.artifacts.getText('artifacts', key);
    // A minute on, inside the stage's 120 s timeout: the holder may still be alive.
    desk.advance(MINUTE);
    expect(await desk.service().handle([a.item, b.item])).toEqual(deferredOnly(a, b));
    expect(desk.announced()).toEqual([]);
    desk.advance(MINUTE + 1000);
    expect(await desk.service().handle([a.item, b.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    expect(ready?.batchId).toBe(batch?.batchId);
    // The same bytes: the member turnaround is measured to the first run's batch time, as the charts keep it.
    expect(await desk.mem.ports.artifacts.getText('artifacts', key)).toBe(firstRun);
    expect(ready?.manifestSha256).toBe(sha256Hex(firstRun));
    expect((await desk.batches()).map((x) => x.status)).toEqual(['HANDED_OFF']);
  });

  it('finishes the same batch when the crash came between writing the batch and moving its charts', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-C3');
    const crashing = racing(desk, 'BATCHED', async () => Promise.reject(new Error('Lambda timed out')));
    await expect(desk.service({ charts: crashing }).handle([a.item])).rejects.toThrow('timed out');
    expect(await desk.state(a)).toMatchObject({ status: 'READY_FOR_BILLING' });
    // While the crashed holder's claim is live, the redelivery waits.
    desk.advance(MINUTE);
    expect(await desk.service().handle([a.item])).toEqual(deferredOnly(a));
    desk.advance(2 * MINUTE);
    expect(await desk.service().handle([a.item])).toEqual({ failed: [], deferred: [] });
    const batches = await desk.batches();
    expect(batches.map((x) => x.status)).toEqual(['HANDED_OFF']);
    expect(desk.announced().map((r) => r.batchId)).toEqual([batches[0]?.batchId]);
  });

  it('finishes the batch a crash left open between writing it and claiming it', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-C8');
    const batches = {
      ...desk.mem.ports.batches,
      claim: async () => Promise.reject(new Error('Lambda timed out')),
    };
    await expect(desk.service({ batches }).handle([a.item])).rejects.toThrow('timed out');
    expect((await desk.batches()).map((b) => b.status)).toEqual(['OPEN']);
    expect(await desk.service().handle([a.item])).toEqual({ failed: [], deferred: [] });
    expect((await desk.batches()).map((b) => b.status)).toEqual(['HANDED_OFF']);
    expect(desk.announced()).toHaveLength(1);
  });

  it('leaves out a chart whose file cannot be read, audits it, and bills it once the file can be read', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-C4');
    const c = await desk.clear('HH-C5', { unreadable: true });
    expect(await desk.service().handle([a.item, c.item])).toEqual(failedOnly(c));
    const [first] = desk.announced();
    expect((await desk.manifest(first)).members.map((m) => m.chartKey)).toEqual([a.chartKey]);
    expect(await desk.state(c)).toMatchObject({ status: 'READY_FOR_BILLING' });
    expect(desk.events('chart.not-batched')).toEqual([
      {
        type: 'chart.not-batched',
        agencyId: CALIFORNIA,
        subject: chartSubject(c.chartKey, 1),
        actor: 'stage:billing-handoff',
        idempotencyKey: `not-batched:${first?.batchId}`,
        at: DESK_START,
        // The error's name only: its message names the object key.
        detail: { batchId: first?.batchId, reason: 'NoSuchKey' },
      },
    ]);
    desk.mem.put('artifacts', c.artifactKey, JSON.stringify(c.chart));
    desk.advance(MINUTE);
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    const [second] = desk.announced();
    expect(second?.batchId).not.toBe(first?.batchId);
    expect(await desk.state(c)).toMatchObject({ status: 'BATCHED', batchId: second?.batchId });
  });

  it('reports a failure that is no Error as an unknown error', async () => {
    const desk = billingDesk();
    const c = await desk.clear('HH-C6');
    const artifacts = { ...desk.mem.ports.artifacts, getText: async () => Promise.reject('socket hang up') };
    expect(await desk.service({ artifacts }).handle([c.item])).toEqual(failedOnly(c));
    expect(desk.events('chart.not-batched')[0]?.detail).toMatchObject({ reason: 'unknown error' });
  });

  it('makes a new batch of ready charts whose earlier batch closed empty', async () => {
    const desk = billingDesk();
    const c = await desk.clear('HH-C7', { unreadable: true });
    expect(await desk.service().handle([c.item])).toEqual(failedOnly(c));
    // Nothing to bill: the batch is closed empty, with no message and no hand-off record.
    expect(desk.announced()).toEqual([]);
    const [empty] = await desk.batches();
    expect(empty).toMatchObject({
      status: 'HANDED_OFF',
      manifestKey: '',
      chartCount: 0,
      handedOffAt: DESK_START,
    });
    expect(desk.events('batch.handed-off')).toEqual([]);
    desk.mem.put('artifacts', c.artifactKey, JSON.stringify(c.chart));
    desk.advance(MINUTE);
    expect(await desk.service().handle([c.item])).toEqual({ failed: [], deferred: [] });
    // Pinned as above: the day, and a hash of the group, the members and the time.
    expect(desk.announced().map((r) => r.batchId)).toEqual(['b20261123-e1dbf906fa1d']);
    expect(empty?.batchId).toBe('b20261123-5fcfcc5cebd5');
  });
});

describe('billing handoff: a batch billing rejected', () => {
  const rejectedAt = '2026-11-23T16:00:00.000Z';

  it('makes a new batch of its charts, measuring their turnaround to the new batch', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-J1');
    await desk.service().handle([a.item]);
    const [first] = desk.announced();
    await reject(desk, first?.batchId ?? '', rejectedAt, a);
    desk.advance(2 * 60 * MINUTE);
    expect(await desk.service().handle([a.item])).toEqual({ failed: [], deferred: [] });
    const [second] = desk.announced();
    expect(second?.batchId).toBe('b20261123-ad9715b39fbf');
    expect(second?.batchId).not.toBe(first?.batchId);
    const [member] = (await desk.manifest(second)).members;
    const chart = JSON.parse(await desk.mem.ports.artifacts.getText('artifacts', a.artifactKey)) as Chart;
    const batchedAt = desk.clock.now().toISOString();
    const expected = turnaround(chart, { batchedAt }, desk.config, calendarFor(desk.config, CALIFORNIA));
    expect(member).toMatchObject({
      claimKind: 'original',
      claimRef: claimRefOf(a.chartKey, 1),
      turnaround: expected,
    });
    expect(await desk.state(a)).toMatchObject({ status: 'BATCHED', batchId: second?.batchId, batchedAt });
  });

  it('finishes that new batch, not a third, when a crash came between the batch and its charts', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-J2');
    await desk.service().handle([a.item]);
    await reject(desk, desk.announced()[0]?.batchId ?? '', rejectedAt, a);
    desk.advance(2 * 60 * MINUTE);
    const crashing = racing(desk, 'BATCHED', async () => Promise.reject(new Error('Lambda timed out')));
    await expect(desk.service({ charts: crashing }).handle([a.item])).rejects.toThrow('timed out');
    desk.advance(5 * MINUTE);
    expect(await desk.service().handle([a.item])).toEqual({ failed: [], deferred: [] });
    expect((await desk.batches()).map((b) => b.status).sort()).toEqual(['HANDED_OFF', 'REJECTED']);
  });

  it('supersedes, and audits, a chart of it when a newer version came meanwhile, closing the batch empty', async () => {
    const desk = billingDesk();
    const v1 = await desk.clear('HH-J3');
    await desk.clear('HH-J3', { state: { version: 2, status: 'RECEIVED' } });
    expect(await desk.service().handle([v1.item])).toEqual({ failed: [], deferred: [] });
    expect(await desk.state(v1)).toMatchObject({ status: 'SUPERSEDED', supersededBy: 2 });
    expect(desk.events('chart.superseded')).toEqual([
      {
        type: 'chart.superseded',
        agencyId: CALIFORNIA,
        subject: chartSubject(v1.chartKey, 1),
        actor: 'stage:billing-handoff',
        idempotencyKey: 'superseded',
        at: DESK_START,
        detail: { newerVersion: 2 },
      },
    ]);
    expect(desk.announced()).toEqual([]);
    expect(await desk.batches()).toEqual([expect.objectContaining({ status: 'HANDED_OFF', chartCount: 0 })]);
  });
});

describe('billing handoff: racing another delivery', () => {
  it('leaves a chart to the batch another delivery put it in before this one claimed its own', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-X1');
    const b = await desk.clear('HH-X2');
    const other = desk.service();
    let raced = false;
    const batches = {
      ...desk.mem.ports.batches,
      async claim(id: BatchRef, at: string, expired: string) {
        if (!raced) {
          raced = true;
          await other.handle([a.item]);
        }
        return desk.mem.ports.batches.claim(id, at, expired);
      },
    };
    // This delivery's store cannot read the file of the chart the other took: it must not need to.
    const artifacts = {
      ...desk.mem.ports.artifacts,
      async getText(bucket: 'artifacts' | 'audit', key: string) {
        if (key === a.artifactKey) throw Object.assign(new Error('SlowDown'), { name: 'SlowDown' });
        return desk.mem.ports.artifacts.getText(bucket, key);
      },
    };
    expect(await desk.service({ batches, artifacts }).handle([a.item, b.item])).toEqual({
      failed: [],
      deferred: [],
    });
    const announced = desk.announced();
    const members = await Promise.all(
      announced.map(async (r) => (await desk.manifest(r)).members.map((m) => m.chartKey)),
    );
    expect(members).toEqual([[a.chartKey], [b.chartKey]]);
    expect(desk.events('chart.not-batched')).toEqual([]);
  });

  it('leaves a chart to the batch another delivery moved it to while this one built its members', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-X3');
    const b = await desk.clear('HH-X4');
    const other = desk.service();
    const charts = racing(desk, 'BATCHED', () => other.handle([a.item]), a);
    expect(await desk.service({ charts }).handle([a.item, b.item])).toEqual({ failed: [], deferred: [] });
    const announced = desk.announced();
    expect(announced.map((r) => r.chartCount)).toEqual([1, 1]);
    const [theirs, ours] = announced;
    expect(await desk.state(a)).toMatchObject({ status: 'BATCHED', batchId: theirs?.batchId });
    expect(await desk.state(b)).toMatchObject({ status: 'BATCHED', batchId: ours?.batchId });
  });

  it('takes no retry when another delivery handed the same batch off before this one could claim it', async () => {
    const desk = billingDesk();
    const a = await desk.clear('HH-X5');
    const other = desk.service();
    const batches = {
      ...desk.mem.ports.batches,
      async claim(id: BatchRef, at: string, expired: string) {
        await other.handle([a.item]);
        return desk.mem.ports.batches.claim(id, at, expired);
      },
    };
    expect(await desk.service({ batches }).handle([a.item])).toEqual({ failed: [], deferred: [] });
    expect(desk.announced()).toHaveLength(1);
  });

  it('audits no supersession when another batch took the older version first', async () => {
    const desk = billingDesk();
    const v1 = await desk.clear('HH-X6');
    await desk.clear('HH-X6', { state: { version: 2, status: 'RECEIVED' } });
    const charts = racing(desk, 'SUPERSEDED', (chartKey) =>
      desk.mem.ports.charts.transition(chartKey, 1, ['READY_FOR_BILLING'], 'BATCHED', {
        batchId: 'b20261123-0000000000aa',
      }),
    );
    expect(await desk.service({ charts }).handle([v1.item])).toEqual({ failed: [], deferred: [] });
    expect(desk.events('chart.superseded')).toEqual([]);
    expect(await desk.state(v1)).toMatchObject({ status: 'BATCHED', batchId: 'b20261123-0000000000aa' });
  });
});

describe('billing handoff: taking over a batch an older release left unfinished', () => {
  const createdAt = '2026-11-20T15:00:00.000Z';
  const batchId = 'b20261120-0123456789ab';

  /** A HANDING_OFF batch written before batches carried their group, its holder long gone. */
  async function leftOver(desk: Desk) {
    const batched = { status: 'BATCHED' as const, batchId, batchedAt: createdAt };
    const kept = await desk.clear('HH-O1', {
      state: { ...batched, claimRef: claimRefOf(keyOf('HH-O1'), 1) },
    });
    // A chart that has moved on from this batch, and one the table does not hold.
    const movedOn = await desk.clear('HH-O2', { state: { ...batched, status: 'DENIED' } });
    await desk.mem.ports.batches.create({
      batchId,
      agencyId: CALIFORNIA,
      status: 'HANDING_OFF',
      claimedAt: createdAt,
      createdAt,
      candidates: [kept, movedOn, { chartKey: 'not-in-the-table', version: 1 }].map((c) => ({
        chartKey: c.chartKey,
        version: c.version,
      })),
    });
    return kept;
  }

  it('bills the charts still batched in it, with the group their charts name, and keeps their turnaround', async () => {
    const desk = billingDesk();
    const kept = await leftOver(desk);
    expect(await desk.service().handle([kept.item])).toEqual({ failed: [], deferred: [] });
    const [ready] = desk.announced();
    expect(ready).toMatchObject({
      batchId,
      payerType: 'medicare',
      lineOfBusiness: 'home_health',
      billType: '0329',
      createdAt,
    });
    const manifest = await desk.manifest(ready);
    expect(manifest.members.map((m) => m.chartKey)).toEqual([kept.chartKey]);
    const chart = JSON.parse(await desk.mem.ports.artifacts.getText('artifacts', kept.artifactKey)) as Chart;
    const expected = turnaround(
      chart,
      { batchedAt: createdAt },
      desk.config,
      calendarFor(desk.config, CALIFORNIA),
    );
    expect(manifest.members[0]?.turnaround).toEqual(expected);
    expect((await desk.state(kept))?.turnaround).toEqual(expected);
  });

  it('writes no turnaround on the chart when its clock cannot be read', async () => {
    const desk = billingDesk({ agencies: [{ id: CALIFORNIA, timeZone: 'Mars/Olympus_Mons' }] });
    const kept = await leftOver(desk);
    expect(await desk.service().handle([kept.item])).toEqual({ failed: [], deferred: [] });
    expect(desk.announced()).toHaveLength(1);
    expect(Object.keys((await desk.state(kept)) ?? {})).not.toContain('turnaround');
  });
});
