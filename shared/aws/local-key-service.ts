import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyService } from './ports.ts';

const KEY_HEX = /^[0-9a-f]{64}$/i;

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function readKey(file: string): Promise<Buffer> {
  const hex = (await readFile(file, 'utf8')).trim();
  if (!KEY_HEX.test(hex)) throw new Error(`${file} does not hold a 32-byte key in hex`);
  return Buffer.from(hex, 'hex');
}

/**
 * Reads the key, or creates it (32 random bytes, hex, mode 0600). The new key is written to a temporary
 * file and hard-linked into place, so two processes starting at once both end up with one complete key.
 */
export async function loadOrCreateKey(file: string): Promise<Buffer> {
  try {
    return await readKey(file);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  } finally {
    await unlink(temp);
  }
  return readKey(file);
}

/**
 * The local stand-in for the KMS HMAC key: the same KeyService port, with a file-backed key. It keeps
 * local chartKeys stable across runs; it is not a secret store, so it is for synthetic data only.
 */
export class LocalKeyService implements KeyService {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly file: string) {}

  async mac(input: string): Promise<string> {
    this.key ??= loadOrCreateKey(this.file);
    return createHmac('sha256', await this.key)
      .update(input)
      .digest('hex');
  }
}

export function createLocalKeyService(file: string): KeyService {
  return new LocalKeyService(file);
}
