import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REFUSED_MESSAGES_SUBJECT } from '#shared/audit-trail/chainer.ts';
import { loadOrCreateKey } from '#shared/aws/local-key-service.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { type Config, parseConfig, TRIAL_WARNING } from '#shared/model/config.ts';
import { bulkDropObjects, isBulkDropFolder } from '../lib/bulk-drop.ts';
import { filesBelow } from '../lib/files.ts';
import { droppedObjectKey } from '../lib/object-key.ts';
import { revealChartIds } from '../lib/reveal.ts';
import { submitVerdicts } from '../lib/review-queue.ts';
import { collectSummary, type RunSummary, renderSummary, withChartIds } from '../lib/summary.ts';
import { localActor, STATE_DIR, type Target } from '../lib/target.ts';
import { parseVerdictFile, type VerdictFileEntry } from '../lib/verdict-file.ts';
import type { CheckedCall } from '../local/iam-enforcement.ts';
import { type LocalPipeline, type ProgressEvent, startLocalPipeline } from '../local/pipeline.ts';
import { runStackAuditVerify } from './audit-verify.ts';
import { denialReport, formatDenialReport } from './denials.ts';
import { qaReport, renderQaReport } from './qa-report.ts';

export interface StartOptions {
  input: string;
  out: string;
  config?: string;
  /** Default: <input>/local-dev.key when the input ships one (examples/ does), else .codetrail/local.key. */
  keyFile?: string;
  verbose?: boolean;
  quiet?: boolean;
  /** Keep every call the local IAM checked (the IAM sweep, `npm run iam`); refusals are kept anyway. */
  recordIamCalls?: boolean;
  /** Each chart's own id (PHI) beside its chartKey in the summary and summary.json, read from the chart files. */
  reveal?: boolean;
}

export function loadConfigFile(input: string, explicit?: string): Config {
  const candidates = explicit ? [explicit] : [join(input, 'codetrail.config.json'), 'codetrail.config.json'];
  for (const path of candidates) {
    if (existsSync(path)) return parseConfig(JSON.parse(readFileSync(path, 'utf8')));
  }
  return parseConfig({});
}

/**
 * The local stand-in for the KMS key behind chartKeys. examples/ ships a development key so that
 * `npm start` samples the same charts on every machine; any other input gets a key of its own.
 */
export function defaultKeyFile(input: string): string {
  const shipped = join(input, 'local-dev.key');
  return existsSync(shipped) ? shipped : join(STATE_DIR, 'local.key');
}

function progressPrinter(quiet: boolean | undefined) {
  const totals = new Map<string, number>();
  return {
    onProgress(e: ProgressEvent) {
      totals.set(e.stage, (totals.get(e.stage) ?? 0) + e.received);
      if (quiet) return;
      const failed = e.failed ? ` (${e.failed} to retry${e.crashed ? ', handler threw' : ''})` : '';
      process.stdout.write(`  ${e.stage.padEnd(17)} ${String(e.received).padStart(4)} message(s)${failed}\n`);
    },
    totals,
  };
}

async function uploadAll(
  pipeline: LocalPipeline,
  dir: string,
  bucket: 'intake' | 'denials',
  prefix: string,
): Promise<number> {
  const files = filesBelow(dir);
  const drops = new Set<string>();
  let count = 0;
  for (const [i, rel] of files.entries()) {
    const stem = String(i + 1).padStart(5, '0');
    const parent = rel.split('/').slice(0, -1).join('/');
    // A FHIR Bulk Data drop goes up as a folder, its manifest (or .done marker) last.
    if (bucket === 'intake' && parent.includes('/') && isBulkDropFolder(join(dir, parent))) {
      if (drops.has(parent)) continue;
      drops.add(parent);
      const agencyFolder = [prefix, ...parent.split('/').slice(0, -1)].join('/');
      for (const object of bulkDropObjects(join(dir, parent), stem)) {
        await pipeline.ports.artifacts.putBytes(
          bucket,
          `${agencyFolder}/${object.key}`,
          readFileSync(object.path),
          'application/octet-stream',
        );
      }
      count++;
      continue;
    }
    // The file's bytes, never re-encoded: a Latin-1 export stays what the EMR wrote, and its receipt
    // hash is the file's own.
    const body = readFileSync(join(dir, rel));
    // `<agency>/<name>` becomes `<agency>/<sequence>-<hash>`: the sequence keeps the folder's name
    // order, which the notifier announces in (re-exports come after the exports they replace).
    const folder = [prefix, ...rel.split('/').slice(0, -1)].join('/');
    const key = droppedObjectKey(folder, stem, rel, body);
    await pipeline.ports.artifacts.putBytes(bucket, key, body, 'application/octet-stream');
    count++;
  }
  return count;
}

/**
 * What a run should not pass over in silence about the code tables: charts judged by a table not in
 * force for their period, and tables that are only samples.
 */
export function tableWarnings(summary: RunSummary, manifest = loadCodeTables().manifest): string[] {
  const warnings: string[] = [];
  const outOfForce = summary.charts.filter((c) => c.findings.some((f) => f.ruleId === 'CODE-TABLES')).length;
  if (outOfForce > 0)
    warnings.push(
      `${outOfForce} chart version(s) were checked against code tables not in force for their period (CODE-TABLES findings); import the tables for those years with \`codetrail tables import\``,
    );
  const tables = [
    ['ICD-10-CM', manifest.icd10cm],
    ['PDGM', manifest.pdgm],
    ['Hospice unacceptable-principal list', manifest.hospicePrincipal],
    ['Code-first list', manifest.codeFirst],
    ['CARC root-cause table', manifest.carc],
    ['RARC family table', manifest.rarc],
  ] as const;
  for (const [name, versions] of tables)
    for (const v of versions.filter((t) => t.sample))
      warnings.push(
        `${name} ${v.version} is a sample, not a complete table: findings against it are not conclusive`,
      );
  return warnings;
}

/**
 * Runs a folder laid out as exports/, qa-verdicts/, remittances/ through a local pipeline, each phase
 * until every queue is quiet: what `codetrail start` does before it seals, verifies and sums up (and what
 * a test that keeps the stack up afterwards runs).
 */
export async function runInput(
  pipeline: LocalPipeline,
  input: string,
  options: { say?: (line: string) => void; onProgress?: Parameters<LocalPipeline['runUntilQuiet']>[0] } = {},
): Promise<{ applied: Awaited<ReturnType<typeof submitVerdicts>>; invalid: unknown[] }> {
  const say = options.say ?? (() => {});
  const { onProgress } = options;
  const exports = await uploadAll(pipeline, join(input, 'exports'), 'intake', 'exports');
  say(`\n[1/3] exports: ${exports} file(s) dropped in the intake bucket`);
  await pipeline.runUntilQuiet(onProgress);

  say('\n[2/3] qa-verdicts');
  const verdictEntries: VerdictFileEntry[] = [];
  const invalid: unknown[] = [];
  for (const rel of filesBelow(join(input, 'qa-verdicts'))) {
    const parsed = parseVerdictFile(readFileSync(join(input, 'qa-verdicts', rel), 'utf8'));
    verdictEntries.push(...parsed.entries.map((e) => e.entry));
    invalid.push(...parsed.issues.map((i) => ({ file: `qa-verdicts/${rel}`, ...i })));
  }
  const applied = await submitVerdicts(
    {
      sqs: pipeline.clients.sqs,
      ports: pipeline.ports,
      queueUrls: pipeline.resources.queueUrls,
      actor: localActor(),
    },
    verdictEntries,
  );
  say(
    `  ${applied.length} verdict(s) submitted, ${applied.filter((a) => a.awaitingReview).length} for charts awaiting review, ${invalid.length} invalid`,
  );
  await pipeline.runUntilQuiet(onProgress);

  const remittances = await uploadAll(pipeline, join(input, 'remittances'), 'denials', 'remittances');
  say(`\n[3/3] remittances: ${remittances} file(s) dropped in the denials bucket`);
  await pipeline.runUntilQuiet(onProgress);

  return { applied, invalid };
}

/**
 * `codetrail start`: the whole pipeline over a folder laid out as exports/, qa-verdicts/, remittances/,
 * each phase running until every queue is quiet; then the summary table and OUT/summary.json.
 */
export async function runStart(
  options: StartOptions,
): Promise<{ summary: RunSummary; exitCode: number; iamCalls: CheckedCall[] }> {
  const input = resolve(options.input);
  const config = loadConfigFile(input, options.config);
  if (config.trial) process.stderr.write(`warning: ${TRIAL_WARNING}\n`);
  const say = (line: string) => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  const progress = progressPrinter(options.quiet);
  const keyFile = options.keyFile ?? defaultKeyFile(input);
  await loadOrCreateKey(keyFile);
  const pipeline = await startLocalPipeline({
    config,
    keyFile,
    verbose: options.verbose ?? false,
    recordIamCalls: options.recordIamCalls ?? false,
  });
  try {
    say(
      `codetrail: embedded AWS on ${pipeline.endpoints.dynamodb} (DynamoDB) and ${pipeline.endpoints.sqs} (SQS, S3)`,
    );

    // The hourly job's first run, as after a deployment: it records the configuration and code tables
    // in force, the first events of each agency's trail.
    await pipeline.runJob('reconciler');
    const { applied, invalid } = await runInput(pipeline, input, { say, onProgress: progress.onProgress });

    // `--reveal`: the agency's own chart ids, read from the chart files before the trail is sealed, so
    // each reading (a `chart.opened` event) is chained and sealed with the rest of the run.
    const chartIds = options.reveal ? await revealAll(pipeline, config) : undefined;
    // Every audit event of the run sealed into the audit bucket and checked as an auditor would.
    const trail = await sealAndVerify(pipeline, config);
    say(`\nAudit trail (codetrail audit verify)\n${trail.text}`);

    const collected = await collectSummary(pipeline.ports, {
      verdicts: {
        submitted: applied.length,
        awaitingReview: applied.filter((a) => a.awaitingReview).length,
        invalid,
      },
      deadLetters: await pipeline.deadLetters(),
    });
    const summary = chartIds ? withChartIds(collected, chartIds) : collected;
    const qa = await qaReport(pipeline.ports, config, { by: ['coder'] });
    summary.qaAccuracy = qa.by.coder ?? [];
    mkdirSync(options.out, { recursive: true });
    writeFileSync(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    // Printed, not kept in summary.json: rework ages and deadlines move with the clock, and the summary
    // of two runs over the same input is identical.
    const denials = formatDenialReport(
      (await denialReport(pipeline.ports, config, {})).filter((r) => r.claims > 0),
    );
    say(
      `\n${renderSummary(summary)}\n\nQA accuracy (codetrail qa report)\n${renderQaReport(qa)}\n\nDenials (codetrail denials)\n${denials || '(no remittance applied)'}\n\nWrote ${join(options.out, 'summary.json')}`,
    );
    for (const warning of tableWarnings(summary)) process.stderr.write(`warning: ${warning}\n`);
    // A call the deployed role would be refused: in AWS the chart would retry and dead-letter.
    const refused = pipeline.iam.denialLines();
    for (const line of refused) process.stderr.write(`AccessDenied (as deployed): ${line}\n`);
    return {
      summary,
      exitCode: summary.deadLetters.length > 0 || refused.length > 0 || !trail.ok ? 1 : 0,
      iamCalls: pipeline.iam.calls,
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * The local pipeline as the commands' Target: the person running them is the machine's user, as the local
 * runtime's SenderId names them.
 */
export function pipelineTarget(pipeline: LocalPipeline, config: Config): Target {
  return {
    clients: pipeline.clients,
    resources: pipeline.resources,
    ports: pipeline.ports,
    actor: localActor(),
    agencies: config.agencies.map((a) => a.id),
    description: 'the local stack',
  };
}

/** Every chart's own id, read from its file as the person running `start` (chained before sealing). */
async function revealAll(pipeline: LocalPipeline, config: Config): Promise<Map<string, string>> {
  const charts: { agencyId: string; chartKey: string; version: number }[] = [];
  for await (const c of pipeline.ports.charts.list()) charts.push(c);
  const ids = await revealChartIds(pipelineTarget(pipeline, config), charts);
  await pipeline.runUntilQuiet();
  return ids;
}

/**
 * Runs the audit sealer as EventBridge would, then `codetrail audit verify` on the stack: every agency's
 * trail read from the audit bucket as its compliance role and checked with the signing key's public half.
 */
async function sealAndVerify(
  pipeline: LocalPipeline,
  config: Config,
): Promise<{ text: string; ok: boolean }> {
  await pipeline.runJob('audit-sealer');
  const { text, ok } = await runStackAuditVerify(pipelineTarget(pipeline, config), {});
  // A message the chainer refused (an event it could not vouch for) is in the trail, and fails the run.
  const refusals: string[] = [];
  for (const { id } of config.agencies) {
    const refused = await pipeline.ports.audit.list(id, REFUSED_MESSAGES_SUBJECT);
    if (refused.length > 0)
      refusals.push(
        `${id}: ${refused.length} audit queue message(s) refused (codetrail audit events audit-queue --agency ${id})`,
      );
  }
  return {
    text: [text, ...refusals].join('\n').replace(/^/gm, '  '),
    ok: ok && refusals.length === 0,
  };
}
