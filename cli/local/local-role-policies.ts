import type { Resources } from '#shared/aws/resources.ts';
import { deployedRolePolicies } from '#shared/iam/deployed-role-policies.ts';
import { type ArnScope, queueArn } from '#shared/iam/requests-of-call.ts';
import { type RolePolicies, type RolePolicy, resolvePlaceholders } from '#shared/iam/role-policy.ts';
import { AGENCY_ID, AGENCY_PLACEHOLDER, JOBS, KEY_NAMES, type QueueName, STAGES } from '#shared/topology.ts';

/** The ARNs locally: the emulators' account, the SDK's region. */
export function localArnScope(env: NodeJS.ProcessEnv = process.env): ArnScope {
  return { region: env.AWS_REGION ?? 'us-east-1', account: '000000000000' };
}

/**
 * The local ARN each placeholder of the snapshot stands for. Keys and log groups get ARNs of their own
 * kind, though nothing calls them locally (the MAC key is a file here; AWS calls KMS and CloudWatch Logs
 * on a role's behalf): an infra test proves those grants instead.
 */
export function localArns(
  resources: Resources,
  dlqUrls: Partial<Record<QueueName, string>>,
  scope: ArnScope,
): Map<string, string> {
  const arns = new Map<string, string>([
    ['table', `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resources.table}`],
    ['auditTable', `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${resources.auditTable}`],
    ['region', scope.region],
    ['account', scope.account],
  ]);
  for (const [name, bucket] of Object.entries(resources.buckets))
    arns.set(`bucket:${name}`, `arn:aws:s3:::${bucket}`);
  for (const [name, url] of Object.entries(resources.queueUrls))
    if (url) arns.set(`queue:${name}`, queueArn(scope, url));
  for (const [name, url] of Object.entries(dlqUrls)) if (url) arns.set(`dlq:${name}`, queueArn(scope, url));
  for (const name of KEY_NAMES)
    arns.set(`key:${name}`, `arn:aws:kms:${scope.region}:${scope.account}:key/local-${name}`);
  for (const { name } of [...STAGES, ...JOBS])
    arns.set(`logs:${name}`, `arn:aws:logs:${scope.region}:${scope.account}:log-group:/codetrail/${name}`);
  return arns;
}

/** Every role's policy with its placeholders resolved to local ARNs. */
export function localRolePolicies(
  arns: ReadonlyMap<string, string>,
  policies: RolePolicies = deployedRolePolicies(),
): Record<string, RolePolicy> {
  return Object.fromEntries(
    Object.entries(policies.roles).map(([role, policy]) => {
      // `{agency}` stays in a person's role, deployed once per agency: the role of one agency resolves it
      // (LocalIam.policyOf). A human queue's ARN holds it too (`…-qa-review_{agency}`).
      const resolved = resolvePlaceholders(policy, (placeholder) =>
        placeholder === 'agency' ? AGENCY_PLACEHOLDER : arns.get(placeholder),
      );
      if (role.startsWith('person:')) return [role, resolved];
      // A stage's role names every agency's queue of a kind (the stack grants each configured agency's):
      // locally, any agency's.
      return [
        role,
        resolvePlaceholders(resolved, (placeholder) => (placeholder === 'agency' ? '*' : undefined)),
      ];
    }),
  );
}

/**
 * A local resource ARN as the snapshot writes it (`{bucket:artifacts}/charts/…`), so a call recorded
 * here can be replayed against the policies anywhere: codetrail's resource becomes its placeholder, and
 * an object key is cut after its first segment (codetrail's own prefixes; an EMR file name can carry PHI).
 */
export function placeholderForm(resource: string, arns: ReadonlyMap<string, string>): string {
  let best: [string, string] | undefined;
  for (const [name, arn] of arns) {
    // One agency's human queue is recorded as its kind's (`{queue:qa-review}`), whoever sent to it.
    if (arn.includes(AGENCY_PLACEHOLDER)) {
      const [head = '', tail = ''] = arn.split(AGENCY_PLACEHOLDER);
      const agency = resource.slice(head.length, resource.length - tail.length);
      if (
        resource.startsWith(head) &&
        resource.endsWith(tail) &&
        (agency === AGENCY_PLACEHOLDER || AGENCY_ID.test(agency))
      )
        return `{${name}}`;
      continue;
    }
    const fits = resource === arn || resource.startsWith(`${arn}/`);
    if (fits && arn.length > (best?.[1].length ?? 0) && !['region', 'account'].includes(name))
      best = [name, arn];
  }
  if (!best) return resource;
  const rest = resource.slice(best[1].length);
  // An object key keeps its first segment when it has more than one (`charts/…`), and an agency's role
  // its `{agency}` after it (`exports/{agency}/…`); nothing otherwise.
  const cut =
    best[0].startsWith('bucket:') && rest
      ? rest.replace(/^(\/[^/]*\/(?:\{agency\}\/)?).+$|^\/[^/]+$/, (_, kept) => `${kept ?? '/'}…`)
      : rest;
  return `{${best[0]}}${cut}`;
}
