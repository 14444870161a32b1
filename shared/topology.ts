/**
 * THE list of stages and queues. infra/ builds the CDK stack from it and cli/local/ builds the embedded
 * stack from it, so the two cannot drift. Pure data: no imports beyond types.
 */

export type LambdaQueueName =
  | 'intake'
  | 'validate'
  | 'sample'
  | 'qa-result'
  | 'billing'
  | 'billing-reply'
  | 'denial'
  | 'audit';
export type HumanQueueName = 'qa-review' | 'qa-review-senior' | 'coded-batches';
export type QueueName = LambdaQueueName | HumanQueueName;
export type StageName =
  | 'intake'
  | 'validation'
  | 'qa-sampling'
  | 'qa-result'
  | 'billing-handoff'
  | 'billing-reply'
  | 'denial-ingestion'
  | 'audit-chainer';
export type BucketName = 'intake' | 'denials' | 'artifacts' | 'audit';

export interface StageSpec {
  name: StageName;
  /** The queue this stage's Lambda consumes. */
  queue: LambdaQueueName;
  /** Queues it sends to (for IAM grants and environment). */
  sendsTo: readonly QueueName[];
  /**
   * The objects it reads, lists and adds, by bucket and key prefix: its role gets `s3:GetObject`,
   * `s3:ListBucket` (conditioned on `s3:prefix`) and `s3:PutObject` on exactly these. Every stage gets
   * every bucket's name in its environment; a grant is what lets it touch one.
   */
  reads: readonly ObjectAccess[];
  lists?: readonly ObjectAccess[];
  writes: readonly ObjectAccess[];
  /** Objects whose tags it sets (`s3:PutObjectTagging`): what a person's role may read is conditioned on them. */
  tags?: readonly ObjectAccess[];
  /** Whether it computes chartKeys or other identifiers with the HMAC key (`kms:GenerateMac`). */
  macs: boolean;
  /**
   * Whether it draws with the sampling key (`kms:GenerateMac` on a key of its own, which no other role
   * may use): which chart QA samples, which verdict gets a second review. Nobody else can predict a draw.
   */
  samples?: boolean;
  /** Its queue is FIFO (`.fifo`): delivered in order per message group, deduplicated by message id. */
  fifo?: boolean;
  /**
   * The DynamoDB actions its adapters call on the table (never an index, never DeleteItem, BatchWriteItem
   * or Scan, so no stage can erase or rewrite audit events wholesale).
   */
  table: readonly TableAction[];
  /**
   * Its DynamoDB actions on the audit table, and the partitions they are limited to
   * (`dynamodb:LeadingKeys`): a stage that records audit events may only add them (PutItem on `AUDIT#`).
   */
  auditTable: readonly AuditTableAccess[];
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

export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'Query';

export interface AuditTableAccess {
  actions: readonly TableAction[];
  /**
   * Partition key prefixes, ending in `#` (`AUDIT#`, `CHAIN#`), or whole partition keys with IAM's `*`
   * (`AUDIT#*#config`: one subject of every agency): its grant is conditioned on them.
   */
  partitions: readonly string[];
}

/**
 * The audit subjects the trail's own jobs record under, in each agency: the configuration and code tables
 * in force (the reconciler), and the audit queue's messages the chainer refused. Their grants name them.
 */
export const TRAIL_SUBJECTS = { config: 'config', refusedMessages: 'audit-queue' } as const;

/**
 * What every stage and job that records audit events may do on the audit table: add an event (PutItem,
 * no update or delete at all), under `AUDIT#` alone, and send it to the chainer's queue.
 */
export const RECORDS_AUDIT: readonly AuditTableAccess[] = [{ actions: ['PutItem'], partitions: ['AUDIT#'] }];
const READ_WRITE_QUERY: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'Query'];
/** Chart versions read by key, added and transitioned: nothing listed by partition. */
const READ_WRITE: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem'];
/** Chart versions read by key and transitioned: nothing added, nothing listed. */
const READ_UPDATE: readonly TableAction[] = ['GetItem', 'UpdateItem'];

export interface ObjectAccess {
  bucket: BucketName;
  /** Key prefixes, each ending in `/`. */
  prefixes: readonly string[];
  /**
   * Objects an S3 event notification announces: the buckets are versioned, so the event names the
   * version and the stage reads that version (`s3:GetObjectVersion`), not whatever is newest.
   */
  byVersion?: boolean;
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
  /** A FIFO queue (`.fifo`): delivered in order per message group, deduplicated by message id. */
  fifo: boolean;
  /** SQS visibility timeout; for Lambda queues six times the function timeout, as AWS advises. */
  visibilityTimeoutSeconds: number;
  retentionDays: number;
  maxReceiveCount: number;
  /** Alarm when the oldest message is older than this (a human queue nobody drains, a stage that stopped). */
  maxAgeAlarmMinutes: number;
}

export const MAX_RECEIVE_COUNT = 5;
/** Receives of a human-drained queue's message before its DLQ: people read these queues in their own time. */
export const HUMAN_MAX_RECEIVE_COUNT = 100;
/** Receives after which SQS leaves a message out of ApproximateAgeOfOldestMessage. */
export const AGE_METRIC_RECEIVES = 3;
/** Every queue and DLQ keeps a message as long as SQS allows. */
export const QUEUE_RETENTION_DAYS = 14;

/**
 * The age of a Lambda queue's oldest message that pages someone: three visibility timeouts (a message
 * received three times drops out of ApproximateAgeOfOldestMessage: SQS then measures the next one) plus
 * a quarter hour, so a message retried on its way to the DLQ does not alarm, and a queue nobody consumes
 * (a refused grant, a disabled mapping, throttling) does.
 */
export function lambdaQueueAgeAlarmMinutes(visibilityTimeoutSeconds: number): number {
  return Math.ceil((visibilityTimeoutSeconds * AGE_METRIC_RECEIVES) / 60) + 15;
}
/** Dead-letter queues keep a message as long as SQS allows, for someone to look at it. */
export const DLQ_RETENTION_DAYS = 14;

/**
 * Intake's scratch space in the intake bucket: a FHIR drop's resources, partitioned by patient while
 * the drop is read. A lifecycle rule expires it; nothing else reads it. It is kept a day longer than a
 * dead-lettered continuation of the drop, so one redriven as late as SQS keeps it can still finish (the
 * drop's own files, the same PHI, stay in exports/ longer anyway).
 */
export const INTAKE_WORK_PREFIX = 'work/';
export const INTAKE_WORK_DAYS = DLQ_RETENTION_DAYS + 1;

/**
 * Where a continued intake run finds its file's key (`keys/<agency>/<objectId>.json`, see
 * functions/intake/source-keys.ts): kept a day longer than a dead-lettered continuation, so one redriven
 * as late as SQS keeps it still finds its file.
 */
export const INTAKE_KEYS_PREFIX = 'keys/';
export const INTAKE_KEYS_DAYS = DLQ_RETENTION_DAYS + 1;

export const STAGES: readonly StageSpec[] = [
  {
    name: 'intake',
    queue: 'intake',
    // Its own queue too: a long file continues in a new run by a message to itself.
    sendsTo: ['validate', 'intake', 'audit'],
    // The dropped file (the version its event names), and its own scratch space for a FHIR drop.
    reads: [
      { bucket: 'intake', prefixes: ['exports/'], byVersion: true },
      { bucket: 'intake', prefixes: [INTAKE_WORK_PREFIX, INTAKE_KEYS_PREFIX] },
    ],
    // A FHIR drop's folder (a `.done` marker lists it) and the scratch partitions.
    lists: [{ bucket: 'intake', prefixes: ['exports/', INTAKE_WORK_PREFIX] }],
    // Never `exports/`: a write there would notify intake again.
    writes: [
      { bucket: 'intake', prefixes: ['quarantine/', INTAKE_WORK_PREFIX, INTAKE_KEYS_PREFIX] },
      { bucket: 'artifacts', prefixes: ['charts/', 'receipts/'] },
      { bucket: 'audit', prefixes: ['receipts/'] },
    ],
    // A chart file written again (a re-export) is a new object version: one sampled gets its review tag back.
    tags: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    macs: true,
    table: READ_WRITE_QUERY,
    auditTable: RECORDS_AUDIT,
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
    sendsTo: ['sample', 'audit'],
    reads: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    writes: [],
    macs: false,
    table: READ_UPDATE,
    auditTable: RECORDS_AUDIT,
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
    sendsTo: ['qa-review', 'qa-review-senior', 'billing', 'audit'],
    reads: [],
    writes: [],
    // A sampled chart's file is tagged for review: the QA roles may read only such files.
    tags: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    // The sampling key: a keyed hash of the chart, so coders cannot predict the draw.
    macs: false,
    samples: true,
    table: READ_WRITE_QUERY,
    auditTable: RECORDS_AUDIT,
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
    sendsTo: ['billing', 'qa-review', 'qa-review-senior', 'audit'],
    reads: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    // The corrected chart, beside the original.
    writes: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    // The sampling key, to re-draw a blind second review.
    macs: false,
    samples: true,
    table: READ_WRITE,
    auditTable: RECORDS_AUDIT,
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
    sendsTo: ['coded-batches', 'audit'],
    // Every chart file it bills goes into the batch file.
    reads: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    // The manifest and CSV, and their Object-Locked copies.
    writes: [
      { bucket: 'artifacts', prefixes: ['batches/'] },
      { bucket: 'audit', prefixes: ['batches/'] },
    ],
    // Each chart file it bills is tagged for billing: the billing role may read only files so tagged.
    tags: [{ bucket: 'artifacts', prefixes: ['charts/'] }],
    macs: false,
    table: READ_WRITE_QUERY,
    auditTable: RECORDS_AUDIT,
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
    name: 'billing-reply',
    queue: 'billing-reply',
    // A rejected batch's charts go back to billing handoff, which makes a new batch of them.
    sendsTo: ['billing', 'audit'],
    // The billing team's answers name a batch; the reason for a rejection is theirs, under billing-notes/,
    // and only its key is kept: nothing read or written in a bucket.
    reads: [],
    writes: [],
    macs: false,
    // The batch read and settled, its charts' versions read (Query) and moved; the audit events go to the audit table.
    table: ['GetItem', 'UpdateItem', 'Query'],
    auditTable: RECORDS_AUDIT,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memoryMb: 256,
    reservedConcurrency: 2,
    purpose:
      "Records the billing team's answers (pulled, refused on its checks, accepted, rejected) under the identity that sent them",
  },
  {
    name: 'denial-ingestion',
    queue: 'denial',
    sendsTo: ['audit'],
    reads: [{ bucket: 'denials', prefixes: ['remittances/'], byVersion: true }],
    writes: [{ bucket: 'denials', prefixes: ['quarantine/'] }],
    // chartKeys of the charts a remittance answers, and claim-number aliases.
    macs: true,
    table: READ_WRITE_QUERY,
    auditTable: RECORDS_AUDIT,
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
  {
    name: 'audit-chainer',
    queue: 'audit',
    // FIFO, one message group per agency: one chainer at a time per agency, events in the order sent.
    fifo: true,
    // A message it refuses is recorded (`audit.message-refused`) and chained like any event.
    sendsTo: ['audit'],
    reads: [],
    writes: [],
    macs: false,
    table: [],
    // The chain's links (CHAIN#<agency>) and the event ids chained (CHAINED#<agency>#<eventId>).
    auditTable: [
      { actions: ['GetItem', 'PutItem'], partitions: ['CHAIN#', 'CHAINED#'] },
      // The messages it refuses, recorded as audit events under that subject alone.
      { actions: ['PutItem'], partitions: [`AUDIT#*#${TRAIL_SUBJECTS.refusedMessages}`] },
      // The event as recorded, which is what it links (never what a message says it is).
      { actions: ['GetItem'], partitions: ['AUDIT#'] },
      // Its tip: the newest link.
      { actions: ['Query'], partitions: ['CHAIN#'] },
    ],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memoryMb: 256,
    reservedConcurrency: 2,
    purpose: "Links every audit event into its agency's hash chain, in the order sent, once",
  },
];

/**
 * The tamper-evident trail in the audit bucket: `audit-trail/<agency>/segments/…` and `…/digests/…`
 * (shared/audit-trail/segments.ts). A segment holds at most SEGMENT_MAX_EVENTS events; the sealer runs
 * every SEAL_EVERY_MINUTES, so a segment is an agency's hour, or 10,000 events of a busier one.
 */
export const AUDIT_TRAIL_PREFIX = 'audit-trail/';
export const SEGMENT_MAX_EVENTS = 10_000;
export const SEAL_EVERY_MINUTES = 60;

/**
 * A Lambda EventBridge runs on a schedule rather than a queue. Its role gets exactly `sendsTo`, its
 * `table` actions on the table, and Query on the gsi1 index when it `queriesIndex`: no S3, no MAC.
 */
export interface JobSpec {
  name: 'reconciler' | 'audit-sealer';
  everyMinutes: number;
  sendsTo: readonly LambdaQueueName[];
  table: readonly TableAction[];
  auditTable: readonly AuditTableAccess[];
  queriesIndex: boolean;
  /** Files bundled with its code, as a stage's (StageSpec.dataFiles). */
  dataFiles?: readonly DataFile[];
  /** Objects it reads and adds, as a stage's (StageSpec.reads and writes). */
  reads?: readonly ObjectAccess[];
  writes?: readonly ObjectAccess[];
  /** Signs the audit trail's digests: `kms:Sign` with the signing key, granted to nothing else. */
  signs?: boolean;
  /** The metric it emits when what it looks for turns up, alarmed with what that means. */
  foundMetric?: { name: string; what: string };
  timeoutSeconds: number;
  memoryMb: number;
  purpose: string;
}

/** How long a chart may wait on a stage before the reconciler re-drives it (`codetrail reconcile`'s default too). */
export const RECONCILE_AFTER_MINUTES = 60;

/** What the reconciler counts: chart versions it re-drove (alarmed: something lost a message). */
export const RECONCILER_METRIC = 'ChartsRedriven';

export const JOBS: readonly JobSpec[] = [
  {
    name: 'reconciler',
    everyMinutes: 60,
    // The stages a stranded chart is re-driven to (shared/runtime/stranded-charts.ts).
    sendsTo: ['validate', 'sample', 'billing', 'audit'],
    // The chart.redriven audit event; the index: the strandable statuses by agency, oldest first.
    table: [],
    auditTable: [
      ...RECORDS_AUDIT,
      // Each agency's last config.in-force event, against what is in force now: that subject alone.
      { actions: ['Query'], partitions: [`AUDIT#*#${TRAIL_SUBJECTS.config}`] },
    ],
    queriesIndex: true,
    // The code tables it records as in force, with each file's hash.
    dataFiles: [CODE_TABLES],
    timeoutSeconds: 300,
    memoryMb: 256,
    purpose: `hourly: records the configuration and code tables in force when a deployment changed them, and re-drives chart versions left in a stage-owned status for ${RECONCILE_AFTER_MINUTES} minutes or more (a lost message), audited`,
    foundMetric: {
      name: RECONCILER_METRIC,
      what: 'chart versions waited on a stage past the bound and were re-driven (a lost message: find out why)',
    },
  },
  {
    name: 'audit-sealer',
    everyMinutes: SEAL_EVERY_MINUTES,
    sendsTo: [],
    table: [],
    // The chain's links, read in order, and where each agency's sealed trail ends (SEAL#<agency>).
    auditTable: [
      { actions: ['Query'], partitions: ['CHAIN#'] },
      { actions: ['GetItem', 'PutItem'], partitions: ['SEAL#'] },
    ],
    queriesIndex: false,
    // Segments and signed digests, written once; read back to finish a run that stopped half-way.
    reads: [{ bucket: 'audit', prefixes: [AUDIT_TRAIL_PREFIX] }],
    writes: [{ bucket: 'audit', prefixes: [AUDIT_TRAIL_PREFIX] }],
    signs: true,
    timeoutSeconds: 900,
    memoryMb: 512,
    purpose: `every ${SEAL_EVERY_MINUTES} minutes: seals each agency's newly chained audit events into the audit bucket, in segments of at most ${SEGMENT_MAX_EVENTS.toLocaleString('en-US')} with a signed digest each (a quiet digest when nothing is new)`,
  },
];

/** The tag qa-sampling puts on the file of a chart it sends for review; the QA roles read only files so tagged. */
export const REVIEW_TAG = { key: 'codetrail-qa', value: 'review' } as const;
/** The tag billing handoff puts on the chart file a batch bills; the billing role reads only files so tagged. */
export const BILLING_TAG = { key: 'codetrail-billing', value: 'batched' } as const;

/**
 * The whole tag set of a chart file (S3 sets tags as a whole, so every writer of them states all): for
 * review when sampled, for billing when a batch bills it.
 */
export function chartFileTags(access: { review: boolean; billing: boolean }): Record<string, string> {
  return {
    ...(access.review ? { [REVIEW_TAG.key]: REVIEW_TAG.value } : {}),
    ...(access.billing ? { [BILLING_TAG.key]: BILLING_TAG.value } : {}),
  };
}

/**
 * The roles people and outside systems assume, by the name the role snapshot and the local IAM know them
 * by. The EMR export writer is deployed once per agency: locally `person:emr-writer@<agency>` acts as one.
 */
export const PERSON_ROLES = {
  emrWriter: 'person:emr-writer',
  qaReviewer: 'person:qa-reviewer',
  qaSenior: 'person:qa-senior',
  compliance: 'person:compliance',
  coder: 'person:coder',
  billing: 'person:billing',
} as const;

/**
 * A person's role of one agency (`person:qa-reviewer@<agency>`): every role people assume is deployed
 * once per agency, so a person is limited to the agencies whose roles they may assume.
 */
export function agencyRole(kind: (typeof PERSON_ROLES)[keyof typeof PERSON_ROLES], agency: string): string {
  return `${kind}@${agency}`;
}

/** The customer-managed KMS keys, each for one purpose (infra/keys.ts). */
export const KEY_NAMES = ['data', 'intake', 'audit', 'queue', 'logs', 'mac', 'sampling', 'signing'] as const;
/** What the audit sealer counts: events it sealed into the audit bucket (a count, not alarmed). */
export const AUDIT_SEALER_METRIC = 'AuditEventsSealed';

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

/**
 * The human queues are one per agency (SQS has no message-level IAM: a reviewer or billing team limited
 * to some agencies must never receive another's messages). Where one URL stands for a human queue (the
 * stages' environment, the stack's outputs, the local Resources) it is a template with `{agency}` in the
 * queue name (`…-qa-review_{agency}`); `_` appears in no queue kind and no agency id, so one kind's
 * name never matches another's.
 */
export const AGENCY_PLACEHOLDER = '{agency}';
export const AGENCY_QUEUE_SEPARATOR = '_';

export function isHumanQueue(name: QueueName): name is HumanQueueName {
  return HUMAN_QUEUES.some((q) => q.name === name);
}

/**
 * An agency (branch) id as the configuration allows it: lower-case letters, digits and hyphens, at most
 * 32 characters. It is part of keys, prefixes and queue names (`<stack>-qa-review_<agency>`, at most 80
 * characters), so a person's role can be limited to some agencies by IAM alone.
 */
export const AGENCY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The name of one agency's queue (or, given AGENCY_PLACEHOLDER, the template of every agency's). */
export function agencyQueueName(base: string, agency: string): string {
  return `${base}${AGENCY_QUEUE_SEPARATOR}${agency}`;
}

/** One agency's queue of a kind: the template's `{agency}` filled in. */
export function agencyQueueUrl(template: string, agency: string): string {
  // The id goes into a URL: only what an agency id may hold (lower-case letters, digits, hyphens).
  if (!AGENCY_ID.test(agency)) throw new Error('not an agency id');
  if (!template.includes(AGENCY_PLACEHOLDER)) throw new Error('not a per-agency queue URL');
  return template.replace(AGENCY_PLACEHOLDER, agency);
}

/**
 * Every concrete queue of `urls`, named as the topology and local tools name them: a Lambda queue by its
 * name, a human queue once per agency (`qa-review_<agency>`).
 */
export function concreteQueues(
  urls: Partial<Record<QueueName, string>>,
  agencies: readonly string[],
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, url] of Object.entries(urls) as [QueueName, string | undefined][]) {
    if (!url) continue;
    if (!url.includes(AGENCY_PLACEHOLDER)) out.push([name, url]);
    else
      for (const agency of agencies) out.push([agencyQueueName(name, agency), agencyQueueUrl(url, agency)]);
  }
  return out;
}

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
    fifo: s.fifo === true,
    visibilityTimeoutSeconds: 6 * s.timeoutSeconds,
    // The SQS maximum: a stage that stops consuming (a refused grant, a disabled mapping) pages someone
    // long before a message could expire.
    retentionDays: QUEUE_RETENTION_DAYS,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    maxAgeAlarmMinutes: lambdaQueueAgeAlarmMinutes(6 * s.timeoutSeconds),
  }));
  const human = HUMAN_QUEUES.map((q) => ({
    name: q.name,
    humanDrained: true,
    fifo: false,
    visibilityTimeoutSeconds: 300,
    retentionDays: QUEUE_RETENTION_DAYS,
    // People read these queues in their own time; only a message received very often without ever
    // being deleted is stuck. (Listing pending reviews reads the review board, not the queue.)
    maxReceiveCount: HUMAN_MAX_RECEIVE_COUNT,
    maxAgeAlarmMinutes: q.maxAgeAlarmMinutes,
  }));
  return [...lambda, ...human];
}

export function stage(name: StageName): StageSpec {
  const found = STAGES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown stage ${name}`);
  return found;
}

/**
 * The stages' own CloudWatch metrics (embedded metric format): the namespace, the service dimension, and
 * the count of records a stage could not take (each retried, and dead-lettered after maxReceiveCount).
 * Every metric is dimensioned by service and stage only, never by a chart or an agency.
 */
export const STAGE_METRICS = {
  namespace: 'Codetrail',
  service: 'codetrail',
  recordsFailed: 'RecordsFailed',
  /** Records a stage left for another live run to finish, to come again later (not alarmed). */
  recordsDeferred: 'RecordsDeferred',
} as const;

/** Environment variable names the Lambdas read their resource names from; infra and cli/local set them. */
export const ENV = {
  table: 'CODETRAIL_TABLE',
  auditTable: 'CODETRAIL_AUDIT_TABLE',
  bucket: (b: BucketName) => `CODETRAIL_BUCKET_${b.toUpperCase()}`,
  queueUrl: (q: QueueName) => `CODETRAIL_QUEUE_${q.toUpperCase().replaceAll('-', '_')}_URL`,
  macKeyId: 'CODETRAIL_MAC_KEY_ID',
  samplingKeyId: 'CODETRAIL_SAMPLING_KEY_ID',
  localKeyFile: 'CODETRAIL_LOCAL_KEY_FILE',
  signingKeyId: 'CODETRAIL_SIGNING_KEY_ID',
  localSigningKeyFile: 'CODETRAIL_LOCAL_SIGNING_KEY_FILE',
  config: 'CODETRAIL_CONFIG',
  dataDir: 'CODETRAIL_DATA_DIR',
} as const;

/**
 * How many agencies one stack serves. Each adds three queues with their dead-letter queues, queue
 * policies and alarms, and six roles with their policies (30 resources); CloudFormation allows 500
 * resources in a stack, the rest of codetrail takes about 140, and the margin is for what an agency's
 * stack adds around it. The configuration refuses more, locally too.
 */
export const MAX_AGENCIES_PER_STACK = 8;

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
  auditTable: 'AuditTable',
  bucket: (name: string) => `Bucket${pascal(name)}`,
  queue: (name: string) => `Queue${pascal(name)}`,
  deadLetterQueue: (name: string) => `DeadLetterQueue${pascal(name)}`,
  alarmTopic: 'AlarmTopic',
  macKey: 'MacKey',
  signingKey: 'SigningKey',
  /** Every role people assume is one per agency: `QaReviewerRoleDemoAgency`. */
  emrWriterRole: (agency: string) => `EmrWriterRole${pascal(agency)}`,
  qaReviewerRole: (agency: string) => `QaReviewerRole${pascal(agency)}`,
  qaSeniorRole: (agency: string) => `QaSeniorRole${pascal(agency)}`,
  complianceRole: (agency: string) => `ComplianceRole${pascal(agency)}`,
  coderRole: (agency: string) => `CoderRole${pascal(agency)}`,
  billingRole: (agency: string) => `BillingRole${pascal(agency)}`,
  /** The configured agency ids, comma-separated: each has its own human queues, roles and partitions. */
  agencies: 'Agencies',
} as const;
