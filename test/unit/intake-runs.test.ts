import { describe, expect, it } from 'vitest';
import { ObjectHeld, ObjectTakenOver, startObjectRun } from '#functions/intake/object-run.ts';
import type { SourceObject } from '#shared/aws/ports.ts';
import { recordedSource } from '#shared/identity/identifiers.ts';
import { withCapturedLogs } from '../support/capture-logs.ts';
import { failOnce } from '../support/fail-once.ts';
import { AGENCY, intake, ndjson, START } from '../support/intake-harness.ts';
import { s3Event } from '../support/memory-ports.ts';

const KEY = 'exports/test-agency/runs.ndjson';
const source: SourceObject = { bucket: 'test-intake', key: KEY, etag: 'e1' };
const plenty = { remainingMs: () => 600_000 };

/** What the intake logged while `work` ran: each item's message and fields, without the logger's own. */
async function logged(work: () => Promise<unknown>) {
  const { logs } = await withCapturedLogs(work);
  return logs.logItems().map(({ level, timestamp, service, sampling_rate, ...item }) => item);
}

describe('the lease an intake run holds', () => {
  it('holds a new object for the stage timeout (300 s) and a minute more', async () => {
    const t = intake();
    await t.drop(KEY, ndjson(1));
    expect(await t.mem.ports.ledger.get(t.objectId(KEY))).toMatchObject({
      status: 'DONE',
      stage: 'intake',
      startedAt: START,
      leaseUntil: '2026-11-23T12:06:00.000Z',
    });
  });

  it('takes over an object whose lease has passed for as long, from the minute it takes it', async () => {
    const t = intake();
    await t.mem.ports.ledger.begin({
      objectId: t.objectId(KEY),
      status: 'PROCESSING',
      stage: 'intake',
      source: recordedSource(source),
      startedAt: '2026-11-23T11:00:00.000Z',
      segment: 0,
      leaseUntil: '2026-11-23T11:06:00.000Z',
    });
    const run = await startObjectRun(t.deps, { source }, plenty);
    expect(run).toMatchObject({ objectId: t.objectId(KEY), agencyId: AGENCY, segment: 1 });
    // The receipt keeps the first run's start.
    expect(run?.startedAt).toBe('2026-11-23T11:00:00.000Z');
    expect((await t.mem.ports.ledger.get(t.objectId(KEY)))?.leaseUntil).toBe('2026-11-23T12:06:00.000Z');
  });

  it('leaves an object to the live run holding it, and says which segment holds it', async () => {
    const t = intake();
    await t.mem.ports.ledger.begin({
      objectId: t.objectId(KEY),
      status: 'PROCESSING',
      stage: 'intake',
      source: recordedSource(source),
      startedAt: START,
      segment: 2,
      leaseUntil: '2026-11-23T12:00:00.001Z',
    });
    const takeOver = t.mem.ports.ledger.takeOver;
    let tries = 0;
    t.mem.ports.ledger.takeOver = async (...args) => {
      tries++;
      return takeOver.apply(t.mem.ports.ledger, args);
    };
    const items = await logged(() =>
      expect(t.service.handle(s3Event('test-intake', KEY, 'e1'))).rejects.toThrow(
        `${t.objectId(KEY)} is held by a live run: retried after its lease`,
      ),
    );
    expect(items).toContainEqual({
      message: 'object held by another run',
      objectId: t.objectId(KEY),
      segment: 2,
    });
    expect(tries).toBe(0);
    expect(t.receipt(KEY)).toBeUndefined();
  });

  it('takes nothing and has the message retried when another run took the object over first', async () => {
    const t = intake();
    await t.mem.ports.ledger.begin({
      objectId: t.objectId(KEY),
      status: 'PROCESSING',
      stage: 'intake',
      source: recordedSource(source),
      startedAt: '2026-11-23T11:00:00.000Z',
      segment: 0,
      leaseUntil: '2026-11-23T11:06:00.000Z',
    });
    t.mem.ports.ledger.takeOver = async () => false;
    await expect(t.drop(KEY, ndjson(2))).rejects.toThrow(ObjectHeld);
    expect(t.receipt(KEY)).toBeUndefined();
    expect(t.sends).toEqual([]);
    expect([...t.mem.objects.keys()].filter((k) => k.startsWith('test-artifacts/'))).toEqual([]);
  });

  it('does nothing when the ledger claims the object for another run it cannot show', async () => {
    const t = intake();
    t.mem.ports.ledger.begin = async () => ({ claimed: false });
    await t.drop(KEY, ndjson(2));
    expect(t.receipt(KEY)).toBeUndefined();
    expect(t.sends).toEqual([]);
  });
});

describe('a delivery of an object already taken in', () => {
  it('records each duplicate delivery, by the instant it came, and takes nothing again', async () => {
    const t = intake();
    await t.drop(KEY, ndjson(1));
    t.mem.take('validate');
    t.later('2026-11-23T13:00:00.000Z');
    await t.service.handle(s3Event('test-intake', KEY, 'e1'));
    t.later('2026-11-23T14:00:00.000Z');
    await t.service.handle(s3Event('test-intake', KEY, 'e1'));
    expect(t.mem.events().filter((e) => e.type === 'object.duplicate-delivery')).toEqual([
      {
        type: 'object.duplicate-delivery',
        agencyId: AGENCY,
        subject: `object:${t.objectId(KEY)}`,
        actor: 'stage:intake',
        idempotencyKey: 'duplicate:2026-11-23T13:00:00.000Z',
        at: '2026-11-23T13:00:00.000Z',
      },
      {
        type: 'object.duplicate-delivery',
        agencyId: AGENCY,
        subject: `object:${t.objectId(KEY)}`,
        actor: 'stage:intake',
        idempotencyKey: 'duplicate:2026-11-23T14:00:00.000Z',
        at: '2026-11-23T14:00:00.000Z',
      },
    ]);
    expect(t.mem.take('validate')).toEqual([]);
  });

  it("records a duplicate delivery of an object outside exports/<agency>/ under agency 'unknown'", async () => {
    const t = intake();
    const key = 'exports/Not_An_Agency/a.ndjson';
    await t.drop(key, ndjson(1));
    await t.service.handle(s3Event('test-intake', key, 'e1'));
    expect(t.mem.events().find((e) => e.type === 'object.duplicate-delivery')?.agencyId).toBe('unknown');
  });

  it('does nothing with a continuation of an object already done, not even try to take it over', async () => {
    const t = intake();
    await t.drop(KEY, ndjson(1));
    t.later('2026-11-23T13:00:00.000Z');
    let tries = 0;
    t.mem.ports.ledger.takeOver = async () => {
      tries++;
      return false;
    };
    const before = t.mem.events().length;
    await t.service.handle({
      kind: 'intake-continue',
      agencyId: AGENCY,
      objectId: t.objectId(KEY),
      segment: 1,
    });
    expect(tries).toBe(0);
    expect(t.mem.events()).toHaveLength(before);
  });

  it('refuses a continuation of an object the ledger does not hold, naming only its id', async () => {
    const t = intake();
    await expect(
      t.service.handle({ kind: 'intake-continue', agencyId: AGENCY, objectId: 'ob123', segment: 1 }),
    ).rejects.toThrow(new Error('continuation for ob123, which the ledger does not hold'));
  });
});

describe('an intake run', () => {
  it('runs short of time with less than reserveSeconds left, not with exactly that', async () => {
    const t = intake({ intake: { reserveSeconds: 30 } });
    let left = 30_000;
    const run = await startObjectRun(t.deps, { source }, { remainingMs: () => left });
    expect(run?.shouldPause()).toBe(false);
    left = 29_999;
    expect(run?.shouldPause()).toBe(true);
  });

  it('finds progress due every checkpointEverySeconds of the stage clock, counted from the last save', async () => {
    const t = intake({ intake: { checkpointEverySeconds: 60 } });
    const run = await startObjectRun(t.deps, { source }, plenty);
    expect(run?.progressDue()).toBe(false);
    t.advance(59_999);
    expect(run?.progressDue()).toBe(false);
    t.advance(1);
    expect(run?.progressDue()).toBe(true);
    await run?.saveProgress({ at: 1 });
    expect(run?.progressDue()).toBe(false);
    expect(await t.mem.ports.ledger.get(t.objectId(KEY))).toMatchObject({
      checkpoint: { at: 1 },
      // The lease moves on with the save.
      leaseUntil: '2026-11-23T12:07:00.000Z',
    });
  });

  it('stops with ObjectTakenOver when its save finds the object no longer its own', async () => {
    const t = intake();
    const run = await startObjectRun(t.deps, { source }, plenty);
    t.mem.ports.ledger.saveCheckpoint = async () => false;
    const saved = run?.saveProgress({ at: 1 });
    await expect(saved).rejects.toBeInstanceOf(ObjectTakenOver);
    await expect(saved).rejects.toMatchObject({
      name: 'ObjectTakenOver',
      message: `${t.objectId(KEY)} was taken over by a later run`,
    });
    expect(run?.progressDue()).toBe(false);
    t.advance(60_000);
    // A save that failed moves nothing on.
    expect(run?.progressDue()).toBe(true);
  });

  it('continues later: saves, lets the lease go at once and sends itself the next segment', async () => {
    const t = intake();
    const run = await startObjectRun(t.deps, { source }, plenty);
    const items = await logged(async () => run?.continueLater({ at: 7 }));
    expect(t.mem.take('intake')).toEqual([
      { kind: 'intake-continue', agencyId: AGENCY, objectId: t.objectId(KEY), segment: 1 },
    ]);
    expect(await t.mem.ports.ledger.get(t.objectId(KEY))).toMatchObject({
      checkpoint: { at: 7 },
      leaseUntil: START,
    });
    expect(items).toEqual([
      { message: 'object continues in a new run', objectId: t.objectId(KEY), segment: 1 },
    ]);
  });

  it('lets the lease go after a failure and keeps the last checkpoint', async () => {
    const t = intake();
    const run = await startObjectRun(t.deps, { source }, plenty);
    await run?.saveProgress({ at: 3 });
    t.advance(5_000);
    await run?.release();
    expect(await t.mem.ports.ledger.get(t.objectId(KEY))).toMatchObject({
      checkpoint: { at: 3 },
      leaseUntil: '2026-11-23T12:00:05.000Z',
    });
  });
});

describe('the intake service', () => {
  it('takes only objects under exports/', async () => {
    const t = intake();
    await t.drop('remittances/test-agency/r.ndjson', ndjson(1));
    expect(t.mem.events()).toEqual([]);
    expect(await t.mem.ports.ledger.get(t.objectId('remittances/test-agency/r.ndjson'))).toBeUndefined();
  });

  it('leaves a file of a FHIR drop for its trigger, and logs its object id, never its name', async () => {
    const t = intake();
    const key = 'exports/test-agency/drop/Patient.ndjson';
    const items = await logged(() => t.drop(key, '{}'));
    expect(items).toEqual([
      {
        message: 'file of a FHIR drop: read when its manifest or .done marker arrives',
        objectId: t.objectId(key),
      },
    ]);
    expect(await t.mem.ports.ledger.get(t.objectId(key))).toBeUndefined();
  });

  it('stops quietly, keeping the lease, when a later run took the object over part-way', async () => {
    const t = intake({ intake: { concurrency: 1, checkpointEverySeconds: 1 } });
    const create = t.mem.ports.charts.create;
    t.mem.ports.charts.create = async (state) => {
      t.advance(1_000);
      return create.call(t.mem.ports.charts, state);
    };
    t.mem.ports.ledger.saveCheckpoint = async () => false;
    const items = await logged(() => t.drop(KEY, ndjson(3)));
    expect(items).toEqual([{ message: 'object taken over by a later run', objectId: t.objectId(KEY) }]);
    expect(t.receipt(KEY)).toBeUndefined();
    expect((await t.mem.ports.ledger.get(t.objectId(KEY)))?.leaseUntil).toBe('2026-11-23T12:06:00.000Z');
  });

  it('lets the lease go when a run fails, so the retry resumes at once', async () => {
    const t = intake();
    failOnce(t.mem.ports.charts, 'create', () => true, 'DynamoDB throttled');
    await expect(t.drop(KEY, ndjson(2))).rejects.toThrow('DynamoDB throttled');
    expect((await t.mem.ports.ledger.get(t.objectId(KEY)))?.leaseUntil).toBe(START);
    await t.service.handle(s3Event('test-intake', KEY, 'e1'));
    expect(t.receipt(KEY)?.counts).toMatchObject({ read: 2, accepted: 2 });
  });
});
