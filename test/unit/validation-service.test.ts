import { describe, expect, it } from 'vitest';
import { createValidationService } from '#functions/validation/service.ts';
import type { ChartStore } from '#shared/aws/ports.ts';
import { chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import { openQueries, queryPolicy } from '#shared/rules/queries.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { UnknownChartError } from '#shared/runtime/forward.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { losingToADyingWinner } from '../support/lost-race.ts';
import { fixedClock, memoryPorts } from '../support/memory-ports.ts';

const NOW = '2026-11-23T12:00:00.000Z';
const AGENCY = 'test-agency';

/** Validation over in-memory ports, with charts received by intake (their file and their RECEIVED state). */
function validationDesk() {
  const mem = memoryPorts({ clock: fixedClock(NOW) });
  const config = parseConfig({});
  const service = (charts: ChartStore = mem.ports.charts) =>
    createValidationService({
      ports: { ...mem.portsFor('validation'), charts },
      config,
      clock: fixedClock(NOW),
      tables: tablesInForce,
    });
  async function received(chart: ChartInput, state: Partial<ChartState> = {}) {
    const chartKey = sha256Hex(`chart|${chart.chartId}`).slice(0, 32);
    const artifactKey = `charts/${AGENCY}/${chartKey}/v1.json`;
    await mem.ports.artifacts.putJson('artifacts', artifactKey, chart);
    await mem.ports.charts.create({
      chartKey,
      version: 1,
      agencyId: AGENCY,
      status: 'RECEIVED',
      lineOfBusiness: chart.lineOfBusiness,
      payerType: chart.payer.type,
      coderId: chart.coderId,
      contentHash: 'x',
      artifactKey,
      sourceObject: 'ob-test',
      receivedAt: '2026-11-02T10:00:00.000Z',
      updatedAt: '2026-11-02T10:00:00.000Z',
      ...state,
    });
    return { chartKey, message: { kind: 'chart' as const, agencyId: AGENCY, chartKey, version: 1 } };
  }
  return { mem, config, service, received };
}

describe('validation: the decision on a received chart', () => {
  const cases: [string, ChartInput, ChartState['status'], string][] = [
    [
      'a clean home health chart goes on to QA sampling',
      homeHealthChart({ chartId: 'HH-V1' }),
      'VALIDATED',
      'chart.validated',
    ],
    [
      'a chart with a code that is not billable goes back to the coder',
      homeHealthChart({ chartId: 'HH-V2', diagnoses: [{ sequence: 1, code: 'I50.2', system: 'ICD-10-CM' }] }),
      'REJECTED',
      'chart.rejected',
    ],
    [
      'a hospice chart without its certification opens a clinician query',
      hospiceChart({
        chartId: 'HS-V3',
        hospice: { benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' } },
        documents: [],
      }),
      'QUERY_OPEN',
      'chart.query-opened',
    ],
  ];

  it.each(cases)('%s', async (_what, chart, status, auditType) => {
    const desk = validationDesk();
    const { chartKey, message } = await desk.received(chart);
    await desk.service().handle(message);
    const expected = checkChart(chart, tablesInForce);
    expect(expected.decision).toBe(status);
    const state = await desk.mem.ports.charts.get(chartKey, 1);
    expect(state).toMatchObject({ status, findings: expected.findings });
    expect(desk.mem.events()).toEqual([
      {
        type: auditType,
        agencyId: AGENCY,
        subject: chartSubject(chartKey, 1),
        actor: 'stage:validation',
        idempotencyKey: 'validation',
        at: NOW,
        detail: {
          status,
          findings: expected.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity })),
          // What the findings were judged against; a home health chart's grouping.
          tables: expected.tableVersions,
          ...(expected.grouping
            ? {
                grouping: {
                  hipps: expected.grouping.hipps,
                  clinicalGroup: expected.grouping.clinicalGroup,
                  pdgmVersion: expected.grouping.pdgmVersion,
                  sample: expected.grouping.sample,
                },
              }
            : {}),
        },
      },
    ]);
    // The tables this chart's rules consult: PDGM for home health alone, the hospice principal list for
    // hospice alone; each by version, whether in force and whether a sample.
    const consulted = expected.tableVersions?.map((t) => t.table);
    expect(consulted).toContain('icd10cm');
    expect(consulted).toContain('codeFirst');
    expect(consulted).not.toContain(chart.lineOfBusiness === 'hospice' ? 'pdgm' : 'hospicePrincipal');
    expect(desk.mem.take('sample')).toEqual(status === 'VALIDATED' ? [message] : []);
    // A query waits for the clinician, due by the agency's aging policy; no other decision opens one.
    if (status === 'QUERY_OPEN')
      expect(state?.queries).toEqual(openQueries(expected.findings, NOW, queryPolicy(desk.config, AGENCY)));
    else expect(state).not.toHaveProperty('queries');
  });

  it('keeps the PDGM grouping and the principal category of a home health chart', async () => {
    const desk = validationDesk();
    const chart = homeHealthChart({ chartId: 'HH-V4' });
    const { chartKey, message } = await desk.received(chart);
    await desk.service().handle(message);
    const expected = checkChart(chart, tablesInForce);
    expect(expected.grouping?.hipps).toMatch(/^[1-4][A-L][A-C]\d\d$/);
    expect(await desk.mem.ports.charts.get(chartKey, 1)).toMatchObject({
      grouping: expected.grouping,
      principalCategory: 'I69',
    });
  });
});

describe('validation: deliveries that come again', () => {
  it('adds nothing for a chart that has moved on past validation', async () => {
    const desk = validationDesk();
    const { message } = await desk.received(homeHealthChart({ chartId: 'HH-V6' }), { status: 'SAMPLED' });
    await desk.service().handle(message);
    expect(desk.mem.events()).toEqual([]);
    expect(desk.mem.take('sample')).toEqual([]);
  });

  it('finishes the audit and the message a crash after the decision left undone', async () => {
    const desk = validationDesk();
    // Decided by a delivery that died before its follow-ups (an older record holds no findings).
    const { chartKey, message } = await desk.received(homeHealthChart({ chartId: 'HH-V7' }), {
      status: 'VALIDATED',
    });
    await desk.service().handle(message);
    expect(desk.mem.events()).toEqual([
      expect.objectContaining({
        type: 'chart.validated',
        subject: chartSubject(chartKey, 1),
        detail: { status: 'VALIDATED', findings: [] },
      }),
    ]);
    expect(desk.mem.take('sample')).toEqual([message]);
  });

  it('lets the delivery that lost the race run the idempotent follow-ups too when two run at once', async () => {
    const desk = validationDesk();
    const { message } = await desk.received(homeHealthChart({ chartId: 'HH-V8' }));
    const first = desk.service();
    const charts = desk.mem.ports.charts;
    const racing: ChartStore = {
      ...charts,
      async transition(...args) {
        await first.handle(message);
        return charts.transition(...args);
      },
    };
    await expect(desk.service(racing).handle(message)).resolves.toBeUndefined();
    // One audit event (keyed); the message twice, which qa-sampling takes once.
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.validated']);
    expect(desk.mem.take('sample')).toEqual([message, message]);
  });

  it('finishes the chart itself when it lost the race to a delivery that died after its write', async () => {
    const desk = validationDesk();
    const { chartKey, message } = await desk.received(homeHealthChart({ chartId: 'HH-V9' }));
    const charts = desk.mem.ports.charts;
    // The winner decides and dies before its audit and message (its duplicate's success deletes the
    // message, so SQS never brings it back).
    const racing = losingToADyingWinner(charts, (dying) => desk.service(dying).handle(message));
    await desk.service(racing).handle(message);
    expect((await charts.get(chartKey, 1))?.status).toBe('VALIDATED');
    expect(desk.mem.events().map((e) => e.type)).toEqual(['chart.validated']);
    expect(desk.mem.take('sample')).toEqual([message]);
  });

  it('fails a message naming a chart version the table does not hold', async () => {
    const desk = validationDesk();
    const message = { kind: 'chart' as const, agencyId: AGENCY, chartKey: 'nope', version: 1 };
    await expect(desk.service().handle(message)).rejects.toThrow(UnknownChartError);
  });
});
