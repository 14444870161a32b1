import { readFileSync } from 'node:fs';
import type { RolePolicies } from './role-policy.ts';

/**
 * The deployed roles' policies, as `npm run docs` snapshots them from a synth into role-policies.json
 * beside this file: the local runtime enforces these, and never imports the CDK at run time.
 */
export function deployedRolePolicies(): RolePolicies {
  return JSON.parse(readFileSync(new URL('./role-policies.json', import.meta.url), 'utf8')) as RolePolicies;
}
