import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { installLocalConditionalWrites } from '#cli/local/conditional-writes.ts';
import { applyEmulatorEnv, type Emulators, startEmulators } from '#cli/local/emulators.ts';
import { installLocalObjectTags } from '#cli/local/object-tags.ts';
import { provision } from '#cli/local/provision.ts';
import { installLocalSenderIds } from '#cli/local/sender-ids.ts';
import { type AwsClients, awsClients, resetAwsClients } from '#shared/aws/clients.ts';
import type { Clock, Ports } from '#shared/aws/ports.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import { type Resources, resourcesToEnv } from '#shared/aws/resources.ts';
import type { QueueName } from '#shared/topology.ts';
import { TEST_AGENCY_IDS } from './test-agencies.ts';

export interface LocalStack {
  clients: AwsClients;
  resources: Resources;
  ports: Ports;
  dlqUrls: Record<QueueName, string>;
  emulators: Emulators;
  /** The unique resource-name prefix this file got. */
  prefix: string;
  /** The local MAC key file (in a temporary directory removed afterwards). */
  keyFile: string;
  /** The agencies its human queues are provisioned for (one queue of each kind per agency). */
  agencies: readonly string[];
  /** Stops the emulators; afterAll calls it, tests rarely need to. */
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Readable start of the unique prefix (lowercase letters, digits, hyphens). */
  prefix?: string;
  /** Divides visibility timeouts; 1 by default, i.e. real SQS timings. */
  timeCompression?: number;
  /** Clock the chart store stamps transitions with. */
  clock?: Clock;
  /** The agencies to provision human queues for; the agencies tests name by default. */
  agencies?: readonly string[];
}

/**
 * A test file's own embedded AWS: in beforeAll it starts dynalite and fauxqs on ephemeral loopback ports,
 * points this process's AWS SDK at them (AWS_ENDPOINT_URL_*), provisions the topology under a unique
 * prefix with a fresh local MAC key, and exports the resource names the way the stack sets them for the
 * Lambdas (CODETRAIL_*), so real handlers run unchanged. afterAll stops it all and restores process.env.
 *
 * Call it at the top of a file or describe block; read the fields inside tests and hooks (they exist
 * only once beforeAll has run).
 */
export function useLocalStack(options: LocalStackOptions = {}): LocalStack {
  let stack: LocalStack | undefined;
  let savedEnv: NodeJS.ProcessEnv | undefined;
  let tempDir: string | undefined;

  beforeAll(async () => {
    savedEnv = { ...process.env };
    tempDir = mkdtempSync(join(tmpdir(), 'codetrail-test-'));
    const emulators = await startEmulators();
    try {
      applyEmulatorEnv(emulators.endpoints);
      const clients = awsClients();
      // The embedded S3 has no tagging API: the local runtime answers it (as startLocalPipeline does).
      installLocalObjectTags(clients);
      installLocalConditionalWrites(clients);
      installLocalSenderIds(clients);
      const prefix = `${options.prefix ?? 't'}-${randomBytes(4).toString('hex')}`;
      const keyFile = join(tempDir, 'local.key');
      const agencies = options.agencies ?? TEST_AGENCY_IDS;
      const { resources, dlqUrls } = await provision(clients, {
        prefix,
        timeCompression: options.timeCompression ?? 1,
        localKeyFile: keyFile,
        agencies,
      });
      Object.assign(process.env, resourcesToEnv(resources));
      const ports = buildPorts(clients, resources, options.clock ? { clock: options.clock } : {});
      stack = {
        clients,
        resources,
        ports,
        dlqUrls,
        emulators,
        prefix,
        keyFile,
        agencies,
        stop: () => emulators.stop(),
      };
    } catch (err) {
      await emulators.stop();
      throw err;
    }
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
    stack = undefined;
    if (savedEnv) {
      for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
      Object.assign(process.env, savedEnv);
    }
    resetAwsClients();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  const current = (): LocalStack => {
    if (!stack) throw new Error('useLocalStack(): the stack is not up; read it inside a test or hook');
    return stack;
  };
  return {
    get clients() {
      return current().clients;
    },
    get resources() {
      return current().resources;
    },
    get ports() {
      return current().ports;
    },
    get dlqUrls() {
      return current().dlqUrls;
    },
    get emulators() {
      return current().emulators;
    },
    get prefix() {
      return current().prefix;
    },
    get keyFile() {
      return current().keyFile;
    },
    get agencies() {
      return current().agencies;
    },
    stop: () => current().stop(),
  };
}
