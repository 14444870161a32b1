import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MutationTestResult } from 'mutation-testing-report-schema';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_FAILURE_TEST } from '#cli/lib/unloadable-test-file-reporter.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The canary for cli/lib/unloadable-test-file-reporter.ts: a real Stryker run, with the reporters
 * vitest.mutation.config.ts declares, over a module whose only mutant stops it loading. Stryker's
 * vitest runner scores that mutant Survived on its own (stryker-js#6150); if an upgrade of Stryker or
 * vitest, or a change to the mutation config, bypasses the reporter, this fails.
 */
describe('a mutant that stops a module loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-stryker-canary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is scored Killed by the test file that could not load it', () => {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'tests'));
    // Its one mutant empties the JSON text, and JSON.parse('') throws while the module loads.
    writeFileSync(
      join(dir, 'src/lines.ts'),
      `const table: { lines: string[] } = JSON.parse('{"lines":["home_health","hospice"]}');\nexport const lineCount: number = table.lines.length;\n`,
    );
    writeFileSync(
      join(dir, 'tests/lines.test.ts'),
      `import { expect, it } from 'vitest';\nimport { lineCount } from '../src/lines.ts';\nit('reads both lines of business', () => expect(lineCount).toBe(2));\n`,
    );
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      [
        `import { defineConfig } from 'vitest/config';`,
        `import mutation from ${JSON.stringify(join(root, 'vitest.mutation.config.ts'))};`,
        `export default defineConfig({ test: { include: ['tests/**/*.test.ts'], isolate: false, reporters: (mutation.test?.reporters ?? []).map((r) => typeof r === 'string' && r.startsWith('./') ? ${JSON.stringify(root)} + r.slice(2) : r) } });`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'stryker.config.json'),
      JSON.stringify({
        testRunner: 'vitest',
        vitest: { configFile: 'vitest.config.ts' },
        mutate: ['src/lines.ts'],
        reporters: ['json'],
        jsonReporter: { fileName: 'mutation.json' },
        coverageAnalysis: 'perTest',
        concurrency: 1,
      }),
    );

    const run = spawnSync(join(root, 'node_modules/.bin/stryker'), ['run', 'stryker.config.json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8')) as MutationTestResult;
    const mutants = Object.values(report.files).flatMap((f) => f.mutants);
    expect(mutants.map((m) => [m.mutatorName, m.status])).toEqual([['StringLiteral', 'Killed']]);
    expect(mutants[0]?.killedBy).toEqual([`tests/lines.test.ts#${LOAD_FAILURE_TEST}`]);
  });
});
