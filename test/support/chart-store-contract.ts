import { beforeEach, describe, expect, it } from 'vitest';
import type { ChartStore, Clock } from '#shared/aws/ports.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import { type MovableClock, movableClock } from './memory-ports.ts';

/**
 * Every promise of the ChartStore port (shared/aws/ports.ts), stated once and run against each store
 * (test/integration/chart-store-contract.test.ts): the unit tests run the services on the in-memory
 * store, so it must keep the same promises as DynamoChartStore or those tests prove nothing.
 *
 * `makeStore` is called before every test with a clock the test moves; it may share its storage with
 * earlier tests (one DynamoDB table), so every test works on chart keys and agencies of its own.
 */
export function chartStoreContract(name: string, makeStore: (clock: Clock) => ChartStore): void {
  describe(`${name} keeps the ChartStore contract`, () => {
    let clock: MovableClock;
    let store: ChartStore;
    let agencyId: string;
    beforeEach(() => {
      clock = movableClock(CLOCK_START);
      store = makeStore(clock);
      agencyId = `agency-${next()}`;
    });

    /** A chart version of this test's agency, with a chart key no other test uses. */
    const chart = (overrides: Partial<ChartState> = {}): ChartState => {
      const chartKey = overrides.chartKey ?? `ck-${next()}`;
      return {
        chartKey,
        version: 1,
        agencyId,
        status: 'RECEIVED',
        lineOfBusiness: 'home_health',
        payerType: 'medicare',
        coderId: 'coder-1',
        contentHash: 'f'.repeat(64),
        artifactKey: `charts/${agencyId}/${chartKey}/v1.json`,
        sourceObject: 'ob-source-1',
        receivedAt: CREATED_AT,
        updatedAt: CREATED_AT,
        ...overrides,
      };
    };
    const created = async (overrides: Partial<ChartState> = {}): Promise<ChartState> => {
      const state = chart(overrides);
      await store.create(state);
      return state;
    };
    const all = async (states: AsyncIterable<ChartState>): Promise<ChartState[]> => {
      const out: ChartState[] = [];
      for await (const s of states) out.push(s);
      return out;
    };
    const id = (s: ChartState) => `${s.chartKey}:v${s.version}`;
    const ids = (states: readonly ChartState[]) => states.map(id);

    describe('create and get', () => {
      it('creates a version and reads it back exactly, keeping the updatedAt it was given', async () => {
        const state = chart({ status: 'VALIDATED', findings: [WARNING], documentationLockedAt: CREATED_AT });
        clock.set(LATER);
        expect(await store.create(state)).toStrictEqual({ created: true, state });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(state);
      });

      it('creates a version once: a second create returns the stored one and changes nothing', async () => {
        const state = await created();
        const again = await store.create({ ...state, contentHash: 'e'.repeat(64), status: 'VALIDATED' });
        expect(again).toStrictEqual({ created: false, state });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(state);
      });

      it('stores no undefined values, at any depth (undefined means "not there")', async () => {
        const state = await created({
          codingCompletedAt: undefined,
          sampling: { ...SAMPLING, queue: undefined },
        });
        const stored = await store.get(state.chartKey, 1);
        expect(stored && Object.hasOwn(stored, 'codingCompletedAt')).toBe(false);
        expect(stored?.sampling && Object.hasOwn(stored.sampling, 'queue')).toBe(false);
        expect(stored).toEqual(state);
      });

      it('reads nothing for a version never created', async () => {
        const state = await created();
        expect(await store.get(state.chartKey, 2)).toBeUndefined();
        expect(await store.get(`${state.chartKey}-other`, 1)).toBeUndefined();
      });

      it('hands out copies: changing what it returned or was given changes nothing stored', async () => {
        const state = chart({ findings: [WARNING] });
        const expected = structuredClone(state);
        const result = await store.create(state);
        state.findings?.push(WARNING);
        result.state.coderId = 'coder-changed';
        const read = await store.get(state.chartKey, 1);
        if (read) read.status = 'PAID';
        for (const s of await all(store.byStatus(agencyId, 'RECEIVED'))) s.findings?.pop();
        for (const s of await all(store.list(agencyId))) s.contentHash = 'changed';
        for (const s of await store.versions(state.chartKey)) s.artifactKey = 'changed';
        expect(await store.get(state.chartKey, 1)).toStrictEqual(expected);

        const dispute = { corrections: [0], disputedAt: LATER };
        await store.markOnce(state.chartKey, 1, 'dispute', dispute);
        dispute.corrections.push(1);
        const moved = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
        if (moved.ok) moved.state.findings = [];
        expect(await store.get(state.chartKey, 1)).toStrictEqual({
          ...expected,
          status: 'VALIDATED',
          updatedAt: CLOCK_START,
          dispute: { corrections: [0], disputedAt: LATER },
        });
      });
    });

    describe('transition', () => {
      it('moves a version from any of several statuses, applies changes and stamps the clock', async () => {
        const state = await created({ status: 'NOT_SAMPLED' });
        clock.set(LATER);
        const moved = await store.transition(
          state.chartKey,
          1,
          ['QA_PASSED', 'QA_CORRECTED', 'NOT_SAMPLED'],
          'READY_FOR_BILLING',
          { readyForBillingAt: CLOCK_START },
        );
        const expected = {
          ...state,
          status: 'READY_FOR_BILLING',
          readyForBillingAt: CLOCK_START,
          updatedAt: LATER,
        };
        expect(moved).toStrictEqual({ ok: true, state: expected });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(expected);
      });

      it('stamps the updatedAt the changes carry instead of the clock', async () => {
        const state = await created();
        const moved = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED', {
          updatedAt: LATER,
        });
        expect(moved.ok && moved.state.updatedAt).toBe(LATER);
        expect((await store.get(state.chartKey, 1))?.updatedAt).toBe(LATER);
      });

      it('ignores identity fields in the changes: chartKey, version, agencyId and status', async () => {
        const state = await created();
        const moved = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED', {
          chartKey: `${state.chartKey}-other`,
          version: 7,
          agencyId: `${agencyId}-other`,
          status: 'PAID',
          coderId: 'coder-2',
        });
        const expected = { ...state, status: 'VALIDATED', coderId: 'coder-2', updatedAt: CLOCK_START };
        expect(moved).toStrictEqual({ ok: true, state: expected });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(expected);
        expect(await store.get(`${state.chartKey}-other`, 1)).toBeUndefined();
        expect(await store.get(state.chartKey, 7)).toBeUndefined();
        expect(await all(store.byStatus(`${agencyId}-other`, 'VALIDATED'))).toEqual([]);
        expect(await all(store.byStatus(agencyId, 'PAID'))).toEqual([]);
      });

      it('leaves a field as it is when its change is undefined', async () => {
        const state = await created({ findings: [WARNING] });
        const moved = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED', {
          coderId: undefined,
          findings: undefined,
          batchId: undefined,
        });
        const expected = { ...state, status: 'VALIDATED', updatedAt: CLOCK_START };
        expect(moved).toStrictEqual({ ok: true, state: expected });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(expected);
      });

      it('removes the fields it is told to remove, keeping the rest', async () => {
        const state = await created({ findings: [WARNING], grouping: GROUPING });
        const moved = await store.transition(
          state.chartKey,
          1,
          ['RECEIVED'],
          'VALIDATED',
          { coderId: 'coder-2' },
          { remove: ['grouping'] },
        );
        const { grouping: _, ...rest } = state;
        const expected = { ...rest, coderId: 'coder-2', status: 'VALIDATED', updatedAt: CLOCK_START };
        expect(moved).toStrictEqual({ ok: true, state: expected });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(expected);
        // Removing a field that is not there is no error.
        const again = await store.transition(
          state.chartKey,
          1,
          ['VALIDATED'],
          'SAMPLED',
          {},
          { remove: ['grouping'] },
        );
        expect(again.ok && again.state.grouping).toBe(undefined);
      });

      it('refuses a field both given a value and removed, changing nothing', async () => {
        const state = await created();
        await expect(
          store.transition(
            state.chartKey,
            1,
            ['RECEIVED'],
            'VALIDATED',
            { grouping: GROUPING },
            { remove: ['grouping'] },
          ),
        ).rejects.toThrow('both sets and removes grouping');
        expect(await store.get(state.chartKey, 1)).toStrictEqual(state);
      });

      it('replaces an object field whole, storing no undefined values inside it', async () => {
        const state = await created({
          status: 'VALIDATED',
          sampling: { ...SAMPLING, senior: ['coder-denials'] },
        });
        const sampling = { ...SAMPLING, sampled: true, queue: 'qa-review' as const, senior: undefined };
        await store.transition(state.chartKey, 1, ['VALIDATED'], 'SAMPLED', { sampling });
        const stored = await store.get(state.chartKey, 1);
        expect(stored?.sampling).toStrictEqual({ ...SAMPLING, sampled: true, queue: 'qa-review' });
      });

      it('refuses a version in another status and returns it, unchanged', async () => {
        const state = await created({ status: 'VALIDATED' });
        clock.set(LATER);
        const refused = await store.transition(
          state.chartKey,
          1,
          ['SAMPLED', 'QA_PASSED'],
          'READY_FOR_BILLING',
          {
            readyForBillingAt: LATER,
          },
        );
        expect(refused).toStrictEqual({ ok: false, current: state });
        expect(await store.get(state.chartKey, 1)).toStrictEqual(state);
      });

      it('refuses a redelivered transition with the state the first one left', async () => {
        const state = await created();
        const first = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
        clock.set(LATER);
        const again = await store.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
        expect(again).toStrictEqual({ ok: false, current: first.ok ? first.state : 'first refused' });
      });

      it('refuses a missing version and creates nothing', async () => {
        const { chartKey } = chart();
        expect(await store.transition(chartKey, 1, ['RECEIVED'], 'VALIDATED')).toStrictEqual({
          ok: false,
          current: undefined,
        });
        expect(
          await store.transition(chartKey, 1, ['BATCHED'], 'PAID', {}, { ifRemittanceCount: 0 }),
        ).toStrictEqual({ ok: false, current: undefined });
        expect(await store.get(chartKey, 1)).toBeUndefined();
        expect(await store.versions(chartKey)).toEqual([]);
      });

      it('rejects a transition from no status at all, changing nothing', async () => {
        const state = await created();
        await expect(store.transition(state.chartKey, 1, [], 'VALIDATED')).rejects.toThrow();
        expect(await store.get(state.chartKey, 1)).toStrictEqual(state);
      });

      it('with ifRemittanceCount, moves only while the summary counts that many payer answers', async () => {
        const state = await created({ status: 'BATCHED' });
        const pay = (adjudications: number, counted: number, from: ChartStatus[] = ['BATCHED', 'PAID']) =>
          store.transition(
            state.chartKey,
            1,
            from,
            'PAID',
            { remittance: remittance(adjudications) },
            { ifRemittanceCount: counted },
          );
        // 1 counted where none were applied yet: refused, and nothing written.
        expect(await pay(2, 1)).toStrictEqual({ ok: false, current: state });
        const first = await pay(1, 0);
        expect(first.ok && first.state.remittance).toStrictEqual(remittance(1));
        // 0 counted once an answer is there: a delivery that read the version before it is refused.
        expect(await pay(1, 0)).toMatchObject({ ok: false, current: { remittance: { adjudications: 1 } } });
        expect(await pay(3, 2)).toMatchObject({ ok: false, current: { remittance: { adjudications: 1 } } });
        // The right count still needs the status.
        expect(await pay(2, 1, ['BATCHED'])).toMatchObject({ ok: false, current: { status: 'PAID' } });
        expect(await pay(2, 1)).toMatchObject({ ok: true, state: { remittance: { adjudications: 2 } } });
        expect((await store.get(state.chartKey, 1))?.remittance).toStrictEqual(remittance(2));
      });
    });

    describe('markOnce', () => {
      it('sets a field once, whatever the status, touching nothing else', async () => {
        const state = await created({ status: 'PAID' });
        clock.set(LATER);
        expect(await store.markOnce(state.chartKey, 1, 'reviewRequestedAt', CREATED_AT)).toBe(true);
        expect(await store.markOnce(state.chartKey, 1, 'reviewRequestedAt', LATER)).toBe(false);
        expect(await store.get(state.chartKey, 1)).toStrictEqual({ ...state, reviewRequestedAt: CREATED_AT });
      });

      it('keeps each field apart', async () => {
        const state = await created({ status: 'SAMPLED' });
        expect(await store.markOnce(state.chartKey, 1, 'reviewRequestedAt', CREATED_AT)).toBe(true);
        expect(await store.markOnce(state.chartKey, 1, 'secondReviewRequestedAt', LATER)).toBe(true);
        expect(await store.get(state.chartKey, 1)).toMatchObject({
          reviewRequestedAt: CREATED_AT,
          secondReviewRequestedAt: LATER,
        });
      });

      it('counts a field that create or a transition wrote as set', async () => {
        const state = await created({ status: 'QA_CORRECTED', reviewRequestedAt: CREATED_AT });
        expect(await store.markOnce(state.chartKey, 1, 'reviewRequestedAt', LATER)).toBe(false);
        const dispute = { corrections: [0], disputedAt: CREATED_AT };
        await store.transition(state.chartKey, 1, ['QA_CORRECTED'], 'QA_CORRECTED', { dispute });
        expect(
          await store.markOnce(state.chartKey, 1, 'dispute', { corrections: [1], disputedAt: LATER }),
        ).toBe(false);
        expect(await store.get(state.chartKey, 1)).toMatchObject({ reviewRequestedAt: CREATED_AT, dispute });
      });

      it('marks nothing on a missing version, and creates nothing', async () => {
        const { chartKey } = chart();
        expect(await store.markOnce(chartKey, 1, 'reviewRequestedAt', CREATED_AT)).toBe(false);
        expect(await store.get(chartKey, 1)).toBeUndefined();
        expect(await store.versions(chartKey)).toEqual([]);
      });
    });

    describe('latest version', () => {
      it('knows no latest version until one is advanced (create does not advance it)', async () => {
        const state = await created();
        expect(await store.latest(state.chartKey)).toBeUndefined();
      });

      it('advances only forward, whatever order versions arrive in, returning the newest', async () => {
        const { chartKey } = chart();
        expect(await store.advanceLatest(chartKey, 3)).toBe(3);
        expect(await store.advanceLatest(chartKey, 1)).toBe(3);
        expect(await store.advanceLatest(chartKey, 2)).toBe(3);
        expect(await store.advanceLatest(chartKey, 3)).toBe(3);
        expect(await store.latest(chartKey)).toBe(3);
        expect(await store.advanceLatest(chartKey, 12)).toBe(12);
        expect(await store.latest(chartKey)).toBe(12);
      });

      it("keeps each chart's pointer apart", async () => {
        const a = chart();
        const b = chart();
        await store.advanceLatest(a.chartKey, 5);
        expect(await store.advanceLatest(b.chartKey, 2)).toBe(2);
        expect(await store.latest(a.chartKey)).toBe(5);
        expect(await store.latest(b.chartKey)).toBe(2);
      });
    });

    describe('versions', () => {
      it("lists one chart's versions newest first, in numeric order, and nothing else", async () => {
        const { chartKey } = chart();
        const made: ChartState[] = [];
        for (const version of [2, 10, 1, 9]) made.push(await created({ chartKey, version }));
        // A chart whose key starts with this one's, and the latest pointer, are not versions of it.
        await created({ chartKey: `${chartKey}0` });
        await store.advanceLatest(chartKey, 10);
        const byVersion = (v: number) => made.find((s) => s.version === v);
        expect(await store.versions(chartKey)).toStrictEqual([10, 9, 2, 1].map(byVersion));
      });

      it('lists no versions of a chart never created', async () => {
        expect(await store.versions(chart().chartKey)).toEqual([]);
      });
    });

    describe('byStatus', () => {
      it("lists one agency's versions in one status, oldest update first", async () => {
        const newest = await created({ updatedAt: '2026-11-22T09:00:00.000Z' });
        const oldest = await created({ updatedAt: '2026-11-20T09:00:00.000Z' });
        const middle = await created({ updatedAt: '2026-11-21T09:00:00.000Z' });
        await created({ status: 'VALIDATED', updatedAt: '2026-11-19T09:00:00.000Z' });
        await created({ agencyId: `${agencyId}-other`, updatedAt: '2026-11-19T09:00:00.000Z' });
        expect(await all(store.byStatus(agencyId, 'RECEIVED'))).toStrictEqual([oldest, middle, newest]);
        expect(await all(store.byStatus(agencyId, 'PAID'))).toEqual([]);
      });

      it('lists only versions last updated before an instant, when given one (equal is not before)', async () => {
        const old = await created({ updatedAt: '2026-11-20T09:00:00.000Z' });
        await created({ updatedAt: '2026-11-21T09:00:00.000Z' });
        await created({ updatedAt: '2026-11-22T09:00:00.000Z' });
        expect(await all(store.byStatus(agencyId, 'RECEIVED', '2026-11-21T09:00:00.000Z'))).toStrictEqual([
          old,
        ]);
        expect(await all(store.byStatus(agencyId, 'RECEIVED', '2026-11-20T09:00:00.000Z'))).toEqual([]);
        expect(await all(store.byStatus(agencyId, 'RECEIVED', '2026-11-23T00:00:00.000Z'))).toHaveLength(3);
      });

      it('orders versions updated at the same instant by chart key, then version', async () => {
        const key = `ck-${next()}`;
        const b1 = await created({ chartKey: `${key}-b` });
        const a10 = await created({ chartKey: `${key}-a`, version: 10 });
        const a2 = await created({ chartKey: `${key}-a`, version: 2 });
        expect(ids(await all(store.byStatus(agencyId, 'RECEIVED')))).toEqual(ids([a2, a10, b1]));
      });

      it('follows transitions: a version moves to its new status, placed by when it moved', async () => {
        const a = await created({ updatedAt: '2026-11-21T09:00:00.000Z' });
        const b = await created({ updatedAt: '2026-11-20T09:00:00.000Z' });
        const c = await created({ status: 'VALIDATED', updatedAt: '2026-11-22T09:00:00.000Z' });
        clock.set(LATER);
        await store.transition(b.chartKey, 1, ['RECEIVED'], 'VALIDATED');
        clock.set(CLOCK_START);
        await store.transition(a.chartKey, 1, ['RECEIVED'], 'VALIDATED');
        expect(await all(store.byStatus(agencyId, 'RECEIVED'))).toEqual([]);
        expect(await all(store.byStatus(agencyId, 'VALIDATED'))).toStrictEqual([
          c,
          { ...a, status: 'VALIDATED', updatedAt: CLOCK_START },
          { ...b, status: 'VALIDATED', updatedAt: LATER },
        ]);
        // markOnce is not a transition: it moves nothing.
        await store.markOnce(c.chartKey, 1, 'reviewRequestedAt', LATER);
        expect(ids(await all(store.byStatus(agencyId, 'VALIDATED')))).toEqual(ids([c, a, b]));
      });
    });

    describe('list', () => {
      it("lists every version of an agency's charts, in any status, and no latest pointers", async () => {
        const a1 = await created();
        const a2 = await created({ chartKey: a1.chartKey, version: 2, status: 'SUPERSEDED' });
        const b1 = await created({ status: 'PAID' });
        await store.advanceLatest(a1.chartKey, 2);
        await created({ agencyId: `${agencyId}-other` });
        const listed = await all(store.list(agencyId));
        const sorted = (states: ChartState[]) => [...states].sort((x, y) => (id(x) < id(y) ? -1 : 1));
        expect(sorted(listed)).toStrictEqual(sorted([a1, a2, b1]));
      });

      it('lists every agency without one', async () => {
        const mine = await created();
        const theirs = await created({ agencyId: `${agencyId}-other` });
        const listed = ids(await all(store.list()));
        expect(listed).toEqual(expect.arrayContaining(ids([mine, theirs])));
      });
    });
  });
}

/** Neither the wall clock nor the fixtures' times, so a store that stamps the wrong one is seen. */
const CLOCK_START = '2031-03-04T05:06:07.000Z';
const LATER = '2031-03-05T05:06:07.000Z';
const CREATED_AT = '2026-11-20T10:00:00.000Z';
let counter = 0;
const next = () => ++counter;

const WARNING = {
  ruleId: 'HH-DX-UNSPECIFIED',
  severity: 'warn' as const,
  message: 'code Z99.89 is unspecified',
};

const SAMPLING: NonNullable<ChartState['sampling']> = {
  sampled: false,
  rule: 'base-rate',
  rate: 0.1,
  draw: 0.5,
  reason: 'draw 0.5 above rate 0.1',
  factors: [{ factor: 'base-rate', rate: 0.1, detail: 'agency base rate' }],
};

function remittance(adjudications: number): NonNullable<ChartState['remittance']> {
  return {
    netPaid: 90 * adjudications,
    lastDisposition: 'paid',
    lastAt: CREATED_AT,
    adjudications,
    firstDisposition: 'paid',
  };
}

const GROUPING: NonNullable<ChartState['grouping']> = {
  hipps: '1FC21',
  clinicalGroup: 'H',
  clinicalGroupName: 'MMTA - Cardiac and Circulatory',
  functionalLevel: 'medium',
  functionalPoints: 40,
  comorbidity: 'low',
  admission: 'community-early',
  pdgmVersion: '2026-sample',
  sample: true,
};
