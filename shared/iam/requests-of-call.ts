import type { AuthorizationRequest } from './role-policy.ts';

/**
 * The IAM authorizations AWS makes for one SDK call: which action on which resource ARN, from the
 * service, the command and its input, as the service authorization reference documents them. Pure.
 *
 * A call codetrail never makes throws: the local IAM check must not let through what it cannot judge.
 */

/** The account and region local ARNs are built in (the emulators' own). */
export interface ArnScope {
  region: string;
  account: string;
}

export type Input = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function tableArn(scope: ArnScope, table: unknown, index?: unknown): string {
  const base = `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${text(table)}`;
  return index ? `${base}/index/${text(index)}` : base;
}

/** A queue's ARN from its URL (`https://host/<account>/<name>`) or its name. */
export function queueArn(scope: ArnScope, urlOrName: string): string {
  const name = urlOrName.split('/').filter(Boolean).at(-1) ?? '';
  return `arn:aws:sqs:${scope.region}:${scope.account}:${name}`;
}

export function keyArn(scope: ArnScope, keyId: string): string {
  if (keyId.startsWith('arn:')) return keyId;
  return `arn:aws:kms:${scope.region}:${scope.account}:${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
}

const objectArn = (bucket: unknown, key: unknown) => `arn:aws:s3:::${text(bucket)}/${text(key)}`;

/** `bucket/key?versionId=v` (URL-encoded, as CopyObject takes it) as the bucket, key and version. */
export function parseCopySource(source: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query = ''] = source.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  const versionId = new URLSearchParams(query).get('versionId');
  return {
    bucket: decodeURIComponent(path.slice(0, slash)),
    key: decodeURIComponent(path.slice(slash + 1)),
    ...(versionId ? { versionId } : {}),
  };
}

/**
 * The partition key an item call names (`dynamodb:LeadingKeys`): codetrail's tables key on `pk`, given
 * as a plain value (the document client) or an attribute value (`{ S: ... }`, once marshalled).
 */
function leadingKeys(input: Input): Record<string, string[]> {
  const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const value = attributeText(item?.pk);
  return value !== undefined ? { 'dynamodb:LeadingKeys': [value] } : {};
}

/** A value as the document client gives it (plain) or as marshalled (`{ S: ... }`). */
function attributeText(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : (value as { S?: unknown } | undefined)?.S;
  return typeof text === 'string' ? text : undefined;
}

/**
 * The partition key a Query names in its key condition (`pk = :v`, or `#n = :v` naming `pk` or an index's
 * `gsi1pk`), as `dynamodb:LeadingKeys`.
 */
function queryLeadingKeys(input: Input): Record<string, string[]> {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const [, name, placeholder] of String(input.KeyConditionExpression ?? '').matchAll(
    /([#\w]+)\s*=\s*(:\w+)/g,
  )) {
    const attribute = name?.startsWith('#') ? names[name] : name;
    const value = attributeText(values[placeholder ?? '']);
    if ((attribute === 'pk' || attribute === 'gsi1pk') && value !== undefined)
      return { 'dynamodb:LeadingKeys': [value] };
  }
  return {};
}

function dynamodb(scope: ArnScope, op: string, input: Input): AuthorizationRequest[] {
  switch (op) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem': {
      const context = leadingKeys(input);
      return [
        {
          action: `dynamodb:${op}`,
          resource: tableArn(scope, input.TableName),
          ...(Object.keys(context).length > 0 ? { context } : {}),
        },
      ];
    }
    case 'Query': {
      const context = queryLeadingKeys(input);
      return [
        {
          action: 'dynamodb:Query',
          resource: tableArn(scope, input.TableName, input.IndexName),
          ...(Object.keys(context).length > 0 ? { context } : {}),
        },
      ];
    }
    case 'DescribeTable':
    case 'CreateTable':
    case 'Scan':
      // A query or scan of an index is authorized on the index's ARN.
      return [{ action: `dynamodb:${op}`, resource: tableArn(scope, input.TableName, input.IndexName) }];
    default:
      return unknownCall('dynamodb', op);
  }
}

function s3(op: string, input: Input): AuthorizationRequest[] {
  const versioned = input.VersionId !== undefined;
  switch (op) {
    case 'GetObject':
    case 'HeadObject':
      // HEAD is authorized as GET; naming a version needs the Version action.
      return [
        {
          action: versioned ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: objectArn(input.Bucket, input.Key),
        },
      ];
    case 'PutObject': {
      const context = putObjectContext(input);
      return [
        {
          action: 's3:PutObject',
          resource: objectArn(input.Bucket, input.Key),
          ...(Object.keys(context).length > 0 ? { context } : {}),
        },
        ...writeOptions(input, objectArn(input.Bucket, input.Key)),
      ];
    }
    case 'CopyObject': {
      const source = parseCopySource(text(input.CopySource));
      return [
        {
          action: source.versionId ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: objectArn(source.bucket, source.key),
        },
        { action: 's3:PutObject', resource: objectArn(input.Bucket, input.Key) },
        ...writeOptions(input, objectArn(input.Bucket, input.Key)),
      ];
    }
    case 'PutObjectTagging':
      return [{ action: 's3:PutObjectTagging', resource: objectArn(input.Bucket, input.Key) }];
    case 'GetObjectTagging':
      return [{ action: 's3:GetObjectTagging', resource: objectArn(input.Bucket, input.Key) }];
    case 'ListObjectsV2':
      return [
        {
          action: 's3:ListBucket',
          resource: `arn:aws:s3:::${text(input.Bucket)}`,
          context: { 's3:prefix': [text(input.Prefix)] },
        },
      ];
    case 'CreateBucket':
      return [{ action: 's3:CreateBucket', resource: `arn:aws:s3:::${text(input.Bucket)}` }];
    default:
      return unknownCall('s3', op);
  }
}

/**
 * What a PutObject asks for, as the condition keys IAM sees: its encryption (absent when it asks for
 * none), and `s3:if-none-match` when it writes only if the key holds nothing (a person's note).
 */
function putObjectContext(input: Input): Record<string, string[]> {
  const context: Record<string, string[]> = {};
  if (input.IfNoneMatch !== undefined) context['s3:if-none-match'] = [text(input.IfNoneMatch)];
  if (input.ServerSideEncryption !== undefined)
    context['s3:x-amz-server-side-encryption'] = [text(input.ServerSideEncryption)];
  if (input.SSEKMSKeyId !== undefined)
    context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = [text(input.SSEKMSKeyId)];
  return context;
}

/**
 * What a write's options add to s3:PutObject: tags, an Object Lock retention or legal hold, an ACL each
 * need their own action (the lock ones stay with the agency's administrators), so a stage that starts
 * sending one fails here as it would in AWS.
 */
function writeOptions(input: Input, resource: string): AuthorizationRequest[] {
  const needs: string[] = [];
  if (input.Tagging !== undefined) needs.push('s3:PutObjectTagging');
  if (input.ObjectLockMode !== undefined || input.ObjectLockRetainUntilDate !== undefined)
    needs.push('s3:PutObjectRetention');
  if (input.ObjectLockLegalHoldStatus !== undefined) needs.push('s3:PutObjectLegalHold');
  if (
    ['ACL', 'GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWriteACP'].some(
      (k) => input[k] !== undefined,
    )
  )
    needs.push('s3:PutObjectAcl');
  return needs.map((action) => ({ action, resource }));
}

function sqs(scope: ArnScope, op: string, input: Input): AuthorizationRequest[] {
  const action = op.replace(/Batch$/, '');
  switch (action) {
    case 'SendMessage':
    case 'ReceiveMessage':
    case 'DeleteMessage':
    case 'ChangeMessageVisibility':
    case 'GetQueueAttributes':
    case 'SetQueueAttributes':
      return [{ action: `sqs:${action}`, resource: queueArn(scope, text(input.QueueUrl)) }];
    case 'CreateQueue':
    case 'GetQueueUrl':
      return [{ action: `sqs:${action}`, resource: queueArn(scope, text(input.QueueName)) }];
    default:
      return unknownCall('sqs', op);
  }
}

function kms(scope: ArnScope, op: string, input: Input): AuthorizationRequest[] {
  switch (op) {
    case 'GenerateMac':
      return [{ action: `kms:${op}`, resource: keyArn(scope, text(input.KeyId)) }];
    default:
      return unknownCall('kms', op);
  }
}

function unknownCall(service: string, op: string): never {
  throw new Error(
    `the local IAM check does not know what ${service} ${op} is authorized as: add it to shared/iam/requests-of-call.ts`,
  );
}

/**
 * The authorizations for a call of `op` (the command name without `Command`) on `service` (the SDK's
 * signing name: dynamodb, s3, sqs, kms), in the order AWS would refuse them.
 */
export function requestsOfCall(
  scope: ArnScope,
  service: string,
  op: string,
  input: Input,
): AuthorizationRequest[] {
  switch (service) {
    case 'dynamodb':
      return dynamodb(scope, op, input);
    case 's3':
      return s3(op, input);
    case 'sqs':
      return sqs(scope, op, input);
    case 'kms':
      return kms(scope, op, input);
    default:
      return unknownCall(service, op);
  }
}
