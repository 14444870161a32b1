import type { RunnerTestFile } from 'vitest';
import { describe, expect, it } from 'vitest';
import type { Vitest } from 'vitest/node';
import UnloadableTestFileReporter, {
  countLoadFailureAsTest,
  LOAD_FAILURE_TEST,
} from '#cli/lib/unloadable-test-file-reporter.ts';

const loadError = { message: 'x is not iterable', name: 'TypeError' };

/** A test file as vitest's state holds it after a run: only the fields the reporter reads. */
function testFile(state: 'pass' | 'fail', tasks: unknown[] = []): RunnerTestFile {
  return {
    type: 'suite',
    id: 'f1',
    name: 'test/unit/x.test.ts',
    filepath: '/repo/test/unit/x.test.ts',
    tasks,
    result: { state, errors: state === 'fail' ? [loadError] : undefined },
  } as unknown as RunnerTestFile;
}

describe('countLoadFailureAsTest', () => {
  it('gives a file that failed before holding any test one failed test with its load error', () => {
    const file = testFile('fail');
    countLoadFailureAsTest(file);
    expect(file.tasks).toHaveLength(1);
    expect(file.tasks[0]).toMatchObject({
      type: 'test',
      id: 'f1_load',
      name: LOAD_FAILURE_TEST,
      mode: 'run',
      file,
      result: { state: 'fail', errors: [loadError] },
    });
    // Stryker names a test by walking its suites: none, so the file is not named twice.
    expect(file.tasks[0]?.suite).toBeUndefined();
  });

  it('leaves a file that loaded alone, whether its tests passed or failed', () => {
    const failedTest = { type: 'test', name: 'checks', result: { state: 'fail' } };
    const failed = testFile('fail', [failedTest]);
    countLoadFailureAsTest(failed);
    expect(failed.tasks).toEqual([failedTest]);

    const passedTest = { type: 'test', name: 'checks', result: { state: 'pass' } };
    const passed = testFile('pass', [passedTest]);
    countLoadFailureAsTest(passed);
    expect(passed.tasks).toEqual([passedTest]);
  });

  it('leaves a passing file without tests alone (vitest passes an empty file only when told to)', () => {
    const empty = testFile('pass');
    countLoadFailureAsTest(empty);
    expect(empty.tasks).toEqual([]);
  });

  it('keeps an empty error list when vitest recorded none', () => {
    const file = { ...testFile('fail'), result: { state: 'fail' } } as RunnerTestFile;
    countLoadFailureAsTest(file);
    expect(file.tasks[0]?.result?.errors).toEqual([]);
  });
});

describe('UnloadableTestFileReporter', () => {
  it("marks the files in vitest's state when the run ends", () => {
    const unloadable = testFile('fail');
    const loaded = testFile('pass', [{ type: 'test', result: { state: 'pass' } }]);
    const reporter = new UnloadableTestFileReporter();
    reporter.onInit({ state: { getFiles: () => [unloadable, loaded] } } as unknown as Vitest);
    reporter.onTestRunEnd();
    expect(unloadable.tasks.map((t) => t.name)).toEqual([LOAD_FAILURE_TEST]);
    expect(loaded.tasks).toHaveLength(1);
  });

  it('does nothing when vitest never initialised it', () => {
    expect(() => new UnloadableTestFileReporter().onTestRunEnd()).not.toThrow();
  });
});
