import * as path from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Config } from '#shared/model/config.ts';
import {
  BUCKETS,
  type BucketName,
  type DataFile,
  ENV,
  type QueueName,
  type StageSpec,
} from '#shared/topology.ts';
import type { PipelineQueue } from './pipeline-queue.ts';

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
  /** HMAC key; the stage may only GenerateMac with it. */
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
  readonly eventSource: SqsEventSource;

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

    this.eventSource = new SqsEventSource(props.queue.queue, {
      batchSize: spec.batchSize,
      maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      // Pollers never outnumber the reserved concurrency (2 is the SQS minimum), so fewer throttled
      // receives count against maxReceiveCount.
      maxConcurrency: Math.max(2, spec.reservedConcurrency),
    });
    this.fn.addEventSource(this.eventSource);

    for (const q of spec.sendsTo) props.queues[q].queue.grantSendMessages(this.fn);
    for (const b of spec.reads) props.buckets[b].grantRead(this.fn);
    // Stages add objects (new versions in versioned buckets) and never delete: quarantine is a copy, and
    // the audit bucket is write-once. Only PutObject: grantPut would add PutObjectRetention and
    // PutObjectLegalHold, which must stay with the agency's administrators on the Object Lock bucket.
    for (const b of spec.writes) {
      const bucket = props.buckets[b];
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }),
      );
      bucket.encryptionKey?.grantEncrypt(this.fn);
    }
    // Exactly what the adapters call: no DeleteItem, BatchWriteItem or Scan, so no stage can erase or
    // rewrite audit events wholesale (Scan is for the CLI, under the operator's own credentials).
    props.table.grant(
      this.fn,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    );
    props.table.encryptionKey?.grantEncryptDecrypt(this.fn);
    props.macKey.grant(this.fn, 'kms:GenerateMac');
  }
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
