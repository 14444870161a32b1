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
      text:
        'audit trail verified: 60 event(s) in 6 segment(s) of north, south\n' +
        'trail ends: north at 2026-12-07T12:00:00.000Z; south at 2026-12-07T12:00:00.000Z (give --as-of, when the copy was made, to check none is cut short)',
    });
  });

  it('holds the end of each trail against when the copy was made (--as-of)', () => {
    const copy = join(dir, 'copy');
    expect(runAuditVerify({ dir: copy, publicKey, asOf: '2026-12-07T13:00:00Z' })).toEqual({
      ok: true,
      text: 'audit trail verified: 60 event(s) in 6 segment(s) of north, south',
    });
    const late = runAuditVerify({ dir: copy, publicKey, agency: ['north'], asOf: '2026-12-08T09:00:00Z' });
    expect(late.ok).toBe(false);
    expect(late.text.split('\n')[0]).toBe(
      'stale-trail  north  segment 2: the newest digest was signed at 2026-12-07T12:00:00.000Z, more than 135 minutes before 2026-12-08T09:00:00.000Z: the trail may be cut short at its end, or the sealer has stopped',
    );
    expect(() => runAuditVerify({ dir: copy, publicKey, asOf: '2026-02-30T10:00:00Z' })).toThrow('--as-of');
    expect(() => runAuditVerify({ dir: copy, publicKey, asOf: '2026-12-08T24:00:00Z' })).toThrow('--as-of');
    expect(() => runAuditVerify({ dir: copy, publicKey, asOf: '2026-12-08' })).toThrow(
      '--as-of: not an instant (e.g. 2026-12-08T14:00:00Z, when the copy was made)',
    );
  });

  it('names what was changed, exits 1 from the command line, and says what to do with bad options', () => {
    const copy = join(dir, 'copy');
    rmSync(join(copy, segmentKey('south', 1).replace(/^audit-trail\//, '')));
    const { ok, text } = runAuditVerify({ dir: copy, publicKey, agency: ['south'] });
    expect(ok).toBe(false);
    expect(text.split('\n').slice(0, 2)).toEqual([
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
