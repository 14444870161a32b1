import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Config } from '#shared/model/config.ts';
import { pascal } from './names.ts';

export interface PersonRolesProps {
  readonly config: Config;
  readonly intakeBucket: s3.IBucket;
  /** The key the intake bucket encrypts with by default. */
  readonly intakeKey: kms.IKey;
}

/**
 * The roles the people and systems outside the pipeline assume, so nobody writes IAM by hand. Today: one
 * EMR export writer per agency, which may add objects under `exports/<agency>/` of the intake bucket and
 * nothing else, encrypted under the intake key (SSE-KMS: a request naming another key or SSE-S3 is
 * refused; one naming none gets the bucket's default, that key), with the key through S3 only
 * (GenerateDataKey for every upload, Decrypt as well for multipart ones, which `aws s3 cp` makes above
 * 8 MB). Each role trusts the stack's own account (its administrators grant sts:AssumeRole to the job's
 * principal), or a vendor's account with an external id (`emrExport`).
 */
export class PersonRoles extends Construct {
  readonly emrWriters: Readonly<Record<string, iam.Role>>;

  constructor(scope: Construct, id: string, props: PersonRolesProps) {
    super(scope, id);
    const { emrExport } = props.config;
    const region = Stack.of(this).region;
    const trust: iam.IPrincipal = emrExport.account
      ? new iam.AccountPrincipal(emrExport.account).withConditions({
          StringEquals: { 'sts:ExternalId': emrExport.externalId },
        })
      : new iam.AccountRootPrincipal();
    const writers: Record<string, iam.Role> = {};
    for (const { id: agency } of props.config.agencies) {
      const role = new iam.Role(this, `EmrWriter${pascal(agency)}`, {
        assumedBy: trust,
        description: `codetrail EMR export writer for ${agency}: adds exports under exports/${agency}/ of the intake bucket`,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [props.intakeBucket.arnForObjects(`exports/${agency}/*`)],
          // Present, the encryption headers must say SSE-KMS under the intake key; absent, the bucket's
          // default encryption applies, which is that key.
          conditions: {
            StringEqualsIfExists: {
              's3:x-amz-server-side-encryption': 'aws:kms',
              's3:x-amz-server-side-encryption-aws-kms-key-id': props.intakeKey.keyArn,
            },
          },
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.intakeKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
      );
      writers[agency] = role;
    }
    this.emrWriters = writers;
  }
}
