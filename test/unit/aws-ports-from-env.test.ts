import { describe, expect, it } from 'vitest';
import type { AwsClients } from '#shared/aws/clients.ts';
import { DynamoMemberIndex } from '#shared/aws/dynamo-member-index.ts';
import { KmsKeyService } from '#shared/aws/kms-key-service.ts';
import { LocalKeyService } from '#shared/aws/local-key-service.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import type { Resources } from '#shared/aws/resources.ts';

const clients = { dynamo: {}, s3: {}, sqs: {}, kms: {} } as unknown as AwsClients;
const base: Resources = {
  table: 't',
  auditTable: 'at',
  buckets: { intake: 'i', denials: 'd', artifacts: 'a', audit: 'u' },
  queueUrls: {},
};

describe('buildPorts', () => {
  it('builds every port', () => {
    const ports = buildPorts(clients, { ...base, localKeyFile: '/tmp/k' });
    expect(Object.keys(ports).sort()).toEqual([
      'artifacts',
      'audit',
      'batches',
      'charts',
      'coders',
      'keys',
      'ledger',
      'members',
      'queue',
      'remittances',
      'reviews',
      'samplingKeys',
    ]);
    expect(ports.members).toBeInstanceOf(DynamoMemberIndex);
  });

  it('uses KMS when a MAC key id is set, even with a local key file', () => {
    expect(buildPorts(clients, { ...base, macKeyId: 'alias/x', localKeyFile: '/tmp/k' }).keys).toBeInstanceOf(
      KmsKeyService,
    );
    expect(buildPorts(clients, { ...base, localKeyFile: '/tmp/k' }).keys).toBeInstanceOf(LocalKeyService);
  });

  it('refuses to run without a MAC key', () => {
    expect(() => buildPorts(clients, base)).toThrow(/no MAC key/);
  });
});
