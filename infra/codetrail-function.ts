import * as path from 'node:path';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Config } from '#shared/model/config.ts';
import {
  type AuditTableAccess,
  BUCKETS,
  type BucketName,
  type DataFile,
  ENV,
  type ObjectAccess,
  type QueueName,
  type TableAction,
} from '#shared/topology.ts';
import type { PipelineQueues } from './pipeline-queue.ts';

/** Where a bundle's data files live in the Lambda (its code is unpacked in /var/task). */
export const LAMBDA_DATA_DIR = '/var/task/data';

/**
 * Lambda caps a function's whole environment at 4 KB, counted as JSON (so the config's quotes count
 * twice). The other variables (table, four buckets, up to three queue URLs, the key ARN, the data
 * folder) take at most about 1.3 KB at CloudFormation's name limits; the config gets the rest.
 */
export const CONFIG_ENV_BUDGET_BYTES = 2560;

/** What every codetrail function is built over: the stack's resources and settings. */
export interface FunctionResources {
  /** Every pipeline queue (a function gets send rights to its `sendsTo`, each agency's of a human kind). */
  readonly queues: PipelineQueues;
  readonly buckets: Readonly<Record<BucketName, s3.IBucket>>;
  readonly table: dynamodb.ITable;
  /** Audit events and their chain: stages may only add events to it. */
  readonly auditTable: dynamodb.ITable;
  /** Signs the audit trail's digests: its id goes to the sealer alone. */
  readonly signingKey: kms.IKey;
  /** The key of the table and the artifacts and denials buckets. */
  readonly dataKey: kms.IKey;
  /** The key of the intake bucket (an export writer in another account is granted this one alone). */
  readonly intakeKey: kms.IKey;
  /** The key of the audit bucket, the audit table and the backups. */
  readonly auditKey: kms.IKey;
  /** The key of the pipeline queues. */
  readonly queueKey: kms.IKey;
  /** HMAC key of the sampling draws: a stage that `samples` may only GenerateMac with it. */
  readonly samplingKey: kms.IKey;
  /** HMAC key; a stage that computes identifiers (`spec.macs`) may only GenerateMac with it. */
  readonly macKey: kms.IKey;
  /** Key of the function's log group. */
  readonly logsKey: kms.IKey;
  /** The validated agency configuration, passed as ENV.config. */
  readonly config: Config;
  /** Handler file (exports `handler`). */
  readonly entry: string;
  /** Repository root: esbuild's working directory and the base of `dataFiles`. */
  readonly projectRoot: string;
  /** Data files to ship in the bundle; when set the function gets ENV.dataDir. */
  readonly dataFiles?: readonly DataFile[];
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Where its alarms go. */
  readonly alarmTopics: readonly sns.ITopic[];
}

/** What a function is, as the topology says it for a stage (StageSpec) or a scheduled job (JobSpec). */
export interface FunctionSpec {
  readonly name: string;
  readonly purpose: string;
  /** Queues it sends to: their URLs go in its environment. */
  readonly sendsTo: readonly QueueName[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Signs the audit trail's digests: gets the signing key's id. */
  readonly signs?: boolean;
  /** Draws with the sampling key: gets its id. */
  readonly samples?: boolean;
}

export interface CodetrailFunctionProps extends FunctionResources {
  readonly spec: FunctionSpec;
  readonly reservedConcurrency: number;
}

/**
 * A codetrail Lambda under `scope`: a NodejsFunction (Node.js 24, arm64, ESM bundle with the SDK inside,
 * X-Ray, reserved concurrency), its own encrypted log group, and a role that may write to that log group
 * and nothing else yet: the stage or job adds exactly what it touches.
 */
export function codetrailFunction(
  scope: Construct,
  props: CodetrailFunctionProps,
): { fn: nodejs.NodejsFunction; role: iam.Role; logGroup: logs.LogGroup } {
  const configJson = JSON.stringify(props.config);
  const counted = Buffer.byteLength(JSON.stringify(configJson));
  if (counted > CONFIG_ENV_BUDGET_BYTES) {
    throw new Error(
      `codetrail config takes ${counted} bytes of the Lambda environment; Lambda environments hold 4 KB in all, ` +
        `so it must stay under ${CONFIG_ENV_BUDGET_BYTES} bytes (move large per-coder tables out of the config)`,
    );
  }

  const logGroup = new logs.LogGroup(scope, 'Logs', {
    encryptionKey: props.logsKey,
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });

  // Our own role instead of AWSLambdaBasicExecutionRole: logs may be written to this log group only.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `codetrail ${props.spec.name}: ${props.spec.purpose}`,
  });
  logGroup.grantWrite(role);

  const environment: Record<string, string> = {
    [ENV.table]: props.table.tableName,
    [ENV.auditTable]: props.auditTable.tableName,
    [ENV.macKeyId]: props.macKey.keyId,
    ...(props.spec.signs ? { [ENV.signingKeyId]: props.signingKey.keyArn } : {}),
    ...(props.spec.samples ? { [ENV.samplingKeyId]: props.samplingKey.keyArn } : {}),
    [ENV.config]: configJson,
    NODE_OPTIONS: '--enable-source-maps',
  };
  for (const b of BUCKETS) environment[ENV.bucket(b)] = props.buckets[b].bucketName;
  // A human kind's URL is a template (`{agency}` in its name): one variable, whatever the agencies.
  for (const q of props.spec.sendsTo) environment[ENV.queueUrl(q)] = props.queues.url(q);
  const dataFiles = props.dataFiles ?? [];
  if (dataFiles.length > 0) environment[ENV.dataDir] = LAMBDA_DATA_DIR;

  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    description: `codetrail ${props.spec.name}: ${props.spec.purpose}`,
    entry: props.entry,
    handler: 'handler',
    projectRoot: props.projectRoot,
    depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.spec.memoryMb,
    timeout: Duration.seconds(props.spec.timeoutSeconds),
    reservedConcurrentExecutions: props.reservedConcurrency,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    role,
    environment,
    bundling: {
      format: nodejs.OutputFormat.ESM,
      mainFields: ['module', 'main'],
      // Some CommonJS dependencies call require(); give the ESM bundle one.
      banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      externalModules: [],
      forceDockerBundling: false,
      ...(dataFiles.length > 0 ? { commandHooks: copyDataFiles(dataFiles) } : {}),
    },
  });
  return { fn, role, logGroup };
}

/**
 * SendMessage on exactly `sendsTo` (grantSendMessages adds GetQueueAttributes and GetQueueUrl, unused),
 * and the queue key through SQS alone (kms:ViaService, never called directly): a data key for what it
 * sends; Decrypt for what its poller receives, when it `receives`.
 */
export function grantSends(
  role: iam.Role,
  sendsTo: readonly QueueName[],
  queues: PipelineQueues,
  queueKey: kms.IKey,
  options: { receives: boolean },
): void {
  if (sendsTo.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: sendsTo.flatMap((q) => queues.all(q).map((each) => each.queue.queueArn)),
      }),
    );
  }
  const actions = [
    ...(options.receives ? ['kms:Decrypt'] : []),
    ...(sendsTo.length > 0 ? ['kms:GenerateDataKey'] : []),
  ];
  if (actions.length > 0) role.addToPrincipalPolicy(viaService(queueKey, 'sqs', actions));
}

/** A statement allowing `actions` on `key` only when `services` call KMS for the role (kms:ViaService). */
export function viaService(
  key: kms.IKey,
  services: string | string[],
  actions: string[],
): iam.PolicyStatement {
  const names = (Array.isArray(services) ? services : [services]).map(
    (service) => `${service}.${Stack.of(key).region}.amazonaws.com`,
  );
  return new iam.PolicyStatement({
    actions,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': names } },
  });
}

/**
 * What a function does with objects, each on its own key prefixes only: GetObject (GetObjectVersion where
 * an S3 event names the version), ListBucket on the prefixes it lists, PutObject where it adds, and
 * PutObjectTagging where it sets the tags a person's role is conditioned on.
 */
function grantObjects(
  role: iam.Role,
  spec: {
    readonly reads?: readonly ObjectAccess[];
    readonly lists?: readonly ObjectAccess[];
    readonly writes?: readonly ObjectAccess[];
    readonly tags?: readonly ObjectAccess[];
  },
  buckets: Readonly<Record<BucketName, s3.IBucket>>,
): void {
  // Objects: GetObject (GetObjectVersion where an S3 event names the version), ListBucket on the
  // prefixes it lists, PutObject where it adds: each on its own key prefixes only. Stages add objects
  // (new versions in versioned buckets) and never delete: quarantine is a copy, and the audit bucket
  // is write-once. Only PutObject: grantPut would add PutObjectRetention and PutObjectLegalHold, which
  // must stay with the agency's administrators on the Object Lock bucket.
  // On objects under each access's prefixes, what `actionsOf` it gives.
  const onObjects = (
    accesses: readonly ObjectAccess[] | undefined,
    actionsOf: (a: ObjectAccess) => string[],
  ) => {
    for (const access of accesses ?? [])
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: actionsOf(access),
          resources: access.prefixes.map((p) => buckets[access.bucket].arnForObjects(`${p}*`)),
        }),
      );
  };
  onObjects(spec.reads, (a) => (a.byVersion ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject']));
  for (const access of spec.lists ?? []) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [buckets[access.bucket].bucketArn],
        conditions: { StringLike: { 's3:prefix': access.prefixes.map((p) => `${p}*`) } },
      }),
    );
  }
  onObjects(spec.writes, () => ['s3:PutObject']);
  // Tags that condition what a person's role may read (qa-sampling marks a chart file for review).
  onObjects(spec.tags, () => ['s3:PutObjectTagging']);
}

/**
 * Its actions on the audit table, on the partitions it may touch alone (`dynamodb:LeadingKeys`): a stage
 * that records events may only PutItem under `AUDIT#`, never write a chain link or update anything.
 */
function grantAuditTable(
  role: iam.Role,
  grants: readonly AuditTableAccess[],
  auditTable: dynamodb.ITable,
): void {
  for (const access of grants)
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access.actions.map((a) => `dynamodb:${a}`),
        resources: [auditTable.tableArn],
        conditions: {
          // A prefix (ending in `#`) covers every partition under it; a pattern is whole.
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': access.partitions.map((p) => (p.endsWith('#') ? `${p}*` : p)),
          },
        },
      }),
    );
}

/**
 * What a function may do to the stored data: its objects (by bucket and key prefix), exactly the actions
 * its adapters call on the table (no DeleteItem, BatchWriteItem or Scan, so nothing erases or rewrites
 * data wholesale; Scan is for the CLI under the operator's own credentials) and on gsi1 when it
 * `queriesIndex` (never another index), its grants on the audit table, and the keys of what it touches.
 */
export function grantStorage(
  role: iam.Role,
  spec: {
    readonly table: readonly TableAction[];
    readonly auditTable: readonly AuditTableAccess[];
    readonly queriesIndex?: boolean;
    readonly reads?: readonly ObjectAccess[];
    readonly lists?: readonly ObjectAccess[];
    readonly writes?: readonly ObjectAccess[];
    readonly tags?: readonly ObjectAccess[];
  },
  props: FunctionResources,
): void {
  grantObjects(role, spec, props.buckets);
  if (spec.table.length > 0)
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: spec.table.map((a) => `dynamodb:${a}`),
        resources: [props.table.tableArn],
      }),
    );
  if (spec.queriesIndex)
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/gsi1`],
      }),
    );
  grantAuditTable(role, spec.auditTable, props.auditTable);
  grantDataKeys(role, props, {
    table: spec.table.length > 0 || Boolean(spec.queriesIndex),
    auditTable: spec.auditTable.length > 0,
    buckets: bucketsTouched(spec),
  });
}

/** Which key encrypts each bucket: the intake key the intake bucket, the audit key the audit bucket. */
export const BUCKET_KEY: Readonly<Record<BucketName, 'intake' | 'data' | 'audit'>> = {
  intake: 'intake',
  denials: 'data',
  artifacts: 'data',
  audit: 'audit',
};

/**
 * The keys of what a function touches, each through the services that use it for the function alone
 * (`kms:ViaService`): DynamoDB encrypts and decrypts items for the caller (the data key the table's, the
 * audit key the audit table's); S3 decrypts what it reads and generates a data key for what it writes
 * (single-part PutObject: no multipart, so no Decrypt for writing), each bucket under its own key. No
 * ReEncrypt: key rotation keeps old key material inside KMS and asks nothing of callers.
 */
function grantDataKeys(
  role: iam.Role,
  keys: Pick<FunctionResources, 'dataKey' | 'intakeKey' | 'auditKey'>,
  uses: { table: boolean; auditTable: boolean; buckets: readonly BucketName[] },
): void {
  const byName = { data: keys.dataKey, intake: keys.intakeKey, audit: keys.auditKey };
  for (const name of ['data', 'intake', 'audit'] as const) {
    const services = [
      ...((name === 'data' && uses.table) || (name === 'audit' && uses.auditTable) ? ['dynamodb'] : []),
      ...(uses.buckets.some((b) => BUCKET_KEY[b] === name) ? ['s3'] : []),
    ];
    if (services.length > 0)
      role.addToPrincipalPolicy(
        viaService(byName[name], services, [
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ]),
      );
  }
}

/** The buckets a function reads, lists, adds to or tags objects in. */
function bucketsTouched(spec: {
  readonly reads?: readonly ObjectAccess[];
  readonly lists?: readonly ObjectAccess[];
  readonly writes?: readonly ObjectAccess[];
  readonly tags?: readonly ObjectAccess[];
}): BucketName[] {
  return [
    ...new Set(
      [...(spec.reads ?? []), ...(spec.lists ?? []), ...(spec.writes ?? []), ...(spec.tags ?? [])].map(
        (a) => a.bucket,
      ),
    ),
  ];
}

/** Bundling hooks that copy `files` into the bundle's `data/` after esbuild ran. */
export function copyDataFiles(files: readonly DataFile[]): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      files.flatMap((f) => {
        const into = path.posix.join(outputDir, 'data', f.into);
        return [`mkdir -p "${into}"`, `cp "${path.posix.join(inputDir, f.source)}" "${into}/"`];
      }),
  };
}
