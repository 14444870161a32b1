import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { loadOrCreateKey } from '#shared/aws/local-key-service.ts';
import { resourcesToEnv } from '#shared/aws/resources.ts';
import type { Config } from '#shared/model/config.ts';
import { concreteQueues, JOBS } from '#shared/topology.ts';
import type { ServeState } from '../lib/target.ts';
import { persistLocalObjectTags } from '../local/object-tags.ts';
import { startLocalPipeline } from '../local/pipeline.ts';
import { restoreSnapshot, saveSnapshot } from '../local/snapshot.ts';

export interface ServeOptions {
  config: Config;
  stateDir: string;
  dynamoPort: number;
  fauxqsPort: number;
  verbose?: boolean;
}

/**
 * `codetrail start --serve`: keeps the embedded stack up on fixed loopback ports, so `drop`, `qa review`
 * and `billing pull` work against it as against a deployed stack. State lives under .codetrail/:
 * DynamoDB on disk, S3 objects and queue messages snapshotted on shutdown and restored on start.
 */
export async function runServe(options: ServeOptions): Promise<void> {
  mkdirSync(options.stateDir, { recursive: true });
  checkLayout(options.stateDir);
  const keyFile = join(options.stateDir, 'local.key');
  await loadOrCreateKey(keyFile);
  const snapshotDir = join(options.stateDir, 'snapshot');
  const pipeline = await startLocalPipeline({
    config: options.config,
    keyFile,
    dataDir: join(options.stateDir, 'dynamodb'),
    dynamoPort: options.dynamoPort,
    fauxqsPort: options.fauxqsPort,
    verbose: options.verbose ?? false,
  });
  // Every queue as it is (a human kind once per agency), and its DLQ.
  const agencies = options.config.agencies.map((a) => a.id);
  const allQueues: Record<string, string> = {};
  for (const [q, url] of concreteQueues(pipeline.resources.queueUrls, agencies)) allQueues[q] = url;
  for (const [q, url] of concreteQueues(pipeline.dlqUrls, agencies)) allQueues[`${q}-dlq`] = url;
  const restored = await restoreSnapshot(snapshotDir, pipeline.ports.artifacts, pipeline.clients, allQueues);
  keepUnrestored(options.stateDir, restored?.unrestored ?? {});
  for (const seen of restored?.seenObjects ?? []) pipeline.notifier.markSeen(seen);
  // After the restore (writing an object back clears its tags): the tags come back from their file, and
  // the commands run from other processes read them there.
  const objectTagLog = resolvePath(options.stateDir, 'object-tags.jsonl');
  persistLocalObjectTags(objectTagLog);

  const state: ServeState = {
    pid: process.pid,
    endpoints: pipeline.endpoints,
    env: resourcesToEnv(pipeline.resources),
    dlqUrls: pipeline.dlqUrls,
    objectTagLog,
    agencies,
    keyFile,
    startedAt: new Date().toISOString(),
  };
  const statePath = join(options.stateDir, 'serve.json');
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
  // Each agency has its own queues: the hint names the first one the configuration serves.
  const first = agencies[0] ?? 'AGENCY';
  process.stdout.write(
    `codetrail: local stack up (DynamoDB ${pipeline.endpoints.dynamodb}, SQS/S3 ${pipeline.endpoints.sqs})` +
      `${restored ? `, restored ${restored.objects.length} object(s)` : ''}.\n` +
      `Try \`npx codetrail drop FILE --agency ${first}\`, \`npx codetrail qa review\`, \`npx codetrail billing pull --agency ${first}\`. Ctrl-C to stop.\n`,
  );

  let stopping = false;
  const stop = new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  // Each refusal of the local IAM is told once, as it happens: in AWS that message would dead-letter.
  const told = new Set<string>();
  const compression = options.config.local.timeCompression;
  // The scheduled jobs on their schedule, compressed as the stack's clocks are; each runs once as the stack
  // comes up, so the reconciler records the configuration and code tables in force before any chart.
  const jobDue = new Map(JOBS.map((j) => [j.name, Date.now()]));
  const loop = (async () => {
    while (!stopping) {
      for (const job of JOBS) {
        if (Date.now() < (jobDue.get(job.name) ?? 0)) continue;
        jobDue.set(job.name, Date.now() + (job.everyMinutes * 60_000) / compression);
        const result = (await pipeline.runJob(job.name)) as { redriven?: number } | undefined;
        if (result?.redriven)
          process.stdout.write(`  ${job.name.padEnd(17)} re-drove ${result.redriven} chart version(s)\n`);
      }
      const handled = await pipeline.tick((e) => {
        process.stdout.write(
          `  ${e.stage.padEnd(17)} ${String(e.received).padStart(4)} message(s)${e.failed ? ` (${e.failed} to retry)` : ''}\n`,
        );
      });
      for (const line of pipeline.iam.denialLines().filter((l) => !told.has(l))) {
        told.add(line);
        process.stderr.write(`AccessDenied (as deployed): ${line}\n`);
      }
      if (handled === 0) await new Promise((r) => setTimeout(r, 250));
    }
  })();
  await stop;
  await loop;
  // Let anything in flight come back or finish, so the snapshot holds it.
  await pipeline.runUntilQuiet(undefined, 10_000).catch(() => undefined);
  const saved = await saveSnapshot(
    snapshotDir,
    pipeline.ports.artifacts,
    allQueues,
    pipeline.notifier.seenObjects(),
  );
  rmSync(statePath, { force: true });
  await pipeline.stop();
  process.stdout.write(`codetrail: stopped; ${saved.objects.length} object(s) kept in ${snapshotDir}\n`);
}

/** What a `.codetrail/` holds: keys and queues laid out per agency (chartKey `<agency>.ck…`, `…_<agency>` queues). */
const STATE_LAYOUT = 'codetrail local state 2: agencies in keys and queues';

/**
 * Refuses a state folder a build from before the per-agency layout kept (its table rows could not be
 * found under the new keys), and marks a new one. One line saying what to do; nothing is touched.
 */
export function checkLayout(stateDir: string): void {
  const marker = join(stateDir, 'layout');
  const kept = existsSync(join(stateDir, 'dynamodb')) || existsSync(join(stateDir, 'snapshot'));
  if (kept && (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== STATE_LAYOUT))
    throw new Error(
      `${stateDir}/ holds a local stack kept by an older codetrail, laid out another way: remove ${stateDir}/ and start again`,
    );
  writeFileSync(marker, `${STATE_LAYOUT}\n`);
}

/**
 * Messages of the snapshot for queues this stack does not have (an agency taken out of the
 * configuration): kept aside in unrestored-messages.json, beside any kept before, and named, so the next
 * snapshot does not drop them unseen. They hold identifiers only, as every queue message does.
 */
export function keepUnrestored(stateDir: string, unrestored: Record<string, string[]>): void {
  const names = Object.keys(unrestored);
  if (names.length === 0) return;
  const file = join(stateDir, 'unrestored-messages.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>) : {};
  for (const [name, bodies] of Object.entries(unrestored)) kept[name] = [...(kept[name] ?? []), ...bodies];
  writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`);
  process.stderr.write(
    `codetrail: the snapshot's messages of ${names.join(', ')} have no queue in this stack (an agency not configured?): kept in ${file}\n`,
  );
}
