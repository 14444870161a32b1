import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface TamperAlarmsProps {
  /** Keys whose deletion, disabling or new policy would let someone destroy or forge the evidence. */
  readonly keys: readonly kms.IKey[];
  /** The audit and CloudTrail buckets: a new bucket policy or Object Lock setting is alarmed. */
  readonly buckets: readonly s3.IBucket[];
  /**
   * Where they go: the stack's alarm topic and the agency's own (`alarmTopicArn`), whose policy must let
   * events.amazonaws.com publish (the stack cannot add that to a topic it did not make).
   */
  readonly topics: readonly sns.ITopic[];
  /** The stack topic's key: EventBridge must be able to use it to publish to an encrypted topic. */
  readonly topicKey: kms.IKey;
}

/** The CloudTrail-recorded calls that would undo the audit evidence, each a rule of its own. */
export const TAMPER_CALLS = {
  keys: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy'],
  // A trail stopped or deleted, or told to record less (its data events dropped).
  trail: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
  // A new bucket policy or lock, and any delete: in a versioned bucket a delete adds a marker that hides
  // the newest version (nothing is removed under Object Lock, but a trail could be hidden whole).
  buckets: [
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'PutObjectLockConfiguration',
    'DeleteObject',
    'DeleteObjects',
  ],
} as const;

/**
 * EventBridge rules that page whoever gets the alarms, at once, when someone schedules a codetrail key's
 * deletion, disables it or replaces its policy (crypto-shredding the evidence), stops, deletes or
 * narrows a CloudTrail trail, or changes the policy or Object Lock of the audit or trail bucket, or
 * deletes an object in either. A deploy that changes a key or bucket policy pages too: expect it then.
 * The S3 object deletes are data events: they arrive because the stack's trail records them. They match the
 * management events CloudTrail delivers to EventBridge ("AWS API Call via CloudTrail"), so they work
 * only where a trail records management events, as the stack's own does in every region.
 */
export class TamperAlarms extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: TamperAlarmsProps) {
    super(scope, id);
    const call = (source: string, eventNames: readonly string[], detail: Record<string, unknown> = {}) => ({
      source: [source],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: [`${source.replace('aws.', '')}.amazonaws.com`],
        eventName: [...eventNames],
        ...detail,
      },
    });
    const rule = (ruleId: string, description: string, pattern: events.EventPattern) =>
      new events.Rule(this, ruleId, {
        description: `codetrail: ${description}`,
        eventPattern: pattern,
        targets: props.topics.map((topic) => new targets.SnsTopic(topic)),
      });
    this.rules = [
      rule(
        'Keys',
        "a codetrail key's deletion was scheduled, or it was disabled or given a new policy",
        call('aws.kms', TAMPER_CALLS.keys, { resources: { ARN: props.keys.map((k) => k.keyArn) } }),
      ),
      rule('Trail', 'a CloudTrail trail was stopped or deleted', call('aws.cloudtrail', TAMPER_CALLS.trail)),
      rule(
        'Buckets',
        "the audit or CloudTrail bucket's policy or Object Lock was changed",
        call('aws.s3', TAMPER_CALLS.buckets, {
          requestParameters: { bucketName: props.buckets.map((b) => b.bucketName) },
        }),
      ),
    ];
    // EventBridge publishes to the encrypted topic with its key.
    props.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeTamperRulesUseKeyForAlarmTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
