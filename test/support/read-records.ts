import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_MAX_RECORD_BYTES, readRecords, type SourceRecord } from '#shared/formats/record-reader.ts';

/** Every record of an export file on disk, as intake reads it. */
export async function readExportFile(path: string | URL): Promise<SourceRecord[]> {
  const bytes = readFileSync(path);
  const out: SourceRecord[] = [];
  const source = (async function* () {
    yield bytes;
  })();
  const fileName = basename(typeof path === 'string' ? path : path.pathname);
  for await (const r of readRecords(source, { fileName, maxRecordBytes: DEFAULT_MAX_RECORD_BYTES }))
    out.push(r);
  return out;
}
