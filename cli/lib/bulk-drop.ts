import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropPartType } from '#shared/formats/fhir/resource-types.ts';

/** Folders that hold a FHIR Bulk Data drop: a manifest.json or a .done marker beside NDJSON files. */
export function isBulkDropFolder(dir: string): boolean {
  return (
    statSync(dir).isDirectory() && (existsSync(join(dir, 'manifest.json')) || existsSync(join(dir, '.done')))
  );
}

/**
 * The objects a FHIR Bulk Data drop folder becomes, in upload order: its NDJSON files (their names are
 * resource types, never PHI), then the manifest or marker that tells intake the drop is complete. The
 * drop's own folder name may say anything, so the S3 folder is `<stem>-fhir-<hash>` instead.
 */
export function bulkDropObjects(dir: string, stem: string): { key: string; path: string }[] {
  const names = readdirSync(dir).sort();
  const parts = names.filter((n) => dropPartType(n) !== undefined);
  const trigger = names.includes('manifest.json') ? 'manifest.json' : '.done';
  const hash = createHash('sha256');
  for (const n of [...parts, trigger]) hash.update(n).update(readFileSync(join(dir, n)));
  const folder = `${stem}-fhir-${hash.digest('hex').slice(0, 12)}`;
  return [...parts, trigger].map((n) => ({ key: `${folder}/${n}`, path: join(dir, n) }));
}
