import { readFileSync } from 'node:fs';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { bulkDropObjects, isBulkDropFolder } from '../lib/bulk-drop.ts';
import { droppedObjectKey } from '../lib/object-key.ts';
import { agencyOf, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * `codetrail drop`: puts export files in the intake bucket (or remittances in the denials bucket) as an
 * EMR export job would. Object keys are built from the time and content hash, never from the file
 * name, which may carry a patient's name. A folder holding a FHIR Bulk Data drop (NDJSON files and a
 * manifest.json or .done marker) is dropped whole, its marker last.
 *
 * Exports are written as the agency's EMR export writer role (`person:emr-writer@<agency>`): against the
 * local stack its policy is enforced, so a drop the deployed role could not make fails here as well.
 */
export function runDrop(
  target: Target,
  files: string[],
  opts: { agency: string; remittance?: boolean },
  now: () => Date = () => new Date(),
): Promise<string[]> {
  // An agency the stack serves: a typo would land under a folder intake quarantines.
  const agency = agencyOf(target, opts.agency);
  if (opts.remittance) return dropFiles(target, files, { ...opts, agency }, now);
  return actAs(agencyRole(PERSON_ROLES.emrWriter, agency), () =>
    dropFiles(target, files, { ...opts, agency }, now),
  );
}

async function dropFiles(
  target: Target,
  files: string[],
  opts: { agency: string; remittance?: boolean },
  now: () => Date,
): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    const stamp = now().toISOString().replace(/[-:]/g, '').slice(0, 15);
    if (!opts.remittance && isBulkDropFolder(file)) {
      // A FHIR Bulk Data drop: its files, then its manifest or marker, under a folder of its own.
      for (const object of bulkDropObjects(file, stamp)) {
        const key = `exports/${opts.agency}/${object.key}`;
        await target.ports.artifacts.putBytes(
          'intake',
          key,
          readFileSync(object.path),
          'application/x-ndjson',
        );
        keys.push(key);
      }
      continue;
    }
    // The file's bytes, never re-encoded (its receipt hash is the file's own).
    const body = readFileSync(file);
    const key = droppedObjectKey(
      `${opts.remittance ? 'remittances' : 'exports'}/${opts.agency}`,
      stamp,
      file,
      body,
    );
    await target.ports.artifacts.putBytes(
      opts.remittance ? 'denials' : 'intake',
      key,
      body,
      'application/octet-stream',
    );
    keys.push(key);
  }
  return keys;
}
