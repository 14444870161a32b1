import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { awsClients } from '#shared/aws/clients.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { type Resources, resourcesToEnv } from '#shared/aws/resources.ts';
import type { Config } from '#shared/model/config.ts';
import type { SqsLambdaHandler } from '#shared/runtime/sqs-handler.ts';
import { stagePorts } from '#shared/runtime/stage-ports.ts';
import { concreteQueues, ENV, JOBS, type JobSpec, STAGES, type StageName } from '#shared/topology.ts';
import { installLocalConditionalWrites } from './conditional-writes.ts';
import { applyEmulatorEnv, startEmulators } from './emulators.ts';
import { actAs, appendDistinct, IAM_RECORD_ENV, LocalIam } from './iam-enforcement.ts';
import { lambdaContext } from './lambda-context.ts';
import { localArnScope, localArns, localRolePolicies, placeholderForm } from './local-role-policies.ts';
import { installLocalObjectTags, localObjectTags } from './object-tags.ts';
import { provision } from './provision.ts';
import { S3Notifier } from './s3-notifier.ts';
import { installLocalSenderIds } from './sender-ids.ts';
import { SqsEventSource } from './sqs-event-source.ts';

export interface LocalPipelineOptions {
  config: Config;
  /** File holding the local stand-in for the KMS HMAC key. */
  keyFile: string;
  /** Keep DynamoDB on disk here (for --serve); in memory when absent. */
  dataDir?: string;
  dynamoPort?: number;
  fauxqsPort?: number;
  prefix?: string;
  /** Objects the S3 notifier already announced (restored by --serve). */
  seenObjects?: string[];
  /** Show the handlers' own logs (errors only otherwise). */
  verbose?: boolean;
  /** Use emulators already running elsewhere (the benchmarks run them in another process). */
  endpoints?: { dynamodb: string; sqs: string; s3: string };
  /** Keep every call the local IAM checked, allowed or not (the IAM sweep); only refusals otherwise. */
  recordIamCalls?: boolean;
}

export interface ProgressEvent {
  stage: StageName;
  received: number;
  failed: number;
  crashed: boolean;
}

export interface DeadLetter {
  /** The queue whose DLQ holds it: a Lambda queue's name, or a human kind's with its agency (`qa-review_<agency>`). */
  queue: string;
  messageId: string;
  body: string;
  receiveCount: number;
}

/** Imports every stage's real Lambda handler; done after the environment points at the emulators. */
async function loadHandlers(): Promise<Record<StageName, SqsLambdaHandler>> {
  const entries = await Promise.all(
    STAGES.map(async (s) => {
      const mod = (await import(`../../functions/${s.name}/handler.ts`)) as { handler: SqsLambdaHandler };
      return [s.name, mod.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<StageName, SqsLambdaHandler>;
}

/**
 * The whole stack, in-process: dynalite and fauxqs on 127.0.0.1, exactly the resources the topology
 * declares, every stage's real handler, an event source per stage and a stand-in for S3 notifications.
 */
export async function startLocalPipeline(options: LocalPipelineOptions) {
  const emulatorOptions: Parameters<typeof startEmulators>[0] = {};
  if (options.dataDir) emulatorOptions.dataDir = options.dataDir;
  if (options.dynamoPort !== undefined) emulatorOptions.dynamoPort = options.dynamoPort;
  if (options.fauxqsPort !== undefined) emulatorOptions.fauxqsPort = options.fauxqsPort;
  const emulators = options.endpoints
    ? { endpoints: options.endpoints, stop: async () => undefined }
    : await startEmulators(emulatorOptions);
  applyEmulatorEnv(emulators.endpoints);
  const clients = awsClients();
  const provisioned = await provision(clients, {
    prefix: options.prefix ?? 'codetrail',
    timeCompression: options.config.local.timeCompression,
    localKeyFile: options.keyFile,
    agencies: options.config.agencies.map((a) => a.id),
  });
  const resources: Resources = provisioned.resources;
  const dlqUrls = provisioned.dlqUrls;
  Object.assign(process.env, resourcesToEnv(resources), {
    [ENV.config]: JSON.stringify(options.config),
    POWERTOOLS_LOG_LEVEL: options.verbose ? 'INFO' : 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Each stage's handler and poller act as the stage's deployed role: a call AWS would refuse fails here.
  const scope = localArnScope();
  const arns = localArns(resources, dlqUrls, scope);
  // CODETRAIL_IAM_RECORD names a file every distinct call is appended to (`npm run iam` sets it for the
  // integration and e2e tests it runs).
  const recordFile = process.env[IAM_RECORD_ENV];
  const iam = new LocalIam(localRolePolicies(arns), scope, {
    recordAll: (options.recordIamCalls ?? false) || Boolean(recordFile),
    recordAs: (resource) => placeholderForm(resource, arns),
    ...(recordFile ? { onRecord: appendDistinct(recordFile) } : {}),
    objectTags: localObjectTags,
  });
  iam.install(clients);
  installLocalObjectTags(clients);
  installLocalConditionalWrites(clients);
  installLocalSenderIds(clients);
  const handlers = await loadHandlers();
  const ports: Ports = stagePorts();
  const sources = STAGES.map((s) => {
    const url = resources.queueUrls[s.queue];
    if (!url) throw new Error(`queue ${s.queue} was not provisioned`);
    return new SqsEventSource(clients.sqs, s, url, handlers[s.name], options.config.local.timeCompression);
  });
  const notifier = new S3Notifier(ports.artifacts, ports.queue, options.seenObjects);

  async function inFlight(): Promise<number> {
    let total = 0;
    for (const s of STAGES) {
      const out = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queueUrls[s.queue],
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      total +=
        Number(a.ApproximateNumberOfMessages ?? 0) +
        Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
    }
    return total;
  }

  return {
    resources,
    dlqUrls,
    ports,
    clients,
    endpoints: emulators.endpoints,
    notifier,
    iam,

    /** One pass: announce new objects, then give every stage one batch. Returns messages handled. */
    async tick(onProgress?: (e: ProgressEvent) => void): Promise<number> {
      let handled = await notifier.scan();
      for (const [i, source] of sources.entries()) {
        const stage = STAGES[i];
        // The Lambda service polls a stage's queue with the stage's own role, as its handler runs.
        const result = await actAs(`stage:${stage?.name}`, () => source.pollOnce());
        if (result.received > 0 && stage) onProgress?.({ stage: stage.name, ...result });
        handled += result.received;
      }
      return handled;
    },

    /** Runs until no object is unannounced and every Lambda queue is empty (nothing in flight either). */
    async runUntilQuiet(onProgress?: (e: ProgressEvent) => void, maxMillis = 10 * 60_000): Promise<void> {
      const started = Date.now();
      for (;;) {
        const handled = await this.tick(onProgress);
        if (handled === 0 && (await inFlight()) === 0) return;
        if (Date.now() - started > maxMillis) throw new Error('the pipeline did not settle in time');
        // Failed messages wait out their (compressed) visibility timeout before they come back.
        if (handled === 0) await new Promise((r) => setTimeout(r, 50));
      }
    },

    /**
     * Runs a scheduled job's real Lambda handler once, as EventBridge would, with the job's own role
     * (local IAM checks its calls as it checks a stage's). Returns what the handler returned.
     */
    async runJob(name: JobSpec['name']): Promise<unknown> {
      const mod = (await import(`../../functions/${name}/handler.ts`)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
      const spec = JOBS.find((j) => j.name === name) as JobSpec;
      return actAs(`stage:${name}`, () =>
        mod.handler(event, lambdaContext(name, spec.timeoutSeconds, spec.memoryMb)),
      );
    },

    /** Every message sitting in a dead-letter queue, read without removing it. */
    async deadLetters(): Promise<DeadLetter[]> {
      const out: DeadLetter[] = [];
      const agencies = options.config.agencies.map((a) => a.id);
      for (const [queue, url] of concreteQueues(dlqUrls, agencies)) {
        const seen = new Set<string>();
        for (;;) {
          const got = await clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 0,
              MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            }),
          );
          const fresh = (got.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
          if (fresh.length === 0) break;
          for (const m of fresh) {
            seen.add(m.MessageId ?? '');
            out.push({
              queue,
              messageId: m.MessageId ?? '',
              body: m.Body ?? '',
              receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
            });
          }
        }
      }
      return out;
    },

    async stop(): Promise<void> {
      await emulators.stop();
    },
  };
}

export type LocalPipeline = Awaited<ReturnType<typeof startLocalPipeline>>;
