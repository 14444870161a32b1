import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployedRolePolicies } from '#shared/iam/deployed-role-policies.ts';
import {
  distinctCalls,
  grantsOf,
  onBehalfReason,
  type RecordedCall,
  refusedCalls,
  unusedGrants,
} from '#shared/iam/grant-usage.ts';
import { runStart } from './commands/start.ts';
import { IAM_RECORD_ENV } from './local/iam-enforcement.ts';

/**
 * `npm run iam`: the IAM sweep. Runs the examples through the local pipeline, then the integration and
 * e2e tests, with every AWS call checked against the deployed roles and recorded; prints, per role, the
 * grants the calls used, those AWS uses on the role's behalf (or that have no local counterpart), and
 * those nothing used; and fails on any refused call or unused grant. `--write` saves the distinct calls
 * to test/fixtures/iam/recorded-calls.json, which the unit tests replay against the policies with each
 * grant removed in turn. Not part of `npm test`: it runs the slow suites again (a few minutes).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
export const RECORDED_CALLS_FILE = join(root, 'test/fixtures/iam/recorded-calls.json');

const write = process.argv.includes('--write');
// The suites get the environment as it was: runStart points this process's at its own local stack.
const suiteEnv = { ...process.env };
const work = mkdtempSync(join(tmpdir(), 'codetrail-iam-'));
const recordFile = join(work, 'calls.jsonl');
let calls: RecordedCall[];
try {
  process.stdout.write('the examples (codetrail start)...\n');
  const run = await runStart({
    input: join(root, 'examples'),
    out: join(work, 'out'),
    quiet: true,
    recordIamCalls: true,
  });
  process.stdout.write('the integration and e2e tests...\n');
  const suites = spawnSync(
    'npx',
    ['--no-install', 'vitest', 'run', '--project', 'integration', '--project', 'e2e'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...suiteEnv, [IAM_RECORD_ENV]: recordFile },
    },
  );
  if (suites.status !== 0) process.stdout.write('(some tests failed: their calls are still counted)\n');
  const fromSuites = existsSync(recordFile)
    ? readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedCall)
    : [];
  calls = distinctCalls([...run.iamCalls, ...fromSuites]).sort(
    (a, b) =>
      a.role.localeCompare(b.role) ||
      a.action.localeCompare(b.action) ||
      a.resource.localeCompare(b.resource) ||
      JSON.stringify(a.context ?? {}).localeCompare(JSON.stringify(b.context ?? {})),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

const policies = deployedRolePolicies();
const unused = unusedGrants(policies, calls);
const refused = refusedCalls(policies, calls);
for (const role of Object.keys(policies.roles)) {
  const grants = grantsOf(policies).filter((g) => g.role === role);
  const onBehalf = grants.filter((g) => onBehalfReason(g));
  const idle = unused.filter((g) => g.role === role);
  process.stdout.write(
    `\n${role}: ${grants.length} grants, ${grants.length - onBehalf.length - idle.length} used by its calls, ` +
      `${onBehalf.length} used by AWS on its behalf, ${idle.length} unused; ${calls.filter((c) => c.role === role).length} distinct calls\n`,
  );
  for (const g of idle) process.stdout.write(`  unused: ${g.action} on ${g.resource}\n`);
  for (const c of refused.filter((r) => r.role === role))
    process.stdout.write(`  refused: ${c.action} on ${c.resource}\n`);
}

if (write) {
  writeFileSync(RECORDED_CALLS_FILE, `[\n${calls.map((c) => JSON.stringify(c)).join(',\n')}\n]\n`);
  process.stdout.write(`\nwrote ${calls.length} distinct calls to ${RECORDED_CALLS_FILE}\n`);
}
if (unused.length || refused.length) {
  process.stdout.write(
    `\n${unused.length} unused grants, ${refused.length} refused calls: narrow the roles in infra/stage.ts\n`,
  );
  process.exitCode = 1;
}
