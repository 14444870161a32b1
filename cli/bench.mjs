#!/usr/bin/env node
// `npm run bench -- NAME`: runs bench/NAME.bench.ts (all of them without a name), each printing its
// figure and its ratio to a named baseline. Emulators run in a separate process, outside the measure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const names = process.argv.slice(2);
const all = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const chosen = names.length ? names : all;
let failed = false;
for (const name of chosen) {
  if (!all.includes(name)) {
    process.stderr.write(`no benchmark named ${name}; there are: ${all.join(', ')}\n`);
    failed = true;
    continue;
  }
  const r = spawnSync('npx', ['--no-install', 'tsx', `bench/${name}.bench.ts`], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
