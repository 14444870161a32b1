import * as path from 'node:path';
import { readManifest } from '#shared/data/code-tables.ts';
import { CODE_TABLES, type DataFile } from '#shared/topology.ts';

/**
 * The files a stage's bundle ships: its topology data files, with the code tables manifest expanded
 * into itself and every table file it lists (the versions `codetrail tables import` added included).
 */
export function expandDataFiles(files: readonly DataFile[], projectRoot: string): DataFile[] {
  return files.flatMap((file) => {
    if (file.source !== CODE_TABLES.source) return [file];
    const dir = path.posix.dirname(file.source);
    const manifest = readManifest(path.join(projectRoot, dir));
    const tableFiles = [
      ...manifest.icd10cm.map((v) => v.file),
      ...manifest.pdgm.flatMap((v) => [v.file, v.params]),
      ...manifest.hospicePrincipal.map((v) => v.file),
      ...manifest.codeFirst.map((v) => v.file),
      ...manifest.carc.map((v) => v.file),
      ...manifest.rarc.map((v) => v.file),
    ];
    return [
      file,
      ...tableFiles.map((f) => ({
        source: path.posix.join(dir, f),
        into: path.posix.join(file.into, path.posix.dirname(f)),
      })),
    ];
  });
}
