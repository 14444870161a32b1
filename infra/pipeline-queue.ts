import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DLQ_RETENTION_DAYS,
  type HumanQueueName,
  isHumanQueue,
  type LambdaQueueName,
  type QueueName,
  type QueueSpec,
} from '#shared/topology.ts';

export interface PipelineQueueProps {
  /** The queue's settings from the topology. */
  readonly spec: QueueSpec;
  /** Customer-managed key for the queue and its DLQ (S3 notifications need a CMK, not the SQS-managed key). */
  readonly encryptionKey: kms.IKey;
  /** Where the alarms go: the stack's topic, and the agency's own when it names one. */
  readonly alarmTopics: readonly sns.ITopic[];
  /**
   * The physical names of the queue and its DLQ. A human queue is one per agency and named so that its
   * URL is known from the agency alone (`…-qa-review_<agency>`): the stages and the CLI fill in a template.
   */
  readonly names?: { readonly queue: string; readonly deadLetterQueue: string };
  /** Whose queue this is, in alarm descriptions (an agency's human queue). */
  readonly agency?: string;
}

/** Dead-letter queues keep a message for the SQS maximum, so there is time to look and redrive. */
export const DLQ_RETENTION = Duration.days(DLQ_RETENTION_DAYS);

/**
 * One queue of the pipeline, Lambda-consumed or human-drained, with its secure defaults: KMS with a CMK,
 * TLS-only queue policy, a dead-letter queue (same protection) after `maxReceiveCount` receives, and
 * alarms to the alarm topics: any message in the DLQ, and a message older than `maxAgeAlarmMinutes`
 * (nobody is draining a human queue, or a stage stopped consuming its own).
 */
export class PipelineQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineQueueProps) {
    super(scope, id);
    const { spec, encryptionKey, alarmTopics } = props;
    const name = props.agency ? `${spec.name} of ${props.agency}` : spec.name;
    const protection = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
    };

    const { names } = props;
    // A FIFO queue's DLQ is FIFO too. Deduplication and throughput are per message group (the agency):
    // each agency's events are deduplicated by their own ids and one agency's burst does not slow another's.
    const fifo = spec.fifo
      ? {
          fifo: true,
          contentBasedDeduplication: false,
          deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
          fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        }
      : {};
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      ...protection,
      ...(spec.fifo ? { fifo: true } : {}),
      retentionPeriod: DLQ_RETENTION,
      ...(names ? { queueName: names.deadLetterQueue } : {}),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...protection,
      ...fifo,
      ...(names ? { queueName: names.queue } : {}),
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });

    const dlqAlarm = new cloudwatch.Alarm(this, 'DlqAlarm', {
      alarmDescription: `codetrail: a message reached the dead-letter queue of ${name}; inspect it, fix the cause, redrive`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(dlqAlarm);

    // A human queue nobody drains, or a stage that stopped consuming (a refused grant, throttling, a
    // disabled mapping): either way the oldest message grows old.
    const ageAlarm = new cloudwatch.Alarm(this, 'AgeAlarm', {
      alarmDescription: spec.humanDrained
        ? `codetrail: the oldest message in ${name} waits more than ${spec.maxAgeAlarmMinutes} minutes; nobody is draining it`
        : `codetrail: the oldest message in ${name} waits more than ${spec.maxAgeAlarmMinutes} minutes; its stage is not consuming it (errors, throttles, a refused grant)`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: spec.maxAgeAlarmMinutes * 60,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(ageAlarm);
    notify(this.alarms, alarmTopics);
  }
}

/** Every alarm notifies every topic when it fires and when it clears. */
export function notify(alarms: readonly cloudwatch.Alarm[], topics: readonly sns.ITopic[]): void {
  for (const topic of topics) {
    const action = new actions.SnsAction(topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}

/**
 * The stack's queues: one per Lambda stage, and one of each human kind per agency (SQS has no
 * message-level IAM, so a person limited to some agencies reads only their queues). A function's
 * environment and the stack's outputs carry a human kind's URL as a template, `{agency}` where the
 * agency goes in its name.
 */
export class PipelineQueues {
  constructor(
    readonly lambda: Readonly<Record<LambdaQueueName, PipelineQueue>>,
    readonly human: Readonly<Record<HumanQueueName, Readonly<Record<string, PipelineQueue>>>>,
    private readonly templates: Readonly<Record<HumanQueueName, { queue: string; deadLetterQueue: string }>>,
  ) {}

  /** Every queue of a name: a Lambda queue, or each agency's queue of a human kind. */
  all(name: QueueName): PipelineQueue[] {
    return isHumanQueue(name) ? Object.values(this.human[name]) : [this.lambda[name]];
  }

  /** One agency's queue of a human kind. */
  of(name: HumanQueueName, agency: string): PipelineQueue {
    const queue = this.human[name][agency];
    if (!queue) throw new Error(`no ${name} queue for ${agency}`);
    return queue;
  }

  /** The URL a function's environment and the outputs carry: a Lambda queue's, or a human kind's template. */
  url(name: QueueName): string {
    return isHumanQueue(name) ? this.templates[name].queue : this.lambda[name].queue.queueUrl;
  }

  deadLetterQueueUrl(name: QueueName): string {
    return isHumanQueue(name)
      ? this.templates[name].deadLetterQueue
      : this.lambda[name].deadLetterQueue.queueUrl;
  }
}
