import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsKeyService } from '#shared/aws/kms-key-service.ts';

// No emulator exists for KMS: the adapter is tested against a mocked client.
const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-east-1' });
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

beforeEach(() => kmsMock.reset());

describe('KmsKeyService', () => {
  it('asks KMS for an HMAC-SHA-256 of the input and returns it as hex', async () => {
    kmsMock.on(GenerateMacCommand).resolves({ Mac: Uint8Array.from([0, 1, 0xab, 0xff]) });
    expect(await new KmsKeyService(kms, KEY).mac('agency-a|EMR-123')).toBe('0001abff');
    const input = kmsMock.commandCalls(GenerateMacCommand)[0]?.args[0].input;
    expect(input?.KeyId).toBe(KEY);
    expect(input?.MacAlgorithm).toBe('HMAC_SHA_256');
    expect(Buffer.from(input?.Message ?? []).toString('utf8')).toBe('agency-a|EMR-123');
  });

  it('calls KMS once per input, even when asked concurrently', async () => {
    kmsMock
      .on(GenerateMacCommand)
      .callsFake(async (i: { Message: Uint8Array }) => ({ Mac: i.Message.slice(0, 2) }));
    const keys = new KmsKeyService(kms, KEY);
    const [a, b] = await Promise.all([keys.mac('ab'), keys.mac('ab')]);
    expect(await keys.mac('ab')).toBe(a);
    expect(a).toBe(b);
    expect(await keys.mac('cd')).not.toBe(a);
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(2);
  });

  it('keeps the cache bounded, dropping the least recently used', async () => {
    kmsMock.on(GenerateMacCommand).resolves({ Mac: Uint8Array.from([1]) });
    const keys = new KmsKeyService(kms, KEY, 2);
    await keys.mac('a');
    await keys.mac('b');
    await keys.mac('a'); // a is now more recent than b
    await keys.mac('c'); // evicts b
    await keys.mac('a');
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(3);
    await keys.mac('b');
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(4);
  });

  it('does not cache a failure', async () => {
    kmsMock
      .on(GenerateMacCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
      .resolves({ Mac: Uint8Array.from([7]) });
    const keys = new KmsKeyService(kms, KEY);
    await expect(keys.mac('x')).rejects.toThrow('throttled');
    expect(await keys.mac('x')).toBe('07');
  });

  it('refuses an empty answer', async () => {
    kmsMock.on(GenerateMacCommand).resolves({});
    await expect(new KmsKeyService(kms, KEY).mac('x')).rejects.toThrow(/no MAC/);
  });
});
