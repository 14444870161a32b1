import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { auditLock, type Config, deployRefusal } from '#shared/model/config.ts';
import {
  AGENCY_PLACEHOLDER,
  agencyQueueName,
  BUCKET_NOTIFICATIONS,
  BUCKETS,
  type BucketName,
  type HumanQueueName,
  INTAKE_KEYS_DAYS,
  INTAKE_KEYS_PREFIX,
  INTAKE_WORK_DAYS,
  INTAKE_WORK_PREFIX,
  isHumanQueue,
  JOBS,
  type JobSpec,
  KEY_NAMES,
  type LambdaQueueName,
  queues,
  STAGES,
  type StageName,
  type StageSpec,
} from '#shared/topology.ts';
import { AlarmTopic } from './alarm-topic.ts';
import { AuditTrail } from './audit-trail.ts';
import { BUCKET_KEY } from './codetrail-function.ts';
import { expandDataFiles } from './data-files.ts';
import { CodetrailKeys } from './keys.ts';
import { type Acknowledged, acknowledgeFindings } from './nag.ts';
import { OUTPUT, pascal } from './names.ts';
import { PersonRoles } from './person-roles.ts';
import { PipelineQueue, PipelineQueues } from './pipeline-queue.ts';
import { ScheduledJob } from './scheduled-job.ts';
import { AccessLogBucket, SecureBucket } from './secure-bucket.ts';
import { Stage } from './stage.ts';
import { TamperAlarms } from './tamper-alarms.ts';

/** The repository root (this file lives in <root>/infra/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `functions/<stage or job>/handler.ts` under the project root. */
export function defaultEntry(stage: { name: string }, projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, 'functions', stage.name, 'handler.ts');
}

export interface CodetrailProps {
  /** The validated agency configuration (`Config.parse` of codetrail.config.json). */
  readonly config: Config;
  /** Repository root holding functions/, shared/ and package-lock.json; defaults to this file's parent folder. */
  readonly projectRoot?: string;
  /** Handler file of a stage or scheduled job; defaults to `functions/<name>/handler.ts`. */
  readonly entry?: (fn: StageSpec | JobSpec) => string;
  /** Retention of the Lambda and CloudTrail log groups; defaults to one year. */
  readonly logRetention?: logs.RetentionDays;
  /** Prefix of the CloudFormation output keys (`Table`, `Bucket<Name>`, `Queue<Name>`, ...); defaults to none. */
  readonly outputPrefix?: string;
  /**
   * Record the reviewed cdk-nag acknowledgments of infra/nag.ts on this construct's resources (they take
   * effect only in an app that adds the nag packs); defaults to true.
   */
  readonly acknowledgeNagFindings?: boolean;
}

/**
 * codetrail in one construct, laid out as the architecture diagram: keys, buckets and the table, the
 * queues from the topology with S3 notifications into them, one Lambda stage per topology stage, the
 * alarm topic, a backup plan for the table and a CloudTrail trail over the PHI buckets. Drop it into
 * any stack whose name is known at synth (its human queues are named after it, so a URL template finds
 * each agency's); `CodetrailStack` is the stack that holds only this.
 */
export class Codetrail extends Construct {
  readonly config: Config;
  readonly keys: CodetrailKeys;
  readonly alarmTopic: sns.Topic;
  readonly accessLogs: AccessLogBucket;
  readonly buckets: Readonly<Record<BucketName, SecureBucket>>;
  readonly table: dynamodb.Table;
  /** Audit events and each agency's hash chain of them: stages and people may only add to it. */
  readonly auditTable: dynamodb.Table;
  readonly backupPlan: backup.BackupPlan;
  readonly queues: PipelineQueues;
  readonly stages: Readonly<Record<StageName, Stage>>;
  readonly jobs: Readonly<Record<JobSpec['name'], ScheduledJob>>;
  readonly personRoles: PersonRoles;
  readonly auditTrail: AuditTrail;
  /** EventBridge rules paging on what would undo the evidence: keys, trails, the locked buckets. */
  readonly tamperAlarms: TamperAlarms;
  /** The cdk-nag acknowledgments recorded on this construct (empty when `acknowledgeNagFindings` is false). */
  readonly acknowledgments: readonly Acknowledged[];

  constructor(scope: Construct, id: string, props: CodetrailProps) {
    super(scope, id);
    // Server access logs are granted by bucket policy (ACLs stay disabled on every bucket), whatever
    // the enclosing app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const config = props.config;
    this.config = config;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const entry = props.entry ?? ((s: StageSpec | JobSpec) => defaultEntry(s, projectRoot));
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    // Production-grade unless the config says it is a trial: everything kept, the tables protected.
    const refusal = deployRefusal(config);
    if (refusal) throw new Error(refusal);
    const removeOnDestroy = config.trial;
    const removalPolicy = removeOnDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const lock = auditLock(config);
    const objectLock = { mode: lock.mode, retentionDays: lock.days };

    this.keys = new CodetrailKeys(this, 'Keys', {
      removalPolicy,
      ...(config.trial
        ? {}
        : {
            guardAuditKey: {
              allowedRoleArns: [
                deploymentRoleArn(this),
                ...(config.breakGlassRoleArn ? [config.breakGlassRoleArn] : []),
              ],
            },
          }),
    });
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      encryptionKey: this.keys.logs,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    }).topic;

    // Every alarm goes to the stack's topic and, when the config names one, to the agency's own topic
    // (an on-call pager, a chat integration); SNS topics cannot subscribe to each other.
    if (config.alarmTopicArn) sameAccountAndRegion(this, config.alarmTopicArn);
    const alarmTopics: sns.ITopic[] = [
      this.alarmTopic,
      ...(config.alarmTopicArn
        ? [sns.Topic.fromTopicArn(this, 'AgencyAlarmTopic', config.alarmTopicArn)]
        : []),
    ];

    // Storage: the PHI buckets, their access-log bucket, the table.
    this.accessLogs = new AccessLogBucket(this, 'AccessLogs', { removalPolicy });
    const buckets = {} as Record<BucketName, SecureBucket>;
    for (const b of BUCKETS) {
      buckets[b] = new SecureBucket(this, `Bucket${pascal(b)}`, {
        encryptionKey: this.keys[BUCKET_KEY[b]],
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${b}/`,
        removalPolicy,
        ...(b === 'intake'
          ? {
              scratch: [
                { prefix: INTAKE_WORK_PREFIX, days: INTAKE_WORK_DAYS },
                { prefix: INTAKE_KEYS_PREFIX, days: INTAKE_KEYS_DAYS },
              ],
            }
          : {}),
        ...(b === 'audit'
          ? {
              objectLock,
            }
          : {}),
      });
    }
    this.buckets = buckets;

    // Both tables: pk/sk, on demand, under the data key, with PITR, protected unless the stack is a trial.
    const tableDefaults: dynamodb.TableProps = {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.keys.data,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !removeOnDestroy,
      removalPolicy,
    };
    this.table = new dynamodb.Table(this, 'Table', {
      ...tableDefaults,
      // Items that set it are removed after it (epoch seconds): answered review board entries, a week on.
      timeToLiveAttribute: 'expiresAt',
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // Audit events in a table of their own, so a grant on it says exactly what a role may do to them:
    // stages and people PutItem under AUDIT# alone (no update, no delete), the chainer links, the sealer
    // reads links. The chain, sealed and signed in the audit bucket, shows anything changed behind that.
    this.auditTable = new dynamodb.Table(this, 'AuditTable', {
      ...tableDefaults,
      encryptionKey: this.keys.audit,
    });

    // Daily backups kept 35 days, besides PITR. The vault outlives the stack: a vault holding recovery
    // points cannot be deleted, and a failed delete would strand the whole stack.
    const vault = new backup.BackupVault(this, 'BackupVault', {
      encryptionKey: this.keys.audit,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily-35-days',
          scheduleExpression: events.Schedule.cron({ hour: '5', minute: '0' }),
          deleteAfter: Duration.days(35),
        }),
      ],
    });
    // One selection (one backup role) for both tables.
    this.backupPlan.addSelection('Table', {
      resources: [
        backup.BackupResource.fromDynamoDbTable(this.table),
        backup.BackupResource.fromDynamoDbTable(this.auditTable),
      ],
    });

    // Queues, and the S3 drops that feed them: one per Lambda stage, one of each human kind per agency.
    const agencies = config.agencies.map((a) => a.id);
    const lambdaQueues = {} as Record<LambdaQueueName, PipelineQueue>;
    const humanQueues = {} as Record<HumanQueueName, Record<string, PipelineQueue>>;
    const templates = {} as Record<HumanQueueName, { queue: string; deadLetterQueue: string }>;
    const namePrefix = queueNamePrefix(this);
    for (const topologySpec of queues()) {
      // The QA review queues alarm at the agency's QA turnaround SLA (slas.qaReviewHours).
      const spec =
        topologySpec.name === 'qa-review' || topologySpec.name === 'qa-review-senior'
          ? { ...topologySpec, maxAgeAlarmMinutes: config.slas.qaReviewHours * 60 }
          : topologySpec;
      const props = { spec, encryptionKey: this.keys.queue, alarmTopics };
      const kind = spec.name;
      if (!isHumanQueue(kind)) {
        lambdaQueues[kind] = new PipelineQueue(this, `Queue${pascal(kind)}`, props);
        continue;
      }
      // `<prefix>-qa-review_<agency>`: known from the agency alone, so one template serves every agency.
      // Named queues cannot be replaced in place: these construct ids (and so logical ids) must never
      // change (a test pins them), or CloudFormation would create the new queue under the old one's name.
      const nameOf = (suffix: string, agency: string) =>
        agencyQueueName(`${namePrefix}-${kind}${suffix}`, agency);
      humanQueues[kind] = {};
      for (const agency of agencies)
        humanQueues[kind][agency] = new PipelineQueue(this, `Queue${pascal(kind)}${pascal(agency)}`, {
          ...props,
          agency,
          names: { queue: nameOf('', agency), deadLetterQueue: nameOf('-dlq', agency) },
        });
      templates[kind] = {
        queue: queueUrlOf(nameOf('', AGENCY_PLACEHOLDER)),
        deadLetterQueue: queueUrlOf(nameOf('-dlq', AGENCY_PLACEHOLDER)),
      };
    }
    const pipelineQueues = new PipelineQueues(lambdaQueues, humanQueues, templates);
    this.queues = pipelineQueues;
    for (const n of BUCKET_NOTIFICATIONS) {
      buckets[n.bucket].addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.SqsDestination(lambdaQueues[n.queue].queue),
        { prefix: n.prefix },
      );
    }

    // One Lambda per stage, and one per scheduled job, over the same resources.
    const over = (spec: StageSpec | JobSpec) => ({
      queues: pipelineQueues,
      buckets,
      table: this.table,
      auditTable: this.auditTable,
      signingKey: this.keys.signing,
      dataKey: this.keys.data,
      intakeKey: this.keys.intake,
      auditKey: this.keys.audit,
      queueKey: this.keys.queue,
      macKey: this.keys.mac,
      samplingKey: this.keys.sampling,
      logsKey: this.keys.logs,
      config,
      entry: entry(spec),
      projectRoot,
      logRetention,
      removalPolicy,
      alarmTopics,
    });
    const stages = {} as Record<StageName, Stage>;
    for (const spec of STAGES) {
      stages[spec.name] = new Stage(this, `Stage${pascal(spec.name)}`, {
        ...over(spec),
        spec,
        queue: lambdaQueues[spec.queue],
        ...(spec.dataFiles ? { dataFiles: expandDataFiles(spec.dataFiles, projectRoot) } : {}),
      });
    }
    this.stages = stages;

    // Scheduled jobs: the hourly reconciler of stranded chart versions, the audit trail's sealer.
    const jobs = {} as Record<JobSpec['name'], ScheduledJob>;
    for (const spec of JOBS) {
      jobs[spec.name] = new ScheduledJob(this, `Job${pascal(spec.name)}`, {
        ...over(spec),
        spec,
        ...(spec.dataFiles ? { dataFiles: expandDataFiles(spec.dataFiles, projectRoot) } : {}),
        ...(spec.foundMetric ? { foundMetric: spec.foundMetric } : {}),
      });
    }
    this.jobs = jobs;

    // The roles of those who use the stack from outside: the EMR export job, one per agency.
    this.personRoles = new PersonRoles(this, 'PersonRoles', {
      config,
      intakeBucket: buckets.intake,
      intakeKey: this.keys.intake,
      auditKey: this.keys.audit,
      artifactsBucket: buckets.artifacts,
      auditBucket: buckets.audit,
      table: this.table,
      auditTable: this.auditTable,
      signingKey: this.keys.signing,
      queues: pipelineQueues,
      dataKey: this.keys.data,
      queueKey: this.keys.queue,
      macKey: this.keys.mac,
    });

    // Who touched which PHI object, when.
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      encryptionKey: this.keys.logs,
      serverAccessLogsBucket: this.accessLogs,
      dataEventBuckets: BUCKETS.map((b) => buckets[b]),
      dataEventTables: [this.table, this.auditTable],
      logRetention,
      removalPolicy,
      objectLock,
    });

    this.tamperAlarms = new TamperAlarms(this, 'TamperAlarms', {
      keys: KEY_NAMES.map((name) => this.keys[name]),
      buckets: [buckets.audit, this.auditTrail.bucket],
      topics: alarmTopics,
      topicKey: this.keys.logs,
    });

    // Outputs the CLI maps back to topology names (DescribeStacks).
    const prefix = props.outputPrefix ?? '';
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, `Output${key}`, { value, description }).overrideLogicalId(`${prefix}${key}`);
    output(OUTPUT.table, this.table.tableName, 'codetrail table');
    output(OUTPUT.auditTable, this.auditTable.tableName, 'codetrail audit table (events and their chain)');
    for (const b of BUCKETS) output(OUTPUT.bucket(b), buckets[b].bucketName, `codetrail ${b} bucket`);
    // A human kind's URL is a template (`{agency}` in its queue's name): one output, whatever the agencies.
    for (const spec of queues()) {
      const per = isHumanQueue(spec.name) ? ' template ({agency} = an agency id: each has its own)' : '';
      output(
        OUTPUT.queue(spec.name),
        pipelineQueues.url(spec.name),
        `codetrail ${spec.name} queue URL${per}`,
      );
      output(
        OUTPUT.deadLetterQueue(spec.name),
        pipelineQueues.deadLetterQueueUrl(spec.name),
        `codetrail ${spec.name} dead-letter queue URL${per}`,
      );
    }
    output(OUTPUT.alarmTopic, this.alarmTopic.topicArn, 'codetrail alarm topic ARN');
    output(OUTPUT.macKey, this.keys.mac.keyArn, 'codetrail chartKey HMAC key ARN');
    output(
      OUTPUT.signingKey,
      this.keys.signing.keyArn,
      "codetrail audit trail signing key ARN (its public half verifies the trail's digests)",
    );
    for (const [agency, roles] of Object.entries(this.personRoles.byAgency)) {
      output(
        OUTPUT.emrWriterRole(agency),
        roles.emrWriter.roleArn,
        `codetrail EMR export writer role for ${agency} (PutObject under exports/${agency}/ only)`,
      );
      output(
        OUTPUT.qaReviewerRole(agency),
        roles.qaReviewer.roleArn,
        `codetrail QA reviewer role for ${agency}`,
      );
      output(
        OUTPUT.qaSeniorRole(agency),
        roles.qaSenior.roleArn,
        `codetrail senior QA reviewer role for ${agency}`,
      );
      output(
        OUTPUT.complianceRole(agency),
        roles.compliance.roleArn,
        `codetrail compliance (read-only) role for ${agency}`,
      );
      output(OUTPUT.coderRole(agency), roles.coder.roleArn, `codetrail coder role for ${agency} (disputes)`);
      output(
        OUTPUT.billingRole(agency),
        roles.billing.roleArn,
        `codetrail billing team role for ${agency} (its coded batches)`,
      );
    }
    output(
      OUTPUT.agencies,
      props.config.agencies.map((a) => a.id).join(','),
      'codetrail agencies (ids): each has its own human queues, roles and partitions',
    );

    this.acknowledgments = (props.acknowledgeNagFindings ?? true) ? acknowledgeFindings(this) : [];
  }
}

/**
 * CloudWatch alarm actions publish only to a topic in the alarm's own account and region: a topic
 * elsewhere would fail at deploy (or, worse, stay silent). Checked at synth when the stack's account
 * and region are known (an environment-agnostic stack leaves them to deploy time).
 */
export function sameAccountAndRegion(scope: Construct, topicArn: string): void {
  const { account, region } = Stack.of(scope);
  const [, , , topicRegion, topicAccount] = topicArn.split(':');
  const known = (v: string) => !Token.isUnresolved(v);
  if (known(region) && topicRegion !== region)
    throw new Error(
      `alarmTopicArn is in ${topicRegion}, the stack in ${region}: alarms publish only within their region`,
    );
  if (known(account) && topicAccount !== account)
    throw new Error(
      `alarmTopicArn is in account ${topicAccount}, the stack in ${account}: alarms publish only within their account`,
    );
}

/**
 * The start of the stack's human queue names: the stack's name (shortened) and a hash of it and the
 * construct's path, so two stacks (or two codetrails in one) never share a name, and with the longest
 * kind (`qa-review-senior-dlq`) and agency id (32) a name stays within SQS's 80 characters.
 */
function queueNamePrefix(scope: Construct): string {
  const { stackName } = Stack.of(scope);
  if (Token.isUnresolved(stackName)) throw new Error('the stack needs a name known at synth');
  const hash = createHash('sha256').update(`${stackName}|${scope.node.path}`).digest('hex').slice(0, 6);
  return `${stackName.slice(0, 13)}-${hash}`;
}

/**
 * The role CloudFormation deploys the stack with: the CDK bootstrap's execution role (its qualifier from
 * the `@aws-cdk/core:bootstrapQualifier` context, `hnb659fds` by default). It alone, with a break-glass
 * role, may change the audit key's policy, so stack updates that add a grant still deploy.
 */
function deploymentRoleArn(scope: Construct): string {
  const { partition, account, region } = Stack.of(scope);
  const qualifier = scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? 'hnb659fds';
  return `arn:${partition}:iam::${account}:role/cdk-${qualifier}-cfn-exec-role-${account}-${region}`;
}

/** The URL SQS gives the queue of this name in the stack's account and region. */
function queueUrlOf(name: string): string {
  return `https://sqs.${Aws.REGION}.${Aws.URL_SUFFIX}/${Aws.ACCOUNT_ID}/${name}`;
}
