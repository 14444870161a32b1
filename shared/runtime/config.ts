import { type Config, parseConfig } from '#shared/model/config.ts';
import { ENV } from '#shared/topology.ts';

let cached: { raw: string | undefined; config: Config } | undefined;

/** The agency configuration the stack passed in CODETRAIL_CONFIG (JSON), validated, read once. */
export function runtimeConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = env[ENV.config];
  if (cached && cached.raw === raw) return cached.config;
  const config = parseConfig(raw ? JSON.parse(raw) : {});
  cached = { raw, config };
  return config;
}
