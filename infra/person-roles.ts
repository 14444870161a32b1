import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Config } from '#shared/model/config.ts';
import { BILLING_TAG, type QueueName, REVIEW_TAG } from '#shared/topology.ts';
import { viaService } from './codetrail-function.ts';
import { pascal } from './names.ts';
import type { PipelineQueue } from './pipeline-queue.ts';

export interface PersonRolesProps {
  readonly config: Config;
  readonly intakeBucket: s3.IBucket;
  /** The key the intake bucket encrypts with by default. */
  readonly intakeKey: kms.IKey;
  readonly artifactsBucket: s3.IBucket;
  /** The Object-Locked audit bucket. */
  readonly auditBucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  readonly queues: Readonly<Record<QueueName, PipelineQueue>>;
  /** The key of the table and the PHI buckets. */
  readonly dataKey: kms.IKey;
  readonly queueKey: kms.IKey;
  /** The HMAC key: a reviewer's verdict file names the EMR chart id, made into its chartKey. */
  readonly macKey: kms.IKey;
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
  /** QA reviewers: first reviews, from the qa-review queue. */
  readonly qaReviewer: iam.Role;
  /** Senior reviewers: charts sampled to senior review and dispute decisions (the senior queue). */
  readonly qaSenior: iam.Role;
  /** Compliance officers and auditors: read-only, the audit trail and the receipts. */
  readonly compliance: iam.Role;
  /** Coders: dispute the corrections of a QA review of their chart. */
  readonly coder: iam.Role;
  /** The billing team: takes coded batches, reads what they bill, answers through billing-reply. */
  readonly billing: iam.Role;

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
      // `aws:kms` without a key id would encrypt under the AWS managed key aws/s3, not the intake key.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['s3:PutObject'],
          resources: [props.intakeBucket.arnForObjects(`exports/${agency}/*`)],
          conditions: {
            StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
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

    this.qaReviewer = this.qaRole('QaReviewer', 'qa-review', props, 'first QA reviews');
    this.qaSenior = this.qaRole(
      'QaSenior',
      'qa-review-senior',
      props,
      'senior QA reviews (charts sampled to senior review) and dispute decisions',
    );
    this.compliance = this.complianceRole(props);
    this.coder = this.coderRole(props);
    this.billing = this.billingRole(props);
  }

  /**
   * The billing team: takes, holds and removes coded-batch messages; reads the batch files and only the
   * chart files a batch bills (billing handoff tags them: `s3:ExistingObjectTag`); files the free-text
   * reason for a rejected batch under `billing-notes/`; and sends what it did (pulled, refused on a check,
   * accepted, rejected) to the billing-reply queue, whose stage makes the change and the audit event under
   * the identity SQS saw send it. Of the table it reads batch items alone (GetItem, `dynamodb:LeadingKeys`
   * `BATCH#*`: a batch's status and members' chartKeys), and writes nothing.
   */
  private billingRole(props: PersonRolesProps): iam.Role {
    const { artifactsBucket, queues } = props;
    return this.accountRole('Billing', 'codetrail billing team: takes coded batches and answers for them', [
      allow(
        ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
        [queues['coded-batches'].queue.queueArn],
      ),
      allow(['sqs:SendMessage'], [queues['billing-reply'].queue.queueArn]),
      viaService(props.queueKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']),
      allow(['s3:GetObject'], [artifactsBucket.arnForObjects('batches/*')]),
      allow(['s3:GetObject'], [artifactsBucket.arnForObjects('charts/*')], {
        StringEquals: { [`s3:ExistingObjectTag/${BILLING_TAG.key}`]: BILLING_TAG.value },
      }),
      allow(['s3:PutObject'], [artifactsBucket.arnForObjects('billing-notes/*')], WRITE_ONCE),
      // Where a batch stands, before an answer is sent (a mistyped or settled batch refused at once).
      allow(['dynamodb:GetItem'], [props.table.tableArn], {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BATCH#*'] },
      }),
      viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt', 'kms:GenerateDataKey']),
    ]);
  }

  /**
   * Coders: send a dispute to the qa-result queue (whose stage checks the sender is the chart's coder
   * and records it under that identity), with its note under `qa-notes/`, the chart named by its EMR id
   * made into its chartKey (`kms:GenerateMac`). Nothing read: no chart file, no table, no queue taken.
   */
  private coderRole(props: PersonRolesProps): iam.Role {
    return this.accountRole(
      'Coder',
      'codetrail coder: disputes corrections of a QA review of their own chart',
      [
        allow(['sqs:SendMessage'], [props.queues['qa-result'].queue.queueArn]),
        viaService(props.queueKey, 'sqs', ['kms:GenerateDataKey']),
        allow(['s3:PutObject'], [props.artifactsBucket.arnForObjects('qa-notes/*')], WRITE_ONCE),
        viaService(props.dataKey, 's3', ['kms:GenerateDataKey']),
        allow(['kms:GenerateMac'], [props.macKey.keyArn]),
      ],
    );
  }

  /**
   * Compliance and auditors: read-only. The Object-Locked audit bucket (receipts and batch manifests as
   * locked), the intake receipts, and the audit events (Query on audit partitions alone:
   * `dynamodb:LeadingKeys` `AUDIT#*`). No chart file, no chart state, no queue, no write.
   */
  private complianceRole(props: PersonRolesProps): iam.Role {
    const { artifactsBucket, auditBucket } = props;
    return this.accountRole(
      'Compliance',
      'codetrail compliance and audit: reads the audit trail and receipts, writes nothing',
      [
        allow(['s3:GetObject'], [auditBucket.arnForObjects('*')]),
        allow(['s3:ListBucket'], [auditBucket.bucketArn]),
        allow(['s3:GetObject'], [artifactsBucket.arnForObjects('receipts/*')]),
        allow(['s3:ListBucket'], [artifactsBucket.bucketArn], {
          StringLike: { 's3:prefix': ['receipts/*'] },
        }),
        allow(['dynamodb:Query'], [props.table.tableArn], {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] },
        }),
        viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt']),
      ],
    );
  }

  /**
   * A QA role: takes, holds and removes requests on its own review queue; reads only the chart files
   * sampled for review (qa-sampling tags them: `s3:ExistingObjectTag`) and the review board (GetItem and
   * Query on `REVIEWS#` partitions alone: `dynamodb:LeadingKeys`), never a chart's state; adds its
   * free-text notes under `qa-notes/`; sends its answers to the qa-result queue, whose stage checks and records them under the
   * identity SQS saw send them. It never writes the table, lists a bucket or reads another file.
   */
  private qaRole(id: string, queue: QueueName, props: PersonRolesProps, what: string): iam.Role {
    const { artifactsBucket } = props;
    return this.accountRole(id, `codetrail ${what}`, [
      allow(
        ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
        [props.queues[queue].queue.queueArn],
      ),
      allow(['sqs:SendMessage'], [props.queues['qa-result'].queue.queueArn]),
      viaService(props.queueKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']),
      allow(['s3:GetObject'], [artifactsBucket.arnForObjects('charts/*')], {
        StringEquals: { [`s3:ExistingObjectTag/${REVIEW_TAG.key}`]: REVIEW_TAG.value },
      }),
      allow(['s3:PutObject'], [artifactsBucket.arnForObjects('qa-notes/*')], WRITE_ONCE),
      // Its own queue's review board alone (`REVIEWS#<agency>#<queue>`): what waits and what a reviewer is
      // shown. Not the other queue's (a dispute shows the first review), no chart state, no audit event.
      allow(['dynamodb:GetItem', 'dynamodb:Query'], [props.table.tableArn], {
        // A senior also answers first and second reviews of the first reviewers' queue: both partitions.
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [
            queue === 'qa-review-senior' ? 'REVIEWS#*#qa-review*' : `REVIEWS#*#${queue}`,
          ],
        },
      }),
      viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt', 'kms:GenerateDataKey']),
      allow(['kms:GenerateMac'], [props.macKey.keyArn]),
    ]);
  }

  /**
   * A role people of this account share (its administrators grant them sts:AssumeRole), holding
   * `statements`. Its session is always named after the IAM user who assumed it, so the SenderId SQS
   * stamps on what they send (`AROA...:<user name>`) and CloudTrail name the person (`PERSON_TRUST`).
   */
  private accountRole(id: string, description: string, statements: iam.PolicyStatement[]): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: new iam.AccountRootPrincipal().withConditions(PERSON_TRUST),
      description,
    });
    // The source identity is set as the session is made: the trust must allow that too.
    role.assumeRolePolicy?.addStatements(trustStatement(['sts:SetSourceIdentity'], PERSON_TRUST));
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    return role;
  }
}

/** An IAM policy variable, `${name}`: IAM fills it in from the request. */
function policyVariable(name: string): string {
  return `\${${name}}`;
}

/**
 * How a person may assume a role people share: as an IAM user of this account, with the session named
 * after the user (`${aws:username}`, which IAM fills in from who signed the request, so no one can name
 * it after someone else), signed in with MFA, and that name set as the source identity, which no later role in a chain can
 * change. The session name is what SQS's SenderId and CloudTrail carry, so they name the person.
 * Roles and federated sessions have no user name and cannot assume these roles: people who sign in
 * through IAM Identity Center or another identity provider get the role's policy in a permission set of
 * their own instead (AWS names those sessions after the user). Trusting any session that carries a source
 * identity would let anyone who may set one (an admin or CI role) name it after someone else.
 */
export const PERSON_TRUST = {
  StringEquals: {
    'sts:RoleSessionName': policyVariable('aws:username'),
    'sts:SourceIdentity': policyVariable('aws:username'),
  },
  // Signed in with MFA: these roles read PHI, and an IAM user's long-term keys alone do not say who holds them.
  Bool: { 'aws:MultiFactorAuthPresent': 'true' },
} as const;

function trustStatement(actions: string[], conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, principals: [new iam.AccountRootPrincipal()], conditions });
}

/**
 * A PutObject that may only add an object, never replace one: the request must carry `If-None-Match: *`
 * (`s3:if-none-match` = `*`), so S3 refuses it when the key holds an object. A person's notes.
 */
const WRITE_ONCE = { StringEquals: { 's3:if-none-match': '*' } };

/** An Allow statement. */
function allow(
  actions: string[],
  resources: string[],
  conditions?: Record<string, unknown>,
): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) });
}
