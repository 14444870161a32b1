// `npm run bench -- billing`: BENCH_CHARTS (2,000) charts cleared for billing, handed to the
// billing-handoff service the way Lambda delivers them (100 messages a delivery), over the emulators
// in another process: charts batched per second, and S3, SQS and DynamoDB requests per chart. The
// baseline is the floor of that work in the same run: one conditional DynamoDB update per chart.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createBillingHandoffService } from '#functions/billing-handoff/service.ts';
import { awsClients, requestCounts } from '#shared/aws/clients.ts';
import { systemClock } from '#shared/aws/ports.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import { chartPk, versionSk } from '#shared/aws/table-keys.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { applyEmulatorEnv } from '../cli/local/emulators.ts';
import { provision } from '../cli/local/provision.ts';
import { homeHealthChart, hospiceChart } from '../test/support/charts.ts';
import { report, startExternalEmulators } from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 2000);
const DELIVERY = 100;

const emulators = await startExternalEmulators();
try {
  applyEmulatorEnv(emulators.endpoints);
  const clients = awsClients();
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-bench-billing-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, '5e'.repeat(32));
  const { resources } = await provision(clients, {
    prefix: 'billbench',
    timeCompression: 1000,
    localKeyFile: keyFile,
  });
  const ports = buildPorts(clients, resources);
  const config = parseConfig({ agencies: [{ id: 'test-agency', state: 'IL' }] });

  // Charts cleared for billing (NOT_SAMPLED), each with its artifact, as the stages before leave them.
  const messages: { messageId: string; body: unknown }[] = [];
  for (let i = 0; i < CHARTS; i++) {
    const chart =
      i % 4 === 3 ? hospiceChart({ chartId: `BB-${i}` }) : homeHealthChart({ chartId: `BB-${i}` });
    const text = JSON.stringify(chart);
    const chartKey = sha256Hex(`bench|${i}`).slice(0, 32);
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
  for (const k of Object.keys(requestCounts)) delete requestCounts[k];
  const started = performance.now();
  for (let i = 0; i < messages.length; i += DELIVERY) {
    const failed = await service.handle(messages.slice(i, i + DELIVERY));
    if (failed.length > 0) throw new Error(`${failed.length} messages failed`);
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = { ...requestCounts };
  let batched = 0;
  for await (const c of ports.charts.list()) if (c.status === 'BATCHED') batched++;
  if (batched !== CHARTS) throw new Error(`only ${batched} of ${CHARTS} charts were batched`);

  // The floor: one conditional update per chart, sequentially, as the stage moves its members.
  const floorStart = performance.now();
  for (let i = 0; i < CHARTS; i++) {
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: resources.table,
        Key: { pk: chartPk(sha256Hex(`bench|${i}`).slice(0, 32)), sk: versionSk(1) },
        UpdateExpression: 'SET probe = :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': i },
      }),
    );
  }
  const floorPerSecond = CHARTS / ((performance.now() - floorStart) / 1000);
  const perSecond = CHARTS / seconds;
  report(
    'billing',
    `${perSecond.toFixed(0)} charts batched/s (${CHARTS} charts in ${seconds.toFixed(2)} s, deliveries of ${DELIVERY})`,
    `one conditional update per chart ${floorPerSecond.toFixed(0)}/s`,
    perSecond / floorPerSecond,
  );
  process.stdout.write('AWS requests per chart:\n');
  for (const [k, v] of Object.entries(counts).sort())
    process.stdout.write(`  ${k.padEnd(34)} ${(v / CHARTS).toFixed(2)}\n`);
} finally {
  emulators.stop();
}
