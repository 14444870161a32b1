import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAuditVerify } from '#cli/commands/audit-verify.ts';
import { segmentKey } from '#shared/audit-trail/segments.ts';
import { buildTrail, testSigner } from '../support/audit-trail.ts';

/** A copy of the audit bucket's trail in a folder, as `aws s3 sync` leaves it, and the public key beside. */
let dir: string;
let publicKey: string;
beforeAll(async () => {
  const signer = testSigner();
  const { files } = await buildTrail(signer, ['north', 'south'], 30, 10);
  dir = mkdtempSync(join(tmpdir(), 'codetrail-trail-'));
  for (const [key, text] of files) {
    // Synced from the bucket's audit-trail/ folder: the keys without that prefix.
    const path = join(dir, 'copy', key.replace(/^audit-trail\//, ''));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  publicKey = join(dir, 'audit-signing.pub.pem');
  writeFileSync(publicKey, signer.publicKeyPem());
});

describe('codetrail audit verify', () => {
  it('verifies an untouched copy with the public key alone', () => {
    expect(runAuditVerify({ dir: join(dir, 'copy'), publicKey })).toEqual({
      ok: true,
      text: 'audit trail verified: 60 event(s) in 6 segment(s) of north, south',
    });
  });

  it('names what was changed, exits 1 from the command line, and says what to do with bad options', () => {
    const copy = join(dir, 'copy');
    rmSync(join(copy, segmentKey('south', 1).replace(/^audit-trail\//, '')));
    const { ok, text } = runAuditVerify({ dir: copy, publicKey, agency: ['south'] });
    expect(ok).toBe(false);
    expect(text.split('\n')).toEqual([
      'missing-segment  south  segment 1: segment 1 is not in the bucket',
      'audit trail NOT verified: 1 problem(s) in 30 event(s) in 3 segment(s) of south',
    ]);
    const cli = spawnSync(
      'npx',
      ['--no-install', 'tsx', 'cli/main.ts', 'audit', 'verify', '--dir', copy, '--public-key', publicKey],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('audit trail NOT verified');
    expect(() => runAuditVerify({ dir: join(dir, 'nowhere'), publicKey })).toThrow('--dir: not a folder');
    expect(() => runAuditVerify({ dir: copy, publicKey: join(dir, 'nope.pem') })).toThrow(
      '--public-key: no such file',
    );
  }, 60_000);
});
