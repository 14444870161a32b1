/**
 * IAM identity policies as data, and how AWS evaluates them for one request: what the local runtime
 * checks every AWS call against, so a call the deployed role would be refused fails locally too.
 * Pure: no SDK, no CDK.
 *
 * Evaluation follows IAM's rules for a single identity policy: an explicit Deny wins, otherwise an
 * Allow that matches the action, the resource and every condition allows, otherwise the request is
 * implicitly denied. Actions match case-insensitively, resources case-sensitively, both with the `*`
 * (any run of characters) and `?` (one character) wildcards.
 */

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  /** ARNs or ARN patterns; in the snapshot, `{placeholder}`s stand for codetrail's own resources. */
  resources: string[];
  /** Condition operator -> condition key -> values, as in a policy document. */
  conditions?: Record<string, Record<string, string[]>>;
}

export interface RolePolicy {
  statements: PolicyStatement[];
}

/** The snapshot shared/iam/role-policies.json holds: each role codetrail deploys, by name (`stage:intake`). */
export interface RolePolicies {
  roles: Record<string, RolePolicy>;
}

/** One authorization AWS makes for a call: an action on a resource, with the request's condition keys. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Condition keys the request carries (`s3:ExistingObjectTag/codetrail`, `dynamodb:LeadingKeys`). */
  context?: Record<string, string[]>;
}

export type Decision = 'allowed' | 'implicitly-denied' | 'explicitly-denied';

/** Whether `pattern`, with IAM's `*` and `?` wildcards, matches the whole of `value`. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative glob match with backtracking to the last `*`: linear in practice, no regex to escape.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    // A `*` in the pattern is always a wildcard, even where the value holds a `*` too.
    if (p[pi] === '*') {
      star = pi++;
      resume = vi;
    } else if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else return false;
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** The decision IAM makes for `request` under `policy`. */
export function evaluate(policy: RolePolicy, request: AuthorizationRequest): Decision {
  let allowed = false;
  for (const s of policy.statements) {
    if (!applies(s, request)) continue;
    if (s.effect === 'Deny') return 'explicitly-denied';
    allowed = true;
  }
  return allowed ? 'allowed' : 'implicitly-denied';
}

function applies(s: PolicyStatement, request: AuthorizationRequest): boolean {
  return (
    s.actions.some((a) => wildcardMatch(a, request.action, true)) &&
    s.resources.some((r) => wildcardMatch(r, request.resource)) &&
    Object.entries(s.conditions ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) =>
        conditionHolds(operator, values, contextValue(request, key)),
      ),
    )
  );
}

/** A condition key's values in the request: IAM compares key names without regard to case. */
function contextValue(request: AuthorizationRequest, key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(request.context ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * The condition operators codetrail's policies use. Any other throws: a policy the local runtime cannot
 * evaluate must not be enforced as if it allowed (or refused) everything.
 */
function conditionHolds(operator: string, expected: string[], actual: string[] | undefined): boolean {
  const equals = (a: string) => expected.includes(a);
  const like = (a: string) => expected.some((e) => wildcardMatch(e, a));
  switch (operator) {
    // A single-valued key: it must be present and match one of the values.
    case 'StringEquals':
      return actual !== undefined && actual.length === 1 && equals(actual[0] as string);
    case 'StringLike':
      return actual !== undefined && actual.length === 1 && like(actual[0] as string);
    // Null: 'true' holds when the request does not carry the key, 'false' when it does.
    case 'Null':
      return expected.includes(actual === undefined ? 'true' : 'false');
    // ...IfExists: holds when the request does not carry the key at all.
    case 'StringEqualsIfExists':
      return actual === undefined || (actual.length === 1 && equals(actual[0] as string));
    // A multivalued key: every value it carries must match (and, as in IAM, an absent key matches).
    case 'ForAllValues:StringEquals':
      return (actual ?? []).every(equals);
    case 'ForAllValues:StringLike':
      return (actual ?? []).every(like);
    default:
      throw new Error(`the local IAM check cannot evaluate the condition operator ${operator}`);
  }
}

/** Replaces each `{placeholder}` in a policy with the ARN it stands for; an unknown one throws. */
export function resolvePlaceholders(policy: RolePolicy, arnOf: (placeholder: string) => string | undefined) {
  const resolve = (text: string) =>
    text.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const arn = arnOf(name);
      if (arn === undefined) throw new Error(`no local resource for {${name}} in a role policy`);
      return arn;
    });
  return {
    statements: policy.statements.map((s) => ({
      ...s,
      resources: s.resources.map(resolve),
      ...(s.conditions
        ? {
            conditions: Object.fromEntries(
              Object.entries(s.conditions).map(([op, keys]) => [
                op,
                Object.fromEntries(Object.entries(keys).map(([k, vs]) => [k, vs.map(resolve)])),
              ]),
            ),
          }
        : {}),
    })),
  } satisfies RolePolicy;
}
