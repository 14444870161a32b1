/**
 * The stack's shape, pinned with literals in this one place. Every test in template.test.ts takes its
 * expectation from shared/topology.ts, the list the stack is built from, so a stage or queue dropped from
 * the topology (or a construct that stopped being built) passes them all; these numbers do not move with it.
 */
import { describe, expect, it } from 'vitest';
import { BUCKET_NOTIFICATIONS, BUCKETS, HUMAN_QUEUES, JOBS, queues, STAGES } from '#shared/topology.ts';
import { resources, template } from './harness.ts';

/**
 * Changing the topology must change these numbers deliberately, in the same change: never derive them
 * from shared/topology.ts or the template.
 */
const PINNED = {
  stages: 7,
  /** One per stage: the queue its Lambda consumes. */
  lambdaQueues: 7,
  /** qa-review, qa-review-senior, coded-batches: read by people. */
  humanQueues: 3,
  /** One per queue. */
  deadLetterQueues: 10,
  /** intake, denials, artifacts, audit. */
  topologyBuckets: 4,
  /** intake/exports/ and denials/remittances/. */
  bucketNotifications: 2,
  /** A message in any DLQ. */
  deadLetterAlarms: 10,
  /** The oldest message of each queue: a human queue nobody drains, a stage that stopped consuming. */
  ageAlarms: 10,
  /** RecordsFailed of each stage, and Errors and Throttles of its function. */
  functionAlarms: 21,
  /** The hourly reconciler of stranded chart versions. */
  jobs: 1,
  /** The reconciler's Errors, and ChartsRedriven (something lost a message). */
  jobAlarms: 2,
} as const;

/** Resources of the synthesised template, by type: the pinned shape above, plus what the stack adds. */
const PINNED_TEMPLATE: Record<string, number> = {
  'AWS::KMS::Key': 4, // data, queues, logs, and the HMAC key
  'AWS::S3::Bucket': 6, // 4 topology buckets, the access-log bucket, the CloudTrail bucket
  'AWS::S3::BucketPolicy': 6,
  'Custom::S3BucketNotifications': 2,
  'AWS::SQS::Queue': 20, // 7 Lambda-consumed + 3 human-drained queues, and 10 DLQs
  'AWS::SQS::QueuePolicy': 20,
  // 10 DLQ alarms, 10 age alarms, 7 each of RecordsFailed, Errors and Throttles; the reconciler's 2
  'AWS::CloudWatch::Alarm': 43,
  'AWS::Lambda::Function': 9, // 7 stages, the reconciler, and the CDK's S3 notifications handler
  'AWS::Lambda::EventSourceMapping': 7,
  'AWS::Events::Rule': 1, // the reconciler's schedule
  'AWS::Logs::LogGroup': 9, // 7 stages, the reconciler, and CloudTrail's
  'AWS::DynamoDB::Table': 1,
  'AWS::SNS::Topic': 1,
  'AWS::CloudTrail::Trail': 1,
  'AWS::Backup::BackupPlan': 1,
};

describe('pinned shape', () => {
  it('the topology has 7 stages, 7 Lambda-consumed and 3 human-drained queues, 4 buckets, 2 notifications', () => {
    expect(STAGES).toHaveLength(PINNED.stages);
    expect(JOBS).toHaveLength(PINNED.jobs);
    expect(new Set(STAGES.map((s) => s.queue)).size).toBe(PINNED.lambdaQueues);
    expect(queues().filter((q) => !q.humanDrained)).toHaveLength(PINNED.lambdaQueues);
    expect(queues().filter((q) => q.humanDrained)).toHaveLength(PINNED.humanQueues);
    expect(HUMAN_QUEUES).toHaveLength(PINNED.humanQueues);
    expect(BUCKETS).toHaveLength(PINNED.topologyBuckets);
    expect(BUCKET_NOTIFICATIONS).toHaveLength(PINNED.bucketNotifications);
  });

  it('the template holds exactly the pinned resources of each kind', () => {
    const { template: t } = template();
    const counts = Object.fromEntries(
      Object.keys(PINNED_TEMPLATE).map((type) => [type, Object.keys(resources(t, type)).length]),
    );
    expect(counts).toEqual(PINNED_TEMPLATE);
  });

  it('the template has a function, a mapping and a queue with its DLQ per stage, and the pinned alarms', () => {
    const { template: t } = template();
    const nodeFunctions = Object.values(resources(t, 'AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.Runtime).startsWith('nodejs'),
    );
    expect(nodeFunctions).toHaveLength(PINNED.stages + PINNED.jobs);
    expect(Object.keys(resources(t, 'AWS::Lambda::EventSourceMapping'))).toHaveLength(PINNED.stages);
    const sqs = Object.values(resources(t, 'AWS::SQS::Queue'));
    expect(sqs.filter((q) => q.Properties.RedrivePolicy)).toHaveLength(
      PINNED.lambdaQueues + PINNED.humanQueues,
    );
    expect(sqs.filter((q) => !q.Properties.RedrivePolicy)).toHaveLength(PINNED.deadLetterQueues);
    const alarms = Object.values(resources(t, 'AWS::CloudWatch::Alarm'));
    const on = (metric: string) => alarms.filter((a) => a.Properties.MetricName === metric);
    expect(on('ApproximateNumberOfMessagesVisible')).toHaveLength(PINNED.deadLetterAlarms);
    expect(on('ApproximateAgeOfOldestMessage')).toHaveLength(PINNED.ageAlarms);
    expect([...on('RecordsFailed'), ...on('Errors'), ...on('Throttles')]).toHaveLength(
      PINNED.functionAlarms + 1,
    );
    expect(on('ChartsRedriven')).toHaveLength(1);
    expect(alarms).toHaveLength(
      PINNED.deadLetterAlarms + PINNED.ageAlarms + PINNED.functionAlarms + PINNED.jobAlarms,
    );
  });
});
