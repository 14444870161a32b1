import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalIam } from '#cli/local/iam-enforcement.ts';
import { deployedRolePolicies } from '#shared/iam/deployed-role-policies.ts';
import { grantsOf, onBehalfReason, type RecordedCall, withoutGrant } from '#shared/iam/grant-usage.ts';
import { wildcardMatch } from '#shared/iam/role-policy.ts';
import { JOBS, PERSON_ROLES, STAGES } from '#shared/topology.ts';

/** Every deployed role: the stages', the scheduled jobs', and those people and outside systems assume. */
const ROLES: string[] = [
  ...[...STAGES, ...JOBS].map((s) => `stage:${s.name}`),
  ...Object.values(PERSON_ROLES),
];

/**
 * Every grant of every stage role is needed: the calls each stage made over the examples and the
 * integration and e2e suites (recorded by `npm run iam -- --write`, in the snapshot's placeholder form)
 * are replayed against the deployed policies with each grant removed in turn, and some call must then
 * fail with AccessDenied naming that action and resource. With nothing removed, none fails.
 */
const calls: RecordedCall[] = JSON.parse(
  readFileSync(new URL('../fixtures/iam/recorded-calls.json', import.meta.url), 'utf8'),
);
const policies = deployedRolePolicies();
const scope = { region: '{region}', account: '{account}' };

/** The AccessDenied errors replaying a role's calls under `roles` raises. */
function refusals(roles: typeof policies, role: string): Error[] {
  const iam = new LocalIam(roles.roles, scope);
  const errors: Error[] = [];
  for (const call of calls.filter((c) => c.role === role)) {
    try {
      iam.authorize(call.action.split(':')[0] ?? '', role, call);
    } catch (error) {
      errors.push(error as Error);
    }
  }
  return errors;
}

describe('the deployed stage roles, replayed against the calls the stages make', () => {
  it('have a policy for every stage, and a recording of each', () => {
    expect(Object.keys(policies.roles).sort()).toEqual(ROLES.sort());
    for (const role of Object.keys(policies.roles))
      expect(
        calls.some((c) => c.role === role),
        role,
      ).toBe(true);
  });

  it.each(ROLES)('let %s make every call it makes', (role) => {
    expect(refusals(policies, role).map((e) => e.message)).toEqual([]);
  });

  const grants = grantsOf(policies).filter((g) => !onBehalfReason(g));
  it.each(grants.map((g) => [g.role, g.action, g.resource, g] as const))(
    '%s needs %s on %s',
    (role, action, resource, grant) => {
      const denied = refusals(withoutGrant(policies, grant), role);
      expect(denied.length, 'no recorded call needs this grant: narrow the role').toBeGreaterThan(0);
      expect(denied[0]).toMatchObject({ name: expect.stringMatching(/^AccessDenied/) });
      const named = denied.some((e) => {
        const m = /perform: (\S+) on resource: (\S+) because/.exec(e.message);
        return m?.[1] === action && wildcardMatch(resource, m[2] ?? '');
      });
      expect(named, denied.map((e) => e.message).join('\n')).toBe(true);
    },
  );
});
