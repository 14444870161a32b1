import { createHmac } from 'node:crypto';
import { chartDigest } from '#shared/identity/identifiers.ts';

/**
 * The draw a chart version's sampling compares against its rate: HMAC-SHA256 under the deployment's
 * sampling key of (chartKey, version), as a number in [0, 1). Deterministic (a redelivered message, or
 * a replay, draws the same), uniform, and unpredictable to anyone without the key, so coders cannot
 * tell which charts QA will see.
 */
export function samplingDraw(key: string | Buffer, chartKey: string, version: number): number {
  const digest = createHmac('sha256', key)
    .update(`sample|${chartDigest(chartKey)}|${version}`)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The label the deployment's KeyService MACs to give the sampling key (one MAC per process). */
export const SAMPLING_KEY_LABEL = 'codetrail|sampling-key|v1';
