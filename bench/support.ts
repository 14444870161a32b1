import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { applyEmulatorEnv } from '#cli/local/emulators.ts';
import { provision } from '#cli/local/provision.ts';
import { type AwsClients, awsClients, requestCounts } from '#shared/aws/clients.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import { chartPk, versionSk } from '#shared/aws/table-keys.ts';

export interface ExternalEmulators {
  endpoints: { dynamodb: string; sqs: string; s3: string };
  stop(): void;
}

/** Starts dynalite and fauxqs in a child process and returns their endpoints. */
export async function startExternalEmulators(): Promise<ExternalEmulators> {
  const child: ChildProcess = spawn('npx', ['--no-install', 'tsx', 'bench/emulator-process.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  return {
    endpoints: JSON.parse(first),
    stop: () => {
      child.stdin?.end();
    },
  };
}

export function report(name: string, figure: string, baseline: string, ratio: number): void {
  process.stdout.write(`${name}: ${figure} | baseline ${baseline} | ratio ${ratio.toFixed(2)}\n`);
}

/** The emulators in another process, a codetrail stack provisioned on them, and its ports. */
export async function emulatedStack(prefix: string, agencies: readonly string[] = ['test-agency']) {
  const emulators = await startExternalEmulators();
  applyEmulatorEnv(emulators.endpoints);
  const clients = awsClients();
  const keyFile = join(mkdtempSync(join(tmpdir(), `codetrail-bench-${prefix}-`)), 'local.key');
  writeFileSync(keyFile, 'be'.repeat(32));
  const { resources } = await provision(clients, {
    prefix,
    timeCompression: 1000,
    localKeyFile: keyFile,
    // The agencies the benchmark's charts name: each has its own human queues.
    agencies,
  });
  return { emulators, clients, resources, ports: buildPorts(clients, resources) };
}

/** Starts counting AWS requests afresh; the function returned gives the counts since. */
export function countRequests(): () => Record<string, number> {
  for (const k of Object.keys(requestCounts)) delete requestCounts[k];
  return () => ({ ...requestCounts });
}

/** Prints the AWS requests of a run per unit of its work (per claim, per chart). */
export function printRequestsPer(unit: string, counts: Record<string, number>, units: number): void {
  process.stdout.write(`AWS requests per ${unit}:\n`);
  for (const [k, v] of Object.entries(counts).sort())
    process.stdout.write(`  ${k.padEnd(34)} ${(v / units).toFixed(2)}\n`);
}

/**
 * The floor of a stage's work, per second: one conditional DynamoDB update per chart version, one after
 * another, on the same table in the same run.
 */
export async function conditionalUpdatesPerSecond(
  clients: AwsClients,
  table: string,
  chartKeys: readonly string[],
): Promise<number> {
  const started = performance.now();
  for (const [i, chartKey] of chartKeys.entries())
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: chartPk(chartKey), sk: versionSk(1) },
        UpdateExpression: 'SET probe = :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': i },
      }),
    );
  return chartKeys.length / ((performance.now() - started) / 1000);
}
