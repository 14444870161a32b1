import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalKeyService, LocalKeyService, loadOrCreateKey } from '#shared/aws/local-key-service.ts';

const dir = mkdtempSync(join(tmpdir(), 'codetrail-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalKeyService', () => {
  it('creates a 32-byte hex key, readable by its owner only, and MACs with it', async () => {
    const file = join(dir, 'nested', 'local.key');
    const mac = await new LocalKeyService(file).mac('agency-a|EMR-1');
    const hex = readFileSync(file, 'utf8').trim();
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(mac).toBe(createHmac('sha256', Buffer.from(hex, 'hex')).update('agency-a|EMR-1').digest('hex'));
  });

  it('keeps identifiers stable across instances (and runs)', async () => {
    const file = join(dir, 'stable.key');
    writeFileSync(file, '5e'.repeat(32)); // no newline: how a test may write it
    const a = await createLocalKeyService(file).mac('x');
    const b = await new LocalKeyService(file).mac('x');
    expect(a).toBe(b);
    expect(a).toBe(createHmac('sha256', Buffer.alloc(32, 0x5e)).update('x').digest('hex'));
  });

  it('ends with one key when several processes create it at once', async () => {
    const file = join(dir, 'race.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey(file)));
    for (const k of keys) expect(k.equals(keys[0] as Buffer)).toBe(true);
  });

  it('refuses a file that does not hold a key', async () => {
    const file = join(dir, 'bad.key');
    writeFileSync(file, 'not a key');
    await expect(new LocalKeyService(file).mac('x')).rejects.toThrow(/32-byte key/);
  });
});
