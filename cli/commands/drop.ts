import { readFileSync } from 'node:fs';
import { droppedObjectKey } from '../lib/object-key.ts';
import type { Target } from '../lib/target.ts';

/**
 * `codetrail drop`: puts export files in the intake bucket (or remittances in the denials bucket) as an
 * EMR export job would. Object keys are built from the time and content hash, never from the file
 * name, which may carry a patient's name.
 */
export async function runDrop(
  target: Target,
  files: string[],
  opts: { agency: string; remittance?: boolean },
  now: () => Date = () => new Date(),
): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    const body = readFileSync(file, 'utf8');
    const stamp = now().toISOString().replace(/[-:]/g, '').slice(0, 15);
    const key = droppedObjectKey(
      `${opts.remittance ? 'remittances' : 'exports'}/${opts.agency}`,
      stamp,
      file,
      body,
    );
    await target.ports.artifacts.putText(
      opts.remittance ? 'denials' : 'intake',
      key,
      body,
      'application/octet-stream',
    );
    keys.push(key);
  }
  return keys;
}
