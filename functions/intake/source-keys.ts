import * as z from 'zod';
import type { Ports } from '#shared/aws/ports.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { INTAKE_KEYS_PREFIX } from '#shared/topology.ts';

/**
 * An object's key, and a FHIR drop's file keys, kept for the runs that continue it. codetrail records a
 * dropped file by object id and never copies its key into the ledger, a checkpoint or a message (an export
 * job may name a file after the patient), yet a run that continues from a message must open the file
 * again. So the keys wait here, under `keys/` in the intake bucket: the bucket that already names the
 * file by that key, with its access and encryption; they expire a day after a dead-lettered
 * continuation would (INTAKE_KEYS_DAYS).
 * Written only when a run needs it: a FHIR drop's plan, or a canonical file continued in a new run.
 */
export const SourceKeys = z.object({
  key: z.string(),
  /** A FHIR drop's files, in the order its checkpoint indexes them. */
  files: z.array(z.string()).optional(),
});
export type SourceKeys = z.infer<typeof SourceKeys>;

export function sourceKeysKey(agencyId: string, objectId: string): string {
  return `${INTAKE_KEYS_PREFIX}${agencyId}/${objectId}.json`;
}

export async function saveSourceKeys(
  ports: Pick<Ports, 'artifacts'>,
  agencyId: string,
  objectId: string,
  keys: SourceKeys,
): Promise<void> {
  await ports.artifacts.putJson('intake', sourceKeysKey(agencyId, objectId), keys);
}

/** The keys a run saved; throws (naming the object id only) when they are missing or unreadable. */
export async function loadSourceKeys(
  ports: Pick<Ports, 'artifacts'>,
  agencyId: string,
  objectId: string,
): Promise<SourceKeys> {
  let text: string;
  try {
    text = await ports.artifacts.getText('intake', sourceKeysKey(agencyId, objectId));
  } catch (err) {
    const name = (err as { name?: string }).name;
    // Without s3:ListBucket on keys/, S3 answers a missing object with AccessDenied, not NoSuchKey; the
    // role may read every object there, so either means the key is gone.
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'AccessDenied')
      throw new PhiFreeError(`${objectId}: the keys its earlier run saved are gone (expired?)`);
    throw err;
  }
  const parsed = SourceKeys.safeParse(JSON.parse(text));
  if (!parsed.success) throw new PhiFreeError(`${objectId}: the keys its earlier run saved are unreadable`);
  return parsed.data;
}
