/**
 * `npm run mutation`: StrykerJS (vitest runner, unit tests) over the folders stryker.config.json
 * mutates, then the mutation score of each folder (and of each stage under functions/), every mutant
 * the tests let live, and a failing exit when a folder mutated whole is under the 85% target.
 *
 *   npm run mutation                          every folder (about 90 minutes on two cores)
 *   npm run mutation -- --incremental         re-tests only what changed since the last run's report
 *   npm run mutation -- --ignore-static       leaves out static mutants (code run when a module loads),
 *                                             reported as ignored; a later --incremental run tests them
 *   npm run mutation -- --since main          only the files changed since a git ref (a change's mutants)
 *   npm run mutation -- shared/sampling ...   only these folders
 *
 * Not part of `npm test`: too slow for CI. Equivalent mutants are declared next to the code (see
 * cli/lib/equivalent-mutants.ts) and listed in docs/testing.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MutationTestResult } from 'mutation-testing-report-schema';
import {
  belowTarget,
  folderScores,
  foldersOf,
  MUTATION_TARGET,
  scoreTable,
  undetected,
} from './lib/mutation-scores.ts';
import { MUTATION_TESTS_ENV, unitTestsLoading } from './lib/mutation-tests.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Each folder's run takes this config with its own mutate list and report files ($schema is for editors).
const { $schema: _schema, ...baseConfig } = JSON.parse(
  readFileSync(`${root}stryker.config.json`, 'utf8'),
) as Record<string, unknown> & { mutate: string[] };
const allFolders = foldersOf(baseConfig.mutate);
const exclusions = baseConfig.mutate.filter((p) => p.startsWith('!'));

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
// Every run writes each folder's incremental file (Stryker writes it only in incremental mode); a run
// without --incremental re-tests every mutant all the same (--force).
const strykerArgs: string[] = ['--incremental'];
let reuse = false;
let folders = allFolders;
let mutate: string[] | undefined;
/** A `--since` run scores a change's files alone: no folder of it is held to the target. */
let partial = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (arg === '--incremental') reuse = true;
  else if (arg === '--ignore-static') strykerArgs.push('--ignoreStatic');
  else if (arg === '--since') {
    const ref = args[++i];
    if (!ref) fail('--since needs a git ref: npm run mutation -- --since main');
    const diff = spawnSync('git', ['diff', '--name-only', '--diff-filter=AMR', ref], {
      cwd: root,
      encoding: 'utf8',
    });
    const untracked = spawnSync('git', ['ls-files', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (diff.status !== 0) fail(`git cannot compare with ${ref}: name a branch, tag or commit`);
    const changed = `${diff.stdout}\n${untracked.stdout}`
      .split('\n')
      .filter((f) => f.endsWith('.ts') && allFolders.some((folder) => f.startsWith(`${folder}/`)))
      .filter((f) => !/^functions\/[^/]+\/handler\.ts$/.test(f));
    if (changed.length === 0) {
      process.stdout.write(`no file in ${allFolders.join(', ')} changed since ${ref}: nothing to mutate\n`);
      process.exit(0);
    }
    mutate = [...new Set(changed)];
    partial = true;
  } else if (allFolders.includes(arg.replace(/\/$/, ''))) {
    folders = folders === allFolders ? [] : folders;
    folders.push(arg.replace(/\/$/, ''));
  } else
    fail(
      `unknown argument ${arg}: give --incremental, --ignore-static, --since REF, or folders among ${allFolders.join(', ')}`,
    );
}
if (!reuse) strykerArgs.push('--force');

// One Stryker run per folder, each against the unit tests that load that folder's code (see
// cli/lib/mutation-tests.ts), with its own report and incremental file; the table merges them.
const files: MutationTestResult['files'] = {};
for (const folder of folders) {
  const inFolder = (f: string) => f.startsWith(`${folder}/`);
  const targets = mutate
    ? mutate.filter(inFolder)
    : [`${folder}/**/*.ts`, ...exclusions.filter((p) => inFolder(p.slice(1)))];
  if (targets.length === 0) continue;
  const tests = unitTestsLoading(root, folder);
  if (tests.length === 0) fail(`no unit test loads ${folder}: its mutants cannot be killed`);
  // A change's run keeps its own report and incremental file, so a folder's whole ones stay as they were.
  const dir = `reports/mutation/${partial ? 'since-' : ''}${folder.replaceAll('/', '-')}`;
  mkdirSync(`${root}${dir}`, { recursive: true });
  const folderConfig = {
    ...baseConfig,
    mutate: targets,
    jsonReporter: { fileName: `${dir}/mutation.json` },
    htmlReporter: { fileName: `${dir}/index.html` },
    incrementalFile: `${dir}/incremental.json`,
  };
  const configFile = `${dir}/stryker.config.json`;
  writeFileSync(`${root}${configFile}`, `${JSON.stringify(folderConfig, null, 2)}\n`);
  process.stdout.write(`\n${folder}: ${targets.join(', ')} against ${tests.length} unit test files\n`);
  const run = spawnSync('npx', ['--no-install', 'stryker', 'run', configFile, ...strykerArgs], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [MUTATION_TESTS_ENV]: tests.join(','),
    },
  });
  const reportFile = `${root}${dir}/mutation.json`;
  if (run.status !== 0 || !existsSync(reportFile))
    fail(`the mutation run of ${folder} failed: see Stryker's output above`);
  Object.assign(files, (JSON.parse(readFileSync(reportFile, 'utf8')) as MutationTestResult).files);
}

const rows = folderScores(files, folders, () => !partial);
const alive = undetected(files);
process.stdout.write(`\nMutation score per folder (target ${MUTATION_TARGET}%):\n\n${scoreTable(rows)}\n`);
if (alive.length) {
  process.stdout.write(
    `\n${alive.length} mutants the tests let live (kill them, or declare them equivalent):\n`,
  );
  for (const m of alive)
    process.stdout.write(`  ${m.file}:${m.line} ${m.mutator} -> ${m.replacement} (${m.status})\n`);
}
const missed = belowTarget(rows);
if (missed.length) {
  process.stdout.write(`\nunder the ${MUTATION_TARGET}% target: ${missed.map((r) => r.folder).join(', ')}\n`);
  process.exitCode = 1;
}
