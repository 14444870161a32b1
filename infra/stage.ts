import * as path from 'node:path';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Config } from '#shared/model/config.ts';
import {
  BUCKETS,
  type BucketName,
  type DataFile,
  ENV,
  type QueueName,
  STAGE_METRICS,
  type StageSpec,
} from '#shared/topology.ts';
import { notify, type PipelineQueue } from './pipeline-queue.ts';

/** Where a bundle's data files live in the Lambda (its code is unpacked in /var/task). */
export const LAMBDA_DATA_DIR = '/var/task/data';

/**
 * Lambda caps a function's whole environment at 4 KB, counted as JSON (so the config's quotes count
 * twice). The other variables (table, four buckets, up to three queue URLs, the key ARN, the data
 * folder) take at most about 1.3 KB at CloudFormation's name limits; the config gets the rest.
 */
export const CONFIG_ENV_BUDGET_BYTES = 2560;

export interface StageProps {
  /** The stage's settings from the topology. */
  readonly spec: StageSpec;
  /** The queue the stage consumes. */
  readonly queue: PipelineQueue;
  /** Every pipeline queue by name (the stage gets send rights to its `sendsTo`). */
  readonly queues: Readonly<Record<QueueName, PipelineQueue>>;
  readonly buckets: Readonly<Record<BucketName, s3.IBucket>>;
  readonly table: dynamodb.ITable;
  /** The key of the table and the PHI buckets. */
  readonly dataKey: kms.IKey;
  /** The key of the pipeline queues. */
  readonly queueKey: kms.IKey;
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
  /** Where its Errors and Throttles alarms go. */
  readonly alarmTopics: readonly sns.ITopic[];
}

/**
 * One Lambda stage of the pipeline: a NodejsFunction (Node.js 24, arm64, ESM bundle with the SDK inside,
 * X-Ray, reserved concurrency), its own encrypted log group, a role holding only what the topology says
 * the stage touches, and an SQS event source with partial batch responses.
 */
export class Stage extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: lambda.EventSourceMapping;
  /** RecordsFailed (a record it could not take), Errors (a failed invocation) and Throttles. */
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id);
    const { spec, config } = props;

    const configJson = JSON.stringify(config);
    const counted = Buffer.byteLength(JSON.stringify(configJson));
    if (counted > CONFIG_ENV_BUDGET_BYTES) {
      throw new Error(
        `codetrail config takes ${counted} bytes of the Lambda environment; Lambda environments hold 4 KB in all, ` +
          `so it must stay under ${CONFIG_ENV_BUDGET_BYTES} bytes (move large per-coder tables out of the config)`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: logs may be written to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `codetrail ${spec.name}: ${spec.purpose}`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      [ENV.table]: props.table.tableName,
      [ENV.macKeyId]: props.macKey.keyId,
      [ENV.config]: configJson,
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const b of BUCKETS) environment[ENV.bucket(b)] = props.buckets[b].bucketName;
    for (const q of spec.sendsTo) environment[ENV.queueUrl(q)] = props.queues[q].queue.queueUrl;
    const dataFiles = props.dataFiles ?? [];
    if (dataFiles.length > 0) environment[ENV.dataDir] = LAMBDA_DATA_DIR;

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      description: `codetrail ${spec.name}: ${spec.purpose}`,
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      reservedConcurrentExecutions: spec.reservedConcurrency,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require(); give the ESM bundle one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: [],
        forceDockerBundling: false,
        ...(dataFiles.length > 0 ? { commandHooks: copyDataFiles(dataFiles) } : {}),
      },
    });

    // The event source mapping polls with the function's role: exactly what the Lambda service calls
    // (ReceiveMessage, DeleteMessage, GetQueueAttributes: the AWSLambdaSQSQueueExecutionRole actions),
    // where SqsEventSource's grant would add ChangeMessageVisibility and GetQueueUrl, which nothing calls.
    this.eventSource = this.fn.addEventSourceMapping('SqsEventSource', {
      eventSourceArn: props.queue.queue.queueArn,
      batchSize: spec.batchSize,
      maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      // Pollers never outnumber the reserved concurrency (2 is the SQS minimum), so fewer throttled
      // receives count against maxReceiveCount.
      maxConcurrency: Math.max(2, spec.reservedConcurrency),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [props.queue.queue.queueArn],
      }),
    );

    // Sending is SendMessage alone (grantSendMessages adds GetQueueAttributes and GetQueueUrl, unused).
    if (spec.sendsTo.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: spec.sendsTo.map((q) => props.queues[q].queue.queueArn),
        }),
      );
    }
    // SQS decrypts what the poller receives, and asks for a data key for what the stage sends, under
    // the queue key; only through SQS (kms:ViaService), never called directly.
    this.role.addToPrincipalPolicy(
      viaService(
        props.queueKey,
        'sqs',
        spec.sendsTo.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      ),
    );

    // Objects: GetObject (GetObjectVersion where an S3 event names the version), ListBucket on the
    // prefixes it lists, PutObject where it adds: each on its own key prefixes only. Stages add objects
    // (new versions in versioned buckets) and never delete: quarantine is a copy, and the audit bucket
    // is write-once. Only PutObject: grantPut would add PutObjectRetention and PutObjectLegalHold, which
    // must stay with the agency's administrators on the Object Lock bucket.
    for (const access of spec.reads) {
      const bucket = props.buckets[access.bucket];
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access.byVersion ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
          resources: access.prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
        }),
      );
    }
    for (const access of spec.lists ?? []) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.buckets[access.bucket].bucketArn],
          conditions: { StringLike: { 's3:prefix': access.prefixes.map((p) => `${p}*`) } },
        }),
      );
    }
    for (const access of spec.writes) {
      const bucket = props.buckets[access.bucket];
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: access.prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
        }),
      );
    }
    // Exactly what its adapters call, on the table alone (no stage queries an index): no DeleteItem,
    // BatchWriteItem or Scan, so no stage can erase or rewrite audit events wholesale (Scan is for the
    // CLI, under the operator's own credentials).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: spec.table.map((a) => `dynamodb:${a}`),
        resources: [props.table.tableArn],
      }),
    );
    // The data key encrypts the table and the buckets. DynamoDB encrypts and decrypts items with it for
    // the caller; S3 decrypts what a stage reads and generates a data key for what it writes (single-part
    // PutObject: no multipart, so no Decrypt for writing). Only through those services (kms:ViaService).
    // No ReEncrypt: key rotation keeps old key material inside KMS and asks nothing of callers.
    this.role.addToPrincipalPolicy(
      viaService(
        props.dataKey,
        ['dynamodb', 's3'],
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      ),
    );
    if (spec.macs) props.macKey.grant(this.role, 'kms:GenerateMac');

    // A record the stage could not take (the handler catches it and reports a batch item failure, so
    // Lambda's Errors does not count it: that is the stage's own RecordsFailed metric), an invocation
    // that failed whole (a timeout, out of memory, a crash at start-up), and any throttle (a throttled
    // receive counts toward the DLQ).
    const alarm = (id: string, metric: cloudwatch.Metric, what: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `codetrail ${spec.name}: ${what} in the last 5 minutes; see its log group`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const recordsFailed = new cloudwatch.Metric({
      namespace: STAGE_METRICS.namespace,
      metricName: STAGE_METRICS.recordsFailed,
      dimensionsMap: { service: STAGE_METRICS.service, stage: spec.name },
      ...period,
    });
    this.alarms = [
      alarm('RecordsFailedAlarm', recordsFailed, 'a record failed and will be retried'),
      alarm('ErrorsAlarm', this.fn.metricErrors(period), 'an invocation failed (timeout, memory, crash)'),
      alarm('ThrottlesAlarm', this.fn.metricThrottles(period), 'the function was throttled'),
    ];
    notify(this.alarms, props.alarmTopics);
  }
}

/** A statement allowing `actions` on `key` only when `services` call KMS for the role (kms:ViaService). */
function viaService(key: kms.IKey, services: string | string[], actions: string[]): iam.PolicyStatement {
  const names = (Array.isArray(services) ? services : [services]).map(
    (service) => `${service}.${Stack.of(key).region}.amazonaws.com`,
  );
  return new iam.PolicyStatement({
    actions,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': names } },
  });
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
