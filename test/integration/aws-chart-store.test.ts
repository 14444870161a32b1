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

describe('DynamoChartStore on dynalite', () => {
  it('applies a payer answer only while the answers it counted are still the last ones', async () => {
    const state = chart({ status: 'BATCHED' });
    await stack.ports.charts.create(state);
    const summary = (adjudications: number) => ({
      netPaid: 90,
      lastDisposition: 'paid' as const,
      lastAt: '2026-11-20T10:00:00.000Z',
      adjudications,
      firstDisposition: 'paid' as const,
    });
    // Moves the billed version to PAID with `adjudications` answers, if `counted` are still the last ones.
    const pay = (adjudications: number, counted: number) =>
      stack.ports.charts.transition(
        state.chartKey,
        1,
        ['BATCHED', 'PAID'],
        'PAID',
        { remittance: summary(adjudications) },
        { ifRemittanceCount: counted },
      );
    const first = await pay(1, 0);
    expect(first.ok).toBe(true);
    // A second delivery that read the version before the first answer landed is refused, with the state.
    const stale = await pay(1, 0);
    expect(stale).toMatchObject({ ok: false, current: { remittance: { adjudications: 1 } } });
    const next = await pay(2, 1);
    expect(next).toMatchObject({ ok: true, state: { remittance: { adjudications: 2 } } });
  });

  it('creates a version once; the second create returns the stored one', async () => {
    const state = chart();
    const first = await stack.ports.charts.create(state);
    expect(first).toEqual({ created: true, state });
    const second = await stack.ports.charts.create({ ...state, contentHash: 'e'.repeat(64) });
    expect(second.created).toBe(false);
    expect(second.state).toEqual(state);
    expect(await stack.ports.charts.get(state.chartKey, 1)).toEqual(state);
  });

  it('transitions with one conditional write, applying changes and keeping gsi1 in step', async () => {
    const state = chart();
    await stack.ports.charts.create(state);
    expect((await byStatus('agency-a', 'RECEIVED')).map((i) => i.chartKey)).toContain(state.chartKey);

    const findings = [{ ruleId: 'R1', severity: 'warn' as const, message: 'code Z99.89 is unspecified' }];
    const moved = await stack.ports.charts.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED', {
      findings,
      updatedAt: '2026-11-21T09:00:00.000Z',
      // Identity fields in changes are ignored, never written.
      chartKey: 'other',
      agencyId: 'agency-z',
      coderId: undefined,
    });
    expect(moved.ok).toBe(true);
    if (!moved.ok) return;
    expect(moved.state).toEqual({
      ...state,
      status: 'VALIDATED',
      findings,
      updatedAt: '2026-11-21T09:00:00.000Z',
    });

    expect((await byStatus('agency-a', 'RECEIVED')).map((i) => i.chartKey)).not.toContain(state.chartKey);
    const validated = (await byStatus('agency-a', 'VALIDATED')).find((i) => i.chartKey === state.chartKey);
    expect(validated?.gsi1sk).toBe(`2026-11-21T09:00:00.000Z#${state.chartKey}#0000000001`);
  });

  it('refuses a stale transition and returns the current state; a redelivery is a no-op', async () => {
    const state = chart();
    await stack.ports.charts.create(state);
    const first = await stack.ports.charts.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
    expect(first.ok).toBe(true);

    const redelivered = await stack.ports.charts.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
    expect(redelivered.ok).toBe(false);
    if (redelivered.ok) return;
    expect(redelivered.current?.status).toBe('VALIDATED');

    const stale = await stack.ports.charts.transition(
      state.chartKey,
      1,
      ['SAMPLED', 'QA_PASSED'],
      'READY_FOR_BILLING',
    );
    expect(stale).toEqual({ ok: false, current: first.ok ? first.state : undefined });
  });

  it('moves from any of several statuses', async () => {
    const state = chart({ status: 'NOT_SAMPLED' });
    await stack.ports.charts.create(state);
    const moved = await stack.ports.charts.transition(
      state.chartKey,
      1,
      ['QA_PASSED', 'QA_CORRECTED', 'NOT_SAMPLED'],
      'READY_FOR_BILLING',
      { readyForBillingAt: '2026-11-22T00:00:00.000Z' },
    );
    expect(moved.ok && moved.state.status).toBe('READY_FOR_BILLING');
  });

  it('works without having seen the chart (a fresh execution environment reads the agency once)', async () => {
    const state = chart({ agencyId: 'agency-b' });
    await stack.ports.charts.create(state);
    const fresh = new DynamoChartStore(stack.clients.dynamo, stack.resources.table);
    const moved = await fresh.transition(state.chartKey, 1, ['RECEIVED'], 'REJECTED');
    expect(moved.ok).toBe(true);
    expect((await byStatus('agency-b', 'REJECTED')).map((i) => i.chartKey)).toEqual([state.chartKey]);
    const staleFresh = new DynamoChartStore(stack.clients.dynamo, stack.resources.table);
    const stale = await staleFresh.transition(state.chartKey, 1, ['RECEIVED'], 'VALIDATED');
    expect(stale.ok).toBe(false);
    expect(!stale.ok && stale.current?.status).toBe('REJECTED');
  });

  it('does not create a chart by transitioning or marking a missing one', async () => {
    const missing = 'ck-missing-0000000000000000';
    expect(await stack.ports.charts.transition(missing, 1, ['RECEIVED'], 'VALIDATED')).toEqual({
      ok: false,
      current: undefined,
    });
    expect(
      await stack.ports.charts.markOnce(missing, 1, 'reviewRequestedAt', '2026-11-21T00:00:00.000Z'),
    ).toBe(false);
    const raw = await stack.clients.dynamo.send(
      new GetCommand({ TableName: stack.resources.table, Key: { pk: chartPk(missing), sk: versionSk(1) } }),
    );
    expect(raw.Item).toBeUndefined();
  });

  it('marks a field once', async () => {
    const state = chart({ status: 'SAMPLED' });
    await stack.ports.charts.create(state);
    expect(
      await stack.ports.charts.markOnce(state.chartKey, 1, 'reviewRequestedAt', '2026-11-21T00:00:00.000Z'),
    ).toBe(true);
    expect(
      await stack.ports.charts.markOnce(state.chartKey, 1, 'reviewRequestedAt', '2026-11-22T00:00:00.000Z'),
    ).toBe(false);
    expect((await stack.ports.charts.get(state.chartKey, 1))?.reviewRequestedAt).toBe(
      '2026-11-21T00:00:00.000Z',
    );
  });

  it('advances the latest version only forward, whatever order versions arrive in', async () => {
    const { chartKey } = chart();
    expect(await stack.ports.charts.latest(chartKey)).toBeUndefined();
    expect(await stack.ports.charts.advanceLatest(chartKey, 3)).toBe(3);
    expect(await stack.ports.charts.advanceLatest(chartKey, 1)).toBe(3);
    expect(await stack.ports.charts.advanceLatest(chartKey, 2)).toBe(3);
    expect(await stack.ports.charts.advanceLatest(chartKey, 3)).toBe(3);
    expect(await stack.ports.charts.advanceLatest(chartKey, 12)).toBe(12);
    expect(await stack.ports.charts.latest(chartKey)).toBe(12);
  });

  it('lists chart versions only (no latest pointers), optionally by agency', async () => {
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
