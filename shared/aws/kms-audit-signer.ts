import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { AuditSigner } from '#shared/audit-trail/signer.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';

/**
 * The audit trail's digests signed by a KMS asymmetric key (`ECC_NIST_P256`, `SIGN_VERIFY`): the private
 * half never leaves KMS, and only the role that seals segments may `kms:Sign` with it. KMS returns a
 * DER-encoded ECDSA signature over SHA-256, which node:crypto verifies with the public half.
 */
export class KmsAuditSigner implements AuditSigner {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: string): Promise<Buffer> {
    const bytes = Buffer.from(message, 'utf8');
    // KMS signs at most 4,096 bytes of message; a longer one is signed as its SHA-256 digest, which gives
    // the same ECDSA_SHA_256 signature over the message.
    const raw = bytes.length <= 4096;
    const out = await this.kms.send(
      new SignCommand({
        KeyId: this.keyId,
        SigningAlgorithm: 'ECDSA_SHA_256',
        MessageType: raw ? 'RAW' : 'DIGEST',
        Message: raw ? bytes : sha256(bytes),
      }),
    );
    if (!out.Signature) throw new PhiFreeError('KMS returned no signature');
    return Buffer.from(out.Signature);
  }

  /** The public half (PEM), for `audit verify` and for an external auditor to keep. */
  async publicKeyPem(): Promise<string> {
    const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    if (!out.PublicKey) throw new PhiFreeError('KMS returned no public key');
    return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}
