import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoChartStore } from '#shared/aws/dynamo-chart-store.ts';
import { chartPk, chartStatusPk, GSI1, versionSk } from '#shared/aws/table-keys.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'charts' });

let n = 0;
function chart(overrides: Partial<ChartState> = {}): ChartState {
  n++;
  return {
    chartKey: `ck${n.toString().padStart(4, '0')}${'a'.repeat(20)}`,
    version: 1,
    agencyId: 'agency-a',
    status: 'RECEIVED',
    lineOfBusiness: 'home_health',
    payerType: 'medicare',
    coderId: 'coder-1',
    contentHash: 'f'.repeat(64),
    artifactKey: `charts/agency-a/ck${n}/v1.json`,
    sourceObject: 'intake/exports/agency-a/drop-1.ndjson',
    receivedAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

async function rawItem(chartKey: string, version: number): Promise<Record<string, unknown> | undefined> {
  const out = await stack.clients.dynamo.send(
    new GetCommand({
      TableName: stack.resources.table,
      Key: { pk: chartPk(chartKey), sk: versionSk(version) },
    }),
  );
  return out.Item;
}

async function byStatus(agencyId: string, status: string): Promise<Record<string, unknown>[]> {
  const out = await stack.clients.dynamo.send(
    new QueryCommand({
      TableName: stack.resources.table,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': chartStatusPk(agencyId, status) },
    }),
  );
  return out.Items ?? [];
}

/**
 * What only the DynamoDB store has: the item layout of table-keys.ts, gsi1, the agency cache, the scan.
 * Every promise of the ChartStore port is in the contract (chart-store-contract.test.ts), run on both stores.
 */
describe('DynamoChartStore on dynalite', () => {
  it('writes the key attributes of the layout, and moves gsi1 with every transition', async () => {
    const state = chart();
    await stack.ports.charts.create(state);
    expect(await rawItem(state.chartKey, 1)).toEqual({
      ...state,
      pk: chartPk(state.chartKey),
      sk: versionSk(1),
      gsi1pk: chartStatusPk('agency-a', 'RECEIVED'),
      gsi1sk: `2026-11-20T10:00:00.000Z#${state.chartKey}#0000000001`,
    });

    const moved = await stack.ports.charts.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED', {
      updatedAt: '2026-11-21T09:00:00.000Z',
    });
    expect(moved.ok).toBe(true);
    expect(await rawItem(state.chartKey, 1)).toMatchObject({
      gsi1pk: chartStatusPk('agency-a', 'VALIDATED'),
      gsi1sk: `2026-11-21T09:00:00.000Z#${state.chartKey}#0000000001`,
    });
    expect((await byStatus('agency-a', 'RECEIVED')).map((i) => i.chartKey)).not.toContain(state.chartKey);
    const validated = (await byStatus('agency-a', 'VALIDATED')).find((i) => i.chartKey === state.chartKey);
    expect(validated?.gsi1sk).toBe(`2026-11-21T09:00:00.000Z#${state.chartKey}#0000000001`);
  });

  it('works without having seen the chart (a fresh execution environment reads the agency once)', async () => {
    const state = chart({ agencyId: 'agency-b' });
    await stack.ports.charts.create(state);
    const fresh = new DynamoChartStore(stack.clients.dynamo, stack.resources.table);
    // Before the read that fills the cache, as after it (the contract's case): no status to move from.
    await expect(fresh.transition(state.chartKey, 1, [], 'REJECTED')).rejects.toThrow('at least one status');
    const moved = await fresh.transition(state.chartKey, 1, ['RECEIVED'], 'REJECTED');
    expect(moved.ok).toBe(true);
    expect((await byStatus('agency-b', 'REJECTED')).map((i) => i.chartKey)).toEqual([state.chartKey]);
    const staleFresh = new DynamoChartStore(stack.clients.dynamo, stack.resources.table);
    const stale = await staleFresh.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
    expect(stale.ok).toBe(false);
    expect(!stale.ok && stale.current?.status).toBe('REJECTED');
  });

  it('scans chart versions only: no latest pointers, audit events or key attributes', async () => {
    const a = chart({ agencyId: 'agency-list-1' });
    const b = chart({ agencyId: 'agency-list-2' });
    const a2 = { ...a, version: 2, status: 'RECEIVED' as const };
    for (const s of [a, b, a2]) await stack.ports.charts.create(s);
    await stack.ports.charts.advanceLatest(a.chartKey, 2);
    await stack.ports.audit.record({
      type: 'chart.received',
      agencyId: 'agency-list-1',
      subject: `chart:${a.chartKey}:v1`,
      actor: 'stage:intake',
      at: '2026-11-20T10:00:00.000Z',
      idempotencyKey: 'received',
    });

    const listed: ChartState[] = [];
    for await (const s of stack.ports.charts.list('agency-list-1')) listed.push(s);
    expect(listed.map((s) => `${s.chartKey}:${s.version}`).sort()).toEqual([
      `${a.chartKey}:1`,
      `${a.chartKey}:2`,
    ]);
    expect(listed[0]).not.toHaveProperty('pk');
    expect(listed[0]).not.toHaveProperty('gsi1pk');

    const all: ChartState[] = [];
    for await (const s of stack.ports.charts.list()) all.push(s);
    expect(all.map((s) => s.chartKey)).toEqual(expect.arrayContaining([a.chartKey, b.chartKey]));
    expect(all.every((s) => typeof s.version === 'number' && typeof s.status === 'string')).toBe(true);
  });
});
