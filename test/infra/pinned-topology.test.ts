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
  stages: 8,
  /** One per stage: the queue its Lambda consumes (the audit chainer's is FIFO). */
  lambdaQueues: 8,
  /** qa-review, qa-review-senior, coded-batches: read by people. */
  humanQueues: 3,
  /** One per queue. */
  deadLetterQueues: 11,
  /** intake, denials, artifacts, audit. */
  topologyBuckets: 4,
  /** intake/exports/ and denials/remittances/. */
  bucketNotifications: 2,
  /** A message in any DLQ. */
  deadLetterAlarms: 11,
  /** The oldest message of each queue: a human queue nobody drains, a stage that stopped consuming. */
  ageAlarms: 11,
  /** RecordsFailed of each stage, and Errors and Throttles of its function. */
  functionAlarms: 24,
  /** The hourly reconciler of stranded chart versions, the hourly audit sealer. */
  jobs: 2,
  /** The reconciler's Errors, and ChartsRedriven (something lost a message); the sealer's Errors. */
  jobAlarms: 3,
} as const;

/** Resources of the synthesised template, by type: the pinned shape above, plus what the stack adds. */
const PINNED_TEMPLATE: Record<string, number> = {
  'AWS::KMS::Key': 8, // intake, data, audit, queues, logs, the chartKey and sampling HMAC keys, the signing key
  'AWS::S3::Bucket': 6, // 4 topology buckets, the access-log bucket, the CloudTrail bucket
  'AWS::S3::BucketPolicy': 6,
  'Custom::S3BucketNotifications': 2,
  'AWS::SQS::Queue': 22, // 8 Lambda-consumed + 3 human-drained queues, and 11 DLQs
  'AWS::SQS::QueuePolicy': 22,
  // 11 DLQ alarms, 11 age alarms, 8 each of RecordsFailed, Errors and Throttles; the jobs' 3
  'AWS::CloudWatch::Alarm': 49,
  'AWS::Lambda::Function': 11, // 8 stages, 2 jobs, and the CDK's S3 notifications handler
  'AWS::Lambda::EventSourceMapping': 8,
  'AWS::Events::Rule': 5, // the jobs' schedules; the tamper alarms on keys, trails and the locked buckets
  'AWS::Logs::LogGroup': 11, // 8 stages, 2 jobs, and CloudTrail's
  'AWS::DynamoDB::Table': 2, // the table, the audit table
  'AWS::SNS::Topic': 1,
  'AWS::CloudTrail::Trail': 1,
  'AWS::Backup::BackupPlan': 1,
};

describe('pinned shape', () => {
  it('the topology has 8 stages, 8 Lambda-consumed and 3 human-drained queues, 4 buckets, 2 notifications', () => {
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
    // The stages' three each, and each job's Errors.
    expect([...on('RecordsFailed'), ...on('Errors'), ...on('Throttles')]).toHaveLength(
      PINNED.functionAlarms + PINNED.jobs,
    );
    expect(on('ChartsRedriven')).toHaveLength(1);
    expect(alarms).toHaveLength(
      PINNED.deadLetterAlarms + PINNED.ageAlarms + PINNED.functionAlarms + PINNED.jobAlarms,
    );
  });
});
