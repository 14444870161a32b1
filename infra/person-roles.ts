import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PERSON_SUBJECTS } from '#shared/audit-trail/person-events.ts';
import { auditPk } from '#shared/aws/audit-table-keys.ts';
import { chartPk, claimRefPk, memberPk, payerClaimPk } from '#shared/aws/table-keys.ts';
import type { Config } from '#shared/model/config.ts';
import { BILLING_TAG, REVIEW_TAG } from '#shared/topology.ts';
import { viaService } from './codetrail-function.ts';
import { pascal } from './names.ts';
import type { PipelineQueues } from './pipeline-queue.ts';

export interface PersonRolesProps {
  readonly config: Config;
  readonly intakeBucket: s3.IBucket;
  /** The key the intake bucket encrypts with by default. */
  readonly intakeKey: kms.IKey;
  readonly artifactsBucket: s3.IBucket;
  /** The Object-Locked audit bucket. */
  readonly auditBucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** Audit events and their chain. */
  readonly auditTable: dynamodb.ITable;
  /** Its public half verifies the audit trail's digests. */
  readonly signingKey: kms.IKey;
  readonly queues: PipelineQueues;
  /** The key of the table and the artifacts bucket. */
  readonly dataKey: kms.IKey;
  /** The key of the audit bucket and the audit table. */
  readonly auditKey: kms.IKey;
  readonly queueKey: kms.IKey;
  /** The HMAC key: a reviewer's verdict file names the EMR chart id, made into its chartKey. */
  readonly macKey: kms.IKey;
}

/** The roles of one agency: everything a person or system outside the pipeline does for it. */
export interface AgencyRoles {
  /** The agency's EMR export job: adds exports under `exports/<agency>/` of the intake bucket. */
  readonly emrWriter: iam.Role;
  /** QA reviewers: first reviews, from the agency's qa-review queue. */
  readonly qaReviewer: iam.Role;
  /** Senior reviewers: charts sampled to senior review and dispute decisions (the agency's senior queue). */
  readonly qaSenior: iam.Role;
  /**
   * Compliance officers and auditors: the agency's audit trail, receipts, charts and their story; writes
   * only its own audit events (charts it opens, documentation requests).
   */
  readonly compliance: iam.Role;
  /** Coders: dispute the corrections of a QA review of their chart. */
  readonly coder: iam.Role;
  /** The billing team: takes the agency's coded batches, reads what they bill, answers through billing-reply. */
  readonly billing: iam.Role;
}

/**
 * The roles the people and systems outside the pipeline assume, so nobody writes IAM by hand: every
 * role once per agency (branch), scoped by IAM to that agency's queues, key prefixes
 * (`charts/<agency>/`, `batches/<agency>/`, `qa-notes/<agency>/`, `billing-notes/<agency>/`,
 * `receipts/<agency>/`) and table partitions (`dynamodb:LeadingKeys` `REVIEWS#<agency>#…`,
 * `BATCH#<agency>#…`, `AUDIT#<agency>#…`). A person who works for several agencies is allowed to
 * assume each one's role (their administrators grant it); nobody gets another agency's by default.
 *
 * The EMR export writer may add objects under `exports/<agency>/` of the intake bucket and nothing else,
 * encrypted under the intake key (SSE-KMS: a request naming another key or SSE-S3 is refused; one naming
 * none gets the bucket's default, that key), with the key through S3 only (GenerateDataKey for every
 * upload, Decrypt as well for multipart ones, which `aws s3 cp` makes above 8 MB). It trusts the stack's
 * own account (its administrators grant sts:AssumeRole to the job's principal), or a vendor's account
 * with an external id (`emrExport`).
 */
export class PersonRoles extends Construct {
  /** Each agency's roles, by agency id. */
  readonly byAgency: Readonly<Record<string, AgencyRoles>>;

  constructor(scope: Construct, id: string, props: PersonRolesProps) {
    super(scope, id);
    const roles: Record<string, AgencyRoles> = {};
    for (const { id: agency } of props.config.agencies)
      roles[agency] = {
        emrWriter: this.emrWriterRole(agency, props),
        qaReviewer: this.qaRole(agency, 'QaReviewer', 'qa-review', props, 'first QA reviews'),
        qaSenior: this.qaRole(
          agency,
          'QaSenior',
          'qa-review-senior',
          props,
          'senior QA reviews (charts sampled to senior review) and dispute decisions',
        ),
        compliance: this.complianceRole(agency, props),
        coder: this.coderRole(agency, props),
        billing: this.billingRole(agency, props),
      };
    this.byAgency = roles;
  }

  /** The agency's EMR export writer (see the class). */
  private emrWriterRole(agency: string, props: PersonRolesProps): iam.Role {
    const { emrExport } = props.config;
    const region = Stack.of(this).region;
    const trust: iam.IPrincipal = emrExport.account
      ? new iam.AccountPrincipal(emrExport.account).withConditions({
          StringEquals: { 'sts:ExternalId': emrExport.externalId },
        })
      : new iam.AccountRootPrincipal();
    const role = new iam.Role(this, `EmrWriter${pascal(agency)}`, {
      assumedBy: trust,
      description: `codetrail EMR export writer for ${agency}: adds exports under exports/${agency}/ of the intake bucket`,
    });
    const exports = props.intakeBucket.arnForObjects(`exports/${agency}/*`);
    // Present, the encryption headers must say SSE-KMS under the intake key; absent, the bucket's default
    // encryption applies, which is that key.
    role.addToPrincipalPolicy(
      allow(['s3:PutObject'], [exports], {
        StringEqualsIfExists: {
          's3:x-amz-server-side-encryption': 'aws:kms',
          's3:x-amz-server-side-encryption-aws-kms-key-id': props.intakeKey.keyArn,
        },
      }),
    );
    // `aws:kms` without a key id would encrypt under the AWS managed key aws/s3, not the intake key.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['s3:PutObject'],
        resources: [exports],
        conditions: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      }),
    );
    role.addToPrincipalPolicy(
      allow(['kms:GenerateDataKey', 'kms:Decrypt'], [props.intakeKey.keyArn], {
        StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
      }),
    );
    return role;
  }

  /**
   * The billing team of an agency: takes, holds and removes the agency's coded-batch messages; reads its
   * batch files and only the chart files a batch bills (billing handoff tags them:
   * `s3:ExistingObjectTag`); files the free-text reason for a rejected batch under
   * `billing-notes/<agency>/`; and sends what it did (pulled, refused on a check, accepted, rejected) to
   * the billing-reply queue, whose stage makes the change and the audit event under the identity SQS saw
   * send it. Of the table it reads the agency's batch items alone (GetItem, `dynamodb:LeadingKeys`
   * `BATCH#<agency>#*`: a batch's status and members' chartKeys), and writes nothing.
   */
  private billingRole(agency: string, props: PersonRolesProps): iam.Role {
    const { artifactsBucket, queues } = props;
    return this.accountRole(
      `Billing${pascal(agency)}`,
      `codetrail billing team of ${agency}: takes its coded batches and answers for them`,
      [
        allow(
          ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
          [queues.of('coded-batches', agency).queue.queueArn],
        ),
        allow(['sqs:SendMessage'], [queues.lambda['billing-reply'].queue.queueArn]),
        viaService(props.queueKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']),
        allow(['s3:GetObject'], [artifactsBucket.arnForObjects(`batches/${agency}/*`)]),
        allow(['s3:GetObject'], [artifactsBucket.arnForObjects(`charts/${agency}/*`)], {
          StringEquals: { [`s3:ExistingObjectTag/${BILLING_TAG.key}`]: BILLING_TAG.value },
        }),
        allow(['s3:PutObject'], [artifactsBucket.arnForObjects(`billing-notes/${agency}/*`)], WRITE_ONCE),
        // Where a batch stands, before an answer is sent (a mistyped or settled batch refused at once).
        allow(['dynamodb:GetItem'], [props.table.tableArn], {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`BATCH#${agency}#*`] },
        }),
        viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt', 'kms:GenerateDataKey']),
        // Each chart file a pull opens, as an audit event of its own.
        ...recordsOwnEvents(agency, props, [PERSON_SUBJECTS.access]),
      ],
    );
  }

  /**
   * Coders of an agency: send a dispute to the qa-result queue (whose stage checks the sender is the
   * chart's coder and records it under that identity), with its note under `qa-notes/<agency>/`, the
   * chart named by its EMR id made into its chartKey (`kms:GenerateMac`). Nothing read: no chart file, no
   * table, no queue taken.
   */
  private coderRole(agency: string, props: PersonRolesProps): iam.Role {
    return this.accountRole(
      `Coder${pascal(agency)}`,
      `codetrail coder of ${agency}: disputes corrections of a QA review of their own chart`,
      [
        allow(['sqs:SendMessage'], [props.queues.lambda['qa-result'].queue.queueArn]),
        viaService(props.queueKey, 'sqs', ['kms:GenerateDataKey']),
        allow(['s3:PutObject'], [props.artifactsBucket.arnForObjects(`qa-notes/${agency}/*`)], WRITE_ONCE),
        viaService(props.dataKey, 's3', ['kms:GenerateDataKey']),
        allow(['kms:GenerateMac'], [props.macKey.keyArn]),
      ],
    );
  }

  /**
   * Compliance and auditors of an agency: read-only. The agency's receipts, batch manifests and signed
   * audit trail (`audit-trail/<agency>/`) in the Object-Locked audit bucket, with the signing key's public
   * half to verify the trail; its intake receipts; its audit events in the audit table (Query on its
   * audit partitions alone: `dynamodb:LeadingKeys` `AUDIT#<agency>#*`); and, for a chart's story, its
   * chart versions' state, chart files and the claim a claimRef, payer ICN or member id names, with the
   * MAC key to make a chart id, ICN or member id into its keyed HMAC; and it adds its own audit events (the
   * charts it opens, the documentation requests it logs) under those subjects alone. No other write.
   */
  private complianceRole(agency: string, props: PersonRolesProps): iam.Role {
    const { artifactsBucket, auditBucket } = props;
    const locked = [`receipts/${agency}/`, `batches/${agency}/`, `audit-trail/${agency}/`];
    return this.accountRole(
      `Compliance${pascal(agency)}`,
      `codetrail compliance and audit of ${agency}: reads its audit trail, receipts and charts; logs documentation requests`,
      [
        allow(
          ['s3:GetObject'],
          locked.map((prefix) => auditBucket.arnForObjects(`${prefix}*`)),
        ),
        allow(['s3:ListBucket'], [auditBucket.bucketArn], {
          StringLike: { 's3:prefix': locked.map((prefix) => `${prefix}*`) },
        }),
        // The charts as coded and as QA corrected them, for an audit packet (S3 data events log each read).
        allow(['s3:GetObject'], [artifactsBucket.arnForObjects(`receipts/${agency}/*`)]),
        allow(['s3:GetObject'], [artifactsBucket.arnForObjects(`charts/${agency}/*`)]),
        allow(['s3:ListBucket'], [artifactsBucket.bucketArn], {
          StringLike: { 's3:prefix': [`receipts/${agency}/*`] },
        }),
        allow(['dynamodb:Query'], [props.auditTable.tableArn], {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [auditPk(agency, '*')] },
        }),
        // A chart's story (`codetrail history`): its versions as they stand (the agency's chartKeys lead
        // with it), the claim a claimRef or a payer's ICN (its keyed HMAC) names, and the charts that name
        // a patient's member id (its keyed HMAC). A claimRef's index
        // entry is not under an agency: it holds the agency, which the command checks.
        allow(['dynamodb:GetItem', 'dynamodb:Query'], [props.table.tableArn], {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [
              // The agency's chartKeys lead with it (`<agency>.ck…`).
              chartPk(`${agency}.*`),
              claimRefPk('*'),
              payerClaimPk(agency, '*'),
              memberPk(agency, '*'),
            ],
          },
        }),
        // The EMR chart id and the ICN a request brings, made into their keyed HMACs on the caller's machine.
        allow(['kms:GenerateMac'], [props.macKey.keyArn]),
        viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt']),
        allow(['kms:GetPublicKey'], [props.signingKey.keyArn]),
        viaService(props.auditKey, ['dynamodb', 's3'], ['kms:Decrypt']),
        // The charts an audit packet opens, and the agency's documentation requests, as its own events.
        ...recordsOwnEvents(agency, props, [PERSON_SUBJECTS.access, PERSON_SUBJECTS.adrs]),
      ],
    );
  }

  /**
   * A QA role of an agency: takes, holds and removes requests on the agency's own review queue; reads
   * only its chart files sampled for review (qa-sampling tags them: `s3:ExistingObjectTag`) and its review
   * board (GetItem and Query on its `REVIEWS#<agency>#` partitions alone: `dynamodb:LeadingKeys`), never
   * a chart's state; adds its free-text notes under `qa-notes/<agency>/`; sends its answers to the
   * qa-result queue, whose stage checks and records them under the identity SQS saw send them. It never
   * writes the table, lists a bucket or reads another file.
   */
  private qaRole(
    agency: string,
    id: string,
    queue: 'qa-review' | 'qa-review-senior',
    props: PersonRolesProps,
    what: string,
  ): iam.Role {
    const { artifactsBucket } = props;
    return this.accountRole(`${id}${pascal(agency)}`, `codetrail ${what} of ${agency}`, [
      allow(
        ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
        [props.queues.of(queue, agency).queue.queueArn],
      ),
      allow(['sqs:SendMessage'], [props.queues.lambda['qa-result'].queue.queueArn]),
      viaService(props.queueKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']),
      allow(['s3:GetObject'], [artifactsBucket.arnForObjects(`charts/${agency}/*`)], {
        StringEquals: { [`s3:ExistingObjectTag/${REVIEW_TAG.key}`]: REVIEW_TAG.value },
      }),
      allow(['s3:PutObject'], [artifactsBucket.arnForObjects(`qa-notes/${agency}/*`)], WRITE_ONCE),
      // Its own queue's review board alone (`REVIEWS#<agency>#<queue>`): what waits and what a reviewer is
      // shown. Not the other queue's (a dispute shows the first review), no chart state, no audit event.
      allow(['dynamodb:GetItem', 'dynamodb:Query'], [props.table.tableArn], {
        // A senior also answers first and second reviews of the first reviewers' queue: both partitions.
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [
            queue === 'qa-review-senior' ? `REVIEWS#${agency}#qa-review*` : `REVIEWS#${agency}#${queue}`,
          ],
        },
      }),
      viaService(props.dataKey, ['dynamodb', 's3'], ['kms:Decrypt', 'kms:GenerateDataKey']),
      allow(['kms:GenerateMac'], [props.macKey.keyArn]),
      // Each chart a reviewer opens, as an audit event of their own.
      ...recordsOwnEvents(agency, props, [PERSON_SUBJECTS.access]),
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

/**
 * What a person's command needs to record its own audit events (a chart opened, a documentation request):
 * PutItem on the agency's partitions of those subjects alone (`dynamodb:LeadingKeys`), never a chart's or
 * a stage's, and the message that hands each to the chainer. The event names its actor; CloudTrail's
 * DynamoDB data events name the principal that wrote it.
 */
function recordsOwnEvents(
  agency: string,
  props: Pick<PersonRolesProps, 'auditTable' | 'auditKey' | 'queues' | 'queueKey'>,
  subjects: readonly string[],
): iam.PolicyStatement[] {
  return [
    allow(['dynamodb:PutItem'], [props.auditTable.tableArn], {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': subjects.map((s) => auditPk(agency, s)) },
    }),
    viaService(props.auditKey, 'dynamodb', ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']),
    allow(['sqs:SendMessage'], [props.queues.lambda.audit.queue.queueArn]),
    viaService(props.queueKey, 'sqs', ['kms:GenerateDataKey']),
  ];
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
