import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import { type CodeTablesManifest, dataDir, readManifest } from './code-tables.ts';

/** One code table version the stack carries, as its file is. */
export interface BundledTable {
  /** The manifest's table: icd10cm, pdgm, hospicePrincipal, codeFirst, carc, rarc. */
  table: string;
  version: string;
  from: string;
  through: string;
  /** A sample for development, not a complete table: findings against it are warnings. */
  sample: boolean;
  /** SHA-256 of its file (and its parameters file, for PDGM), as bundled. */
  sha256: string;
}

/**
 * Every code table version the data folder carries (default: the bundle's), each with the SHA-256 of
 * its file as bundled (for PDGM, of its codes and its grouper parameters together): what the audit
 * event of the tables in force records. Read on each call: an hourly job asks, not every chart.
 */
export function bundledTables(dir?: string): BundledTable[] {
  const folder = dataDir(dir);
  const manifest = readManifest(folder);
  const hashOf = (file: string) => sha256Hex(readFileSync(join(folder, file)));
  const out: BundledTable[] = [];
  for (const table of Object.keys(manifest).sort() as (keyof CodeTablesManifest)[]) {
    const versions = manifest[table];
    if (!Array.isArray(versions)) continue;
    for (const v of versions)
      out.push({
        table,
        version: v.version,
        from: v.from,
        through: v.through,
        sample: v.sample,
        sha256: v.params ? sha256Hex(`${hashOf(v.file)}|${hashOf(v.params)}`) : hashOf(v.file),
      });
  }
  return out;
}
