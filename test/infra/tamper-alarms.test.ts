import { describe, expect, it } from 'vitest';
import { TAMPER_CALLS } from '../../infra/tamper-alarms.ts';
import { arn, logicalId, resourceOf, resources, template } from './harness.ts';

/** What would undo the audit evidence pages someone at once (issue 14, item 5). */
describe('the tamper alarms', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;
  const [keys, trail, buckets] = c.tamperAlarms.rules.map((r) => resourceOf(t, r).Properties);

  it("pages on a codetrail key's deletion scheduled, disabling or new policy, naming every key", () => {
    expect(keys?.EventPattern).toEqual({
      source: ['aws.kms'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['kms.amazonaws.com'],
        eventName: [...TAMPER_CALLS.keys],
        resources: {
          ARN: [
            c.keys.data,
            c.keys.intake,
            c.keys.audit,
            c.keys.queue,
            c.keys.logs,
            c.keys.mac,
            c.keys.sampling,
            c.keys.signing,
          ].map(arn),
        },
      },
    });
  });

  it('pages on a trail stopped or deleted, and on a new policy or Object Lock of the audit and trail buckets', () => {
    expect(trail?.EventPattern.detail).toEqual({
      eventSource: ['cloudtrail.amazonaws.com'],
      eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
    });
    expect(buckets?.EventPattern.detail).toEqual({
      eventSource: ['s3.amazonaws.com'],
      eventName: [
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'PutObjectLockConfiguration',
        'DeleteObject',
        'DeleteObjects',
      ],
      requestParameters: {
        bucketName: [c.buckets.audit, c.auditTrail.bucket].map((b) => ({ Ref: logicalId(b) })),
      },
    });
  });

  it("sends each to the agency's own alarm topic too, when the config names one", () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:pager';
    const { template: own, built: b } = template({ alarmTopicArn: topic });
    for (const rule of b.stack.codetrail.tamperAlarms.rules)
      expect(resourceOf(own, rule).Properties.Targets).toEqual([
        expect.objectContaining({ Arn: { Ref: logicalId(b.stack.codetrail.alarmTopic) } }),
        expect.objectContaining({ Arn: topic }),
      ]);
  });

  it('sends each to the alarm topic, whose key EventBridge may use', () => {
    for (const rule of [keys, trail, buckets])
      expect(rule?.Targets).toEqual([expect.objectContaining({ Arn: { Ref: logicalId(c.alarmTopic) } })]);
    const statements = resourceOf(t, c.keys.logs).Properties.KeyPolicy.Statement as {
      Sid?: string;
      Principal?: unknown;
    }[];
    expect(statements.find((s) => s.Sid === 'EventBridgeTamperRulesUseKeyForAlarmTopic')?.Principal).toEqual({
      Service: 'events.amazonaws.com',
    });
    const topicPolicies = Object.values(resources(t, 'AWS::SNS::TopicPolicy'));
    expect(JSON.stringify(topicPolicies)).toContain('events.amazonaws.com');
  });
});
