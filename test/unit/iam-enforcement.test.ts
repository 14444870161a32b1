import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, S3ServiceException } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSServiceException } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  accessDenied,
  actAs,
  actingRole,
  appendDistinct,
  type CheckedCall,
  describeDenial,
  LocalIam,
} from '#cli/local/iam-enforcement.ts';
import { resetAwsClients } from '#shared/aws/clients.ts';
import type { RolePolicy } from '#shared/iam/role-policy.ts';
import { answeringClients } from '../support/local-iam.ts';

const scope = { region: 'us-east-1', account: '000000000000' };
const policies: Record<string, RolePolicy> = {
  'stage:validation': {
    statements: [
      { effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::art/charts/*'] },
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem'],
        resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/t'],
      },
      {
        effect: 'Allow',
        actions: ['s3:ListBucket'],
        resources: ['arn:aws:s3:::in'],
        conditions: { StringLike: { 's3:prefix': ['work/*'] } },
      },
    ],
  },
};

afterEach(() => resetAwsClients());

describe('LocalIam on the SDK clients', () => {
  it('refuses a call the acting role may not make with the error AWS raises, naming the action and resource', async () => {
    const clients = answeringClients();
    new LocalIam(policies, scope).install(clients);
    const denied = actAs('stage:validation', () =>
      clients.s3.send(new GetObjectCommand({ Bucket: 'art', Key: 'batches/b1.json' })),
    );
    await expect(denied).rejects.toBeInstanceOf(S3ServiceException);
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        'not authorized to perform: s3:GetObject on resource: arn:aws:s3:::art/batches/b1.json',
      ),
    });
  });

  it('lets through what the policy allows, the document client included', async () => {
    const clients = answeringClients();
    new LocalIam(policies, scope).install(clients);
    await actAs('stage:validation', async () => {
      await clients.s3.send(new GetObjectCommand({ Bucket: 'art', Key: 'charts/a/v1.json' }));
      await clients.dynamo.send(new GetCommand({ TableName: 't', Key: { pk: 'x', sk: 'y' } }));
      await clients.s3.send(new ListObjectsV2Command({ Bucket: 'in', Prefix: 'work/p-1/' }));
    });
  });

  it('checks condition keys: a listing outside the allowed prefix is refused', async () => {
    const clients = answeringClients();
    new LocalIam(policies, scope).install(clients);
    await expect(
      actAs('stage:validation', () =>
        clients.s3.send(new ListObjectsV2Command({ Bucket: 'in', Prefix: 'exports/' })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('checks every call the role makes however deep it is awaited, and none outside a role', async () => {
    const clients = answeringClients();
    const iam = new LocalIam(policies, scope);
    iam.install(clients);
    iam.install(clients); // once per client, however often asked
    const send = () =>
      clients.sqs.send(new SendMessageCommand({ QueueUrl: 'http://h/0/q', MessageBody: '{}' }));
    await expect(
      actAs('stage:validation', async () => {
        await new Promise((r) => setTimeout(r, 1));
        await Promise.resolve().then(send);
      }),
    ).rejects.toBeInstanceOf(SQSServiceException);
    expect(iam.denials()).toHaveLength(1);
    // The operator's own commands and test setup act as no role: not checked.
    await clients.s3.send(new GetObjectCommand({ Bucket: 'art', Key: 'batches/b1.json' }));
    expect(actingRole()).toBeUndefined();
    expect(iam.denials()).toHaveLength(1);
  });

  it('fails a role it has no policy for, rather than letting it act unchecked', async () => {
    const clients = answeringClients();
    new LocalIam(policies, scope).install(clients);
    await expect(
      actAs('stage:nobody', () => clients.s3.send(new GetObjectCommand({ Bucket: 'art', Key: 'charts/x' }))),
    ).rejects.toThrow('no IAM policy for the role stage:nobody');
  });
});

describe('accessDenied', () => {
  const request = { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t' };
  it.each([
    ['dynamodb', DynamoDBServiceException, 'AccessDeniedException', 400],
    ['s3', S3ServiceException, 'AccessDenied', 403],
    ['sqs', SQSServiceException, 'AccessDenied', 403],
    ['kms', KMSServiceException, 'AccessDeniedException', 400],
  ] as const)('raises what the %s client raises in AWS', (service, type, name, status) => {
    const error = accessDenied(service, scope, 'stage:intake', request);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
    expect(error.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/codetrail-stage-intake/local is not authorized to perform: ' +
        'dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/t because no ' +
        'identity-based policy allows the dynamodb:PutItem action',
    );
  });
});

describe('recording', () => {
  it('records refusals always, and every call when told, in the form it is told, prefixes cut', () => {
    const seen: CheckedCall[] = [];
    const iam = new LocalIam(policies, scope, {
      recordAll: true,
      recordAs: (r) => r.replace('arn:aws:s3:::in', '{bucket:intake}'),
      onRecord: (c) => seen.push(c),
    });
    iam.authorize('s3', 'stage:validation', {
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::in',
      context: { 's3:prefix': ['work/obj-1/p-2/'] },
    });
    expect(() =>
      iam.authorize('s3', 'stage:validation', {
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::in/quarantine/x',
      }),
    ).toThrow(S3ServiceException);
    expect(iam.calls).toEqual([
      {
        role: 'stage:validation',
        action: 's3:ListBucket',
        resource: '{bucket:intake}',
        context: { 's3:prefix': ['work/…'] },
        allowed: true,
      },
      {
        role: 'stage:validation',
        action: 's3:PutObject',
        resource: '{bucket:intake}/quarantine/x',
        allowed: false,
      },
    ]);
    expect(seen).toEqual(iam.calls);
    expect(iam.denialLines()).toEqual([
      'stage:validation may not s3:PutObject on {bucket:intake}/quarantine/x',
    ]);
  });

  it('keeps only refusals by default', () => {
    const iam = new LocalIam(policies, scope);
    iam.authorize('s3', 'stage:validation', {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::art/charts/a',
    });
    expect(iam.calls).toEqual([]);
  });

  it('describes a refusal in one line, and appends each distinct call to a file once', () => {
    expect(
      describeDenial({
        role: 'stage:intake',
        action: 's3:GetObject',
        resource: '{bucket:artifacts}/charts/…',
      }),
    ).toBe('stage:intake may not s3:GetObject on {bucket:artifacts}/charts/…');
    const file = join(mkdtempSync(join(tmpdir(), 'codetrail-iam-rec-')), 'calls.jsonl');
    const append = appendDistinct(file);
    const call = { role: 'stage:intake', action: 's3:GetObject', resource: 'r', allowed: true };
    append(call);
    append({ ...call });
    append({ ...call, resource: 'r2' });
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).resource),
    ).toEqual(['r', 'r2']);
  });
});
