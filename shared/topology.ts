/**
 * THE list of stages and queues. infra/ builds the CDK stack from it and cli/local/ builds the embedded
 * stack from it, so the two cannot drift. Pure data: no imports beyond types.
 */

export type LambdaQueueName = 'intake' | 'validate' | 'sample' | 'qa-result' | 'billing' | 'denial';
export type HumanQueueName = 'qa-review' | 'qa-review-senior' | 'coded-batches';
export type QueueName = LambdaQueueName | HumanQueueName;
export type StageName =
  | 'intake'
  | 'validation'
  | 'qa-sampling'
  | 'qa-result'
  | 'billing-handoff'
  | 'denial-ingestion';
export type BucketName = 'intake' | 'denials' | 'artifacts' | 'audit';

export interface StageSpec {
  name: StageName;
  /** The queue this stage's Lambda consumes. */
  queue: LambdaQueueName;
  /** Queues it sends to (for IAM grants and environment). */
  sendsTo: readonly QueueName[];
  /** Buckets it reads and writes (for IAM grants and environment). */
  reads: readonly BucketName[];
  writes: readonly BucketName[];
  batchSize: number;
  maxBatchingWindowSeconds: number;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency: number;
  /** Data files (repo paths) shipped inside the stage's bundle, under data/<into>/, read via ENV.dataDir. */
  dataFiles?: readonly DataFile[];
  /** What the stage does, for the README and the console. */
  purpose: string;
}

export interface DataFile {
  source: string;
  into: string;
}

/**
 * The code tables the coding rules read: the manifest, which names every table version and its file.
 * The CDK app ships the manifest and every file it lists (infra/data-files.ts).
 */
export const CODE_TABLES: DataFile = {
  source: 'shared/data/code-tables.json',
  into: '.',
};

export interface QueueSpec {
  name: QueueName;
  humanDrained: boolean;
  /** SQS visibility timeout; for Lambda queues six times the function timeout, as AWS advises. */
  visibilityTimeoutSeconds: number;
  retentionDays: number;
  maxReceiveCount: number;
  /** For human queues: alarm when the oldest message is older than this. */
  maxAgeAlarmMinutes?: number;
}

export const MAX_RECEIVE_COUNT = 5;
/**
 * Intake's scratch space in the intake bucket: a FHIR drop's resources, partitioned by patient while
 * the drop is read. A lifecycle rule expires it; nothing else reads it.
 */
export const INTAKE_WORK_PREFIX = 'work/';
export const INTAKE_WORK_DAYS = 7;

/** Dead-letter queues keep a message as long as SQS allows, for someone to look at it. */
export const DLQ_RETENTION_DAYS = 14;

export const STAGES: readonly StageSpec[] = [
  {
    name: 'intake',
    queue: 'intake',
    // Its own queue too: a long file continues in a new run by a message to itself.
    sendsTo: ['validate', 'intake'],
    reads: ['intake'],
    writes: ['intake', 'artifacts', 'audit'],
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 300,
    memoryMb: 512,
    reservedConcurrency: 5,
    purpose: 'Reads dropped EMR exports, stores each chart version, quarantines bad input',
  },
  {
    name: 'validation',
    queue: 'validate',
    sendsTo: ['sample'],
    reads: ['artifacts'],
    writes: [],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memoryMb: 512,
    reservedConcurrency: 10,
    dataFiles: [CODE_TABLES],
    purpose: 'Runs the coding rules; rejects to the coder or opens a clinician query',
  },
  {
    name: 'qa-sampling',
    queue: 'sample',
    sendsTo: ['qa-review', 'qa-review-senior', 'billing'],
    reads: [],
    writes: [],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    memoryMb: 256,
    reservedConcurrency: 5,
    purpose: 'Samples clean charts for QA re-review, deterministically, recording why',
  },
  {
    name: 'qa-result',
    queue: 'qa-result',
    // Billing; blind second reviews to qa-review; disputes to qa-review-senior.
    sendsTo: ['billing', 'qa-review', 'qa-review-senior'],
    reads: ['artifacts'],
    // The corrected chart, beside the original.
    writes: ['artifacts'],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    memoryMb: 512,
    reservedConcurrency: 5,
    dataFiles: [CODE_TABLES],
    purpose: "Applies a QA reviewer's verdict; corrections re-run the rules",
  },
  {
    name: 'billing-handoff',
    queue: 'billing',
    sendsTo: ['coded-batches'],
    reads: [],
    writes: ['artifacts', 'audit'],
    batchSize: 100,
    maxBatchingWindowSeconds: 60,
    timeoutSeconds: 120,
    memoryMb: 512,
    // SQS event sources poll with at least two concurrent invocations; fewer reserved means throttled
    // receives that count toward maxReceiveCount. Conditional writes keep two batches from sharing a chart.
    reservedConcurrency: 2,
    purpose: 'Groups ready charts into batches with a manifest and hands them to billing',
  },
  {
    name: 'denial-ingestion',
    queue: 'denial',
    sendsTo: [],
    reads: ['denials'],
    writes: ['denials'],
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    // A remittance is applied in one invocation (each answer written once, so a retry skips what is
    // done): the longest Lambda allows, for an 835 of tens of thousands of claims.
    timeoutSeconds: 900,
    memoryMb: 512,
    reservedConcurrency: 2,
    // The CARC and RARC tables: the family of each denial, and which count against the coder.
    dataFiles: [CODE_TABLES],
    purpose: 'Reads remittance files and traces each denial back to its chart and coder',
  },
];

export const HUMAN_QUEUES: readonly { name: HumanQueueName; maxAgeAlarmMinutes: number; purpose: string }[] =
  [
    { name: 'qa-review', maxAgeAlarmMinutes: 24 * 60, purpose: 'Sampled charts for QA reviewers' },
    {
      name: 'qa-review-senior',
      maxAgeAlarmMinutes: 24 * 60,
      purpose: 'Sampled charts for senior QA reviewers',
    },
    { name: 'coded-batches', maxAgeAlarmMinutes: 8 * 60, purpose: 'Coded batches for the billing team' },
  ];

/** Where S3 drops notify: these prefixes raise an event on the named queue. */
export const BUCKET_NOTIFICATIONS: readonly { bucket: BucketName; prefix: string; queue: LambdaQueueName }[] =
  [
    { bucket: 'intake', prefix: 'exports/', queue: 'intake' },
    { bucket: 'denials', prefix: 'remittances/', queue: 'denial' },
  ];

export const BUCKETS: readonly BucketName[] = ['intake', 'denials', 'artifacts', 'audit'];

export function queues(): QueueSpec[] {
  const lambda = STAGES.map((s) => ({
    name: s.queue,
    humanDrained: false,
    visibilityTimeoutSeconds: 6 * s.timeoutSeconds,
    retentionDays: 4,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  }));
  const human = HUMAN_QUEUES.map((q) => ({
    name: q.name,
    humanDrained: true,
    visibilityTimeoutSeconds: 300,
    retentionDays: 14,
    // People read these queues in their own time; only a message received very often without ever
    // being deleted is stuck. (Listing pending reviews reads the table, not the queue.)
    maxReceiveCount: 100,
    maxAgeAlarmMinutes: q.maxAgeAlarmMinutes,
  }));
  return [...lambda, ...human];
}

export function stage(name: StageName): StageSpec {
  const found = STAGES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown stage ${name}`);
  return found;
}

/** Environment variable names the Lambdas read their resource names from; infra and cli/local set them. */
export const ENV = {
  table: 'CODETRAIL_TABLE',
  bucket: (b: BucketName) => `CODETRAIL_BUCKET_${b.toUpperCase()}`,
  queueUrl: (q: QueueName) => `CODETRAIL_QUEUE_${q.toUpperCase().replaceAll('-', '_')}_URL`,
  macKeyId: 'CODETRAIL_MAC_KEY_ID',
  localKeyFile: 'CODETRAIL_LOCAL_KEY_FILE',
  config: 'CODETRAIL_CONFIG',
  dataDir: 'CODETRAIL_DATA_DIR',
} as const;

/** 'qa-review-senior' -> 'QaReviewSenior': construct ids and CloudFormation output keys. */
export function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The stack's CloudFormation output keys: infra writes them, the CLI reads them back with DescribeStacks. */
export const OUTPUT = {
  table: 'Table',
  bucket: (name: string) => `Bucket${pascal(name)}`,
  queue: (name: string) => `Queue${pascal(name)}`,
  deadLetterQueue: (name: string) => `DeadLetterQueue${pascal(name)}`,
  alarmTopic: 'AlarmTopic',
  macKey: 'MacKey',
} as const;
