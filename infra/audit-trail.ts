import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SecureBucket, type SecureBucketProps } from './secure-bucket.ts';

export interface AuditTrailProps {
  /** Encrypts the log files, the trail's bucket and its CloudWatch log group. */
  readonly encryptionKey: kms.IKey;
  /** Where the trail bucket's own server access logs go. */
  readonly serverAccessLogsBucket: s3.IBucket;
  /** Buckets whose object-level reads and writes are recorded (S3 data events). */
  readonly dataEventBuckets: readonly s3.IBucket[];
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Object Lock of the trail's bucket (the audit bucket's): its log files cannot be changed or removed. */
  readonly objectLock: SecureBucketProps['objectLock'];
  /** Tables whose item-level reads and writes are recorded too (DynamoDB data events). */
  readonly dataEventTables: readonly dynamodb.ITable[];
}

/**
 * A CloudTrail trail for the PHI buckets: every object read and write on them (S3 data events) plus the
 * account's management events, in all regions, with log-file integrity validation, SSE-KMS log files
 * in a hardened bucket of its own, and a copy in an encrypted CloudWatch log group.
 */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: SecureBucket;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { account, partition } = Stack.of(this);

    // The Trail construct does not grant CloudTrail the key; without this creation fails with
    // "Insufficient permissions to access S3 bucket ... or KMS key".
    const cloudTrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptLogFiles',
        principals: [cloudTrailPrincipal],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*`,
          },
        },
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribeKey',
        principals: [cloudTrailPrincipal],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
      }),
    );

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: 'cloudtrail-bucket/',
      removalPolicy: props.removalPolicy,
      objectLock: props.objectLock,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.bucket,
      encryptionKey: props.encryptionKey,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });
    this.trail.addS3EventSelector(
      props.dataEventBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL },
    );
    // Who read or wrote which item of the state and audit tables (DynamoDB data events): basic event
    // selectors take only S3 and Lambda, so these are advanced selectors, one per table.
    const cfn = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfn.advancedEventSelectors = [
      { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
      {
        name: 'S3 data events on the PHI buckets',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
          {
            field: 'resources.ARN',
            startsWith: props.dataEventBuckets.map((bucket) => `${bucket.bucketArn}/`),
          },
        ],
      },
      ...props.dataEventTables.map((table, i) => ({
        name: `DynamoDB data events on table ${i + 1}`,
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
          { field: 'resources.ARN', equalTo: [table.tableArn] },
        ],
      })),
    ];
    cfn.addPropertyDeletionOverride('EventSelectors');
  }
}
