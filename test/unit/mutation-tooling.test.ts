import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FileResult, MutantResult } from 'mutation-testing-report-schema';
import { describe, expect, it } from 'vitest';
import {
  BadDirective,
  directivesOf,
  equivalentMutants,
  withEquivalents,
} from '#cli/lib/equivalent-mutants.ts';
import {
  belowTarget,
  folderScores,
  foldersOf,
  mutatedFolders,
  scoreTable,
  undetected,
} from '#cli/lib/mutation-scores.ts';
import { importsOf, resolveImport, testsLoading, unitTestsLoading } from '#cli/lib/mutation-tests.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

let id = 0;
function mutant(status: MutantResult['status'], line = 1): MutantResult {
  id++;
  return {
    id: String(id),
    mutatorName: 'EqualityOperator',
    replacement: 'a  >\n b',
    status,
    location: { start: { line, column: 1 }, end: { line, column: 5 } },
  };
}
const file = (...mutants: MutantResult[]): FileResult => ({ language: 'typescript', source: '', mutants });

describe('mutation scores per folder', () => {
  it('names the folders of the mutate patterns, not the exclusions or single files', () => {
    expect(
      foldersOf(['shared/rules/**/*.ts', 'functions/**/*.ts', '!functions/*/handler.ts', 'cli/x.ts']),
    ).toEqual(['shared/rules', 'functions']);
    expect(mutatedFolders(root)).toEqual([
      'shared/rules',
      'shared/sampling',
      'shared/identity',
      'shared/formats/x12',
      'shared/denials',
      'functions',
    ]);
  });

  it('scores detected over valid mutants, each folder and each stage under functions', () => {
    const files = {
      'shared/rules/a.ts': file(mutant('Killed'), mutant('Killed'), mutant('Timeout'), mutant('Survived')),
      'shared/rules/b.ts': file(mutant('NoCoverage'), mutant('Ignored'), mutant('CompileError')),
      'shared/rulesx/c.ts': file(mutant('Survived')),
      'functions/intake/take.ts': file(mutant('Killed')),
      'functions/billing-handoff/service.ts': file(mutant('Survived')),
    };
    const rows = folderScores(files, ['shared/rules', 'functions', 'shared/sampling']);
    expect(rows.map((r) => [r.folder, r.score])).toEqual([
      ['shared/rules', 60],
      ['functions', 50],
      ['functions/billing-handoff', 0],
      ['functions/intake', 100],
    ]);
    expect(rows[0]?.metrics).toMatchObject({ killed: 2, timeout: 1, survived: 1, noCoverage: 1, ignored: 1 });
    expect(belowTarget(rows).map((r) => r.folder)).toEqual([
      'shared/rules',
      'functions',
      'functions/billing-handoff',
    ]);
    // A folder scored from a change's files alone is not held to the target.
    expect(belowTarget(folderScores(files, ['shared/rules'], () => false))).toEqual([]);
    expect(belowTarget(rows, 50).map((r) => r.folder)).toEqual(['functions/billing-handoff']);
    const table = scoreTable(rows);
    expect(table).toContain('| shared/rules              | 60.00% < target |');
    expect(table).toContain('| functions/intake          |         100.00% |');
  });

  it('holds nothing to the target where nothing could be scored', () => {
    const rows = folderScores({ 'shared/identity/a.ts': file(mutant('Ignored')) }, ['shared/identity']);
    expect(rows[0]?.score).toBeNaN();
    expect(belowTarget(rows)).toEqual([]);
    expect(scoreTable(rows)).toContain('n/a');
  });

  it('lists the mutants the tests let live, by file and line', () => {
    const files = {
      'shared/b.ts': file(mutant('Survived', 9), mutant('Killed', 3)),
      'shared/a.ts': file(mutant('NoCoverage', 7), mutant('Survived', 2)),
    };
    expect(undetected(files).map((m) => `${m.file}:${m.line} ${m.status} ${m.replacement}`)).toEqual([
      'shared/a.ts:2 Survived a > b',
      'shared/a.ts:7 NoCoverage a > b',
      'shared/b.ts:9 Survived a > b',
    ]);
  });
});

describe('the unit tests each folder runs against', () => {
  it('reads static, side-effect and dynamic imports', () => {
    const source = [
      "import { a } from '#shared/rules/a.ts';",
      "import type { B } from './b.ts';",
      "import '../support/setup.ts';",
      "const c = await import('#functions/intake/service.ts');",
      "export { d } from 'node:fs';",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      '#shared/rules/a.ts',
      './b.ts',
      '../support/setup.ts',
      '#functions/intake/service.ts',
      'node:fs',
    ]);
  });

  it('resolves subpath and relative imports to repo files, and no package', () => {
    expect(resolveImport('test/unit/x.test.ts', '#shared/rules/a.ts')).toBe('shared/rules/a.ts');
    expect(resolveImport('test/unit/x.test.ts', '#functions/intake/service.ts')).toBe(
      'functions/intake/service.ts',
    );
    expect(resolveImport('test/unit/x.test.ts', '#cli/lib/y.ts')).toBe('cli/lib/y.ts');
    expect(resolveImport('test/unit/x.test.ts', '../support/z.ts')).toBe('test/support/z.ts');
    expect(resolveImport('shared/rules/a.ts', './b.ts')).toBe('shared/rules/b.ts');
    expect(resolveImport('shared/rules/a.ts', 'vitest')).toBeUndefined();
    expect(resolveImport('shared/rules/a.ts', 'node:fs')).toBeUndefined();
  });

  it('keeps the tests whose imports reach the folder, through support and source files, cycles and all', () => {
    const files: Record<string, string> = {
      'test/unit/direct.test.ts': "import { r } from '#shared/rules/r.ts';",
      'test/unit/via-support.test.ts': "import { h } from '../support/h.ts';",
      'test/support/h.ts': "import { s } from '#functions/stage/service.ts';",
      'functions/stage/service.ts': "import { r } from '#shared/rules/r.ts';",
      'test/unit/cycle.test.ts': "import { a } from '../support/a.ts';",
      'test/support/a.ts': "import { b } from './b.ts';",
      'test/support/b.ts': "import { a } from './a.ts'; import data from './table.json';",
      // b is reached through a cycle first, and still counts as reaching the folder through c.
      'test/unit/cycle-then-folder.test.ts': "import { d } from '../support/d.ts';",
      'test/support/d.ts': "import { e } from './e.ts'; import { c } from './c.ts';",
      'test/support/e.ts': "import { d } from './d.ts';",
      'test/support/c.ts': "import { r } from '#shared/rules/r.ts';",
      'test/unit/e-first.test.ts': "import { e } from '../support/e.ts';",
      'test/unit/package.test.ts': "import { describe } from 'vitest';",
      'test/unit/missing.test.ts': "import { gone } from '../support/gone.ts';",
    };
    const tests = Object.keys(files).filter((f) => f.endsWith('.test.ts'));
    expect(testsLoading(tests, 'shared/rules', (f) => files[f])).toEqual([
      'test/unit/direct.test.ts',
      'test/unit/via-support.test.ts',
      'test/unit/cycle-then-folder.test.ts',
      'test/unit/e-first.test.ts',
    ]);
    expect(testsLoading(tests, 'functions', (f) => files[f])).toEqual(['test/unit/via-support.test.ts']);
    expect(testsLoading(tests, 'shared/sampling', (f) => files[f])).toEqual([]);
  });

  it('finds tests for every folder the mutation run mutates', () => {
    for (const folder of mutatedFolders(root)) {
      const tests = unitTestsLoading(root, folder);
      expect(tests.length, folder).toBeGreaterThan(0);
      expect(
        tests.every((t) => /^test\/unit\/[\w.-]+\.test\.ts$/.test(t)),
        folder,
      ).toBe(true);
    }
    expect(unitTestsLoading(root, 'shared/rules')).toContain('test/unit/pdgm-grouping.test.ts');
  });
});

describe('equivalent mutants, declared beside the code', () => {
  it('reads a next-line directive with its mutators, reason and the line it covers', () => {
    const text = [
      'const a = 1;',
      '  // Stryker disable next-line EqualityOperator,ConditionalExpression: both bounds give the same set here',
      '  if (a <= 2) return;',
    ].join('\n');
    expect(directivesOf('shared/x.ts', text)).toEqual([
      {
        file: 'shared/x.ts',
        line: 3,
        mutators: ['EqualityOperator', 'ConditionalExpression'],
        reason: 'both bounds give the same set here',
        code: 'if (a <= 2) return;',
      },
    ]);
  });

  it('refuses region-wide directives and directives without a reason', () => {
    expect(() => directivesOf('x.ts', '// Stryker disable all: the whole file is fine, trust me')).toThrow(
      BadDirective,
    );
    expect(() => directivesOf('x.ts', '// Stryker restore all')).toThrow('x.ts:1: use');
    expect(() => directivesOf('x.ts', '// Stryker disable next-line all: same')).toThrow('20 characters');
  });

  it('are all listed in docs/testing.md (`npm run docs` writes the list)', () => {
    const doc = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
    const mutants = equivalentMutants(root, mutatedFolders(root));
    expect(doc, 'docs/testing.md is stale: run `npm run docs`').toBe(withEquivalents(doc, mutants));
    expect(() => withEquivalents('no markers', mutants)).toThrow('markers');
  });
});
