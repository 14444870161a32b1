import { createHash } from 'node:crypto';
import { extname } from 'node:path';

/**
 * The S3 key a dropped file gets: `<folder>/<stem>-<content hash>.<ext>`. File names often carry a
 * patient's name, so none reaches an S3 key; only the extension, which tells intake the format, is kept.
 */
export function droppedObjectKey(
  folder: string,
  stem: string,
  fileName: string,
  body: string | Uint8Array,
): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return `${folder}/${stem}-${hash}${extname(fileName).toLowerCase() || '.json'}`;
}
