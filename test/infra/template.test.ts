/**
 * What the synthesised template must hold, checked against the topology (never hand-typed counts where
 * the topology gives them; pinned-topology.test.ts pins the shape with literals, once). The stacks are
 * built without cdk-nag and without bundling (see harness.ts); nag.test.ts checks the rule packs.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readManifest } from '#shared/data/code-tables.ts';
import {
  BUCKET_NOTIFICATIONS,
  BUCKETS,
  type BucketName,
  CODE_TABLES,
  DLQ_RETENTION_DAYS,
  ENV,
  INTAKE_KEYS_DAYS,
  INTAKE_KEYS_PREFIX,
  INTAKE_WORK_DAYS,
  INTAKE_WORK_PREFIX,
  isHumanQueue,
  JOBS,
  type QueueName,
  queues,
  STAGES,
} from '#shared/topology.ts';
import { defaultEntry, PROJECT_ROOT } from '../../infra/codetrail.ts';
import { expandDataFiles } from '../../infra/data-files.ts';
import { OUTPUT } from '../../infra/names.ts';
import { CONFIG_ENV_BUDGET_BYTES, copyDataFiles, LAMBDA_DATA_DIR } from '../../infra/stage.ts';
import {
  arn,
  asArray,
  build,
  logicalId,
  ref,
  resourceOf,
  resources,
  statementsOfRole,
  TWO_AGENCIES,
  template,
} from './harness.ts';

const trial = () => template();
const production = () =>
  template({
    trial: false,
    alarmEmail: 'coding-alarms@example.org',
  });

const QUEUES = queues();

type Built = ReturnType<typeof trial>['built']['stack']['codetrail'];
/** The queue of a name: a Lambda queue, or (one agency configured) that agency's queue of a human kind. */
function one(c: Built, name: QueueName) {
  const [queue] = c.queues.all(name);
  if (!queue) throw new Error(`no ${name} queue`);
  return queue;
}
/** A value as the template holds it (a token resolved). */
const resolved = (c: Built, value: string) => Stack.of(c).resolve(value);
/** PHI buckets from the topology, plus the access-log bucket and the CloudTrail bucket. */
const BUCKET_COUNT = BUCKETS.length + 2;

describe('KMS keys', () => {
  it('has keys by purpose (intake, data, audit, queues, logs) all rotated, an HMAC key for chartKeys and a signing key', () => {
    const { template: t, built } = trial();
    const keys = built.stack.codetrail.keys;
    t.resourceCountIs('AWS::KMS::Key', 8);
    // Asymmetric (its private half never leaves KMS): what a KMS ECDSA_SHA_256 signature needs.
    expect(resourceOf(t, keys.signing).Properties).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    });
    expect(resourceOf(t, keys.signing).Properties.EnableKeyRotation).toBeUndefined();
    for (const key of [keys.data, keys.intake, keys.audit, keys.queue, keys.logs]) {
      expect(resourceOf(t, key).Properties).toMatchObject({ EnableKeyRotation: true });
    }
    expect(resourceOf(t, keys.mac).Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
    expect(
      new Set(
        [
          keys.data,
          keys.intake,
          keys.audit,
          keys.queue,
          keys.logs,
          keys.mac,
          keys.sampling,
          keys.signing,
        ].map(logicalId),
      ).size,
    ).toBe(8);
    expect(resourceOf(t, keys.sampling).Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
  });

  it('lets QA sampling and QA result alone draw with the sampling key: no other stage, no person', () => {
    const { template: t, built } = template(TWO_AGENCIES);
    const c = built.stack.codetrail;
    const sampling = JSON.stringify(arn(c.keys.sampling));
    const users = Object.entries(resources(t, 'AWS::IAM::Policy'))
      .filter(([, p]) =>
        (p.Properties.PolicyDocument.Statement as { Resource: unknown }[]).some(
          (st) => JSON.stringify(st.Resource) === sampling,
        ),
      )
      .map(([id]) => id);
    expect(users).toHaveLength(2);
    expect(users.every((id) => /^CodetrailStageQa(Sampling|Result)Role/.test(id))).toBe(true);
    // Only they are told the key's id.
    const env = (name: 'qa-sampling' | 'qa-result' | 'validation') =>
      resourceOf(t, c.stages[name].fn).Properties.Environment.Variables as Record<string, unknown>;
    expect(env('qa-sampling').CODETRAIL_SAMPLING_KEY_ID).toEqual(arn(c.keys.sampling));
    expect(env('qa-result').CODETRAIL_SAMPLING_KEY_ID).toEqual(arn(c.keys.sampling));
    expect(env('validation').CODETRAIL_SAMPLING_KEY_ID).toBeUndefined();
  });

  it('guards the audit key outside a trial: only the deployment and break-glass roles may delete, disable or re-policy it', () => {
    const { template: t, built } = template({
      trial: false,
      alarmEmail: 'coding-alarms@example.org',
      breakGlassRoleArn: 'arn:aws:iam::123456789012:role/codetrail-break-glass',
    });
    const keys = built.stack.codetrail.keys;
    const statements = resourceOf(t, keys.audit).Properties.KeyPolicy.Statement as Record<string, unknown>[];
    const guard = statements.find((s) => s.Sid === 'OnlyDeployAndBreakGlassMayDeleteDisableOrRepolicy');
    expect(guard).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:DisableKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
    });
    // Denied to every principal whose ARN is NOT one of the two: the deployment role and break-glass.
    const condition = (guard?.Condition ?? {}) as { ArnNotLike?: { 'aws:PrincipalArn': unknown[] } };
    const allowed = condition.ArnNotLike?.['aws:PrincipalArn'] ?? [];
    expect(Object.keys(condition)).toEqual(['ArnNotLike']);
    expect(allowed).toHaveLength(2);
    expect(JSON.stringify(allowed[0])).toMatch(/role\/cdk-hnb659fds-cfn-exec-role-/);
    expect(allowed[1]).toBe('arn:aws:iam::123456789012:role/codetrail-break-glass');
    // A trial's key has no such guard: it is deleted with the stack.
    const trialKey = resourceOf(trial().template, trial().built.stack.codetrail.keys.audit);
    expect(JSON.stringify(trialKey.Properties.KeyPolicy)).not.toContain('OnlyDeployAndBreakGlass');
  });

  it('never encrypts a bucket with the key of the queue it notifies (that closes a dependency cycle)', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const n of BUCKET_NOTIFICATIONS) {
      const bucketKey = resourceOf(t, c.buckets[n.bucket]).Properties.BucketEncryption
        .ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID;
      const queueKey = resourceOf(t, one(c, n.queue).queue).Properties.KmsMasterKeyId;
      expect(bucketKey).not.toEqual(queueKey);
    }
  });

  it('lets CloudWatch Logs, CloudTrail and CloudWatch alarms use the logs key', () => {
    const { template: t, built } = trial();
    const statements = resourceOf(t, built.stack.codetrail.keys.logs).Properties.KeyPolicy.Statement;
    const services = statements.flatMap((s: { Principal?: { Service?: unknown } }) =>
      s.Principal?.Service ? asArray(s.Principal.Service) : [],
    );
    expect(JSON.stringify(services)).toMatch(/logs\./);
    expect(services).toEqual(
      expect.arrayContaining(['cloudtrail.amazonaws.com', 'cloudwatch.amazonaws.com']),
    );
  });

  it('lets S3 use the queue key to notify the encrypted queues', () => {
    const { template: t, built } = trial();
    const statements = resourceOf(t, built.stack.codetrail.keys.queue).Properties.KeyPolicy.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 's3.amazonaws.com' },
          Action: expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']),
        }),
      ]),
    );
  });
});

describe('buckets', () => {
  it(`has the ${BUCKETS.length} topology buckets, an access-log bucket and a CloudTrail bucket`, () => {
    const { template: t } = trial();
    t.resourceCountIs('AWS::S3::Bucket', BUCKET_COUNT);
  });

  it('encrypts every bucket (SSE-KMS with a CMK and bucket key; SSE-S3 only for the access-log target)', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const accessLogs = logicalId(c.accessLogs);
    for (const [id, bucket] of Object.entries(resources(t, 'AWS::S3::Bucket'))) {
      const rule = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
      if (id === accessLogs) {
        expect(rule.ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
      } else {
        expect(rule).toMatchObject({
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
        });
      }
    }
    // Each under the key of its purpose: the intake bucket its own, the audit bucket the audit key.
    const keyOf = {
      intake: c.keys.intake,
      denials: c.keys.data,
      artifacts: c.keys.data,
      audit: c.keys.audit,
    };
    for (const b of BUCKETS) {
      expect(
        resourceOf(t, c.buckets[b]).Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
          .ServerSideEncryptionByDefault.KMSMasterKeyID,
      ).toEqual(arn(keyOf[b]));
    }
  });

  it('versions every bucket, blocks all public access and disables ACLs', () => {
    const { template: t } = trial();
    t.allResourcesProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('logs access to every bucket into the access-log bucket', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const accessLogs = logicalId(c.accessLogs);
    for (const [id, bucket] of Object.entries(resources(t, 'AWS::S3::Bucket'))) {
      if (id === accessLogs) continue;
      expect(bucket.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: ref(c.accessLogs),
      });
    }
    // Log delivery is granted by bucket policy, not by an ACL.
    expect(resourceOf(t, c.accessLogs).Properties.AccessControl).toBeUndefined();
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(c.accessLogs),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('denies every request to every bucket that is not TLS 1.2+', () => {
    const { template: t } = trial();
    const policies = Object.values(resources(t, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(BUCKET_COUNT);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  it('puts the audit and CloudTrail buckets under Object Lock, GOVERNANCE for a day on a trial, and no other bucket', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const bucket of [c.buckets.audit, c.auditTrail.bucket])
      expect(resourceOf(t, bucket).Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      });
    const locked = Object.values(resources(t, 'AWS::S3::Bucket')).filter(
      (b) => b.Properties.ObjectLockEnabled,
    );
    expect(locked).toHaveLength(2);
  });

  it('locks them in COMPLIANCE mode for 7 years by default, and as the config says when it does', () => {
    const { template: t, built } = production();
    for (const bucket of [built.stack.codetrail.buckets.audit, built.stack.codetrail.auditTrail.bucket])
      expect(resourceOf(t, bucket).Properties.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
      });
    const { template: said, built: b } = template({
      trial: false,
      alarmEmail: 'coding-alarms@example.org',
      retention: { auditObjectLockMode: 'GOVERNANCE', auditRetentionDays: 400 },
    });
    expect(resourceOf(said, b.stack.codetrail.buckets.audit).Properties.ObjectLockConfiguration.Rule).toEqual(
      {
        DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 },
      },
    );
  });

  it("expires intake's scratch space (a FHIR drop's partitions) and saved keys, and nothing else", () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const rules = resourceOf(t, c.buckets.intake).Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: INTAKE_WORK_PREFIX,
        ExpirationInDays: INTAKE_WORK_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        Status: 'Enabled',
      }),
    );
    // A continued run's saved key outlives the longest a dead-lettered continuation can wait.
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: INTAKE_KEYS_PREFIX,
        ExpirationInDays: INTAKE_KEYS_DAYS,
        Status: 'Enabled',
      }),
    );
    expect(INTAKE_KEYS_DAYS).toBeGreaterThan(DLQ_RETENTION_DAYS);
    // So do a FHIR drop's partitions: a continuation redriven late still finds them.
    expect(INTAKE_WORK_DAYS).toBeGreaterThan(DLQ_RETENTION_DAYS);
    for (const b of BUCKETS.filter((name) => name !== 'intake')) {
      const other = resourceOf(t, c.buckets[b]).Properties.LifecycleConfiguration.Rules;
      expect(other.some((r: { ExpirationInDays?: number }) => r.ExpirationInDays)).toBe(false);
    }
  });

  it('wires the S3 notifications of the topology, object-created events by prefix', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const custom = Object.values(resources(t, 'Custom::S3BucketNotifications'));
    expect(custom).toHaveLength(new Set(BUCKET_NOTIFICATIONS.map((n) => n.bucket)).size);
    for (const n of BUCKET_NOTIFICATIONS) {
      const forBucket = custom.find((r) => r.Properties.BucketName.Ref === logicalId(c.buckets[n.bucket]));
      expect(forBucket?.Properties.NotificationConfiguration.QueueConfigurations).toContainEqual({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: n.prefix }] } },
        QueueArn: arn(one(c, n.queue).queue),
      });
    }
  });
});

describe('the signing key', () => {
  it('lets the audit sealer alone sign, and compliance only read its public half', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const signing = JSON.stringify(arn(c.keys.signing));
    const policies = Object.entries(resources(t, 'AWS::IAM::Policy'));
    const grants = policies.flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter(
          (st) => JSON.stringify(st.Resource) === signing || JSON.stringify(st.Resource) === `[${signing}]`,
        )
        .map(
          (st) =>
            [
              id,
              asArray(st.Action as string | string[])
                .sort()
                .join(','),
            ] as const,
        ),
    );
    const sealer = logicalId(c.jobs['audit-sealer'].role);
    expect(grants.filter(([, actions]) => actions.includes('kms:Sign')).map(([id]) => id)).toEqual([
      expect.stringContaining(sealer.replace(/[0-9A-F]{8}$/, '')),
    ]);
    for (const [id, actions] of grants)
      if (!id.includes('JobAuditSealer')) expect(actions, id).toBe('kms:GetPublicKey');
  });
});

describe('table', () => {
  it('is one pay-per-request table with pk/sk, gsi1, PITR and the data CMK', () => {
    const { template: t, built } = trial();
    t.resourceCountIs('AWS::DynamoDB::Table', 2);
    expect(resourceOf(t, built.stack.codetrail.table).Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: arn(built.stack.codetrail.keys.data),
      },
      DeletionProtectionEnabled: false,
    });
  });

  it('is backed up daily by AWS Backup into a vault under the audit key', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    t.resourceCountIs('AWS::Backup::BackupPlan', 1);
    t.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: arn(c.keys.audit) });
    // The audit table under the audit key, the table under the data key.
    expect(resourceOf(t, c.auditTable).Properties.SSESpecification.KMSMasterKeyId).toEqual(arn(c.keys.audit));
    expect(resourceOf(t, c.table).Properties.SSESpecification.KMSMasterKeyId).toEqual(arn(c.keys.data));
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: Match.arrayWith([arn(c.table), arn(c.auditTable)]) },
    });
  });
});

describe('queues', () => {
  it('gives each agency its own queue of every human kind, named so the URL template finds it', () => {
    const { template: t, built } = template(TWO_AGENCIES);
    const c = built.stack.codetrail;
    // Each queue with its dead-letter queue: a Lambda queue once, a human kind once per agency (two here).
    const human = QUEUES.filter((q) => isHumanQueue(q.name)).length;
    t.resourceCountIs('AWS::SQS::Queue', 2 * (QUEUES.length - human) + 2 * 2 * human);
    for (const q of QUEUES) {
      if (!isHumanQueue(q.name)) continue;
      const url = JSON.stringify(resolved(c, c.queues.url(q.name)));
      const dlqUrl = JSON.stringify(resolved(c, c.queues.deadLetterQueueUrl(q.name)));
      for (const agency of ['north-branch', 'south-branch']) {
        const mine = c.queues.of(q.name as 'qa-review', agency);
        const name = resourceOf(t, mine.queue).Properties.QueueName as string;
        const dlqName = resourceOf(t, mine.deadLetterQueue).Properties.QueueName as string;
        // Filled in with the agency, the template is the queue's URL: the account's SQS endpoint and its name.
        expect(name.endsWith(`-${q.name}_${agency}`)).toBe(true);
        expect(url).toContain(`/${name.replace(agency, '{agency}')}`);
        expect(dlqUrl).toContain(`/${dlqName.replace(agency, '{agency}')}`);
        expect(name.length).toBeLessThanOrEqual(80);
      }
    }
    // Exactly the URL SQS gives a queue of that name in the stack's account, region and partition.
    const { template: t1, built: b1 } = trial();
    const c1 = b1.stack.codetrail;
    const name = resourceOf(t1, c1.queues.of('qa-review', 'demo-agency').queue).Properties
      .QueueName as string;
    expect(resolved(c1, c1.queues.url('qa-review'))).toEqual({
      'Fn::Join': [
        '',
        [
          'https://sqs.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: 'AWS::AccountId' },
          `/${name.replace('demo-agency', '{agency}')}`,
        ],
      ],
    });
  });

  it('keeps the logical ids of the named human queues: a named queue cannot be replaced in place', () => {
    // CloudFormation creates a replacement before it deletes the old one, and two queues cannot share a
    // name: a changed construct id here would fail the deploy. Change these only on a fresh stack.
    const { built } = trial();
    const c = built.stack.codetrail;
    const ids = (['qa-review', 'qa-review-senior', 'coded-batches'] as const).map((kind) => [
      logicalId(c.queues.of(kind, 'demo-agency').queue),
      logicalId(c.queues.of(kind, 'demo-agency').deadLetterQueue),
    ]);
    expect(ids).toEqual([
      ['CodetrailQueueQaReviewDemoAgencyQueue8BEF7194', 'CodetrailQueueQaReviewDemoAgencyDlqF0159B6C'],
      [
        'CodetrailQueueQaReviewSeniorDemoAgencyQueueCB8D84B5',
        'CodetrailQueueQaReviewSeniorDemoAgencyDlq0603C9F0',
      ],
      [
        'CodetrailQueueCodedBatchesDemoAgencyQueue9AF1C4D7',
        'CodetrailQueueCodedBatchesDemoAgencyDlq2BB45820',
      ],
    ]);
    // The longest kind with the longest agency id still fits SQS's 80 characters.
    const long = 'a'.repeat(32);
    const { template: t2, built: b2 } = template({ agencies: [{ id: long, timeZone: 'America/Chicago' }] });
    const dlq = resourceOf(t2, b2.stack.codetrail.queues.of('qa-review-senior', long).deadLetterQueue);
    expect((dlq.Properties.QueueName as string).length).toBeLessThanOrEqual(80);
  });

  it('has a queue and a dead-letter queue for every topology queue, all under the queue CMK, TLS only', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    t.resourceCountIs('AWS::SQS::Queue', 2 * QUEUES.length);
    t.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: arn(c.keys.queue) });
    const policies = Object.values(resources(t, 'AWS::SQS::QueuePolicy'));
    for (const spec of QUEUES) {
      for (const q of [one(c, spec.name).queue, one(c, spec.name).deadLetterQueue]) {
        const policy = policies.find((p) => p.Properties.Queues.some((r: unknown) => isRef(r, logicalId(q))));
        expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    }
  });

  it('sets visibility, retention and redrive from the topology, DLQs keeping messages 14 days', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const spec of QUEUES) {
      const { queue, deadLetterQueue } = one(c, spec.name);
      expect(resourceOf(t, queue).Properties).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionDays * 86_400,
        RedrivePolicy: { deadLetterTargetArn: arn(deadLetterQueue), maxReceiveCount: spec.maxReceiveCount },
      });
      expect(resourceOf(t, deadLetterQueue).Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    }
    for (const s of STAGES) expect(one(c, s.queue).queue).toBeDefined();
    expect(QUEUES.filter((q) => !q.humanDrained).every((q) => q.maxReceiveCount === 5)).toBe(true);
  });

  it('alarms on any message in any DLQ, on a stale message in every queue, and on every failed record, error and throttle', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const topic = ref(c.alarmTopic);
    const alarms = Object.values(resources(t, 'AWS::CloudWatch::Alarm'));
    // Each job alarms on Errors; the reconciler on what it re-drove too.
    expect(alarms).toHaveLength(2 * QUEUES.length + 3 * STAGES.length + JOBS.length + 1);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([topic]);
      expect(a.Properties.OKActions).toEqual([topic]);
    }

    const on = (metric: string, dimension: unknown) =>
      alarms.filter(
        (a) =>
          a.Properties.MetricName === metric &&
          a.Properties.Dimensions.some(
            (d: { Value: unknown }) => JSON.stringify(d.Value) === JSON.stringify(dimension),
          ),
      );
    for (const spec of QUEUES) {
      const [dlq] = on(
        'ApproximateNumberOfMessagesVisible',
        arnName(logicalId(one(c, spec.name).deadLetterQueue)),
      );
      expect(dlq?.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
      const [age] = on('ApproximateAgeOfOldestMessage', arnName(logicalId(one(c, spec.name).queue)));
      expect(age?.Properties).toMatchObject({
        Threshold: spec.maxAgeAlarmMinutes * 60,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    for (const s of STAGES) {
      const [failed] = alarms.filter(
        (a) =>
          a.Properties.MetricName === 'RecordsFailed' &&
          JSON.stringify(a.Properties.Dimensions) ===
            JSON.stringify([
              { Name: 'service', Value: 'codetrail' },
              { Name: 'stage', Value: s.name },
            ]),
      );
      expect(failed?.Properties, `${s.name} RecordsFailed`).toMatchObject({
        Namespace: 'Codetrail',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      for (const metric of ['Errors', 'Throttles']) {
        const [alarm] = on(metric, ref(c.stages[s.name].fn));
        expect(alarm?.Properties, `${s.name} ${metric}`).toMatchObject({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    }
  });

  it("pages a Lambda queue's oldest message once it outlived three receives (when SQS stops counting it)", () => {
    for (const spec of QUEUES.filter((q) => !q.humanDrained)) {
      const threeReceives = (spec.visibilityTimeoutSeconds * 3) / 60;
      expect(spec.maxAgeAlarmMinutes).toBeGreaterThan(threeReceives);
      expect(spec.maxAgeAlarmMinutes).toBeLessThanOrEqual(threeReceives + 16);
    }
    expect(QUEUES.every((q) => q.retentionDays === 14)).toBe(true);
  });

  it("also notifies the agency's own SNS topic when the config names one", () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:oncall-pager';
    const { template: t, built } = template({ alarmTopicArn: arn });
    const topic = ref(built.stack.codetrail.alarmTopic);
    for (const a of Object.values(resources(t, 'AWS::CloudWatch::Alarm')))
      expect(a.Properties.AlarmActions).toEqual([topic, arn]);
  });
});

describe('QA turnaround SLA', () => {
  it('alarms on the QA review queues at slas.qaReviewHours, the billing queue at its own age', () => {
    const { template: t, built } = template({ slas: { qaReviewHours: 6 } });
    const c = built.stack.codetrail;
    const ageAlarm = (queue: 'qa-review' | 'qa-review-senior' | 'coded-batches') =>
      Object.values(resources(t, 'AWS::CloudWatch::Alarm')).find(
        (a) =>
          a.Properties.MetricName === 'ApproximateAgeOfOldestMessage' &&
          JSON.stringify(a.Properties.Dimensions).includes(JSON.stringify(logicalId(one(c, queue).queue))),
      );
    expect(ageAlarm('qa-review')?.Properties.Threshold).toBe(6 * 3600);
    expect(ageAlarm('qa-review-senior')?.Properties.Threshold).toBe(6 * 3600);
    expect(ageAlarm('coded-batches')?.Properties.Threshold).toBe(8 * 3600);
  });
});

describe('Lambda stages', () => {
  it('has one Node.js 24 arm64 function per topology stage, sized from the topology, traced', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const node = Object.values(resources(t, 'AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.Runtime).startsWith('nodejs'),
    );
    expect(node).toHaveLength(STAGES.length + JOBS.length);
    for (const s of STAGES) {
      expect(resourceOf(t, c.stages[s.name].fn).Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: s.memoryMb,
        Timeout: s.timeoutSeconds,
        ReservedConcurrentExecutions: s.reservedConcurrency,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: ref(c.stages[s.name].logGroup) },
      });
    }
  });

  it('gives every queue a visibility timeout of six times its function timeout', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const timeout = resourceOf(t, c.stages[s.name].fn).Properties.Timeout;
      expect(resourceOf(t, one(c, s.queue).queue).Properties.VisibilityTimeout).toBe(6 * timeout);
    }
  });

  it('feeds each function from its queue with partial batch responses, batching per the topology', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const mappings = Object.values(resources(t, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(STAGES.length);
    for (const s of STAGES) {
      const m = mappings.find((x) => x.Properties.FunctionName.Ref === logicalId(c.stages[s.name].fn));
      expect(m?.Properties).toMatchObject({
        EventSourceArn: arn(one(c, s.queue).queue),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: s.batchSize,
      });
      // A FIFO queue's event source takes no batching window.
      expect(m?.Properties.MaximumBatchingWindowInSeconds).toBe(
        s.queue === 'audit' ? undefined : s.maxBatchingWindowSeconds,
      );
      expect(m?.Properties.ScalingConfig.MaximumConcurrency).toBeLessThanOrEqual(
        Math.max(2, s.reservedConcurrency),
      );
    }
  });

  it('passes every resource name, the MAC key and the config in the environment', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const vars = resourceOf(t, c.stages[s.name].fn).Properties.Environment.Variables;
      expect(vars[ENV.table]).toEqual(ref(c.table));
      for (const b of BUCKETS) expect(vars[ENV.bucket(b)]).toEqual(ref(c.buckets[b]));
      // A human kind's URL is a template: one variable, `{agency}` where the agency goes (tested below).
      for (const q of s.sendsTo)
        expect(vars[ENV.queueUrl(q)]).toEqual(
          isHumanQueue(q) ? resolved(c, c.queues.url(q)) : ref(one(c, q).queue),
        );
      const queueVars = Object.keys(vars).filter((k) => k.startsWith('CODETRAIL_QUEUE_'));
      expect(queueVars.sort()).toEqual(s.sendsTo.map((q) => ENV.queueUrl(q)).sort());
      expect(vars[ENV.macKeyId]).toEqual(ref(c.keys.mac));
      expect(JSON.parse(vars[ENV.config])).toEqual(built.config);
      expect(vars[ENV.dataDir]).toBe(s.dataFiles ? LAMBDA_DATA_DIR : undefined);
      expect(vars[ENV.localKeyFile]).toBeUndefined();
    }
  });

  it('writes each function log group encrypted with the logs key, with a retention', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const groups = Object.values(resources(t, 'AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(STAGES.length + JOBS.length + 1); // + the CloudTrail log group
    for (const g of groups) {
      expect(g.Properties).toMatchObject({ KmsKeyId: arn(c.keys.logs), RetentionInDays: expect.any(Number) });
    }
  });
});

describe('least privilege', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const withAction = (statements: Statement[], action: string) =>
    statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));
  const resourcesOf = (statements: Statement[]) => statements.flatMap((s) => asArray(s.Resource));

  it('lets each stage consume its own queue and send only to the queues it sends to', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      expect(resourcesOf(withAction(st, 'sqs:ReceiveMessage'))).toEqual([arn(one(c, s.queue).queue)]);
      expect(resourcesOf(withAction(st, 'sqs:SendMessage'))).toEqual(
        expect.arrayContaining(s.sendsTo.map((q) => arn(one(c, q).queue))),
      );
      expect(resourcesOf(withAction(st, 'sqs:SendMessage'))).toHaveLength(s.sendsTo.length);
    }
  });

  /**
   * A role's grants as `action resource condition` lines, sorted: the CDK merges statements that share
   * resources (minimizePolicies), so what is compared is what they grant, not how they are grouped.
   */
  const grantLines = (statements: Statement[], service: string) =>
    statements
      .filter((x) => x.Effect === 'Allow')
      .flatMap((x) =>
        asArray(x.Action)
          .filter((a) => a.startsWith(`${service}:`))
          .flatMap((a) =>
            asArray(x.Resource).map(
              (r) => `${a} ${JSON.stringify(r)} ${JSON.stringify(x.Condition ?? null)}`,
            ),
          ),
      )
      .sort();
  const line = (action: string, resource: unknown, condition: unknown = null) =>
    `${action} ${JSON.stringify(resource)} ${JSON.stringify(condition)}`;

  it('lets each stage get, list, add and tag objects only under the key prefixes the topology names, and delete none', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const object = (b: BucketName, p: string) => ({ 'Fn::Join': ['', [arn(c.buckets[b]), `/${p}*`]] });
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      const expected = [
        ...s.reads.flatMap((a) =>
          a.prefixes.flatMap((p) => [
            line('s3:GetObject', object(a.bucket, p)),
            ...(a.byVersion ? [line('s3:GetObjectVersion', object(a.bucket, p))] : []),
          ]),
        ),
        ...(s.lists ?? []).map((a) =>
          line('s3:ListBucket', arn(c.buckets[a.bucket]), {
            StringLike: { 's3:prefix': a.prefixes.map((p) => `${p}*`) },
          }),
        ),
        ...s.writes.flatMap((a) => a.prefixes.map((p) => line('s3:PutObject', object(a.bucket, p)))),
        ...(s.tags ?? []).flatMap((a) =>
          a.prefixes.map((p) => line('s3:PutObjectTagging', object(a.bucket, p))),
        ),
      ].sort();
      expect(grantLines(st, 's3'), s.name).toEqual(expected);
    }
  });

  it('never lets a stage write where a write would notify a stage again', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const puts = grantLines(statementsOfRole(t, c.stages[s.name].role) as Statement[], 's3').filter((l) =>
        l.startsWith('s3:PutObject '),
      );
      for (const n of BUCKET_NOTIFICATIONS)
        expect(
          puts.some((l) => l.includes(`"/${n.prefix}`)),
          `${s.name} ${n.prefix}`,
        ).toBe(false);
    }
  });

  it('lets each stage use the table, and no index, with exactly the actions its adapters call', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      const partitions = (grant: (typeof s.auditTable)[number]) => ({
        // A prefix (ending in `#`) covers what is under it; a whole pattern (`AUDIT#*#audit-queue`) itself.
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': grant.partitions.map((p) => (p.endsWith('#') ? `${p}*` : p)),
        },
      });
      expect(grantLines(st, 'dynamodb'), s.name).toEqual(
        [
          ...s.table.map((a) => line(`dynamodb:${a}`, arn(c.table))),
          ...s.auditTable.flatMap((g) =>
            g.actions.map((a) => line(`dynamodb:${a}`, arn(c.auditTable), partitions(g))),
          ),
        ].sort(),
      );
    }
  });

  it('lets stages only add audit events (PutItem under AUDIT#), and the chainer alone write links', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const audit = JSON.stringify(arn(c.auditTable));
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      const onAudit = st.filter((x) => JSON.stringify(x.Resource) === audit);
      const actions = onAudit.flatMap((x) => asArray(x.Action as string | string[]));
      expect(actions, s.name).not.toContain('dynamodb:UpdateItem');
      expect(actions, s.name).not.toContain('dynamodb:DeleteItem');
      const keys = JSON.stringify(onAudit.map((x) => x.Condition));
      if (s.name === 'audit-chainer') {
        expect(keys).toContain('CHAIN#*');
        // Of events it adds only its refusals, never another subject's (it reads any it is told of).
        const adds = onAudit.filter((x) =>
          asArray(x.Action as string | string[]).includes('dynamodb:PutItem'),
        );
        expect(JSON.stringify(adds.map((x) => x.Condition))).toContain('"AUDIT#*#audit-queue"');
        expect(JSON.stringify(adds.map((x) => x.Condition))).not.toContain('"AUDIT#*"');
      } else
        expect(JSON.parse(keys), s.name).toEqual([
          { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
        ]);
    }
  });

  it('lets the keys be used only through the services they encrypt for, never to re-encrypt, and MACs only where made', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const via = (...services: string[]) => ({
      StringEquals: {
        'kms:ViaService': services.map((svc) => ({
          'Fn::Join': ['', [`${svc}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
        })),
      },
    });
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      expect(grantLines(st, 'kms'), s.name).toEqual(
        [
          line('kms:Decrypt', arn(c.keys.queue), via('sqs')),
          ...(s.sendsTo.length > 0 ? [line('kms:GenerateDataKey', arn(c.keys.queue), via('sqs'))] : []),
          // Each key through the services that use it for the stage: DynamoDB for its table, S3 for
          // the buckets under it (intake: the intake key; denials, artifacts: data; audit: audit).
          ...(['data', 'intake', 'audit'] as const).flatMap((k) => {
            const buckets = [...s.reads, ...(s.lists ?? []), ...s.writes, ...(s.tags ?? [])].map(
              (x) => x.bucket,
            );
            const underKey = { intake: ['intake'], data: ['denials', 'artifacts'], audit: ['audit'] }[k];
            const services = [
              ...((k === 'data' && s.table.length > 0) || (k === 'audit' && s.auditTable.length > 0)
                ? ['dynamodb']
                : []),
              ...(buckets.some((b) => underKey.includes(b)) ? ['s3'] : []),
            ];
            return services.length === 0
              ? []
              : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'].map((a) =>
                  line(a, arn(c.keys[k]), via(...services)),
                );
          }),
          ...(s.macs ? [line('kms:GenerateMac', arn(c.keys.mac))] : []),
          ...(s.samples ? [line('kms:GenerateMac', arn(c.keys.sampling))] : []),
        ].sort(),
      );
    }
  });

  it('lets the Lambda service poll each queue with the three actions it calls, and each stage send only to its sendsTo', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      const own = arn(one(c, s.queue).queue);
      expect(grantLines(st, 'sqs'), s.name).toEqual(
        [
          ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) => line(a, own)),
          ...s.sendsTo.map((q) => line('sqs:SendMessage', arn(one(c, q).queue))),
        ].sort(),
      );
    }
  });

  it('lets each stage write only its own log group, and use no AWS managed policy', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const s of STAGES) {
      const st = statementsOfRole(t, c.stages[s.name].role) as Statement[];
      expect(resourcesOf(withAction(st, 'logs:PutLogEvents'))).toEqual([arn(c.stages[s.name].logGroup)]);
      // No AWS managed policy on the stage roles (AWSLambdaBasicExecutionRole would allow every log group).
      expect(resourceOf(t, c.stages[s.name].role).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('CloudTrail', () => {
  it('records S3 data events on every PHI bucket, validates log files and encrypts them with the logs key', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    t.resourceCountIs('AWS::CloudTrail::Trail', 1);
    const trail = resourceOf(t, c.auditTrail.trail).Properties;
    expect(trail).toMatchObject({
      EnableLogFileValidation: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      KMSKeyId: arn(c.keys.logs),
      S3BucketName: ref(c.auditTrail.bucket),
      CloudWatchLogsLogGroupArn: arn(c.auditTrail.logGroup),
    });
    // Advanced selectors (DynamoDB data events need them): management events, every read and write of
    // an object in the PHI buckets, and of an item in either table.
    expect(trail.EventSelectors).toBeUndefined();
    expect(trail.AdvancedEventSelectors).toEqual([
      { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      {
        Name: 'S3 data events on the PHI buckets',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          {
            Field: 'resources.ARN',
            StartsWith: BUCKETS.map((b) => ({ 'Fn::Join': ['', [arn(c.buckets[b]), '/']] })),
          },
        ],
      },
      ...[c.table, c.auditTable].map((table, i) => ({
        Name: `DynamoDB data events on table ${i + 1}`,
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
          { Field: 'resources.ARN', Equals: [arn(table)] },
        ],
      })),
    ]);
  });

  it('keeps its files in a bucket of its own, SSE-KMS with the logs key and access-logged', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    expect(resourceOf(t, c.auditTrail.bucket).Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn(c.keys.logs) } },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: ref(c.accessLogs) },
    });
  });
});

describe('alarm topic', () => {
  it('is KMS-encrypted, TLS only, publishable by CloudWatch alarms, without subscribers unless configured', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    expect(resourceOf(t, c.alarmTopic).Properties.KmsMasterKeyId).toEqual(arn(c.keys.logs));
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the configured alarm email', () => {
    const { template: t, built } = production();
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'coding-alarms@example.org',
      TopicArn: ref(built.stack.codetrail.alarmTopic),
    });
  });
});

describe('removal', () => {
  it('deletes data with a trial stack ("trial": true), without auto-delete custom resources', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    for (const b of BUCKETS) expect(resourceOf(t, c.buckets[b]).DeletionPolicy).toBe('Delete');
    expect(resourceOf(t, c.table).DeletionPolicy).toBe('Delete');
    expect(resourceOf(t, c.keys.data).DeletionPolicy).toBe('Delete');
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('keeps buckets, tables and keys, with deletion protection, by default (production-grade)', () => {
    const { template: t, built } = production();
    const c = built.stack.codetrail;
    for (const b of [...BUCKETS.map((name) => c.buckets[name]), c.auditTrail.bucket, c.accessLogs])
      expect(resourceOf(t, b).DeletionPolicy).toBe('Retain');
    for (const k of [c.keys.data, c.keys.queue, c.keys.logs, c.keys.mac, c.keys.signing]) {
      expect(resourceOf(t, k).DeletionPolicy).toBe('Retain');
    }
    for (const table of [c.table, c.auditTable])
      expect(resourceOf(t, table)).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { DeletionProtectionEnabled: true },
      });
  });
});

describe('outputs', () => {
  it('names the table, every bucket and every queue (and DLQ) so the CLI can map them back', () => {
    const { template: t, built } = trial();
    const c = built.stack.codetrail;
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUT.table]?.Value).toEqual(ref(c.table));
    for (const b of BUCKETS) expect(outputs[OUTPUT.bucket(b)]?.Value).toEqual(ref(c.buckets[b]));
    for (const q of QUEUES) {
      expect(outputs[OUTPUT.queue(q.name)]?.Value).toEqual(
        q.humanDrained ? resolved(c, c.queues.url(q.name)) : ref(one(c, q.name).queue),
      );
      expect(outputs[OUTPUT.deadLetterQueue(q.name)]?.Value).toEqual(
        q.humanDrained
          ? resolved(c, c.queues.deadLetterQueueUrl(q.name))
          : ref(one(c, q.name).deadLetterQueue),
      );
    }
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['Table', 'BucketIntake', 'QueueQaReviewSenior', 'DeadLetterQueueQaResult']),
    );
  });
});

describe('bundles', () => {
  it('has a handler file for every stage and the code tables the rules stages ship', () => {
    for (const s of STAGES) expect(existsSync(defaultEntry(s)), defaultEntry(s)).toBe(true);
    for (const f of STAGES.flatMap((s) => expandDataFiles(s.dataFiles ?? [], PROJECT_ROOT)))
      expect(existsSync(path.join(PROJECT_ROOT, f.source)), f.source).toBe(true);
  });

  it('ships the code tables manifest and every table it lists', () => {
    // Whatever `codetrail tables import` added: every file the manifest lists, in its folder.
    const manifest = readManifest(path.join(PROJECT_ROOT, 'shared/data'));
    const listed = [
      ...manifest.icd10cm.map((v) => v.file),
      ...manifest.pdgm.flatMap((v) => [v.file, v.params]),
      ...manifest.hospicePrincipal.map((v) => v.file),
      ...manifest.codeFirst.map((v) => v.file),
      ...manifest.carc.map((v) => v.file),
      ...manifest.rarc.map((v) => v.file),
    ];
    expect(expandDataFiles([CODE_TABLES], PROJECT_ROOT)).toEqual([
      CODE_TABLES,
      ...listed.map((f) => ({ source: `shared/data/${f}`, into: path.posix.dirname(f) })),
    ]);
    expect(listed).toContain('icd10cm/icd10cm_fy2022_order.tsv.gz');
    expect(listed).toContain('lists/hospice_principal_starter.txt');
    // Denial ingestion classifies by both reason tables: a bundle without one would classify nothing.
    expect(listed).toContain('carc/carc_root_causes.csv');
    expect(listed).toContain('rarc/rarc_families.csv');
  });

  it('copies the code tables into data/ of the bundle after esbuild', () => {
    const hooks = copyDataFiles(expandDataFiles([CODE_TABLES], PROJECT_ROOT).slice(0, 2));
    expect(hooks.afterBundling('/in', '/out')).toEqual([
      'mkdir -p "/out/data"',
      'cp "/in/shared/data/code-tables.json" "/out/data/"',
      'mkdir -p "/out/data/icd10cm"',
      'cp "/in/shared/data/icd10cm/icd10cm_fy2022_order.tsv.gz" "/out/data/icd10cm/"',
    ]);
    expect(hooks.beforeBundling('/in', '/out')).toEqual([]);
  });

  it('refuses a config too large for the Lambda environment', () => {
    const coderRates = Object.fromEntries(
      Array.from({ length: CONFIG_ENV_BUDGET_BYTES / 10 }, (_, i) => [`coder-${i}`, 1]),
    );
    expect(() => build({ sampling: { coderRates } })).toThrow(/4 KB/);
  });
});

function isRef(value: unknown, id: string): boolean {
  return typeof value === 'object' && value !== null && (value as { Ref?: string }).Ref === id;
}

/** The QueueName dimension CloudWatch alarms use: the queue's name attribute. */
function arnName(queueLogicalId: string) {
  return { 'Fn::GetAtt': [queueLogicalId, 'QueueName'] };
}
