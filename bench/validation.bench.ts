// `npm run bench -- validation`: BENCH_CHARTS (100,000) generated charts through the rule engine on one
// core: validateChartInput (the schema), then runRules and decide, as the validation stage runs them.
// The baseline is the schema check alone on the same charts. Target: at least 20,000 charts per second.
import fc from 'fast-check';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { decide, runRules, validateChartInput } from '#shared/rules/index.ts';
import { chartInput } from '../test/support/chart-arbitrary.ts';
import { report } from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 100_000);
const TARGET = 20_000;

// Charts as the stage reads them: parsed JSON from the artifact, generated with a fixed seed.
const raw = fc.sample(chartInput, { numRuns: CHARTS, seed: 42 }).map((c) => JSON.parse(JSON.stringify(c)));
const tables = { icd10cm: loadIcd10cm() };

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

// One warm-up pass of each, so both are measured with optimised code.
const warm = raw.slice(0, 2000);
for (const c of warm) validateChartInput(c);
for (const c of warm) {
  const checked = validateChartInput(c);
  if (checked.chart) decide(runRules(checked.chart, tables));
}

const decisions = { VALIDATED: 0, REJECTED: 0, QUERY_OPEN: 0 };
const schemaSeconds = timed(() => {
  for (const c of raw) validateChartInput(c);
});
const engineSeconds = timed(() => {
  for (const c of raw) {
    const checked = validateChartInput(c);
    const findings = checked.chart
      ? [...checked.findings, ...runRules(checked.chart, tables)]
      : checked.findings;
    decisions[decide(findings)]++;
  }
});
const engineRate = CHARTS / engineSeconds;
const schemaRate = CHARTS / schemaSeconds;
report(
  'validation',
  `${engineRate.toFixed(0)} charts/s through the schema and every rule (${CHARTS} charts in ${engineSeconds.toFixed(2)} s; ${decisions.VALIDATED} validated, ${decisions.REJECTED} rejected, ${decisions.QUERY_OPEN} queries)`,
  `schema alone ${schemaRate.toFixed(0)} charts/s`,
  engineRate / schemaRate,
);
process.stdout.write(
  engineRate >= TARGET
    ? `validation target met: ${engineRate.toFixed(0)} >= ${TARGET} charts/s\n`
    : `validation target MISSED: ${engineRate.toFixed(0)} < ${TARGET} charts/s\n`,
);
if (engineRate < TARGET) process.exitCode = 1;
