import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * Which unit test files load a mutated folder's code, so each folder's Stryker run (its own report and
 * incremental file) starts from those tests alone: a test that cannot load the folder's code cannot kill
 * its mutants, so narrowing loses no kill and the run's first, coverage-taking pass skips the rest.
 */

/** The environment variable naming the test files (comma-separated) vitest.mutation.config.ts runs. */
export const MUTATION_TESTS_ENV = 'CODETRAIL_MUTATION_TESTS';

/** Import specifiers in a TypeScript source: static `from '...'`, side-effect `import '...'`, `import('...')`. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g))
    if (match[1]) out.push(match[1]);
  return out;
}

/** The repo-relative file an import names, or undefined for a package (node:, npm). */
export function resolveImport(fromFile: string, specifier: string): string | undefined {
  const subpath = /^#(shared|functions|cli)\/(.+)$/.exec(specifier);
  if (subpath) return `${subpath[1]}/${subpath[2]}`;
  if (specifier.startsWith('.')) return normalize(join(dirname(fromFile), specifier)).replaceAll('\\', '/');
  return undefined;
}

/**
 * The test files (repo-relative) whose module graph reaches a file under `folder`, following imports
 * through test support and source files alike. `read` returns a file's text, or undefined when it is
 * not there (a JSON table, a package).
 */
export function testsLoading(
  testFiles: readonly string[],
  folder: string,
  read: (file: string) => string | undefined,
): string[] {
  // Each file's imports are read once; each test walks its own module graph (a few hundred files).
  const importsByFile = new Map<string, string[]>();
  const importsFrom = (file: string): string[] => {
    let targets = importsByFile.get(file);
    if (!targets) {
      const source = file.endsWith('.ts') ? read(file) : undefined;
      targets = source === undefined ? [] : importsOf(source).flatMap((s) => resolveImport(file, s) ?? []);
      importsByFile.set(file, targets);
    }
    return targets;
  };
  const reachesFolder = (test: string): boolean => {
    const seen = new Set<string>([test]);
    const pending = [test];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (file.startsWith(`${folder}/`)) return true;
      for (const target of importsFrom(file))
        if (!seen.has(target)) {
          seen.add(target);
          pending.push(target);
        }
    }
    return false;
  };
  return testFiles.filter(reachesFolder);
}

/** The unit test files under `root` that load code of `folder`. */
export function unitTestsLoading(root: string, folder: string): string[] {
  const tests = readdirSync(join(root, 'test/unit'))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => `test/unit/${name}`);
  return testsLoading(tests, folder, (file) => {
    try {
      return readFileSync(join(root, file), 'utf8');
    } catch {
      return undefined;
    }
  });
}
