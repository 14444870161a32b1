import { defineConfig } from 'vitest/config';
import { MUTATION_TESTS_ENV } from './cli/lib/mutation-tests.ts';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` runs against each mutant: the unit project (pure code, and the stage
 * services over in-memory ports). Integration tests start emulators per file, too slow to run per
 * mutant. Instrumented code on two busy cores is several times slower than plain: the property
 * tests get more time than vitest's 5 s default.
 *
 * Not isolated: every mutant's run would otherwise import the code tables again for each test file
 * (about a second each), which made runs several times slower. Stryker still re-imports the mutated
 * module for every mutant (static mutants are killed), and the initial run must pass whole, so a test
 * that leaked state into another would show there.
 */
export default defineConfig({
  test: {
    // npm run mutation runs each folder against the unit tests that load its code (cli/lib/mutation-tests.ts).
    include: process.env[MUTATION_TESTS_ENV]?.split(',') ?? ['test/unit/**/*.test.ts'],
    env: base.test?.env,
    testTimeout: 60_000,
    isolate: false,
    // A test file that cannot load (a mutant broke a module's import) counts as a failed test, so
    // Stryker scores that mutant Killed instead of Survived: see the reporter's comment.
    reporters: ['default', './cli/lib/unloadable-test-file-reporter.ts'],
  },
});
