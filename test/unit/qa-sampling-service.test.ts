import { describe, expect, it } from 'vitest';
import { createQaSamplingService } from '#functions/qa-sampling/service.ts';
import type { AuditLog, ChartStore, KeyService } from '#shared/aws/ports.ts';
import { chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState, Finding } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { UnknownChartError } from '#shared/runtime/forward.ts';
import { GROUPING } from '../support/billing-desk.ts';
import { losingToADyingWinner } from '../support/lost-race.ts';
import { fixedClock, memoryPorts } from '../support/memory-ports.ts';
import { reviewRecord } from '../support/qa-records.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

const NOW = '2026-11-23T12:00:00.000Z';
const AGENCY = 'test-agency';
const CODED_AT = '2026-11-02T10:00:00.000Z';

const warn = (ruleId: string): Finding => ({ ruleId, severity: 'warn', message: `${ruleId} warned` });

/** QA sampling over in-memory ports, with validated chart versions of coder-a to decide on. */
function samplingDesk(sampling: Record<string, unknown> = SAMPLE_NOTHING) {
  const mem = memoryPorts({ clock: fixedClock(NOW) });
  const service = (
    ports: { charts?: ChartStore; audit?: AuditLog; keys?: KeyService; samplingKeys?: KeyService } = {},
  ) =>
    createQaSamplingService({
      ports: { ...mem.portsFor('qa-sampling'), ...ports },
      config: parseConfig({ sampling }),
      clock: fixedClock(NOW),
    });
  async function validated(id: string, state: Partial<ChartState> = {}) {
    const chartKey = sha256Hex(`chart|${id}`).slice(0, 32);
    // The chart as intake stored it: a sampled chart's file is tagged for review.
    mem.put('artifacts', `charts/${AGENCY}/${chartKey}/v1.json`, '{}');
    await mem.ports.charts.create({
      chartKey,
      version: 1,
      agencyId: AGENCY,
      status: 'VALIDATED',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      coderId: 'coder-a',
      contentHash: 'x',
      artifactKey: `charts/${AGENCY}/${chartKey}/v1.json`,
      sourceObject: 'ob-test',
      receivedAt: CODED_AT,
      updatedAt: CODED_AT,
      codingCompletedAt: CODED_AT,
      findings: [],
      ...state,
    });
    return { chartKey, message: { kind: 'chart' as const, agencyId: AGENCY, chartKey, version: 1 } };
  }
  const state = (chartKey: string) => mem.ports.charts.get(chartKey, 1);
  return { mem, service, validated, state };
}

describe('QA sampling: the key it draws with', () => {
  it("draws with the sampling key alone, never the chartKey key every reviewer's CLI may use", async () => {
    const refused: KeyService = { mac: () => Promise.reject(new Error('not this key')) };
    const desk = samplingDesk();
    const { chartKey, message } = await desk.validated('HH-K1');
    await desk.service({ keys: refused }).handle(message);
    expect((await desk.state(chartKey))?.status).toBe('NOT_SAMPLED');
    const other = samplingDesk();
    const second = await other.validated('HH-K2');
    await expect(other.service({ samplingKeys: refused }).handle(second.message)).rejects.toThrow(
      'not this key',
    );
  });
});

describe('QA sampling: the decision', () => {
  it('sends a chart no factor samples to billing, with every factor that applied recorded and audited', async () => {
    const desk = samplingDesk({
      ...SAMPLE_NOTHING,
      risk: { ...SAMPLE_NOTHING.risk, clinicalGroups: { B: 0 } },
    });
    // Another coder's chart of the same principal category was denied for coding last month.
    await desk.mem.ports.coders.record({
      kind: 'denial',
      agencyId: AGENCY,
      coderId: 'coder-z',
      chartKey: 'ck-other',
      version: 1,
      deniedAt: '2026-10-20T10:00:00.000Z',
      reasonCodes: ['CO-16'],
      category: 'I69',
    });
    const { chartKey, message } = await desk.validated('HH-Q1', {
      // An answered clinician query stays in the findings; only warn findings are sampling risks.
      findings: [warn('HH-A'), { ...warn('HH-Q'), severity: 'query' }, warn('HH-B')],
      grouping: GROUPING,
      principalCategory: 'I69',
    });
    await desk.service().handle(message);
    const state = await desk.state(chartKey);
    expect(state?.status).toBe('NOT_SAMPLED');
    expect(state?.sampling?.factors.map((f) => [f.factor, f.detail])).toEqual([
      ['base-rate', 'every validated chart'],
      ['probation', 'in probation: chart 1 of the first 50, day 0 of 60'],
      ['clinical-group', 'PDGM clinical group B'],
      ['warn-findings', 'findings HH-A, HH-B'],
      ['category-denials', '1 coding-related denial(s) of category I69 in 90 days'],
    ]);
    expect(desk.mem.events()).toEqual([
      {
        type: 'chart.not-sampled',
        agencyId: AGENCY,
        subject: chartSubject(chartKey, 1),
        actor: 'stage:qa-sampling',
        idempotencyKey: 'sampling',
        at: NOW,
        detail: { ...state?.sampling },
      },
    ]);
    expect(desk.mem.take('billing')).toEqual([message]);
    expect(desk.mem.take('qa-review')).toEqual([]);
  });

  it('counts no warn findings, category denials or group for a chart without them', async () => {
    const desk = samplingDesk({
      ...SAMPLE_NOTHING,
      risk: { ...SAMPLE_NOTHING.risk, clinicalGroups: { B: 0 } },
    });
    const { chartKey, message } = await desk.validated('HH-Q2', { findings: undefined });
    await desk.service().handle(message);
    expect((await desk.state(chartKey))?.sampling?.factors.map((f) => f.factor)).toEqual([
      'base-rate',
      'probation',
    ]);
  });

  it('tags no file of a chart it sends to billing: a QA role may not read it', async () => {
    const desk = samplingDesk();
    const { chartKey, message } = await desk.validated('HH-Q0');
    await desk.service().handle(message);
    expect((await desk.state(chartKey))?.status).toBe('NOT_SAMPLED');
    expect(desk.mem.objectTags.size).toBe(0);
  });

  it('puts a sampled chart on its review queue once, barring its coder from reviewing it', async () => {
    const desk = samplingDesk({
      ...SAMPLE_NOTHING,
      coderRates: { 'coder-a': 1 },
      senior: { probation: false },
    });
    const { chartKey, message } = await desk.validated('HH-Q3');
    await desk.service().handle(message);
    const state = await desk.state(chartKey);
    expect(state).toMatchObject({
      status: 'SAMPLED',
      reviewRequestedAt: NOW,
      sampling: { queue: 'qa-review' },
    });
    expect(desk.mem.take('qa-review')).toEqual([
      {
        kind: 'review-request',
        purpose: 'review',
        notBy: ['coder-a'],
        agencyId: AGENCY,
        chartKey,
        version: 1,
        coderId: 'coder-a',
        artifactKey: state?.artifactKey,
        reason: state?.sampling?.reason,
        requestedAt: NOW,
      },
    ]);
    expect(state?.sampling?.reason).toMatch(
      /^coder-rate \(the rate set for coder-a\): draw 0\.\d{4} < rate 1$/,
    );
    // Its file is tagged for review: the QA roles read only files so tagged.
    expect(desk.mem.objectTags.get(`test-artifacts/${state?.artifactKey}`)).toEqual({
      'codetrail-qa': 'review',
    });
    expect(desk.mem.events().map((e) => [e.type, e.detail])).toEqual([
      ['chart.sampled', { ...state?.sampling }],
    ]);
    expect(desk.mem.take('billing')).toEqual([]);
    await desk.service().handle(message);
    expect(desk.mem.take('qa-review')).toEqual([]);
  });

  it('records the coded chart in the coder ledger at its coding time, else when sampling saw it', async () => {
    const desk = samplingDesk();
    await desk.validated('HH-Q4');
    const untimed = await desk.validated('HH-Q5', { codingCompletedAt: undefined });
    await desk.service().handle((await desk.validated('HH-Q4')).message);
    await desk.service().handle(untimed.message);
    const coded = await desk.mem.ports.coders.firstCoded(AGENCY, 'coder-a', 10);
    expect(coded.map((c) => c.codedAt).sort()).toEqual([CODED_AT, NOW]);
  });
});

describe('QA sampling: a coder leaving probation', () => {
  // Probation ends with the coder's first chart once code accuracy clears the target.
  const quickProbation = { ...SAMPLE_NOTHING, probation: { rate: 0, charts: 0, days: 0 } };
  const reason = 'leaves probation: window passed, code accuracy lower bound 98.1% >= 95.0%';

  async function accurateCoder(desk: ReturnType<typeof samplingDesk>) {
    await desk.mem.ports.coders.record(
      reviewRecord({
        agencyId: AGENCY,
        coderId: 'coder-a',
        score: { chartAccurate: true, codesReviewed: 200, codesConfirmed: 200 },
      }),
    );
  }

  it('records the exit once and audits it with why', async () => {
    const desk = samplingDesk(quickProbation);
    await accurateCoder(desk);
    const { message } = await desk.validated('HH-P1');
    await desk.service().handle(message);
    expect(await desk.mem.ports.coders.probationEndedAt(AGENCY, 'coder-a')).toBe(CODED_AT);
    expect(desk.mem.events().filter((e) => e.type === 'coder.probation-ended')).toEqual([
      {
        type: 'coder.probation-ended',
        agencyId: AGENCY,
        subject: `coder:${AGENCY}:coder-a`,
        actor: 'stage:qa-sampling',
        idempotencyKey: 'probation-ended',
        at: NOW,
        detail: { reason, codeAccuracy: expect.objectContaining({ successes: 200, n: 200 }) },
      },
    ]);
  });

  it('audits the exit on a redelivery after a crash between recording it and the audit', async () => {
    const desk = samplingDesk(quickProbation);
    await accurateCoder(desk);
    const { message } = await desk.validated('HH-P2');
    const audit = desk.mem.ports.audit;
    const crashing: AuditLog = {
      ...audit,
      record: async (event) =>
        event.type === 'coder.probation-ended' ? Promise.reject(new Error('throttled')) : audit.record(event),
    };
    await expect(desk.service({ audit: crashing }).handle(message)).rejects.toThrow('throttled');
    await desk.service().handle(message);
    expect(
      desk.mem
        .events()
        .filter((e) => e.type === 'coder.probation-ended')
        .map((e) => e.detail),
    ).toEqual([{ reason, codeAccuracy: expect.objectContaining({ n: 200 }) }]);
  });

  it('audits no exit for a later chart of a coder who already left', async () => {
    const desk = samplingDesk(quickProbation);
    await accurateCoder(desk);
    await desk.mem.ports.coders.endProbation(AGENCY, 'coder-a', '2026-10-30T10:00:00.000Z');
    const { message } = await desk.validated('HH-P3');
    await desk.service().handle(message);
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.not-sampled']);
  });

  it('keeps a coder in probation, unaudited, while the window is open', async () => {
    const desk = samplingDesk();
    await accurateCoder(desk);
    const { message } = await desk.validated('HH-P4');
    await desk.service().handle(message);
    expect(await desk.mem.ports.coders.probationEndedAt(AGENCY, 'coder-a')).toBeUndefined();
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.not-sampled']);
  });
});

describe('QA sampling: deliveries that come again', () => {
  it('finishes the audit and the review request a crash after the decision left undone', async () => {
    const desk = samplingDesk({ ...SAMPLE_NOTHING, coderRates: { 'coder-a': 1 } });
    const { chartKey, message } = await desk.validated('HH-R1');
    const audit = desk.mem.ports.audit;
    const down: AuditLog = { ...audit, record: async () => Promise.reject(new Error('throttled')) };
    await expect(desk.service({ audit: down }).handle(message)).rejects.toThrow('throttled');
    expect((await desk.state(chartKey))?.status).toBe('SAMPLED');
    await desk.service().handle(message);
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.sampled']);
    expect(desk.mem.take('qa-review-senior')).toHaveLength(1);
  });

  it('sends nothing for a chart that has moved on past sampling', async () => {
    const desk = samplingDesk();
    const { message } = await desk.validated('HH-R2');
    await desk.service().handle(message);
    desk.mem.take('billing');
    const before = desk.mem.events().length;
    await desk.mem.ports.charts.transition(message.chartKey, 1, ['NOT_SAMPLED'], 'READY_FOR_BILLING');
    await desk.service().handle(message);
    expect(desk.mem.take('billing')).toEqual([]);
    expect(desk.mem.events()).toHaveLength(before);
  });

  it('lets the delivery that lost the race run the idempotent follow-ups too when two run at once', async () => {
    const desk = samplingDesk();
    const { message } = await desk.validated('HH-R3');
    const first = desk.service();
    const charts = desk.mem.ports.charts;
    const racing: ChartStore = {
      ...charts,
      async transition(...args) {
        await first.handle(message);
        return charts.transition(...args);
      },
    };
    await expect(desk.service({ charts: racing }).handle(message)).resolves.toBeUndefined();
    // One audit event (keyed); the chart twice to billing, which batches a chart once.
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.not-sampled']);
    expect(desk.mem.take('billing')).toEqual([message, message]);
  });

  it('finishes the chart itself when it lost the race to a delivery that died after its write', async () => {
    const desk = samplingDesk({ ...SAMPLE_NOTHING, coderRates: { 'coder-a': 1 } });
    const { chartKey, message } = await desk.validated('HH-R4');
    const racing = losingToADyingWinner(desk.mem.ports.charts, (dying) =>
      desk.service({ charts: dying }).handle(message),
    );
    await desk.service({ charts: racing }).handle(message);
    expect((await desk.state(chartKey))?.status).toBe('SAMPLED');
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.sampled']);
    expect(desk.mem.take('qa-review-senior')).toHaveLength(1);
  });

  it('fails a message naming a chart version the table does not hold', async () => {
    const desk = samplingDesk();
    const message = { kind: 'chart' as const, agencyId: AGENCY, chartKey: 'nope', version: 1 };
    await expect(desk.service().handle(message)).rejects.toThrow(UnknownChartError);
  });
});
