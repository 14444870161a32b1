import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Config } from '#shared/model/config.ts';
import { OUTPUT } from '#shared/topology.ts';
import type { AgencyRoles } from '../../infra/person-roles.ts';
import { arn, asArray, logicalId, resourceOf, statementsOfRole, TWO_AGENCIES, template } from './harness.ts';

/** The EMR export writer roles (issue 13, item 3): one per agency, PutObject under its prefix only. */
describe('the EMR export writer roles', () => {
  it('gives each agency a role that may add objects under its own exports/ prefix, SSE-KMS under the intake key', () => {
    const { template: t, built } = template(TWO_AGENCIES);
    const c = built.stack.codetrail;
    expect(Object.keys(c.personRoles.byAgency)).toEqual(['north-branch', 'south-branch']);
    for (const [agency, { emrWriter: role }] of Object.entries(c.personRoles.byAgency)) {
      const statements = statementsOfRole(t, role);
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [arn(c.buckets.intake), `/exports/${agency}/*`]] },
          Condition: {
            StringEqualsIfExists: {
              's3:x-amz-server-side-encryption': 'aws:kms',
              's3:x-amz-server-side-encryption-aws-kms-key-id': arn(c.keys.intake),
            },
          },
        },
        {
          Effect: 'Deny',
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [arn(c.buckets.intake), `/exports/${agency}/*`]] },
          Condition: {
            StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
          },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: arn(c.keys.intake),
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
          },
        },
      ]);
      // Assumed by this account's principals only (its administrators grant it to the export job).
      const trust = resourceOf(t, role).Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toHaveLength(1);
      expect(JSON.stringify(trust[0].Principal)).toContain(':root');
      expect(trust[0].Condition).toBeUndefined();
    }
  });

  it('names each role in a stack output', () => {
    const { template: t } = template(TWO_AGENCIES);
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    for (const agency of ['north-branch', 'south-branch'])
      expect(outputs[OUTPUT.emrWriterRole(agency)]?.Description).toContain(`exports/${agency}/`);
  });

  it("trusts a vendor's account with its external id when the EMR is hosted elsewhere", () => {
    const { template: t, built } = template({
      emrExport: { account: '123456789012', externalId: 'vendor-ext-42' },
    });
    const role = Object.values(built.stack.codetrail.personRoles.byAgency)[0]?.emrWriter;
    if (!role) throw new Error('no writer role');
    const [trust] = resourceOf(t, role).Properties.AssumeRolePolicyDocument.Statement;
    expect(JSON.stringify(trust.Principal)).toContain('123456789012');
    expect(trust.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'vendor-ext-42' } });
    expect(asArray(trust.Action)).toEqual(['sts:AssumeRole']);
  });

  it('refuses a vendor account without its external id, and an external id without an account', () => {
    expect(() => Config.parse({ emrExport: { account: '123456789012' } })).toThrow(/externalId/);
    expect(() => Config.parse({ emrExport: { externalId: 'x-1' } })).toThrow(/externalId/);
    expect(() => Config.parse({ emrExport: { account: '1234', externalId: 'x-1' } })).toThrow(/12-digit/);
  });
});

/** The one agency of the default configuration: every person's role is an agency's own. */
const AGENCY = 'demo-agency';

/** The QA roles (issue 13, item 3): their own queue, tagged chart files only, the table read-only. */
describe('the QA reviewer and senior reviewer roles', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;
  const mine = c.personRoles.byAgency[AGENCY];
  if (!mine) throw new Error('no roles for the agency');
  const roles = [
    ['reviewer', mine.qaReviewer, 'qa-review'],
    ['senior', mine.qaSenior, 'qa-review-senior'],
  ] as const;

  it.each(roles)('the %s takes from its own queue alone and answers to qa-result', (_, role, queue) => {
    const statements = statementsOfRole(t, role);
    const on = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    for (const action of ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'])
      expect(on(action)).toEqual([arn(c.queues.of(queue, AGENCY).queue)]);
    // Its answers to qa-result; the chainer hears of each chart it opens (an audit event of its own).
    expect(on('sqs:SendMessage')).toEqual(
      expect.arrayContaining([arn(c.queues.lambda['qa-result'].queue), arn(c.queues.lambda.audit.queue)]),
    );
    expect(on('sqs:SendMessage')).toHaveLength(2);
  });

  it.each(roles)('the %s reads only chart files tagged for review, and writes only its notes', (_, role) => {
    const statements = statementsOfRole(t, role);
    const s3 = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [arn(c.buckets.artifacts), `/charts/${AGENCY}/*`]] },
        Condition: { StringEquals: { 's3:ExistingObjectTag/codetrail-qa': 'review' } },
      },
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [arn(c.buckets.artifacts), `/qa-notes/${AGENCY}/*`]] },
        // Added, never replaced: the request must carry If-None-Match.
        Condition: { StringEquals: { 's3:if-none-match': '*' } },
      },
    ]);
  });

  it.each(roles)(
    "the %s reads its own queue's review board alone of the table, and writes nothing to it",
    (_, role, queue) => {
      const dynamo = statementsOfRole(t, role).filter(
        (s) =>
          asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')) &&
          JSON.stringify(s.Resource) === JSON.stringify(arn(c.table)),
      );
      expect(dynamo).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:Query'],
          Resource: arn(c.table),
          Condition: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [
                queue === 'qa-review-senior' ? `REVIEWS#${AGENCY}#qa-review*` : `REVIEWS#${AGENCY}#qa-review`,
              ],
            },
          },
        },
      ]);
    },
  );

  it('names both roles in stack outputs', () => {
    const outputs = t.toJSON().Outputs as Record<string, unknown>;
    expect(outputs[OUTPUT.qaReviewerRole(AGENCY)]).toBeDefined();
    expect(outputs[OUTPUT.qaSeniorRole(AGENCY)]).toBeDefined();
  });
});

/** The compliance role (issue 13, item 3): read-only, the audit trail and the receipts alone. */
describe('the compliance role', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;

  it('reads the audit bucket, the receipts and the audit partitions, and can write nothing', () => {
    const statements = statementsOfRole(t, c.personRoles.byAgency[AGENCY]?.compliance as IConstruct);
    const actions = statements.flatMap((s) => asArray(s.Action as string | string[])).sort();
    expect([...new Set(actions)]).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:GenerateMac',
      'kms:GetPublicKey',
      's3:GetObject',
      's3:ListBucket',
      'sqs:SendMessage',
    ]);
    // A chart's story: its agency's chart versions, the claim a claimRef names, its agency's ICN index.
    const story = statements.find((s) => asArray(s.Action).includes('dynamodb:GetItem'));
    expect(story?.Resource).toEqual(arn(c.table));
    expect(story?.Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [`CHART#${AGENCY}.*`, 'CLAIMREF#*', `ICN#${AGENCY}#*`, `MEMBER#${AGENCY}#*`],
      },
    });
    const mac = statements.find((s) => asArray(s.Action).includes('kms:GenerateMac'));
    expect(mac?.Resource).toEqual(arn(c.keys.mac));
    const query = statements.find(
      (s) => asArray(s.Action).includes('dynamodb:Query') && !asArray(s.Action).includes('dynamodb:GetItem'),
    );
    // The audit table's events of its agency alone: not the chain's links, not the table.
    expect(query?.Resource).toEqual(arn(c.auditTable));
    expect(query?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`AUDIT#${AGENCY}#*`] },
    });
    // The public half of the signing key, to verify the trail: never Sign.
    const publicKey = statements.find((s) => asArray(s.Action).includes('kms:GetPublicKey'));
    expect(publicKey?.Action).toBe('kms:GetPublicKey');
    expect(publicKey?.Resource).toEqual(arn(c.keys.signing));
    expect(JSON.stringify(statements)).toContain(`/audit-trail/${AGENCY}/*`);
    // Of the audit bucket and the receipts, the agency's own alone.
    const reads = statements.filter((s) => asArray(s.Action).includes('s3:GetObject'));
    expect(JSON.stringify(reads)).not.toMatch(/"\/\*"|\/receipts\/\*|\/batches\/\*/);
    expect(JSON.stringify(reads)).toContain(`/receipts/${AGENCY}/*`);
    expect(JSON.stringify(reads)).toContain(`/charts/${AGENCY}/*`);
    expect(JSON.stringify(reads)).not.toMatch(/\/charts\/\*/);
    expect((t.toJSON().Outputs as Record<string, unknown>)[OUTPUT.complianceRole(AGENCY)]).toBeDefined();
  });
});

/**
 * What people record themselves (issue 14): each chart their command opens, and compliance's register of
 * documentation requests: PutItem on those audit partitions of their agency alone, never a chart's events
 * or a stage's, and nothing else written to either table.
 */
describe("people's own audit events", () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;
  const mine = c.personRoles.byAgency[AGENCY];
  if (!mine) throw new Error('no roles for the agency');

  it.each([
    ['compliance', mine.compliance, [`AUDIT#${AGENCY}#access`, `AUDIT#${AGENCY}#adrs`]],
    ['qa reviewer', mine.qaReviewer, [`AUDIT#${AGENCY}#access`]],
    ['qa senior', mine.qaSenior, [`AUDIT#${AGENCY}#access`]],
    ['billing', mine.billing, [`AUDIT#${AGENCY}#access`]],
    ['coder', mine.coder, []],
    ['EMR writer', mine.emrWriter, []],
  ] as const)(
    'the %s adds events under its own subjects alone, and writes no table otherwise',
    (_, role, partitions) => {
      const statements = statementsOfRole(t, role);
      const writes = statements.filter((s) =>
        asArray(s.Action).some((a: string) =>
          /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a),
        ),
      );
      expect(writes).toEqual(
        partitions.length === 0
          ? []
          : [
              {
                Effect: 'Allow',
                Action: 'dynamodb:PutItem',
                Resource: arn(c.auditTable),
                // Exact partitions (StringEquals): not a pattern that could reach a chart's.
                Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': partitions } },
              },
            ],
      );
      const sendsTo = statements
        .filter((s) => asArray(s.Action).includes('sqs:SendMessage'))
        .flatMap((s) => asArray(s.Resource).map((r) => JSON.stringify(r)));
      expect(sendsTo.includes(JSON.stringify(arn(c.queues.lambda.audit.queue)))).toBe(partitions.length > 0);
    },
  );
});

/** The coder role (issue 13, item 3): a dispute and its note, nothing read. */
describe('the coder role', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;

  it('may send to qa-result and add notes, and read nothing', () => {
    const statements = statementsOfRole(t, c.personRoles.byAgency[AGENCY]?.coder as IConstruct);
    const actions = [...new Set(statements.flatMap((s) => asArray(s.Action as string | string[])))].sort();
    expect(actions).toEqual(['kms:GenerateDataKey', 'kms:GenerateMac', 's3:PutObject', 'sqs:SendMessage']);
    expect((t.toJSON().Outputs as Record<string, unknown>)[OUTPUT.coderRole(AGENCY)]).toBeDefined();
  });
});

/** The billing role (issue 13, item 3): coded batches and what they bill, answers through billing-reply. */
describe('the billing role', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;

  it('takes coded batches, reads batch files and only the chart files tagged for billing, and answers to billing-reply', () => {
    const statements = statementsOfRole(t, c.personRoles.byAgency[AGENCY]?.billing as IConstruct);
    const on = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    for (const action of ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'])
      expect(on(action)).toEqual([arn(c.queues.of('coded-batches', AGENCY).queue)]);
    expect(on('sqs:SendMessage')).toEqual(
      expect.arrayContaining([arn(c.queues.lambda['billing-reply'].queue), arn(c.queues.lambda.audit.queue)]),
    );
    expect(on('sqs:SendMessage')).toHaveLength(2);
    const s3 = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [arn(c.buckets.artifacts), `/batches/${AGENCY}/*`]] },
      },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [arn(c.buckets.artifacts), `/charts/${AGENCY}/*`]] },
        Condition: { StringEquals: { 's3:ExistingObjectTag/codetrail-billing': 'batched' } },
      },
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [arn(c.buckets.artifacts), `/billing-notes/${AGENCY}/*`]] },
        // Added, never replaced: the request must carry If-None-Match.
        Condition: { StringEquals: { 's3:if-none-match': '*' } },
      },
    ]);
    // People never write the table: the billing-reply stage makes every change. They read batch items alone.
    const dynamo = statements.filter(
      (s) =>
        asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')) &&
        JSON.stringify(s.Resource) === JSON.stringify(arn(c.table)),
    );
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: arn(c.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`BATCH#${AGENCY}#*`] } },
      },
    ]);
    expect((t.toJSON().Outputs as Record<string, unknown>)[OUTPUT.billingRole(AGENCY)]).toBeDefined();
  });
});

/** The roles people share (issue 13, item 3): every session named after the person, as AWS vouches. */
describe('the trust of the roles people share', () => {
  const { template: t, built } = template();
  const p = built.stack.codetrail.personRoles.byAgency[AGENCY] as AgencyRoles;
  const shared = [
    ['QaReviewer', p.qaReviewer],
    ['QaSenior', p.qaSenior],
    ['Compliance', p.compliance],
    ['Coder', p.coder],
    ['Billing', p.billing],
  ] as const;
  // IAM policy variables, written as the template holds them.
  const iamVariable = (name: string) => `\${${name}}`;
  const byUserName = {
    StringEquals: {
      'sts:RoleSessionName': iamVariable('aws:username'),
      'sts:SourceIdentity': iamVariable('aws:username'),
    },
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
  };
  it.each(shared)(
    '%s: assumed only by an IAM user with MFA, the session named after them and that name its source identity',
    (_, role) => {
      const trust = resourceOf(t, role).Properties.AssumeRolePolicyDocument.Statement as {
        Action: string | string[];
        Condition?: unknown;
        Effect: string;
        Principal: unknown;
      }[];
      const ways = trust.map((s) => ({ actions: asArray(s.Action).sort(), condition: s.Condition }));
      expect(ways).toEqual(
        expect.arrayContaining([
          { actions: ['sts:AssumeRole'], condition: byUserName },
          { actions: ['sts:SetSourceIdentity'], condition: byUserName },
        ]),
      );
      expect(ways).toHaveLength(2);
      for (const s of trust) {
        expect(s.Effect).toBe('Allow');
        expect(JSON.stringify(s.Principal)).toContain(':root');
      }
    },
  );
});

/** Per-agency scope (issue 13, item 3): each agency's people reach its own queues, prefixes and partitions alone. */
describe('the roles of two agencies', () => {
  const { template: t, built } = template(TWO_AGENCIES);
  const c = built.stack.codetrail;

  it.each(['qaReviewer', 'qaSenior', 'compliance', 'coder', 'billing'] as const)(
    "gives each agency its own %s role, which names nothing of the other agency's",
    (kind) => {
      const north = c.personRoles.byAgency['north-branch']?.[kind] as IConstruct;
      const south = c.personRoles.byAgency['south-branch']?.[kind] as IConstruct;
      expect(logicalId(north)).not.toBe(logicalId(south));
      const northText = JSON.stringify(statementsOfRole(t, north));
      expect(northText).not.toContain('south-branch');
      for (const queue of ['qa-review', 'qa-review-senior', 'coded-batches'] as const)
        expect(northText).not.toContain(JSON.stringify(arn(c.queues.of(queue, 'south-branch').queue)));
      // Every key prefix and partition it names is the agency's own (the MAC key and answer queues are shared).
      const prefixes = [...northText.matchAll(/"\/([a-z-]+)\/([^"/]*)\//g)].map((m) => m[2]);
      for (const agency of prefixes) expect(agency).toBe('north-branch');
      const partitions = [...northText.matchAll(/"(REVIEWS|BATCH|AUDIT)#([^#"]*)#/g)].map((m) => m[2]);
      for (const agency of partitions) expect(agency).toBe('north-branch');
    },
  );

  it('names every role of every agency in a stack output', () => {
    const outputs = t.toJSON().Outputs as Record<string, unknown>;
    for (const agency of ['north-branch', 'south-branch'])
      for (const key of [
        OUTPUT.emrWriterRole,
        OUTPUT.qaReviewerRole,
        OUTPUT.qaSeniorRole,
        OUTPUT.complianceRole,
        OUTPUT.coderRole,
        OUTPUT.billingRole,
      ])
        expect(outputs[key(agency)], key(agency)).toBeDefined();
  });
});
