import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The signature every digest carries: ECDSA on P-256 over SHA-256, DER-encoded, as KMS's ECDSA_SHA_256 gives it. */
export const DIGEST_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * Signs the audit trail's digest files. In AWS a KMS asymmetric key (`ECC_NIST_P256`, `kms:Sign`) whose
 * private half never leaves KMS; locally a key file. Anyone with the public key can verify.
 */
export interface AuditSigner {
  /** The signing key's id, as a digest names it (a KMS key ARN, or `local:<fingerprint>`). */
  readonly keyId: string;
  sign(message: string): Promise<Buffer>;
  /** The public half (PEM, SPKI): what verifies what it signed. */
  publicKeyPem(): string | Promise<string>;
}

/** Whether `signature` is the signer's over `message`, by its public key (PEM, SPKI): all a verifier needs. */
export function signatureHolds(publicKeyPem: string, message: string, signature: Buffer): boolean {
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}

/**
 * The local stand-in for the KMS signing key: an EC P-256 private key in a file (PEM), made on first use.
 * For synthetic data only, as the local MAC key is.
 */
export class LocalAuditSigner implements AuditSigner {
  readonly keyId: string;
  private readonly privateKey: KeyObject;

  constructor(file: string) {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        // Made once: a second process starting at the same moment keeps the first one's key.
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    const spki = createPublicKey(this.privateKey).export({ type: 'spki', format: 'der' });
    this.keyId = `local:${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`;
  }

  /** The public half of the key in `file`, read without making one (undefined when there is none). */
  static publicKeyOf(file: string): string | undefined {
    if (!existsSync(file)) return undefined;
    return publicPem(createPrivateKey(readFileSync(file, 'utf8')));
  }

  /** The public half, for `audit verify` and for an external auditor. */
  publicKeyPem(): string {
    return publicPem(this.privateKey);
  }

  async sign(message: string): Promise<Buffer> {
    return sign('sha256', Buffer.from(message, 'utf8'), this.privateKey);
  }
}

/** A private key's public half as PEM (SubjectPublicKeyInfo). */
function publicPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}
