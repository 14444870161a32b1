import { createHash } from 'node:crypto';
import type { ArtifactStore, SourceObject } from '#shared/aws/ports.ts';

/**
 * SHA-256 and size of a whole object, streamed: for files read over several runs and for the content check of a remittance. `pinned` reads only the
 * object whose ETag is `source.etag` (a PreconditionFailed error if it has changed).
 */
export async function hashObject(
  ports: { artifacts: ArtifactStore },
  source: SourceObject,
  pinned = false,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = await ports.artifacts.openObject(source.bucket, source.key, {
    ...(source.versionId ? { versionId: source.versionId } : {}),
    ...(pinned ? { ifMatch: source.etag } : {}),
  });
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A whole object read into memory as its chunks, with its SHA-256: for files small enough to keep. */
export async function readObject(
  ports: { artifacts: ArtifactStore },
  source: SourceObject,
): Promise<{ sha256: string; chunks: Uint8Array[] }> {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  const stream = await ports.artifacts.openObject(source.bucket, source.key, {
    ...(source.versionId ? { versionId: source.versionId } : {}),
  });
  for await (const chunk of stream) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { sha256: hash.digest('hex'), chunks };
}
