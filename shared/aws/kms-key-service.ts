import { createHash } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BoundedCache } from './bounded-cache.ts';
import type { KeyService } from './ports.ts';

/**
 * chartKeys and other non-PHI identifiers as KMS HMAC-SHA-256 MACs: the key never leaves KMS, and its
 * key policy decides who can mint identifiers. Several stages MAC the same chart's ids, so results are
 * kept per input (bounded); the cache is keyed by a hash of the input so the raw EMR ids it is fed do
 * not linger as map keys. A failed call is not cached.
 */
export class KmsKeyService implements KeyService {
  private readonly cache: BoundedCache<string, Promise<string>>;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    cacheSize = 1_000,
  ) {
    this.cache = new BoundedCache(cacheSize);
  }

  mac(input: string): Promise<string> {
    const cacheKey = createHash('sha256').update(input).digest('hex');
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    // The promise is cached, so concurrent calls for one input make one KMS request.
    const pending = this.generate(input);
    this.cache.set(cacheKey, pending);
    pending.catch(() => this.cache.delete(cacheKey));
    return pending;
  }

  private async generate(input: string): Promise<string> {
    const out = await this.kms.send(
      new GenerateMacCommand({
        KeyId: this.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: new TextEncoder().encode(input),
      }),
    );
    if (!out.Mac) throw new Error('KMS GenerateMac returned no MAC');
    return Buffer.from(out.Mac).toString('hex');
  }
}
