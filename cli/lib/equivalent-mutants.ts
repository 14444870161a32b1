import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The mutants codetrail declares equivalent: a `// Stryker disable next-line MUTATORS: REASON` comment
 * above the line, which Stryker then reports as ignored with that reason. docs/testing.md lists every
 * one (`npm run docs` writes the list, a unit test fails when it is stale), so a reader of the score sees
 * what was set aside and why, and nothing is set aside without a reason.
 */
export interface EquivalentMutant {
  /** Path from the repository root, `/`-separated. */
  file: string;
  /** The line the comment covers (1-based). */
  line: number;
  mutators: string[];
  reason: string;
  /** The covered line of code, trimmed. */
  code: string;
}

/** Any Stryker directive: we accept only the `next-line` form with a reason, and say so otherwise. */
const DIRECTIVE = /\/\/\s*Stryker\s+(\S+)\s*(.*)$/;
const NEXT_LINE = /^next-line\s+([\w,]+)\s*:\s*(.+)$/;

export class BadDirective extends Error {}

function* typeScriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The directives of one file's text. Throws BadDirective for a form we do not accept. */
export function directivesOf(file: string, text: string): EquivalentMutant[] {
  const lines = text.split('\n');
  const out: EquivalentMutant[] = [];
  lines.forEach((raw, i) => {
    const directive = DIRECTIVE.exec(raw);
    if (!directive) return;
    const [, verb, rest] = directive;
    const where = `${file}:${i + 1}`;
    // `disable all` / `restore` would silence whole regions: too easy to hide a real gap behind.
    const parsed = verb === 'disable' ? NEXT_LINE.exec(rest ?? '') : null;
    if (!parsed)
      throw new BadDirective(
        `${where}: use "// Stryker disable next-line <mutators>: <why the mutant is equivalent>"`,
      );
    const [, mutators = '', reason = ''] = parsed;
    if (reason.trim().length < 20)
      throw new BadDirective(`${where}: say why the mutant is equivalent (20 characters at least)`);
    out.push({
      file,
      line: i + 2,
      mutators: mutators.split(','),
      reason: reason.trim(),
      code: (lines[i + 1] ?? '').trim(),
    });
  });
  return out;
}

/** Every declared equivalent mutant under the given folders of `root`. */
export function equivalentMutants(root: string, folders: readonly string[]): EquivalentMutant[] {
  const out: EquivalentMutant[] = [];
  for (const folder of folders) {
    for (const path of typeScriptFiles(join(root, folder))) {
      const file = relative(root, path).split('\\').join('/');
      out.push(...directivesOf(file, readFileSync(path, 'utf8')));
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

export const EQUIVALENTS_BEGIN = '<!-- equivalent mutants: written by `npm run docs` from the source -->';
export const EQUIVALENTS_END = '<!-- end of equivalent mutants -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The generated section of docs/testing.md: one row per declared equivalent mutant. */
export function equivalentsMarkdown(mutants: readonly EquivalentMutant[]): string {
  const rows = mutants.map(
    (m) => `| \`${m.file}\` | \`${cell(m.code)}\` | ${m.mutators.join(', ')} | ${cell(m.reason)} |`,
  );
  return [
    EQUIVALENTS_BEGIN,
    '',
    `${mutants.length} mutant${mutants.length === 1 ? '' : 's'} declared equivalent.`,
    '',
    '| file | line of code | mutators | why no test can tell it apart |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    EQUIVALENTS_END,
  ].join('\n');
}

/** docs/testing.md with its generated section replaced. */
export function withEquivalents(doc: string, mutants: readonly EquivalentMutant[]): string {
  const begin = doc.indexOf(EQUIVALENTS_BEGIN);
  const end = doc.indexOf(EQUIVALENTS_END);
  if (begin < 0 || end < begin) throw new Error('docs/testing.md has lost its equivalent-mutants markers');
  return doc.slice(0, begin) + equivalentsMarkdown(mutants) + doc.slice(end + EQUIVALENTS_END.length);
}
