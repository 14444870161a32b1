import { CreateTableCommand, DescribeTableCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '#shared/aws/clients.ts';
import type { Resources } from '#shared/aws/resources.ts';
import { GSI1, GSI1_PK, GSI1_SK, PK, SK } from '#shared/aws/table-keys.ts';
import {
  AGENCY_PLACEHOLDER,
  agencyQueueName,
  BUCKETS,
  type BucketName,
  DLQ_RETENTION_DAYS,
  isHumanQueue,
  type QueueName,
  type QueueSpec,
  queues,
} from '#shared/topology.ts';

/**
 * Creates on the emulators exactly what shared/topology.ts declares (the CDK stack builds the same list):
 * the table, the buckets, and every queue with its DLQ. Idempotent, so a restarted `--serve` can run it
 * over what is already there (dynalite keeps tables on disk; attributes are re-applied, so a changed
 * time compression takes effect).
 *
 * Not created, because the emulators would only store and ignore them: KMS keys and queue/bucket
 * encryption, bucket versioning and Object Lock, alarms. CDK assertions cover those.
 */

export interface ProvisionOptions {
  /** Lowercase name prefix: `<prefix>-table`, `<prefix>-<bucket>`, `<prefix>-<queue>`, `<prefix>-<queue>-dlq`. */
  prefix: string;
  /** Local time runs this many times faster: visibility timeouts are divided by it (to no less than 1 s). */
  timeCompression: number;
  localKeyFile: string;
  /** Holds the local stand-in for the KMS signing key of the audit trail's digests; beside the MAC key's by default. */
  localSigningKeyFile?: string;
  /** The agencies served: each has its own queue of every human kind. */
  agencies: readonly string[];
}

/** The local signing key's file beside the local MAC key's (`local.key` -> `local-signing.pem`). */
function signingKeyFileBeside(macKeyFile: string): string {
  return `${macKeyFile.replace(/\.key$/, '')}-signing.pem`;
}

export interface Provisioned {
  resources: Resources;
  /** Each queue's dead-letter queue (not part of Resources: no Lambda sends to a DLQ). */
  dlqUrls: Record<QueueName, string>;
}

const DAY_SECONDS = 86_400;
/** SQS's bounds for MessageRetentionPeriod. */
const MIN_RETENTION = 60;
const MAX_RETENTION = 14 * DAY_SECONDS;
const DLQ_RETENTION = DLQ_RETENTION_DAYS * DAY_SECONDS;

/** A FIFO queue's name must end in `.fifo`, its DLQ's too (a FIFO queue's DLQ is FIFO). */
const fifoName = (spec: Pick<QueueSpec, 'fifo'> | undefined, name: string) =>
  spec?.fifo ? `${name}.fifo` : name;

export function resourceNames(prefix: string) {
  const spec = (q: QueueName) => queues().find((s) => s.name === q);
  return {
    table: `${prefix}-table`,
    auditTable: `${prefix}-audit-table`,
    bucket: (b: BucketName) => `${prefix}-${b}`,
    /** A human queue's name per agency has `{agency}` (AGENCY_PLACEHOLDER) in it, filled in by `agencyQueueUrl`. */
    queue: (q: QueueName) =>
      isHumanQueue(q)
        ? agencyQueueName(`${prefix}-${q}`, AGENCY_PLACEHOLDER)
        : fifoName(spec(q), `${prefix}-${q}`),
    dlq: (q: QueueName) =>
      isHumanQueue(q)
        ? agencyQueueName(`${prefix}-${q}-dlq`, AGENCY_PLACEHOLDER)
        : fifoName(spec(q), `${prefix}-${q}-dlq`),
  };
}

/**
 * Never below 1 s. A visibility timeout of 0 does not mean "a failed message comes back at once": it
 * means a received message is never hidden, so the next ReceiveMessage (even the same poller filling
 * its batch) gets it again, its receive count climbs without any failure, and healthy messages reach
 * the DLQ. One second is the smallest timeout that keeps SQS's in-flight semantics.
 */
export const MIN_VISIBILITY_TIMEOUT = 1;

/** The queue's attributes as topology declares them, its visibility timeout scaled by time compression. */
export function queueAttributes(
  spec: QueueSpec,
  timeCompression: number,
  dlqArn: string,
): Record<string, string> {
  const retention = Math.min(MAX_RETENTION, Math.max(MIN_RETENTION, spec.retentionDays * DAY_SECONDS));
  const visibility = Math.max(
    MIN_VISIBILITY_TIMEOUT,
    Math.round(spec.visibilityTimeoutSeconds / timeCompression),
  );
  return {
    VisibilityTimeout: String(visibility),
    MessageRetentionPeriod: String(retention),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: spec.maxReceiveCount }),
  };
}

export async function provision(clients: AwsClients, opts: ProvisionOptions): Promise<Provisioned> {
  // Bucket names allow only lowercase letters, digits and hyphens; check once rather than fail mid-way.
  if (!/^[a-z0-9][a-z0-9-]{1,40}$/.test(opts.prefix))
    throw new Error(`invalid resource prefix "${opts.prefix}"`);
  if (opts.agencies.length === 0) throw new Error('no agency to provision the human queues for');
  if (!(opts.timeCompression > 0))
    throw new Error(`time compression must be positive, got ${opts.timeCompression}`);
  const names = resourceNames(opts.prefix);

  const [table, auditTable, buckets, queued] = await Promise.all([
    ensureTable(clients, names.table, { statusIndex: true }),
    ensureTable(clients, names.auditTable, { statusIndex: false }),
    ensureBuckets(clients, names.bucket),
    Promise.all(queues().map((spec) => ensureQueues(clients, spec, opts, names))),
  ]);

  const queueUrls: Partial<Record<QueueName, string>> = {};
  const dlqUrls = {} as Record<QueueName, string>;
  for (const q of queued) {
    queueUrls[q.name] = q.url;
    dlqUrls[q.name] = q.dlqUrl;
  }
  return {
    resources: {
      table,
      auditTable,
      buckets,
      queueUrls,
      localKeyFile: opts.localKeyFile,
      localSigningKeyFile: opts.localSigningKeyFile ?? signingKeyFileBeside(opts.localKeyFile),
    },
    dlqUrls,
  };
}

/** The table (with its status index, gsi1) or the audit table (keys alone). */
async function ensureTable(
  clients: AwsClients,
  name: string,
  options: { statusIndex: boolean },
): Promise<string> {
  try {
    await clients.dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: (options.statusIndex ? [PK, SK, GSI1_PK, GSI1_SK] : [PK, SK]).map((a) => ({
          AttributeName: a,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: PK, KeyType: 'HASH' },
          { AttributeName: SK, KeyType: 'RANGE' },
        ],
        ...(options.statusIndex
          ? {
              GlobalSecondaryIndexes: [
                {
                  IndexName: GSI1,
                  KeySchema: [
                    { AttributeName: GSI1_PK, KeyType: 'HASH' },
                    { AttributeName: GSI1_SK, KeyType: 'RANGE' },
                  ],
                  Projection: { ProjectionType: 'ALL' },
                },
              ],
            }
          : {}),
      }),
    );
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
  }
  const table = await waitActive(clients, name);
  // A table kept on disk from an older layout would fail later in puzzling ways; say so now.
  if (options.statusIndex && !table.GlobalSecondaryIndexes?.some((i) => i.IndexName === GSI1)) {
    throw new Error(
      `table ${name} exists without index ${GSI1}; remove the local data directory to recreate it`,
    );
  }
  return name;
}

async function waitActive(clients: AwsClients, name: string): Promise<TableDescription> {
  for (let i = 0; ; i++) {
    const out = await clients.dynamo.send(new DescribeTableCommand({ TableName: name }));
    const table = out.Table;
    if (table?.TableStatus === 'ACTIVE') return table;
    if (i >= 100) throw new Error(`table ${name} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ensureBuckets(
  clients: AwsClients,
  nameOf: (b: BucketName) => string,
): Promise<Record<BucketName, string>> {
  const buckets = {} as Record<BucketName, string>;
  await Promise.all(
    BUCKETS.map(async (b) => {
      const name = nameOf(b);
      try {
        await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      } catch (err) {
        if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
      }
      buckets[b] = name;
    }),
  );
  return buckets;
}

/**
 * CreateQueue without attributes returns the existing queue when there is one; the attributes are then
 * set on their own. (CreateQueue with attributes that differ from the existing queue's fails instead.)
 */
async function createOrGetQueue(clients: AwsClients, name: string): Promise<string> {
  // A FIFO queue is one from its creation: the attribute cannot be set afterwards.
  const fifo = name.endsWith('.fifo');
  const out = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }),
  );
  if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return out.QueueUrl;
}

/**
 * A Lambda queue and its DLQ; a human kind's queue and DLQ once per agency, returned as URL templates
 * (`{agency}` where the agency goes), as the stack's outputs give them.
 */
async function ensureQueues(
  clients: AwsClients,
  spec: QueueSpec,
  opts: Pick<ProvisionOptions, 'timeCompression' | 'agencies'>,
  names: ReturnType<typeof resourceNames>,
): Promise<{ name: QueueName; url: string; dlqUrl: string }> {
  if (!isHumanQueue(spec.name))
    return ensureQueue(clients, spec, opts.timeCompression, names.queue(spec.name), names.dlq(spec.name));
  const fill = (name: string, agency: string) => name.replace(AGENCY_PLACEHOLDER, agency);
  const made = await Promise.all(
    opts.agencies.map(async (agency) => ({
      agency,
      ...(await ensureQueue(
        clients,
        spec,
        opts.timeCompression,
        fill(names.queue(spec.name), agency),
        fill(names.dlq(spec.name), agency),
      )),
    })),
  );
  const [first] = made;
  if (!first) throw new Error('no agency to provision the human queues for');
  // Every agency's URL is the same but for the agency at its end: the first one, with it made a placeholder.
  const template = (url: string) => `${url.slice(0, -first.agency.length)}${AGENCY_PLACEHOLDER}`;
  return { name: spec.name, url: template(first.url), dlqUrl: template(first.dlqUrl) };
}

async function ensureQueue(
  clients: AwsClients,
  spec: QueueSpec,
  timeCompression: number,
  queueName: string,
  dlqName: string,
): Promise<{ name: QueueName; url: string; dlqUrl: string }> {
  const dlqUrl = await createOrGetQueue(clients, dlqName);
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      Attributes: { MessageRetentionPeriod: String(DLQ_RETENTION) },
    }),
  );
  const dlq = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = dlq.Attributes?.QueueArn;
  if (!dlqArn) throw new Error(`queue ${dlqName} has no ARN`);

  const url = await createOrGetQueue(clients, queueName);
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: queueAttributes(spec, timeCompression, dlqArn),
    }),
  );
  return { name: spec.name, url, dlqUrl };
}
