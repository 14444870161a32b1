import type { RunnerTestCase, RunnerTestFile } from 'vitest';
import type { Reporter, Vitest } from 'vitest/node';

/**
 * A vitest reporter for mutation runs only: a test file that could not load counts as one failed test.
 *
 * Why: Stryker's vitest runner (9.6.1, and 10.0.0) builds each mutant's result from the tests vitest
 * collected. A mutant that makes a module throw while it loads (a table built at import, a constant a
 * guard checks) leaves the test files importing that module with no tests at all, so no test failed
 * and Stryker scores the mutant Survived, though the suite caught it: it could not even load.
 * Upstream: stryker-mutator/stryker-js#6150 (fix proposed in #6217). Stryker has no option for this,
 * and `--ignoreStatic` would drop such mutants rather than count them killed.
 *
 * The reporter runs when the run ends, before Stryker reads vitest's state: each file whose result
 * is `fail` and that holds no task gets one failed test carrying the file's load error. A file that
 * loaded is left alone, whether its tests passed or failed, so an ordinary run's results are
 * unchanged (the initial, coverage-taking run must pass, and a file that cannot load fails it anyway).
 */
export default class UnloadableTestFileReporter implements Reporter {
  #vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunEnd(): void {
    for (const file of this.#vitest?.state.getFiles() ?? []) countLoadFailureAsTest(file);
  }
}

/** The name of the test a file that could not load is given: Stryker prints it as the killing test. */
export const LOAD_FAILURE_TEST = 'loads its modules';

/** Gives a test file that failed before it held any test one failed test with the file's error. */
export function countLoadFailureAsTest(file: RunnerTestFile): void {
  if (file.result?.state !== 'fail' || file.tasks.length > 0) return;
  // Vitest types a test with a context only its runner builds; nothing reads one after the run ends.
  const test = {
    type: 'test',
    id: `${file.id}_load`,
    name: LOAD_FAILURE_TEST,
    fullName: `${file.name} ${LOAD_FAILURE_TEST}`,
    mode: 'run',
    // No suite: Stryker names the killing test `<file>#loads its modules`, not the file twice.
    file,
    meta: {},
    annotations: [],
    artifacts: [],
    timeout: 0,
    result: { state: 'fail', errors: file.result.errors ?? [] },
  } as unknown as RunnerTestCase;
  file.tasks.push(test);
}
