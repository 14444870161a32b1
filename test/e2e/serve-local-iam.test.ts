import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBillingPull } from '#cli/commands/billing.ts';
import { runDrop } from '#cli/commands/drop.ts';
import { resolveTarget } from '#cli/lib/target.ts';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { PERSON_ROLES } from '#shared/topology.ts';
import { homeHealthChart } from '../support/charts.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

// `codetrail start --serve` in a process of its own, and the commands people run against it from
// another, as a reviewer or a billing lead would: their calls are checked against their deployed roles
// there too, with the S3 tags the stack's stages set (kept in the state folder: the embedded S3 has none).
const dir = mkdtempSync(join(tmpdir(), 'codetrail-serve-'));
const stateDir = join(dir, '.codetrail');
let stack: ChildProcess | undefined;
let output = '';

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  writeFileSync(
    join(dir, 'codetrail.config.json'),
    JSON.stringify({
      agencies: [{ id: 'test-agency' }],
      sampling: SAMPLE_NOTHING,
      local: { timeCompression: 1000 },
    }),
  );
  const [dynamo, aws] = [await freePort(), await freePort()];
  stack = spawn(
    process.execPath,
    [resolve('cli/bin.mjs'), 'start', '--serve', '--dynamo-port', String(dynamo), '--aws-port', String(aws)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  stack.stdout?.on('data', (d) => {
    output += String(d);
  });
  stack.stderr?.on('data', (d) => {
    output += String(d);
  });
  const started = Date.now();
  while (!output.includes('local stack up')) {
    if (Date.now() - started > 90_000 || stack.exitCode !== null)
      throw new Error(`start --serve did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  if (!stack || stack.exitCode !== null) return;
  const exited = new Promise((r) => stack?.once('exit', r));
  stack.kill('SIGINT');
  await exited;
});

describe('the commands against `start --serve` from another process', () => {
  it('drop as the EMR writer, pull as billing with the tags the stack set, and are refused what the roles are', async () => {
    const target = await resolveTarget({ stateDir });
    const file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify(homeHealthChart({ chartId: 'SERVE-1' })));
    await runDrop(target, [file], { agency: 'test-agency' });

    // The chart reaches billing in the stack's process; the billing role reads the file it bills only
    // because billing handoff tagged it there.
    const out = join(dir, 'batches');
    let pulled = '';
    for (let i = 0; i < 120 && !/^b\d{8}-/m.test(pulled); i++) {
      pulled = await runBillingPull(target, { out });
      if (!/^b\d{8}-/m.test(pulled)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pulled).not.toContain('NOT WRITTEN');
    const batchId = /^(b\d{8}-[0-9a-f]{12})/m.exec(pulled)?.[1] ?? '';
    expect(existsSync(join(out, batchId, 'manifest.json'))).toBe(true);

    // What the deployed roles may not do is refused here as in AWS.
    const read = (key: string) =>
      target.clients.s3.send(new GetObjectCommand({ Bucket: target.resources.buckets.intake, Key: key }));
    await expect(
      actAs(`${PERSON_ROLES.billing}@test-agency`, () => read('exports/test-agency/x.json')),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    // Another agency's batch is refused to this agency's billing team, from the other process too.
    await expect(
      actAs(`${PERSON_ROLES.billing}@test-agency`, () =>
        target.clients.s3.send(
          new GetObjectCommand({
            Bucket: target.resources.buckets.artifacts,
            Key: `batches/other-agency/${batchId}.json`,
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      actAs(`${PERSON_ROLES.emrWriter}@test-agency`, () => read('exports/test-agency/x.json')),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    // A note is added once, never written over, as S3 does it (the embedded S3 would write over it).
    const note = 'qa-notes/test-agency/ck0/v1-0123456789ab.json';
    await target.ports.artifacts.putJson('artifacts', note, { note: 'first' }, { once: true });
    await target.ports.artifacts.putJson('artifacts', note, { note: 'second' }, { once: true });
    expect(JSON.parse(await target.ports.artifacts.getText('artifacts', note))).toEqual({ note: 'first' });
    // Nothing the stack's own stages did was refused.
    expect(output).not.toContain('AccessDenied');
  }, 120_000);
});
