import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '#shared/topology.ts';
import { DLQ_RETENTION_DAYS } from '#shared/topology.ts';

export interface PipelineQueueProps {
  /** The queue's settings from the topology. */
  readonly spec: QueueSpec;
  /** Customer-managed key for the queue and its DLQ (S3 notifications need a CMK, not the SQS-managed key). */
  readonly encryptionKey: kms.IKey;
  /** Where the alarms go. */
  readonly alarmTopic: sns.ITopic;
}

/** Dead-letter queues keep a message for the SQS maximum, so there is time to look and redrive. */
export const DLQ_RETENTION = Duration.days(DLQ_RETENTION_DAYS);

/**
 * One queue of the pipeline, Lambda-consumed or human-drained, with its secure defaults: KMS with a CMK,
 * TLS-only queue policy, a dead-letter queue (same protection) after `maxReceiveCount` receives, and
 * alarms to the stack's topic: any message in the DLQ, and, for human-drained queues, a message older
 * than `maxAgeAlarmMinutes` (nobody is draining it).
 */
export class PipelineQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineQueueProps) {
    super(scope, id);
    const { spec, encryptionKey, alarmTopic } = props;
    const protection = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
    };

    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', { ...protection, retentionPeriod: DLQ_RETENTION });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...protection,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });

    const action = new actions.SnsAction(alarmTopic);
    const dlqAlarm = new cloudwatch.Alarm(this, 'DlqAlarm', {
      alarmDescription: `codetrail: a message reached the dead-letter queue of ${spec.name}; inspect it, fix the cause, redrive`,
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

    if (spec.humanDrained && spec.maxAgeAlarmMinutes !== undefined) {
      const ageAlarm = new cloudwatch.Alarm(this, 'AgeAlarm', {
        alarmDescription: `codetrail: the oldest message in ${spec.name} waits more than ${spec.maxAgeAlarmMinutes} minutes; nobody is draining it`,
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
    }
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
