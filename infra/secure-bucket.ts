import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface SecureBucketProps {
  /** Customer-managed key for default SSE-KMS (with an S3 Bucket Key, which cuts KMS requests). */
  readonly encryptionKey: kms.IKey;
  /** Where S3 server access logs go. */
  readonly serverAccessLogsBucket: s3.IBucket;
  /** Prefix for this bucket's access logs in the log bucket; defaults to `<id>/`. */
  readonly serverAccessLogsPrefix?: string;
  /**
   * DESTROY deletes the bucket with the stack (CloudFormation refuses while it still holds objects:
   * no auto-delete custom resource is added); RETAIN (the default) keeps it.
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Object Lock (WORM). Only settable at creation. GOVERNANCE can be lifted by a principal with
   * s3:BypassGovernanceRetention; COMPLIANCE cannot be lifted by anyone, the root user included.
   */
  readonly objectLock?: { readonly mode: ObjectLockMode; readonly retentionDays: number };
  /** Prefixes of scratch objects that expire (every version) after the given days. */
  readonly scratch?: readonly { readonly prefix: string; readonly days: number }[];
}

/**
 * An S3 bucket with the secure defaults built in: SSE-KMS with a customer-managed key and a bucket key,
 * TLS 1.2+ only (the policy denies plain HTTP and older TLS), versioned, every public access blocked,
 * ACLs disabled, server access logs, incomplete multipart uploads cleaned up, optional Object Lock.
 */
export class SecureBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    const lock = props.objectLock;
    super(scope, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${id}/`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.scratch ?? []).map((s) => ({
          id: `expire-${s.prefix.replace(/[^A-Za-z0-9]/g, '')}`,
          prefix: s.prefix,
          expiration: Duration.days(s.days),
          noncurrentVersionExpiration: Duration.days(1),
        })),
      ],
      ...(lock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              lock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(lock.retentionDays))
                : s3.ObjectLockRetention.governance(Duration.days(lock.retentionDays)),
          }
        : {}),
    });
  }
}

export interface AccessLogBucketProps {
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The target of every bucket's S3 server access logs. S3 log delivery cannot write to a bucket whose
 * default encryption is SSE-KMS, so this one bucket uses SSE-S3 (AES-256); it is otherwise as locked down
 * as the rest: TLS only, versioned, no public access, ACLs disabled (log delivery is granted by the
 * bucket policy the CDK writes for logging.s3.amazonaws.com, scoped to the source buckets and account).
 */
export class AccessLogBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }
}
