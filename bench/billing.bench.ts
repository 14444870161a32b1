// `npm run bench -- billing`: BENCH_CHARTS (2,000) charts cleared for billing, handed to the
// billing-handoff service the way Lambda delivers them (100 messages a delivery), over the emulators
// in another process: charts batched per second, and S3, SQS and DynamoDB requests per chart. The
// baseline is the floor of that work in the same run: one conditional DynamoDB update per chart.
import { createBillingHandoffService } from '#functions/billing-handoff/service.ts';
import { systemClock } from '#shared/aws/ports.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { homeHealthChart, hospiceChart } from '../test/support/charts.ts';
import {
  conditionalUpdatesPerSecond,
  countRequests,
  emulatedStack,
  printRequestsPer,
  report,
} from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 2000);
const DELIVERY = 100;

const { emulators, clients, resources, ports } = await emulatedStack('billbench');
try {
  const config = parseConfig({ agencies: [{ id: 'test-agency', state: 'IL' }] });

  // Charts cleared for billing (NOT_SAMPLED), each with its artifact, as the stages before leave them.
  const messages: { messageId: string; body: unknown }[] = [];
  const chartKeys: string[] = [];
  for (let i = 0; i < CHARTS; i++) {
    const chart =
      i % 4 === 3 ? hospiceChart({ chartId: `BB-${i}` }) : homeHealthChart({ chartId: `BB-${i}` });
    const text = JSON.stringify(chart);
    const chartKey = sha256Hex(`bench|${i}`).slice(0, 32);
    chartKeys.push(chartKey);
    const artifactKey = `charts/test-agency/${chartKey}/v1.json`;
    await ports.artifacts.putText('artifacts', artifactKey, text);
    const state: ChartState = {
      chartKey,
      version: 1,
      agencyId: 'test-agency',
      status: 'NOT_SAMPLED',
      lineOfBusiness: chart.lineOfBusiness,
      payerType: chart.payer.type,
      coderId: chart.coderId,
      contentHash: sha256Hex(text),
      artifactKey,
      sourceObject: 'bench',
      receivedAt: '2026-11-02T10:00:00Z',
      updatedAt: '2026-11-02T10:00:00Z',
      codingCompletedAt: chart.codingCompletedAt,
    };
    await ports.charts.create(state);
    messages.push({
      messageId: `m${i}`,
      body: { kind: 'chart', agencyId: 'test-agency', chartKey, version: 1 },
    });
  }

  const service = createBillingHandoffService({ ports, config, clock: systemClock });
  const requests = countRequests();
  const started = performance.now();
  for (let i = 0; i < messages.length; i += DELIVERY) {
    const { failed, deferred } = await service.handle(messages.slice(i, i + DELIVERY));
    if (failed.length + deferred.length > 0)
      throw new Error(`${failed.length + deferred.length} messages to retry`);
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = requests();
  let batched = 0;
  for await (const c of ports.charts.list()) if (c.status === 'BATCHED') batched++;
  if (batched !== CHARTS) throw new Error(`only ${batched} of ${CHARTS} charts were batched`);

  // The floor: one conditional update per chart, sequentially, as the stage moves its members.
  const floorPerSecond = await conditionalUpdatesPerSecond(clients, resources.table, chartKeys);
  const perSecond = CHARTS / seconds;
  report(
    'billing',
    `${perSecond.toFixed(0)} charts batched/s (${CHARTS} charts in ${seconds.toFixed(2)} s, deliveries of ${DELIVERY})`,
    `one conditional update per chart ${floorPerSecond.toFixed(0)}/s`,
    perSecond / floorPerSecond,
  );
  printRequestsPer('chart', counts, CHARTS);
} finally {
  emulators.stop();
}
