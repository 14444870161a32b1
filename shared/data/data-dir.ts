import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder the code tables are read from: the one given, else CODETRAIL_DATA_DIR (a Lambda bundle
 * sets it to its data/ folder), else this folder (shared/data in the repository). Evaluated lazily, so a
 * bundle that sets the variable never needs its own location.
 */
export function dataDir(dir?: string): string {
  return resolve(dir ?? (process.env.CODETRAIL_DATA_DIR || fileURLToPath(new URL('.', import.meta.url))));
}
