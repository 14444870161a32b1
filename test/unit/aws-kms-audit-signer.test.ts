import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { signatureHolds } from '#shared/audit-trail/signer.ts';
import { KmsAuditSigner } from '#shared/aws/kms-audit-signer.ts';

// No emulator exists for KMS: the adapter is tested against a mocked client that signs as KMS does
// (ECDSA P-256 over SHA-256, DER), with a key pair made here.
const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-east-1' });
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/mrk-audit-signing';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Messages by their SHA-256: KMS's ECDSA over a SHA-256 it is given is ECDSA_SHA_256 over the message. */
const byDigest = new Map<string, Buffer>();
const remember = (message: string) =>
  byDigest.set(createHash('sha256').update(message).digest('hex'), Buffer.from(message, 'utf8'));

beforeEach(() => {
  kmsMock.reset();
  kmsMock.on(SignCommand).callsFake(async (i: { MessageType: string; Message: Uint8Array }) => {
    const message =
      i.MessageType === 'RAW' ? Buffer.from(i.Message) : byDigest.get(Buffer.from(i.Message).toString('hex'));
    if (!message) throw new Error('a digest of no known message');
    return { Signature: sign('sha256', message, privateKey) };
  });
  kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: publicKey.export({ type: 'spki', format: 'der' }) });
});

describe('KmsAuditSigner', () => {
  it("signs a digest with the key's ECDSA_SHA_256, verifiable with the public half KMS gives", async () => {
    const signer = new KmsAuditSigner(kms, KEY);
    const message = '{"index":0}';
    const signature = await signer.sign(message);
    const input = kmsMock.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'RAW' });
    expect(await signer.publicKeyPem()).toBe(pem);
    expect(signatureHolds(pem, message, signature)).toBe(true);
    expect(signatureHolds(pem, '{"index":1}', signature)).toBe(false);
  });

  it('sends a message over 4 KB as its SHA-256 (KMS signs at most 4,096 bytes), the same signature for a verifier', async () => {
    const message = JSON.stringify({
      eventHashes: Array.from({ length: 200 }, (_, i) => `${i}`.padStart(64, '0')),
    });
    remember(message);
    const signature = await new KmsAuditSigner(kms, KEY).sign(message);
    const input = kmsMock.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input?.MessageType).toBe('DIGEST');
    expect(Buffer.from(input?.Message ?? [])).toEqual(createHash('sha256').update(message).digest());
    expect(signatureHolds(pem, message, signature)).toBe(true);
  });

  it('says so, without the message, when KMS returns no signature', async () => {
    kmsMock.on(SignCommand).resolves({});
    await expect(new KmsAuditSigner(kms, KEY).sign('{"patient":"x"}')).rejects.toThrow(
      'KMS returned no signature',
    );
  });
});
