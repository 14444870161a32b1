import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { type BuildAppOptions, buildApp } from 'fauxqs';
import { resetAwsClients } from '#shared/aws/clients.ts';
import { receiveWholeFifoGroups } from './fifo-receive.ts';

/**
 * The embedded AWS: dynalite (DynamoDB) and fauxqs 1.9.2 (SQS and S3), in this process, on 127.0.0.1 only.
 *
 * fauxqs's own startFauxqs() listens on 0.0.0.0 (hard-coded), so this builds its app and listens on
 * loopback itself. It passes in the stores, so the local runtime can inspect them (`fauxqs.stores`).
 *
 * What fauxqs 1.9.2 does with SQS, read from its dist/sqs (and the gaps, for whoever relies on it):
 * - VisibilityTimeout: honoured per queue and per ReceiveMessage; a message whose timeout expired
 *   comes back on the next receive (timers are processed lazily, on receive and during long polls).
 * - RedrivePolicy: on receive, a message already received maxReceiveCount times moves to the DLQ
 *   named by deadLetterTargetArn, as in SQS. The DLQ must exist (else the message just stays).
 * - GetQueueAttributes: ApproximateNumberOfMessages / ...NotVisible / ...Delayed are exact counts,
 *   but GAP: they did not process timers, so an expired in-flight message still counted as NotVisible
 *   until the next receive. The onRequest hook below processes timers first, which fixes it.
 * - GAPS left as they are: standard queues deliver in order and exactly once (SQS is unordered and
 *   at-least-once, so code must not rely on either); MessageRetentionPeriod is stored, never enforced;
 *   KmsMasterKeyId is stored, nothing is encrypted; no S3 event notifications (cli/local/s3-notifier.ts
 *   stands in); S3 encryption, versioning and Object Lock are not implemented; no IAM.
 * - FIFO queues: a receive returned one message per group; fifo-receive.ts makes it return up to ten
 *   of a group, in order, as SQS does.
 * - CreateQueue with the same name and different attributes fails with QueueNameExists (SQS says
 *   QueueAlreadyExists); provision.ts sidesteps both by setting attributes separately.
 * - Queue URLs: fauxqs names them http://sqs.<region>.localhost:<port>/..., a host that does not resolve
 *   here; with the store's host cleared it uses the request's host, i.e. http://127.0.0.1:<port>/...
 */

type FauxqsStores = NonNullable<BuildAppOptions['stores']>;
type FauxqsApp = ReturnType<typeof buildApp>;

export interface FauxqsHandle {
  /** The Fastify app (app.inject reaches /_fauxqs/queues without the network). */
  app: FauxqsApp;
  stores: FauxqsStores;
}

export interface EmulatorEndpoints {
  dynamodb: string;
  sqs: string;
  s3: string;
}

export interface Emulators {
  endpoints: EmulatorEndpoints;
  fauxqs: FauxqsHandle;
  dynamodb: Server;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Keep DynamoDB's tables on disk under this directory (for `--serve`); in memory when absent. */
  dataDir?: string;
  /** 0 (the default) picks a free port. */
  dynamoPort?: number;
  fauxqsPort?: number;
}

const LOOPBACK = '127.0.0.1';

/**
 * The store classes are not in fauxqs's package exports, so they are loaded from beside its entry point
 * (a file URL is not subject to the exports map). The version is pinned, so the layout is known.
 */
async function createStores(): Promise<FauxqsStores> {
  const base = import.meta.resolve('fauxqs');
  const load = async <T>(path: string, name: string): Promise<new () => T> =>
    ((await import(new URL(path, base).href)) as Record<string, new () => T>)[name] as new () => T;
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load<FauxqsStores['sqsStore']>('./sqs/sqsStore.js', 'SqsStore'),
    load<FauxqsStores['snsStore']>('./sns/snsStore.js', 'SnsStore'),
    load<FauxqsStores['s3Store']>('./s3/s3Store.js', 'S3Store'),
  ]);
  const sqsStore = new SqsStore();
  // Queue URLs on the request's host (127.0.0.1:<port>), which resolves, rather than sqs.<region>.localhost.
  sqsStore.host = '';
  return { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulators(opts: EmulatorOptions = {}): Promise<Emulators> {
  let path: string | undefined;
  if (opts.dataDir) {
    path = join(opts.dataDir, 'dynalite');
    mkdirSync(opts.dataDir, { recursive: true });
  }
  // Tables are ACTIVE at once: nothing here needs to watch them pass through CREATING.
  const dynamodb = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  const dynamoPort = await listen(dynamodb, opts.dynamoPort ?? 0);

  const stores = await createStores();
  receiveWholeFifoGroups(stores.sqsStore as unknown as Parameters<typeof receiveWholeFifoGroups>[0]);
  const app = buildApp({ logger: false, stores });
  // fauxqs only expires visibility timeouts when something receives; counts must see them expired too.
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-amz-target'] === 'AmazonSQS.GetQueueAttributes') {
      stores.sqsStore.processAllTimers();
    }
  });
  let fauxqsPort: number;
  try {
    const address = await app.listen({ host: LOOPBACK, port: opts.fauxqsPort ?? 0 });
    fauxqsPort = Number(new URL(address).port);
  } catch (err) {
    await closeServer(dynamodb);
    throw err;
  }

  const fauxqs = `http://${LOOPBACK}:${fauxqsPort}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoints: { dynamodb: `http://${LOOPBACK}:${dynamoPort}`, sqs: fauxqs, s3: fauxqs },
    fauxqs: { app, stores },
    dynamodb,
    stop() {
      stopped ??= Promise.all([app.close(), closeServer(dynamodb)]).then(() => undefined);
      return stopped;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // Idle keep-alive sockets from the SDK clients would otherwise hold close() open.
    server.closeIdleConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Points the AWS SDK of this process at the emulators (the standard AWS_ENDPOINT_URL_<SERVICE>
 * variables, so handler code keeps plain `new XClient({})`), fills in a region and dummy credentials
 * where none are set, and drops the cached clients so the next awsClients() uses all of it.
 */
export function applyEmulatorEnv(endpoints: EmulatorEndpoints, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  env.AWS_ENDPOINT_URL_SQS = endpoints.sqs;
  env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  env.AWS_REGION ??= 'us-east-1';
  // The emulators accept any credentials; dummy ones spare the SDK a credential-provider search.
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  resetAwsClients();
}
