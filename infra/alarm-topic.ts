import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Customer-managed key (CloudWatch cannot publish to a topic under the AWS-managed aws/sns key). */
  readonly encryptionKey: kms.IKey;
  /** Subscribed by email when set; the address must confirm the subscription. */
  readonly email?: string;
}

/**
 * The stack's alarm topic: KMS-encrypted with a CMK, publish over TLS only, and CloudWatch alarms of
 * this account (and only those) may publish to it and use the key to do so.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const alarms = `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`;
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'codetrail alarms',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnLike: { 'aws:SourceArn': alarms }, StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsUseKeyForAlarmTopic',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // As AWS documents it for alarm actions on encrypted topics; the topic policy above is what scopes
        // publishing to this account's alarms.
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
