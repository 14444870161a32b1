/**
 * cdk-nag wiring and THE list of acknowledged findings.
 *
 * cdk-nag v3 is a CDK validation plugin (not an Aspect): `addNagPacks(app)` registers the AWS Solutions,
 * HIPAA Security and NIST 800-53 R5 packs, and any finding that is not acknowledged fails `cdk synth`. Every
 * acknowledgment lives in `ACKNOWLEDGMENTS` below, with its reason and the exact constructs it covers;
 * nothing is acknowledged anywhere else. v3 has no wildcard suppression: each granular finding
 * (`AwsSolutions-IAM5[Action::s3:List*]`) is acknowledged by its exact id, on the role it belongs to.
 * test/infra/nag.test.ts pins how many acknowledgments are made and how many findings they cover, and
 * fails on any acknowledgment that no longer matches a finding.
 */

import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { Construct, IConstruct } from 'constructs';
import {
  BUCKETS,
  type BucketName,
  JOBS,
  type ObjectAccess,
  STAGES,
  type StageSpec,
} from '#shared/topology.ts';
import type { Codetrail } from './codetrail.ts';
import { logicalIdOf } from './names.ts';
import type { AgencyRoles } from './person-roles.ts';

/** The packs `cdk synth` runs, by the plugin name their findings carry. */
export const NAG_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5'] as const;

/** Registers the cdk-nag v3 packs as validation plugins: a finding that is not acknowledged fails synth. */
export function addNagPacks(app: Construct): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
  );
}

/**
 * The NIST 800-53 R5 pack checks these properties under the same rule names as the HIPAA Security pack
 * (Lambda in a VPC, Lambda DLQ, inline policies, bucket replication, default KMS encryption): a row
 * acknowledged for HIPAA with `alsoIn: NIST` is acknowledged there too, for the same reason.
 */
const NIST = ['NIST.800.53.R5'] as const;

export interface AcknowledgmentRule {
  /**
   * The finding id, exactly as cdk-nag reports it (granular ids include the `[...]` part). The
   * placeholders `<Table.Arn>` and `<intake-bucket.Arn>` (any bucket) stand for the logical ids.
   */
  readonly id: string;
  /** Why the finding is accepted: what makes it a false positive, or what control stands in for it. */
  readonly reason: string;
  /** The constructs the acknowledgment is recorded on (it covers them and their children). */
  readonly scopes: (c: Codetrail, agency?: string) => IConstruct[];
  /** One acknowledgment per configured agency, `<agency>` in the id standing for its id. */
  readonly perAgency?: boolean;
  /** Other packs that report the same rule by the same name (`NIST.800.53.R5`), acknowledged alike. */
  readonly alsoIn?: readonly string[];
}

const stageFunctions = (c: Codetrail): IConstruct[] => STAGES.map((s) => c.stages[s.name].fn);
const jobFunctions = (c: Codetrail): IConstruct[] => JOBS.map((j) => c.jobs[j.name].fn);
const jobRoles = (c: Codetrail): IConstruct[] => JOBS.map((j) => c.jobs[j.name].role);
/** Every agency's roles of a kind (each agency has its own). */
const agencyRoles = (c: Codetrail, kind: keyof AgencyRoles): IConstruct[] =>
  Object.values(c.personRoles.byAgency).map((roles) => roles[kind]);
/** The roles of these kinds of one agency (an acknowledgment per agency). */
const agencyScope =
  (...kinds: (keyof AgencyRoles)[]) =>
  (c: Codetrail, agency?: string): IConstruct[] => {
    const roles = c.personRoles.byAgency[agency ?? ''];
    return roles ? kinds.map((kind) => roles[kind]) : [];
  };
const writerRoles = (c: Codetrail): IConstruct[] => agencyRoles(c, 'emrWriter');
const qaRoles = (c: Codetrail): IConstruct[] => [
  ...agencyRoles(c, 'qaReviewer'),
  ...agencyRoles(c, 'qaSenior'),
];
const complianceRole = (c: Codetrail): IConstruct[] => agencyRoles(c, 'compliance');
const coderRole = (c: Codetrail): IConstruct[] => agencyRoles(c, 'coder');
const billingRole = (c: Codetrail): IConstruct[] => agencyRoles(c, 'billing');
const stageRoles =
  (pick: (s: StageSpec) => boolean = () => true) =>
  (c: Codetrail): IConstruct[] =>
    STAGES.filter(pick).map((s) => c.stages[s.name].role);
type UsesObjects = {
  reads?: readonly ObjectAccess[];
  writes?: readonly ObjectAccess[];
  tags?: readonly ObjectAccess[];
};
const accessesOf = (s: UsesObjects): ObjectAccess[] => [
  ...(s.reads ?? []),
  ...(s.writes ?? []),
  ...(s.tags ?? []),
];
/** Every bucket and key prefix some stage or scheduled job reads or writes, once each. */
const objectPrefixes = (): { bucket: BucketName; prefix: string }[] => {
  const seen = new Map<string, { bucket: BucketName; prefix: string }>();
  for (const s of [...STAGES, ...JOBS])
    for (const a of accessesOf(s))
      for (const prefix of a.prefixes) seen.set(`${a.bucket}/${prefix}`, { bucket: a.bucket, prefix });
  return [...seen.values()];
};
const usesObjects = (bucket: BucketName, prefix: string) => (s: UsesObjects) =>
  accessesOf(s).some((a) => a.bucket === bucket && a.prefixes.includes(prefix));
const allBuckets = (c: Codetrail): IConstruct[] => [
  c.accessLogs,
  ...BUCKETS.map((b) => c.buckets[b]),
  c.auditTrail.bucket,
];

/** The CDK's singleton Lambda behind S3 bucket notifications (one per stack, at the stack's root). */
const bucketNotificationsHandler = (c: Codetrail): IConstruct[] =>
  Stack.of(c).node.children.filter((child) => child.node.id.startsWith('BucketNotificationsHandler'));

/** The per-bucket policies that let that handler write the notification configuration. */
const bucketNotificationPolicies = (c: Codetrail): IConstruct[] =>
  BUCKETS.map((b) => c.buckets[b].node.tryFindChild('Notifications')).filter((n) => n !== undefined);

const S3_OBJECTS =
  'Object-level actions need an object ARN pattern: a stage reads or adds many objects whose keys (agency, ' +
  'chartKey or object id, version) are only known at run time. The pattern is one key prefix of one bucket ' +
  'that the topology says this stage reads or writes (s3:GetObject, or s3:PutObject alone: no stage may ' +
  'delete an object), never the whole bucket.';

/** Every acknowledged cdk-nag finding, in one reviewable table. */
export const ACKNOWLEDGMENTS: readonly AcknowledgmentRule[] = [
  // --- Lambda stages -------------------------------------------------------------------------------
  {
    id: 'HIPAA.Security-LambdaInsideVPC',
    alsoIn: NIST,
    reason:
      'The stages and the scheduled reconciler call only AWS APIs (S3, SQS, DynamoDB, KMS) over TLS with SigV4/IAM; ' +
      'there is no VPC resource to reach. A VPC would add NAT or interface endpoints per AZ (cost, cold starts) ' +
      'without further protecting PHI. Agencies whose policy requires VPC-attached Lambdas add it (docs/security.md).',
    scopes: (c) => [...stageFunctions(c), ...jobFunctions(c)],
  },
  {
    id: 'HIPAA.Security-LambdaDLQ',
    alsoIn: NIST,
    reason:
      'False positive for SQS-triggered functions: a Lambda DLQ (DeadLetterConfig) applies to asynchronous ' +
      'invocations only. These functions are invoked synchronously by an SQS event source mapping; failed ' +
      "messages go to the source queue's own dead-letter queue (redrive policy, maxReceiveCount 5), which is alarmed.",
    scopes: stageFunctions,
  },
  {
    id: 'HIPAA.Security-LambdaDLQ',
    alsoIn: NIST,
    reason:
      'The scheduled jobs (the reconciler, the audit sealer) are invoked by EventBridge with no retry on purpose: ' +
      'each keeps nothing between runs but what the table holds and its work is idempotent, so the next scheduled ' +
      'run (an hour later) does all a retried or dead-lettered event would. A failed run raises its Errors alarm.',
    scopes: jobFunctions,
  },
  {
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    alsoIn: NIST,
    reason:
      "Each stage's role has one inline policy, written by the CDK grants from the topology (its own queue, the " +
      'queues and buckets it uses, the table, the MAC key, its log group). It is specific to that role and lives ' +
      'and dies with it; a managed policy would add a reuse this policy must not have. The same holds for the ' +
      "scheduled reconciler's role (the table and its index, the queues it re-drives to), the audit sealer's (the " +
      "chain's partitions of the audit table, the audit-trail/ prefix, kms:Sign), for each EMR export " +
      "writer's (PutObject under its agency's exports/ prefix, the intake key through S3), and for the QA " +
      "reviewer's and senior's (their review queue, the qa-result queue, tagged chart files, chart state, notes) " +
      "compliance's (the audit bucket, the receipts, the audit partitions, the charts and chart state of its agency, " +
      "its own access and documentation-request events), the coder's (a " +
      "dispute to qa-result and its note) and billing's (the coded-batches queue, batch files and tagged chart " +
      'files, its notes, answers to billing-reply).',
    scopes: (c) => [
      ...stageRoles()(c),
      ...jobRoles(c),
      ...writerRoles(c),
      ...qaRoles(c),
      ...complianceRole(c),
      ...coderRole(c),
      ...billingRole(c),
    ],
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<audit-bucket.Arn>/receipts/<agency>/*]',
    perAgency: true,
    reason:
      'Compliance and auditors of an agency read its Object-Locked receipts, named by object id at run time: its own ' +
      "agency's prefix of the audit bucket, GetObject and ListBucket only; nothing can change it.",
    scopes: agencyScope('compliance'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<audit-bucket.Arn>/batches/<agency>/*]',
    perAgency: true,
    reason:
      'Compliance and auditors of an agency read its Object-Locked batch manifests, named by batch id at run time: its ' +
      "own agency's prefix of the audit bucket, GetObject and ListBucket only; nothing can change it.",
    scopes: agencyScope('compliance'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<audit-bucket.Arn>/audit-trail/<agency>/*]',
    perAgency: true,
    reason:
      'Compliance and auditors of an agency read its signed audit trail (segments and digests, named by index as ' +
      "the sealer writes them) to verify it: its own agency's prefix of the Object-Locked audit bucket, GetObject " +
      'and ListBucket only; nothing can change it.',
    scopes: agencyScope('compliance'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/receipts/<agency>/*]',
    perAgency: true,
    reason:
      "Compliance reads its agency's intake receipts, named by object id at run time: one prefix, GetObject only.",
    scopes: agencyScope('compliance'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/charts/<agency>/*]',
    perAgency: true,
    reason:
      "A QA role reads its agency's chart files by chartKey and version, known only when a review request names " +
      'them, and only files qa-sampling tagged for review (s3:ExistingObjectTag/codetrail-qa = review): never a ' +
      "chart sent straight to billing, never another agency's.",
    scopes: agencyScope('qaReviewer', 'qaSenior'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/charts/<agency>/*]',
    perAgency: true,
    reason:
      "The billing team reads the chart files its agency's coded batch bills, named in its manifest by chartKey and " +
      'version, and only files billing handoff tagged when it batched them (s3:ExistingObjectTag/codetrail-billing ' +
      '= batched): never a chart on hold, in QA or not yet batched.',
    scopes: agencyScope('billing'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/charts/<agency>/*]',
    perAgency: true,
    reason:
      "Compliance reads its agency's chart files, as coded and as QA corrected, by chartKey and version, to answer a " +
      "payer's documentation request (`codetrail audit packet`): GetObject only, never another agency's; the command " +
      'records each chart it opens as an audit event, and S3 data events log every read.',
    scopes: agencyScope('compliance'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/batches/<agency>/*]',
    perAgency: true,
    reason:
      "The billing team reads its agency's coded batches (manifest and CSV), named by batch id at run time: one " +
      'prefix, GetObject only.',
    scopes: agencyScope('billing'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/billing-notes/<agency>/*]',
    perAgency: true,
    reason:
      "The billing team files the free-text reason for a rejected batch (which may hold PHI) under its agency's " +
      'billing-notes/, named by batch: one prefix, PutObject only; the answer to billing-reply carries the key, never the text.',
    scopes: agencyScope('billing'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<artifacts-bucket.Arn>/qa-notes/<agency>/*]',
    perAgency: true,
    reason:
      "A QA role or a coder adds its free-text notes (which may hold PHI) under its agency's qa-notes/, named by " +
      'chart and author: one prefix, PutObject only; the verdict or dispute carries the note key, never the text.',
    scopes: agencyScope('qaReviewer', 'qaSenior', 'coder'),
  },
  {
    id: 'AwsSolutions-IAM5[Resource::<intake-bucket.Arn>/exports/<agency>/*]',
    perAgency: true,
    reason:
      "The EMR export writer adds objects whose names its export job chooses, under its own agency's prefix: one " +
      'prefix of one bucket, PutObject only, never the bucket or another agency.',
    scopes: (c, agency) => [c.personRoles.byAgency[agency ?? '']?.emrWriter as IConstruct],
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray active tracing (tracing: ACTIVE) adds xray:PutTraceSegments and xray:PutTelemetryRecords, which do ' +
      'not support resource-level permissions. Nothing else in the policy uses Resource *.',
    scopes: (c) => [...stageRoles()(c), ...jobRoles(c)],
  },
  ...objectPrefixes().map(
    ({ bucket, prefix }): AcknowledgmentRule => ({
      id: `AwsSolutions-IAM5[Resource::<${bucket}-bucket.Arn>/${prefix}*]`,
      reason: S3_OBJECTS,
      scopes: (c) => [
        ...stageRoles(usesObjects(bucket, prefix))(c),
        ...JOBS.filter(usesObjects(bucket, prefix)).map((j) => c.jobs[j.name].role),
      ],
    }),
  ),

  // --- Buckets -------------------------------------------------------------------------------------
  {
    id: 'HIPAA.Security-S3BucketReplicationEnabled',
    alsoIn: NIST,
    reason:
      'Cross-region replication needs a second region, a replica key and bucket per bucket, and doubles storage ' +
      'cost: a disaster-recovery choice for the agency, not a default. Durability here comes from S3 itself, ' +
      'versioning, Object Lock on the audit bucket, and PITR plus AWS Backup for the table (docs/security.md).',
    scopes: allBuckets,
  },
  {
    id: 'HIPAA.Security-S3DefaultEncryptionKMS',
    alsoIn: NIST,
    reason:
      'S3 server access log delivery does not support SSE-KMS default encryption on its target bucket, so the ' +
      'access-log bucket uses SSE-S3 (AES-256). It holds request logs; object keys carry no PHI by design.',
    scopes: (c) => [c.accessLogs],
  },

  // --- CloudTrail, AWS Backup, CDK internals -------------------------------------------------------
  {
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    alsoIn: NIST,
    reason:
      'The CDK Trail construct gives CloudTrail a role whose inline policy allows logs:CreateLogStream and ' +
      'logs:PutLogEvents on the trail log group only.',
    scopes: (c) => [c.auditTrail.trail],
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    reason:
      'The AWS Backup service role of the table backup selection: AWS maintains this policy with exactly the ' +
      'per-service permissions AWS Backup needs; a copy of our own would drift from it.',
    scopes: (c) => [c.backupPlan],
  },
  {
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    alsoIn: NIST,
    reason:
      "CDK-internal: lets the CDK's BucketNotificationsHandler custom resource write the notification " +
      'configuration (s3:PutBucketNotification) of the intake and denials buckets at deploy time.',
    scopes: bucketNotificationPolicies,
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK-internal: the CDK's BucketNotificationsHandler (a deploy-time custom resource that writes the S3 " +
      'notification configuration) logs with the basic execution role; the CDK offers no way to replace it ' +
      '(aws/aws-cdk#35361).',
    scopes: bucketNotificationsHandler,
  },
];

/** Replaces the `<Table.Arn>` and `<bucket-bucket.Arn>` placeholders with the logical ids of this stack. */
export function resolveAcknowledgmentId(id: string, c: Codetrail): string {
  return id
    .replace('<Table.Arn>', () => `<${logicalIdOf(c.table)}.Arn>`)
    .replace(/<([a-z]+)-bucket\.Arn>/, (_, b: string) => {
      if (!(BUCKETS as readonly string[]).includes(b)) throw new Error(`unknown bucket ${b} in ${id}`);
      return `<${logicalIdOf(c.buckets[b as BucketName])}.Arn>`;
    });
}

/**
 * The id as acknowledged: namespaced by pack (`AwsSolutions::AwsSolutions-IAM5[...]`). In this form CDK
 * itself suppresses the finding and lists it, with its reason, under `suppressedViolations` in
 * cdk.out/validation-report.json; a bare id is dropped by cdk-nag before the report ever sees it.
 */
export function qualifiedId(id: string): string {
  return `${id.slice(0, id.indexOf('-'))}::${id}`;
}

/** One recorded acknowledgment: a rule applied to one construct. */
export interface Acknowledged {
  /** The finding id, as cdk-nag reports it. */
  readonly id: string;
  /** The id as acknowledged (`qualifiedId`). */
  readonly qualifiedId: string;
  readonly reason: string;
  /** Construct path the acknowledgment is recorded on. */
  readonly path: string;
}

/**
 * Records every acknowledgment of `ACKNOWLEDGMENTS` on its constructs and returns what it recorded.
 * `Codetrail` calls it at the end of its constructor (unless told not to), so an app that adds the nag
 * packs sees only findings outside codetrail.
 */
export function acknowledgeFindings(c: Codetrail): Acknowledged[] {
  const done: Acknowledged[] = [];
  for (const rule of ACKNOWLEDGMENTS) {
    const rest = rule.id.slice(rule.id.indexOf('-'));
    const agencies = rule.perAgency ? c.config.agencies.map((a) => a.id) : [undefined];
    for (const agency of agencies)
      for (const ruleId of [rule.id, ...(rule.alsoIn ?? []).map((pack) => `${pack}${rest}`)]) {
        const id = resolveAcknowledgmentId(ruleId.replace('<agency>', agency ?? ''), c);
        for (const scope of rule.scopes(c, agency)) {
          Validations.of(scope).acknowledge({ id: qualifiedId(id), reason: rule.reason });
          done.push({ id, qualifiedId: qualifiedId(id), reason: rule.reason, path: scope.node.path });
        }
      }
  }
  return done;
}
