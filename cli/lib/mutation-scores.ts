import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateMetrics, type Metrics } from 'mutation-testing-metrics';
import type { FileResult } from 'mutation-testing-report-schema';

/** The mutation score a folder named in stryker.config.json must reach (issue 19). */
export const MUTATION_TARGET = 85;

export interface FolderScore {
  folder: string;
  /** Detected (killed or timed out) / valid (detected, survived or not covered), in percent. */
  score: number;
  metrics: Metrics;
  /** The folder was mutated whole, so its score can be held to the target (not a `--since` subset). */
  whole: boolean;
}

/** A mutant the tests let live, for the run's list: where, which mutator and what it became. */
export interface Undetected {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  status: 'Survived' | 'NoCoverage';
}

/**
 * The folders a Stryker `mutate` list names: `shared/rules/**\/*.ts` -> `shared/rules`. Exclusions
 * (`!...`) and single files name no folder.
 */
export function foldersOf(mutate: readonly string[]): string[] {
  return mutate
    .filter((pattern) => !pattern.startsWith('!'))
    .map((pattern) => pattern.split('/**')[0] ?? pattern)
    .filter((folder) => !folder.endsWith('.ts'));
}

/** The folders stryker.config.json (at `root`) mutates. */
export function mutatedFolders(root: string): string[] {
  const config = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8')) as { mutate: string[] };
  return foldersOf(config.mutate);
}

/**
 * Scores per folder, the way Stryker's own report counts them (mutation-testing-metrics, the library
 * behind Stryker's reports, so the figures match its HTML report): each folder and, below `functions`,
 * each stage, from the report's files. `whole` tells which folders were mutated entirely.
 */
export function folderScores(
  files: Record<string, FileResult>,
  folders: readonly string[],
  whole: (folder: string) => boolean = () => true,
): FolderScore[] {
  const rows: FolderScore[] = [];
  const add = (folder: string) => {
    const inFolder = Object.fromEntries(
      Object.entries(files).filter(([file]) => file.startsWith(`${folder}/`)),
    );
    if (Object.keys(inFolder).length === 0) return;
    const { metrics } = calculateMetrics(inFolder);
    rows.push({ folder, score: metrics.mutationScore, metrics, whole: whole(folder) });
  };
  for (const folder of folders) {
    add(folder);
    // A folder of stages is reported stage by stage too: one weak stage must not hide in the sum.
    const stages = new Set(
      Object.keys(files)
        .filter((file) => file.startsWith(`${folder}/`))
        .map((file) => file.slice(folder.length + 1).split('/'))
        .filter((parts) => parts.length > 1)
        .map((parts) => `${folder}/${parts[0]}`),
    );
    if (folder === 'functions') for (const stage of [...stages].sort()) add(stage);
  }
  return rows;
}

/** Folders mutated whole that miss the target. NaN (nothing valid to score) does not miss it. */
export function belowTarget(rows: readonly FolderScore[], target = MUTATION_TARGET): FolderScore[] {
  return rows.filter((row) => row.whole && row.score < target);
}

/** Every mutant that survived or that no test covers, by file and line. */
export function undetected(files: Record<string, FileResult>): Undetected[] {
  const out: Undetected[] = [];
  for (const [file, result] of Object.entries(files)) {
    for (const m of result.mutants) {
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      out.push({
        file,
        line: m.location.start.line,
        mutator: m.mutatorName,
        replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
        status: m.status,
      });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The per-folder table the run prints (and the closing note quotes). */
export function scoreTable(rows: readonly FolderScore[], target = MUTATION_TARGET): string {
  const header = ['folder', 'score', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'errors'];
  const body = rows.map((r) => [
    r.folder,
    Number.isNaN(r.score) ? 'n/a' : `${r.score.toFixed(2)}%${r.whole && r.score < target ? ' < target' : ''}`,
    String(r.metrics.killed),
    String(r.metrics.timeout),
    String(r.metrics.survived),
    String(r.metrics.noCoverage),
    String(r.metrics.ignored),
    String(r.metrics.totalInvalid),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
