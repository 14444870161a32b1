import { readFileSync } from 'node:fs';
import { Config } from '#shared/model/config.ts';

/** Reads and validates an agency configuration file; the error names the file and every bad field. */
export function loadConfig(file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read codetrail config ${file}: ${(e as Error).message}`);
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new Error(`invalid codetrail config ${file}:\n${issues}`);
  }
  return parsed.data;
}
