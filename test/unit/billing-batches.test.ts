import { describe, expect, it } from 'vitest';
import { groupReady } from '#functions/billing-handoff/service.ts';
import { batchCsv, billTypeOf } from '#shared/billing/batch-files.ts';
import { calendarFor, codingSlaClass, turnaround } from '#shared/billing/turnaround.ts';
import type { BatchManifest } from '#shared/model/batch.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { homeHealthChart } from '../support/charts.ts';

const state = (n: number, over: Partial<ChartState> = {}) => ({
  state: {
    chartKey: `ck${String(n).padStart(3, '0')}`,
    version: 1,
    agencyId: 'a',
    payerType: 'medicare',
    lineOfBusiness: 'home_health',
    ...over,
  } as ChartState,
});

describe('grouping ready charts into batches', () => {
  it('one group per agency, payer, line of business and bill type, cut at the maximum size, in chart order', () => {
    const ready = [
      ...[5, 3, 1, 4, 2].map((n) => state(n)),
      state(9, { payerType: 'medicaid' }),
      state(8, { lineOfBusiness: 'hospice' }),
      state(7, { agencyId: 'b' }),
    ];
    const groups = groupReady(ready, 2);
    expect(
      groups.map((g) => [g.agencyId, g.payerType, g.lineOfBusiness, g.entries.map((e) => e.state.chartKey)]),
    ).toEqual([
      ['a', 'medicaid', 'home_health', ['ck009']],
      ['a', 'medicare', 'home_health', ['ck001', 'ck002']],
      ['a', 'medicare', 'home_health', ['ck003', 'ck004']],
      ['a', 'medicare', 'home_health', ['ck005']],
      ['a', 'medicare', 'hospice', ['ck008']],
      ['b', 'medicare', 'home_health', ['ck007']],
    ]);
    expect(billTypeOf('hospice')).toBe('081x');
    expect(billTypeOf('home_health')).toBe('0329');
  });

  it('keys each cut by its group and its place, with no empty cut when the group fills the last one', () => {
    const groups = groupReady(
      [1, 2, 3, 4].map((n) => state(n)),
      2,
    );
    expect(groups.map((g) => [g.key, g.entries.length])).toEqual([
      ['a|medicare|home_health|0329|0', 2],
      ['a|medicare|home_health|0329|1', 2],
    ]);
  });

  it('orders two versions of one chart by version, however they arrive', () => {
    const order = (versions: number[]) =>
      groupReady(
        versions.map((version) => state(1, { version })),
        10,
      )[0]?.entries.map((e) => e.state.version);
    expect(order([2, 1, 3])).toEqual([1, 2, 3]);
    expect(order([3, 1, 2])).toEqual([1, 2, 3]);
  });
});

describe('batch files', () => {
  it('writes the CSV with quoting, codes in sequence order, and the SLA outcome', () => {
    const manifest = {
      members: [
        {
          claimRef: 'CT1',
          chartKey: 'ck1',
          version: 2,
          lineOfBusiness: 'home_health',
          payerType: 'medicare',
          periodFrom: '2026-10-01',
          periodThrough: '2026-10-30',
          hipps: '1BA11',
          diagnoses: [
            { sequence: 1, code: 'I69.351' },
            { sequence: 2, code: 'I50.22' },
          ],
          findings: { warn: 1, ruleIds: ['DX-DUPLICATE'] },
          flags: ['review-choice-no-affirmed-pre-claim-review'],
          qaCorrected: true,
          claimKind: 'replacement',
          frequencyCode: '7',
          replaces: { version: 1, claimRef: 'CT0' },
          turnaround: { codingSla: { class: 'start-of-care', limit: '48 business hours', met: false } },
          sha256: 'a'.repeat(64),
          artifactKey: 'x',
          coderId: 'c',
        },
      ],
    } as unknown as BatchManifest;
    const [header, row] = batchCsv(manifest).split('\r\n');
    expect(header).toBe(
      'claimRef,chartKey,version,lineOfBusiness,payerType,periodFrom,periodThrough,hipps,diagnoses,warnRuleIds,flags,qaCorrected,claimKind,frequencyCode,replacesClaimRef,codingSla,sha256,sampleHipps',
    );
    expect(row).toBe(
      `CT1,ck1,2,home_health,medicare,2026-10-01,2026-10-30,1BA11,I69.351 I50.22,DX-DUPLICATE,review-choice-no-affirmed-pre-claim-review,yes,replacement,7,CT0,start-of-care missed,${'a'.repeat(64)},`,
    );
    // A sample table's HIPPS: in its own last column, never under hipps.
    const [first] = manifest.members;
    const sampled = {
      ...manifest,
      members: [{ ...first, hipps: undefined, sampleHipps: '1AA11' }],
    } as unknown as BatchManifest;
    const sampleRow = batchCsv(sampled).split('\r\n')[1] ?? '';
    expect(sampleRow.endsWith(`${'a'.repeat(64)},1AA11`)).toBe(true);
    expect(sampleRow.split(',')[7]).toBe('');
  });
});

describe('the coding SLA class', () => {
  it('expedited when asked, start of care for an admission period or a first benefit period, else recertification', () => {
    const hh = homeHealthChart();
    expect(codingSlaClass({ ...hh, priority: 'expedited' } as never)).toBe('expedited');
    expect(codingSlaClass(hh as never)).toBe('start-of-care');
    expect(codingSlaClass({ ...hh, admission: { date: '2026-08-02' } } as never)).toBe('recertification');
    expect(codingSlaClass({ ...hh, admission: { timing: 'late' } } as never)).toBe('recertification');
  });
});

describe('the coding SLA verdict', () => {
  const config = parseConfig({});
  const calendar = calendarFor(config, 'demo-agency');
  const hh = homeHealthChart();
  const clock = (over: Partial<typeof hh>, lockedAt: string, codedAt: string) =>
    turnaround(
      { ...hh, ...over, documentationLockedAt: lockedAt, codingCompletedAt: codedAt } as never,
      { batchedAt: codedAt },
      config,
      calendar,
    ).codingSla;

  it('counts hours on working days for start of care: Friday 15:00 to Tuesday 14:00 is 47 hours, met', () => {
    expect(clock({}, '2026-11-20T20:00:00Z', '2026-11-24T19:00:00Z')).toEqual({
      class: 'start-of-care',
      limit: '48 hours on working days',
      met: true,
    });
    expect(clock({}, '2026-11-20T20:00:00Z', '2026-11-24T21:00:00Z')?.met).toBe(false);
  });

  it('holds a recertification to the next business day, and an expedited chart to 24 hours', () => {
    const recert = { admission: { date: '2026-08-02', source: 'community', timing: 'late' } } as never;
    expect(clock(recert, '2026-11-20T20:00:00Z', '2026-11-23T20:00:00Z')).toMatchObject({
      class: 'recertification',
      met: true,
    });
    expect(clock(recert, '2026-11-20T20:00:00Z', '2026-11-24T14:00:00Z')).toMatchObject({ met: false });
    expect(clock({ priority: 'expedited' }, '2026-11-23T14:00:00Z', '2026-11-24T15:00:00Z')).toMatchObject({
      class: 'expedited',
      met: false,
    });
  });

  it('gives no verdict without a lock time, and never counts coding before the lock as met', () => {
    expect(
      turnaround(
        { ...hh, documentationLockedAt: undefined } as never,
        { batchedAt: hh.codingCompletedAt },
        config,
        calendar,
      ).codingSla,
    ).toBeUndefined();
    expect(clock({}, '2026-11-24T20:00:00Z', '2026-11-23T20:00:00Z')).toMatchObject({
      limit: 'coding after the documentation lock',
      met: false,
    });
  });
});

describe('billing handoff after a crash', () => {
  it('a takeover announces the same files with the same hashes, and a chart whose file cannot be read stays ready', async () => {
    const { memoryPorts } = await import('../support/memory-ports.ts');
    const { createBillingHandoffService } = await import('#functions/billing-handoff/service.ts');
    const { BatchReady } = await import('#shared/model/messages.ts');
    const { sha256Hex } = await import('#shared/identity/identifiers.ts');
    let now = Date.parse('2026-11-23T12:00:00Z');
    const clock = { now: () => new Date(now) };
    // The store stamps transitions with the clock the service reads, as in a Lambda (the system clock there).
    const mem = memoryPorts({ clock });
    const chart = (id: string) => ({ ...homeHealthChart({ chartId: id }) });
    const message = async (id: string, readable = true) => {
      const chartKey = sha256Hex(id).slice(0, 32);
      const artifactKey = `charts/demo-agency/${chartKey}/v1.json`;
      if (readable) await mem.ports.artifacts.putJson('artifacts', artifactKey, chart(id));
      await mem.ports.charts.create({
        chartKey,
        version: 1,
        agencyId: 'demo-agency',
        status: 'NOT_SAMPLED',
        lineOfBusiness: 'home_health',
        payerType: 'medicare',
        coderId: 'coder-a',
        contentHash: 'x',
        artifactKey,
        sourceObject: 'o',
        receivedAt: '2026-11-02T10:00:00Z',
        updatedAt: '2026-11-02T10:00:00Z',
        codingCompletedAt: '2026-11-02T10:00:00Z',
      });
      return { messageId: id, body: { kind: 'chart', agencyId: 'demo-agency', chartKey, version: 1 } };
    };
    const items = [await message('C-1'), await message('C-2'), await message('C-3', false)];
    const ports = mem.portsFor('billing-handoff');
    const handOff = ports.batches.handOff;
    let crash = true;
    ports.batches.handOff = async (...args) => {
      if (crash) throw new Error('crash between the send and the hand-off');
      return handOff(...args);
    };
    const service = createBillingHandoffService({ ports, config: parseConfig({}), clock });
    await expect(service.handle(items)).rejects.toThrow('crash');
    crash = false;
    now += 10 * 60_000; // past the claim's lease
    // The chart whose file could not be read was not batched: its message comes again, failed.
    expect(await service.handle(items)).toEqual({ failed: ['C-3'], deferred: [] });
    const announced = mem.take('coded-batches').map((m) => BatchReady.parse(m));
    expect(announced).toHaveLength(2);
    expect(announced[0]?.manifestSha256).toBe(announced[1]?.manifestSha256);
    const stored = await mem.ports.artifacts.getText('artifacts', announced[0]?.manifestKey ?? '');
    expect(sha256Hex(stored)).toBe(announced[0]?.manifestSha256);
    expect(announced[0]?.chartCount).toBe(2);
    const unreadable = await mem.ports.charts.get(sha256Hex('C-3').slice(0, 32), 1);
    expect(unreadable?.status).toBe('READY_FOR_BILLING');
    expect(mem.events().find((e) => e.type === 'chart.not-batched')?.detail).toMatchObject({
      batchId: announced[0]?.batchId,
    });
  });
});
