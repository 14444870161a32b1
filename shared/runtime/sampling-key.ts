import type { KeyService } from '#shared/aws/ports.ts';
import { SAMPLING_KEY_LABEL } from '#shared/sampling/sampling-draw.ts';

const keys = new WeakMap<KeyService, Promise<string>>();

/**
 * The deployment's sampling key: one MAC of a fixed label under the KeyService (KMS in AWS), made once
 * per execution environment. Every keyed draw (which chart QA samples, which verdict gets a second
 * review) uses it, so draws are reproducible within a deployment and unpredictable without the key.
 */
export function samplingKey(service: KeyService): Promise<string> {
  let key = keys.get(service);
  if (!key) {
    key = service.mac(SAMPLING_KEY_LABEL);
    // A failed MAC is not remembered: the next chart asks again.
    key.catch(() => keys.delete(service));
    keys.set(service, key);
  }
  return key;
}
