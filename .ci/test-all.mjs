#!/usr/bin/env node
// `npm test`: the type check, the linter and every vitest project (unit, integration, infra, e2e),
// ending with the plain line `N passed, N failed` that CI reads. The type check and the linter count
// as one check each; every vitest test counts as one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  DEBIAN_FRONTEND: 'noninteractive',
};
let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  process.stdout.write(
    `== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return result.status === 0;
}

for (const [name, args] of [
  ['typecheck', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', ['biome', 'check', '.']],
]) {
  if (step(name, 'npx', ['--no-install', ...args])) passed++;
  else failed++;
}

// The browser tests drive a real Chromium: Debian's, installed here when missing (CI runs as root on
// Debian); elsewhere the one command to run is printed and the run counts it as a failure.
const CHROMIUM = process.env.CODETRAIL_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  const installed =
    root &&
    (step('chromium', 'apt-get', ['install', '-y', 'chromium']) ||
      (step('apt index', 'apt-get', ['update']) &&
        step('chromium', 'apt-get', ['install', '-y', 'chromium'])));
  if (!installed || !existsSync(CHROMIUM)) {
    process.stdout.write(
      '\nThe browser tests need Chromium: run `sudo apt-get install -y chromium` (or set CODETRAIL_CHROMIUM to its path), then `npm test` again.\n',
    );
    failed++;
  }
}

const report = '.vitest-report.json';
rmSync(report, { force: true });
const ok = step('vitest', 'npx', [
  '--no-install',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  // A file that fails to load has no tests to count: count it as a failure so it cannot hide.
  const brokenFiles = (json.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  ).length;
  failed += brokenFiles;
  if (!ok && failed === 0) failed++;
} else {
  failed++;
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
