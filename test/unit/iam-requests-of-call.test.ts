import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyArn, parseCopySource, queueArn, requestsOfCall } from '#shared/iam/requests-of-call.ts';

const scope = { region: 'us-east-1', account: '000000000000' };
const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';

describe('requestsOfCall', () => {
  it.each([
    ['GetItem'],
    ['PutItem'],
    ['UpdateItem'],
    ['DeleteItem'],
    ['DescribeTable'],
    ['CreateTable'],
    ['Query'],
    ['Scan'],
  ])('authorizes DynamoDB %s as the same action on the table', (op) => {
    expect(requestsOfCall(scope, 'dynamodb', op, { TableName: 't' })).toEqual([
      { action: `dynamodb:${op}`, resource: table },
    ]);
  });

  it("authorizes a query or scan of an index on the index's ARN", () => {
    expect(requestsOfCall(scope, 'dynamodb', 'Query', { TableName: 't', IndexName: 'gsi1' })).toEqual([
      { action: 'dynamodb:Query', resource: `${table}/index/gsi1` },
    ]);
    expect(requestsOfCall(scope, 'dynamodb', 'Scan', { TableName: 't', IndexName: 'gsi1' })).toEqual([
      { action: 'dynamodb:Scan', resource: `${table}/index/gsi1` },
    ]);
  });

  it('authorizes GetObject and HeadObject as s3:GetObject, or s3:GetObjectVersion when a version is named', () => {
    const object = 'arn:aws:s3:::b/charts/a.json';
    for (const op of ['GetObject', 'HeadObject']) {
      expect(requestsOfCall(scope, 's3', op, { Bucket: 'b', Key: 'charts/a.json' })).toEqual([
        { action: 's3:GetObject', resource: object },
      ]);
      expect(requestsOfCall(scope, 's3', op, { Bucket: 'b', Key: 'charts/a.json', VersionId: 'v1' })).toEqual(
        [{ action: 's3:GetObjectVersion', resource: object }],
      );
    }
    expect(requestsOfCall(scope, 's3', 'PutObject', { Bucket: 'b', Key: 'k' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' },
    ]);
    // The encryption a write asks for, as the condition keys IAM sees.
    expect(
      requestsOfCall(scope, 's3', 'PutObject', {
        Bucket: 'b',
        Key: 'k',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:us-east-1:1:key/k',
      }),
    ).toEqual([
      {
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::b/k',
        context: {
          's3:x-amz-server-side-encryption': ['aws:kms'],
          's3:x-amz-server-side-encryption-aws-kms-key-id': ['arn:aws:kms:us-east-1:1:key/k'],
        },
      },
    ]);
    // A write that adds only (If-None-Match): the key a person's note statement requires.
    expect(requestsOfCall(scope, 's3', 'PutObject', { Bucket: 'b', Key: 'k', IfNoneMatch: '*' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', context: { 's3:if-none-match': ['*'] } },
    ]);
    expect(requestsOfCall(scope, 's3', 'CreateBucket', { Bucket: 'b' })).toEqual([
      { action: 's3:CreateBucket', resource: 'arn:aws:s3:::b' },
    ]);
  });

  it('authorizes a copy as reading the source (its version, if named) and writing the target', () => {
    expect(
      requestsOfCall(scope, 's3', 'CopyObject', {
        Bucket: 'in',
        Key: 'quarantine/a/source',
        CopySource: 'in/exports/a%20b.json?versionId=v%2B1',
      }),
    ).toEqual([
      { action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::in/exports/a b.json' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::in/quarantine/a/source' },
    ]);
    expect(
      requestsOfCall(scope, 's3', 'CopyObject', { Bucket: 'x', Key: 'k', CopySource: 'in/e/f' })[0],
    ).toEqual({
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::in/e/f',
    });
  });

  it('adds what a write option needs on top of s3:PutObject: tags, a retention, a legal hold, an ACL', () => {
    const object = 'arn:aws:s3:::b/k';
    const actions = (extra: Record<string, unknown>, op = 'PutObject') =>
      requestsOfCall(scope, 's3', op, { Bucket: 'b', Key: 'k', CopySource: 'b/src', ...extra }).map(
        (r) => r.action,
      );
    expect(actions({ Tagging: 'a=b' })).toEqual(['s3:PutObject', 's3:PutObjectTagging']);
    expect(actions({ ObjectLockMode: 'COMPLIANCE' })).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
    expect(actions({ ObjectLockRetainUntilDate: new Date() })).toEqual([
      's3:PutObject',
      's3:PutObjectRetention',
    ]);
    expect(actions({ ObjectLockLegalHoldStatus: 'ON' })).toEqual(['s3:PutObject', 's3:PutObjectLegalHold']);
    for (const acl of ['ACL', 'GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWriteACP'])
      expect(actions({ [acl]: 'x' })).toEqual(['s3:PutObject', 's3:PutObjectAcl']);
    expect(actions({ Tagging: 'a=b' }, 'CopyObject')).toEqual([
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    expect(
      requestsOfCall(scope, 's3', 'PutObject', { Bucket: 'b', Key: 'k', Tagging: 'a=b' })[1]?.resource,
    ).toBe(object);
  });

  it('authorizes a listing as s3:ListBucket on the bucket, with the prefix as s3:prefix', () => {
    expect(requestsOfCall(scope, 's3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'work/p-1/' })).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': ['work/p-1/'] } },
    ]);
    expect(requestsOfCall(scope, 's3', 'ListObjectsV2', { Bucket: 'b' })[0]?.context).toEqual({
      's3:prefix': [''],
    });
  });

  it('authorizes SQS batch calls as their single actions, on the queue the URL names', () => {
    const url = 'http://127.0.0.1:4566/000000000000/codetrail-billing';
    const arn = 'arn:aws:sqs:us-east-1:000000000000:codetrail-billing';
    for (const [op, action] of [
      ['SendMessage', 'sqs:SendMessage'],
      ['SendMessageBatch', 'sqs:SendMessage'],
      ['ReceiveMessage', 'sqs:ReceiveMessage'],
      ['DeleteMessage', 'sqs:DeleteMessage'],
      ['DeleteMessageBatch', 'sqs:DeleteMessage'],
      ['ChangeMessageVisibility', 'sqs:ChangeMessageVisibility'],
      ['ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'],
      ['GetQueueAttributes', 'sqs:GetQueueAttributes'],
      ['SetQueueAttributes', 'sqs:SetQueueAttributes'],
    ] as const)
      expect(requestsOfCall(scope, 'sqs', op, { QueueUrl: url })).toEqual([{ action, resource: arn }]);
    for (const op of ['CreateQueue', 'GetQueueUrl'])
      expect(requestsOfCall(scope, 'sqs', op, { QueueName: 'codetrail-billing' })).toEqual([
        { action: `sqs:${op}`, resource: arn },
      ]);
  });

  it('authorizes GenerateMac on the key, whether named by id, ARN or alias', () => {
    expect(requestsOfCall(scope, 'kms', 'GenerateMac', { KeyId: 'k-1' })).toEqual([
      { action: 'kms:GenerateMac', resource: 'arn:aws:kms:us-east-1:000000000000:key/k-1' },
    ]);
    expect(keyArn(scope, 'arn:aws:kms:eu-west-1:1:key/x')).toBe('arn:aws:kms:eu-west-1:1:key/x');
    expect(keyArn(scope, 'alias/codetrail-mac')).toBe(
      'arn:aws:kms:us-east-1:000000000000:alias/codetrail-mac',
    );
  });

  it('refuses to judge a call it does not know, naming it', () => {
    for (const [service, op] of [
      ['dynamodb', 'BatchWriteItem'],
      ['s3', 'DeleteObject'],
      ['sqs', 'PurgeQueue'],
      ['kms', 'Decrypt'],
      ['sts', 'GetCallerIdentity'],
    ] as const)
      expect(() => requestsOfCall(scope, service, op, {})).toThrow(`${service} ${op}`);
  });

  it('names a queue by the last segment of its URL', () => {
    expect(queueArn(scope, 'https://sqs.us-east-1.amazonaws.com/123/q-1/')).toBe(
      'arn:aws:sqs:us-east-1:000000000000:q-1',
    );
  });
});

describe('parseCopySource', () => {
  it('reads back any bucket, key and version as the artifact store encodes them', () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}$/),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
        (bucket, segments, versionId) => {
          const key = segments.join('/');
          // As S3ArtifactStore.copy writes CopySource.
          const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
          expect(parseCopySource(source)).toEqual({ bucket, key, ...(versionId ? { versionId } : {}) });
        },
      ),
    );
  });

  it('accepts a leading slash', () => {
    expect(parseCopySource('/b/k')).toEqual({ bucket: 'b', key: 'k' });
  });

  it('names the partition key an item call or a query touches as dynamodb:LeadingKeys', () => {
    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';
    expect(
      requestsOfCall(scope, 'dynamodb', 'GetItem', { TableName: 't', Key: { pk: 'CHART#c', sk: 'V#1' } }),
    ).toEqual([
      { action: 'dynamodb:GetItem', resource: table, context: { 'dynamodb:LeadingKeys': ['CHART#c'] } },
    ]);
    expect(
      requestsOfCall(scope, 'dynamodb', 'PutItem', {
        TableName: 't',
        Item: { pk: { S: 'AUDIT#x' }, sk: { S: 'E' } },
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: table, context: { 'dynamodb:LeadingKeys': ['AUDIT#x'] } },
    ]);
    expect(
      requestsOfCall(scope, 'dynamodb', 'Query', {
        TableName: 't',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': 'AUDIT#chart:c:v1', ':evt': 'EVT#' },
      }),
    ).toEqual([
      {
        action: 'dynamodb:Query',
        resource: table,
        context: { 'dynamodb:LeadingKeys': ['AUDIT#chart:c:v1'] },
      },
    ]);
    expect(
      requestsOfCall(scope, 'dynamodb', 'Query', {
        TableName: 't',
        IndexName: 'gsi1',
        KeyConditionExpression: '#gpk = :gpk AND #gsk < :before',
        ExpressionAttributeNames: { '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' },
        ExpressionAttributeValues: { ':gpk': 'AGENCY#a#STATUS#SAMPLED', ':before': '2026' },
      }),
    ).toEqual([
      {
        action: 'dynamodb:Query',
        resource: `${table}/index/gsi1`,
        context: { 'dynamodb:LeadingKeys': ['AGENCY#a#STATUS#SAMPLED'] },
      },
    ]);
    // A key condition on no partition key codetrail uses carries none.
    expect(
      requestsOfCall(scope, 'dynamodb', 'Query', { TableName: 't', KeyConditionExpression: 'other = :o' }),
    ).toEqual([{ action: 'dynamodb:Query', resource: table }]);
  });
});
