import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TAMPER_CALLS } from './tamper-alarms.ts';

export interface CodetrailKeysProps {
  /** DESTROY schedules the keys for deletion (7-day window) with the stack; RETAIN keeps them. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Outside a trial, the audit key refuses deletion, disabling and a new policy to everyone but these
   * roles (the CloudFormation deployment role and a break-glass role), so destroying the key that the
   * Object-Locked evidence is under takes one of those roles, and pages (the tamper alarms). Whoever may
   * deploy the stack can still deploy it without this guard: keep deploy rights as narrow.
   */
  readonly guardAuditKey?: { readonly allowedRoleArns: readonly string[] };
}

/**
 * The customer-managed KMS keys, split where one key would close a dependency cycle: a bucket's key
 * may not be the key of the queue that bucket notifies (the queue key's policy names the bucket ARN
 * for s3.amazonaws.com, the bucket names the key), so buckets and queues never share a key.
 *
 * | key   | protects                                                              |
 * |-------|-----------------------------------------------------------------------|
 * | intake | the intake bucket (an EMR export writer in another account is granted it alone) |
 * | data  | the table, the artifacts and denials buckets                          |
 * | audit | the audit bucket, the audit table, the backups (deletion, disabling, a new policy: break-glass only) |
 * | queue | every SQS queue and dead-letter queue                                 |
 * | logs  | Lambda and CloudTrail log groups, the CloudTrail files and bucket, the alarm topic |
 * | mac   | HMAC_256 key for chartKeys (GenerateMac only; KMS cannot rotate HMAC keys) |
 * | signing | ECC_NIST_P256 key that signs the audit trail's digests (Sign: the sealer alone) |
 * | sampling | HMAC_256 key of the QA sampling draws (GenerateMac: QA sampling and QA result alone) |
 *
 * The default key policy (account root may administer, IAM policies grant use) is kept: access is
 * delegated to IAM, where the CDK grants give each function only what its stage needs.
 */
export class CodetrailKeys extends Construct {
  readonly data: kms.Key;
  readonly intake: kms.Key;
  readonly audit: kms.Key;
  readonly queue: kms.Key;
  readonly logs: kms.Key;
  readonly mac: kms.Key;
  readonly signing: kms.Key;
  readonly sampling: kms.Key;

  constructor(scope: Construct, id: string, props: CodetrailKeysProps) {
    super(scope, id);
    const common = {
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(props.removalPolicy === RemovalPolicy.DESTROY ? 7 : 30),
    };
    // Symmetric keys rotate yearly; KMS cannot rotate HMAC keys.
    const symmetric = (keyId: string, description: string) =>
      new kms.Key(this, keyId, {
        ...common,
        enableKeyRotation: true,
        description: `codetrail: ${description}`,
      });
    const hmac = (keyId: string, description: string) =>
      new kms.Key(this, keyId, {
        ...common,
        keySpec: kms.KeySpec.HMAC_256,
        keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
        description: `codetrail: ${description}`,
      });

    this.data = symmetric('Data', 'the table, the artifacts and denials buckets');
    this.intake = symmetric('Intake', 'the intake bucket (EMR exports)');
    this.audit = symmetric('Audit', 'the audit bucket, the audit table and the backups');
    if (props.guardAuditKey)
      this.audit.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyDeployAndBreakGlassMayDeleteDisableOrRepolicy',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          // The calls the tamper alarms page on: nobody but these roles may make them.
          actions: TAMPER_CALLS.keys.map((call) => `kms:${call}`),
          resources: ['*'],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': [...props.guardAuditKey.allowedRoleArns] } },
        }),
      );
    this.queue = symmetric('Queue', 'SQS queues and dead-letter queues');
    this.logs = symmetric('Logs', 'CloudWatch log groups, CloudTrail log files and bucket, alarm topic');
    this.mac = hmac('Mac', 'HMAC key that derives chartKeys from (agencyId, EMR chart id)');
    // The draws' key apart from the identifiers': any reviewer's CLI may compute a chartKey, so with one
    // key they could compute which chart QA will draw.
    this.sampling = hmac('Sampling', 'HMAC key of the QA sampling draws (QA sampling and QA result alone)');

    // Asymmetric: the private half never leaves KMS, so a digest it signed cannot be forged elsewhere, and
    // anyone with the public half (an external auditor) can check one. KMS cannot rotate it: a new key
    // signs from then on, and digests name the key that signed them.
    this.signing = new kms.Key(this, 'Signing', {
      ...common,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      description: "codetrail: signs the audit trail's digest files (ECDSA P-256); only the sealer may sign",
    });

    // CloudWatch Logs encrypts log groups with the logs key, only for log groups in this account and region.
    const { account, region, partition } = Stack.of(this);
    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
}
