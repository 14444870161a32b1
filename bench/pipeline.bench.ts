// `npm run bench -- pipeline`: charts per second through the whole local pipeline (intake to billing
// batches), against the bound the embedded DynamoDB sets in the same run: its conditional writes per
// second divided by the DynamoDB writes one chart needs. Also AWS requests per chart, by service and
// operation, counted by the SDK middleware in shared/aws/clients.ts. The emulators run in another process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalPipeline } from '#cli/local/pipeline.ts';
import { requestCounts } from '#shared/aws/clients.ts';
import { parseConfig } from '#shared/model/config.ts';
import { homeHealthChart, hospiceChart } from '../test/support/charts.ts';
import { report, startExternalEmulators } from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 2000);
const PER_FILE = 500;
const WRITE_PROBES = 3000;
const WRITE_CONCURRENCY = 10;

const emulators = await startExternalEmulators();
const dir = mkdtempSync(join(tmpdir(), 'codetrail-bench-'));
const keyFile = join(dir, 'local.key');
writeFileSync(keyFile, '3c'.repeat(32));
const pipeline = await startLocalPipeline({
  config: parseConfig({
    agencies: [{ id: 'test-agency' }],
    sampling: { baseRate: 0.1, probation: { exempt: ['coder-a', 'coder-b'] } },
    local: { timeCompression: 1000 },
  }),
  keyFile,
  endpoints: emulators.endpoints,
  prefix: 'bench',
});

try {
  for (let f = 0; f * PER_FILE < CHARTS; f++) {
    const lines: string[] = [];
    for (let i = f * PER_FILE; i < Math.min(CHARTS, (f + 1) * PER_FILE); i++) {
      const chart =
        i % 4 === 3 ? hospiceChart({ chartId: `B-${i}` }) : homeHealthChart({ chartId: `B-${i}` });
      lines.push(JSON.stringify(chart));
    }
    await pipeline.ports.artifacts.putText(
      'intake',
      `exports/test-agency/bench-${f}.ndjson`,
      lines.join('\n'),
    );
  }
  for (const k of Object.keys(requestCounts)) delete requestCounts[k];
  const started = performance.now();
  await pipeline.runUntilQuiet();
  const seconds = (performance.now() - started) / 1000;
  const counts = { ...requestCounts };

  let done = 0;
  for await (const c of pipeline.ports.charts.list())
    if (c.status === 'BATCHED' || c.status === 'SAMPLED') done++;
  if (done !== CHARTS) throw new Error(`only ${done} of ${CHARTS} charts reached a batch or QA`);

  // The emulator's own ceiling: conditional puts, as many in flight as a stage's batch.
  const probeStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITE_CONCURRENCY }, async () => {
      while (next < WRITE_PROBES) {
        const i = next++;
        await pipeline.clients.dynamo.send(
          new PutCommand({
            TableName: pipeline.resources.table,
            Item: { pk: `BENCH#${i}`, sk: 'PROBE', n: i },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      }
    }),
  );
  const writesPerSecond = WRITE_PROBES / ((performance.now() - probeStart) / 1000);

  const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
    (n, op) => n + (counts[`dynamodb:${op}`] ?? 0),
    0,
  );
  const writesPerChart = writes / CHARTS;
  const bound = writesPerSecond / writesPerChart;
  const chartsPerSecond = CHARTS / seconds;
  report(
    'pipeline',
    `${chartsPerSecond.toFixed(1)} charts/s (${CHARTS} charts in ${seconds.toFixed(1)} s)`,
    `emulator bound ${bound.toFixed(1)} charts/s = ${writesPerSecond.toFixed(0)} conditional writes/s / ${writesPerChart.toFixed(2)} writes per chart`,
    chartsPerSecond / bound,
  );
  process.stdout.write('AWS requests per chart:\n');
  for (const [k, v] of Object.entries(counts).sort()) {
    process.stdout.write(`  ${k.padEnd(34)} ${(v / CHARTS).toFixed(2)}\n`);
  }
} finally {
  await pipeline.stop();
  emulators.stop();
}
