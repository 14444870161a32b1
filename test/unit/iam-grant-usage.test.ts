import { describe, expect, it } from 'vitest';
import {
  distinctCalls,
  grantsOf,
  onBehalfReason,
  refusedCalls,
  unusedGrants,
  usedBy,
  withoutGrant,
} from '#shared/iam/grant-usage.ts';
import type { RolePolicies } from '#shared/iam/role-policy.ts';

const policies: RolePolicies = {
  roles: {
    'stage:validation': {
      statements: [
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: ['{bucket:artifacts}/charts/*', '{bucket:audit}/x/*'],
        },
        {
          effect: 'Allow',
          actions: ['sqs:ReceiveMessage', 'sqs:GetQueueAttributes'],
          resources: ['{queue:validate}'],
        },
        {
          effect: 'Deny',
          actions: ['s3:*'],
          resources: ['{bucket:audit}/locked/*'],
        },
        { effect: 'Allow', actions: ['kms:Decrypt'], resources: ['{key:data}'] },
      ],
    },
  },
};
const role = 'stage:validation';

describe('grantsOf', () => {
  it('lists every action on every resource of the Allow statements, role by role', () => {
    expect(grantsOf(policies)).toEqual([
      { role, action: 's3:GetObject', resource: '{bucket:artifacts}/charts/*' },
      { role, action: 's3:GetObject', resource: '{bucket:audit}/x/*' },
      { role, action: 's3:PutObject', resource: '{bucket:artifacts}/charts/*' },
      { role, action: 's3:PutObject', resource: '{bucket:audit}/x/*' },
      { role, action: 'sqs:ReceiveMessage', resource: '{queue:validate}' },
      { role, action: 'sqs:GetQueueAttributes', resource: '{queue:validate}' },
      { role, action: 'kms:Decrypt', resource: '{key:data}' },
    ]);
  });
});

describe('onBehalfReason', () => {
  it.each([
    ['stage:validation', 'logs:PutLogEvents', '{logs:validation}', 'log group'],
    ['stage:validation', 'xray:PutTraceSegments', '*', 'tracing'],
    ['stage:validation', 'kms:Decrypt', '{key:data}', 'encrypt and decrypt at rest'],
    ['stage:validation', 'kms:GenerateDataKey', '{key:queue}', 'encrypt what it sends'],
    ['stage:validation', 'sqs:GetQueueAttributes', '{queue:validate}', 'event source mapping'],
    ['stage:intake', 's3:GetObjectVersion', '{bucket:intake}/exports/*', 'keeps no versions'],
    ['stage:denial-ingestion', 's3:GetObjectVersion', '{bucket:denials}/remittances/*', 'keeps no versions'],
    ['stage:intake', 'kms:GenerateMac', '{key:mac}', 'local MAC key is a file'],
    ['stage:reconciler', 'logs:PutLogEvents', '{logs:reconciler}', 'log group'],
    ['stage:reconciler', 'kms:Encrypt', '{key:data}', 'encrypt and decrypt at rest'],
    ['stage:reconciler', 'kms:GenerateDataKey', '{key:queue}', 'encrypt what it sends'],
  ])('explains %s %s on %s', (role, action, resource, reason) => {
    expect(onBehalfReason({ role, action, resource })).toContain(reason);
  });

  it.each([
    ['person:emr-writer', 'kms:GenerateDataKey', '{key:data}'],
    ['person:emr-writer', 'kms:Decrypt', '{key:data}'],
    ['person:qa-reviewer', 'kms:GenerateDataKey', '{key:queue}'],
  ])("explains a person's KMS grant %s %s on %s that only services may use", (role, action, resource) => {
    expect(onBehalfReason({ role, action, resource, viaService: true })).toContain('kms:ViaService');
    // The same grant without the condition is the person's own: some call must use it.
    expect(onBehalfReason({ role, action, resource })).toBeUndefined();
  });

  it('explains a QA role or coder computing a MAC (a file locally), and nothing else of a person', () => {
    expect(
      onBehalfReason({ role: 'person:coder', action: 'kms:GenerateMac', resource: '{key:mac}' }),
    ).toContain('local MAC key is a file');
    expect(
      onBehalfReason({
        role: 'person:coder',
        action: 's3:PutObject',
        resource: '{bucket:artifacts}/qa-notes/*',
      }),
    ).toBeUndefined();
  });

  it.each([
    // Only where the topology says the stage needs it: anything beyond must be used by a call.
    ['stage:validation', 'kms:GenerateMac', '{key:mac}'],
    ['stage:billing-handoff', 'kms:GenerateMac', '{key:mac}'],
    ['stage:intake', 's3:GetObjectVersion', '{bucket:intake}/work/*'],
    ['stage:validation', 's3:GetObjectVersion', '{bucket:artifacts}/charts/*'],
    // The sealer sends nothing; a stage that is not the sealer signs nothing.
    ['stage:audit-sealer', 'kms:GenerateDataKey', '{key:queue}'],
    ['stage:intake', 'kms:Sign', '{key:signing}'],
    ['stage:validation', 'logs:PutLogEvents', '{logs:intake}'],
    ['stage:validation', 'xray:PutTraceSegments', '{table}'],
    ['stage:validation', 'kms:Decrypt', '{key:mac}'],
    ['stage:validation', 'kms:ReEncryptFrom', '{key:data}'],
    ['stage:validation', 'sqs:GetQueueAttributes', '{queue:sample}'],
    ['stage:validation', 'sqs:ReceiveMessage', '{queue:validate}'],
    ['stage:nobody', 'kms:Decrypt', '{key:data}'],
    ['stage:nobody', 'logs:PutLogEvents', '{logs:undefined}'],
    // A scheduled job receives nothing, has no queue and reads no S3.
    ['stage:reconciler', 'kms:Decrypt', '{key:queue}'],
    ['stage:reconciler', 'sqs:GetQueueAttributes', '{queue:validate}'],
    ['stage:reconciler', 'logs:PutLogEvents', '{logs:validation}'],
    ['person:emr-writer', 'kms:Encrypt', '{key:data}'],
    ['person:emr-writer', 'kms:GenerateDataKey', '{key:queue}'],
  ])('leaves %s %s on %s to the calls', (role, action, resource) => {
    expect(onBehalfReason({ role, action, resource })).toBeUndefined();
  });
});

describe('usage', () => {
  const calls = [
    { role, action: 's3:GetObject', resource: '{bucket:artifacts}/charts/…' },
    { role, action: 'S3:PUTOBJECT', resource: '{bucket:artifacts}/charts/…' },
    { role: 'stage:intake', action: 's3:GetObject', resource: '{bucket:audit}/x/…' },
  ];

  it('counts a call against a grant when role, action (any case) and resource match', () => {
    const [get] = grantsOf(policies);
    expect(get && usedBy(get, calls[0] as never)).toBe(true);
    expect(get && usedBy(get, { ...calls[0], role: 'stage:intake' } as never)).toBe(false);
    expect(get && usedBy(get, { ...calls[0], resource: '{bucket:artifacts}/batches/…' } as never)).toBe(
      false,
    );
  });

  it('reports the grants no call used, leaving out those AWS uses for the role', () => {
    expect(unusedGrants(policies, calls)).toEqual([
      { role, action: 's3:GetObject', resource: '{bucket:audit}/x/*' },
      { role, action: 's3:PutObject', resource: '{bucket:audit}/x/*' },
      { role, action: 'sqs:ReceiveMessage', resource: '{queue:validate}' },
    ]);
  });

  it('reports the calls the policies refuse, a role without a policy included', () => {
    expect(
      refusedCalls(policies, [
        ...calls.slice(0, 1),
        { role, action: 's3:DeleteObject', resource: '{bucket:artifacts}/charts/…' },
        { role: 'stage:nobody', action: 's3:GetObject', resource: 'x' },
      ]),
    ).toEqual([
      { role, action: 's3:DeleteObject', resource: '{bucket:artifacts}/charts/…' },
      { role: 'stage:nobody', action: 's3:GetObject', resource: 'x' },
    ]);
  });

  it('keeps each distinct call once, its condition keys part of what makes it distinct', () => {
    const list = { role, action: 's3:ListBucket', resource: '{bucket:intake}' };
    expect(
      distinctCalls([
        calls[0] as never,
        { ...(calls[0] as object), allowed: true } as never,
        { ...list, context: { 's3:prefix': ['work/…'] } },
        { ...list, context: { 's3:prefix': ['exports/…'] } },
        { ...list, context: { 's3:prefix': ['work/…'] } },
      ]),
    ).toEqual([
      calls[0],
      { ...list, context: { 's3:prefix': ['work/…'] } },
      { ...list, context: { 's3:prefix': ['exports/…'] } },
    ]);
  });
});

describe('withoutGrant', () => {
  it('takes one action off one resource, splitting the statement so the rest stays granted', () => {
    const without = withoutGrant(policies, {
      role,
      action: 's3:GetObject',
      resource: '{bucket:artifacts}/charts/*',
    });
    expect(without.roles[role]?.statements.slice(0, 2)).toEqual([
      {
        effect: 'Allow',
        actions: ['s3:PutObject'],
        resources: ['{bucket:artifacts}/charts/*', '{bucket:audit}/x/*'],
      },
      { effect: 'Allow', actions: ['s3:GetObject'], resources: ['{bucket:audit}/x/*'] },
    ]);
    const remaining = grantsOf(without);
    expect(remaining).toHaveLength(grantsOf(policies).length - 1);
    expect(remaining).not.toContainEqual({
      role,
      action: 's3:GetObject',
      resource: '{bucket:artifacts}/charts/*',
    });
  });

  it('drops a statement left with nothing, and leaves Deny statements and other roles alone', () => {
    const without = withoutGrant(policies, { role, action: 'kms:Decrypt', resource: '{key:data}' });
    expect(without.roles[role]?.statements).toHaveLength(3);
    expect(without.roles[role]?.statements.some((s) => s.effect === 'Deny')).toBe(true);
    expect(withoutGrant(policies, { role: 'stage:nobody', action: 'x', resource: 'y' })).toBe(policies);
  });
});
