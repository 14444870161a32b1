// `npm run bench -- validation`: BENCH_CHARTS (100,000) generated charts through the rule engine on one
// core as the validation stage runs it: the schema, the code tables in force for the period, every
// rule, the decision, the PDGM grouping (home health) and the queries (QUERY_OPEN).
// The baseline is the schema check alone on the same charts. Target: at least 20,000 charts per second.
import fc from 'fast-check';
import { parseConfig } from '#shared/model/config.ts';
import { checkChart } from '#shared/rules/check-chart.ts';
import { validateChartInput } from '#shared/rules/index.ts';
import { openQueries, queryPolicy } from '#shared/rules/queries.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { chartInput } from '../test/support/chart-arbitrary.ts';
import { report } from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 100_000);
/** Charts generated and measured at a time: the stage holds one chart, not a hundred thousand. */
const SLICE = 10_000;
const TARGET = 20_000;
const policy = queryPolicy(parseConfig({}), 'demo-agency');

/** What the validation stage does with one chart: schema, tables in force, rules, decision, HIPPS, queries. */
function validate(input: unknown): 'VALIDATED' | 'REJECTED' | 'QUERY_OPEN' {
  const { findings, decision } = checkChart(input, tablesInForce);
  if (decision === 'QUERY_OPEN') openQueries(findings, '2026-11-23T12:00:00Z', policy);
  return decision;
}

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

/** Charts as the stage reads them (parsed JSON from the artifact), with a fixed seed per slice. */
function slice(seed: number, n: number): unknown[] {
  return fc.sample(chartInput, { numRuns: n, seed }).map((c) => JSON.parse(JSON.stringify(c)));
}

// One warm-up pass of each, so both are measured with optimised code (and the tables loaded).
for (const c of slice(1, 2000)) {
  validateChartInput(c);
  validate(c);
}

const decisions = { VALIDATED: 0, REJECTED: 0, QUERY_OPEN: 0 };
let schemaSeconds = 0;
let engineSeconds = 0;
for (let done = 0, seed = 42; done < CHARTS; done += SLICE, seed++) {
  const charts = slice(seed, Math.min(SLICE, CHARTS - done));
  schemaSeconds += timed(() => {
    for (const c of charts) validateChartInput(c);
  });
  engineSeconds += timed(() => {
    for (const c of charts) decisions[validate(c)]++;
  });
}
const engineRate = CHARTS / engineSeconds;
const schemaRate = CHARTS / schemaSeconds;
report(
  'validation',
  `${engineRate.toFixed(0)} charts/s through the schema, every rule, grouping and queries (${CHARTS} charts in ${engineSeconds.toFixed(2)} s; ${decisions.VALIDATED} validated, ${decisions.REJECTED} rejected, ${decisions.QUERY_OPEN} queries)`,
  `schema alone ${schemaRate.toFixed(0)} charts/s`,
  engineRate / schemaRate,
);
process.stdout.write(
  engineRate >= TARGET
    ? `validation target met: ${engineRate.toFixed(0)} >= ${TARGET} charts/s\n`
    : `validation target MISSED: ${engineRate.toFixed(0)} < ${TARGET} charts/s\n`,
);
if (engineRate < TARGET) process.exitCode = 1;
