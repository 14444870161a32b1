import { JOBS, STAGES } from '#shared/topology.ts';
import { type AuthorizationRequest, evaluate, type RolePolicies, wildcardMatch } from './role-policy.ts';

/**
 * Which grants of the deployed roles the recorded calls used: every grant is either exercised by a
 * call or made for AWS to use on the role's behalf (with the reason), and nothing else may stay.
 * Pure: calls and policies in the snapshot's placeholder form (`{bucket:artifacts}/charts/…`).
 */

/** One action on one resource pattern, as one statement of a role's policy grants it. */
export interface Grant {
  role: string;
  action: string;
  resource: string;
  /** The statement lets only AWS services use it for the role (a `kms:ViaService` condition). */
  viaService?: boolean;
}

export interface RecordedCall extends AuthorizationRequest {
  role: string;
}

/** Every action x resource pair each role's Allow statements grant. */
export function grantsOf(policies: RolePolicies): Grant[] {
  return Object.entries(policies.roles).flatMap(([role, policy]) =>
    policy.statements
      .filter((s) => s.effect === 'Allow')
      .flatMap((s) => {
        const viaService = s.conditions?.StringEquals?.['kms:ViaService'] !== undefined;
        return s.actions.flatMap((action) =>
          s.resources.map((resource) => ({ role, action, resource, ...(viaService ? { viaService } : {}) })),
        );
      }),
  );
}

/**
 * Why no local call can exercise a grant, or undefined. AWS calls some for the role (KMS behind S3, SQS
 * and DynamoDB encryption, CloudWatch Logs, X-Ray, the event source mapping's queue attributes); the
 * infra tests assert those on the synthesized template instead. Two have no local counterpart. Each is
 * excused only where the role's topology says it is needed, so a grant given beyond that still fails.
 */
export function onBehalfReason(grant: Grant): string | undefined {
  // A person's role: its KMS grants are only for the services it calls (S3, SQS, DynamoDB encrypt and
  // decrypt for it), and its MAC is a file locally. Every other grant must be used by a call.
  if (grant.role.startsWith('person:')) {
    if (grant.viaService && grant.action.startsWith('kms:'))
      return 'S3, SQS and DynamoDB call KMS for the person (kms:ViaService) to encrypt and decrypt what it touches';
    if (grant.action === 'kms:GenerateMac' && grant.resource === '{key:mac}')
      return 'the local MAC key is a file, so no KMS call is made locally';
    if (grant.action === 'kms:GetPublicKey' && grant.resource === '{key:signing}')
      return 'the local signing key is a file, so no KMS call is made locally';
    return undefined;
  }
  const stage = STAGES.find((s) => `stage:${s.name}` === grant.role);
  // A scheduled job: no queue of its own (nothing received), no S3.
  const job = JOBS.find((j) => `stage:${j.name}` === grant.role);
  const fn = stage ?? job;
  if (!fn) return undefined;
  if (grant.action.startsWith('logs:') && grant.resource === `{logs:${fn.name}}`)
    return 'the Lambda service writes the function log group';
  if (grant.action.startsWith('xray:') && grant.resource === '*')
    return 'the Lambda service sends active-tracing segments';
  const dataKey = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
  // The keys of the tables and buckets: DynamoDB and S3 use them for the role (its grants say through which).
  if (
    ['{key:data}', '{key:intake}', '{key:audit}'].includes(grant.resource) &&
    dataKey.includes(grant.action)
  )
    return 'DynamoDB and S3 call KMS for the role to encrypt and decrypt at rest';
  const queueKey = [
    ...(stage ? ['kms:Decrypt'] : []),
    ...(fn.sendsTo.length > 0 ? ['kms:GenerateDataKey'] : []),
  ];
  if (grant.resource === '{key:queue}' && queueKey.includes(grant.action))
    return 'SQS calls KMS for the role to decrypt what it receives and encrypt what it sends';
  if (
    ['kms:Sign', 'kms:GetPublicKey'].includes(grant.action) &&
    grant.resource === '{key:signing}' &&
    job?.signs
  )
    return 'the local signing key is a file, so no KMS call is made locally';
  if (!stage) return undefined;
  if (grant.action === 'sqs:GetQueueAttributes' && grant.resource === `{queue:${stage.queue}}`)
    return "the Lambda event source mapping reads its queue's attributes";
  const versioned = stage.reads
    .filter((r) => r.byVersion)
    .flatMap((r) => r.prefixes.map((p) => `{bucket:${r.bucket}}/${p}*`));
  if (grant.action === 's3:GetObjectVersion' && versioned.includes(grant.resource))
    return 'S3 events of the versioned buckets name the version read; the local S3 keeps no versions';
  if (grant.action === 'kms:GenerateMac' && grant.resource === '{key:mac}' && stage.macs)
    return 'the local MAC key is a file, so no KMS call is made locally';
  if (grant.action === 'kms:GenerateMac' && grant.resource === '{key:sampling}' && stage.samples)
    return 'the local sampling key is a file, so no KMS call is made locally';
  return undefined;
}

/** Whether a call falls under a grant: the call's action matches the grant's and so does its resource. */
export function usedBy(grant: Grant, call: RecordedCall): boolean {
  return (
    call.role === grant.role &&
    wildcardMatch(grant.action, call.action, true) &&
    wildcardMatch(grant.resource, call.resource)
  );
}

/** The grants no recorded call used and AWS does not use on the role's behalf. */
export function unusedGrants(policies: RolePolicies, calls: readonly RecordedCall[]): Grant[] {
  return grantsOf(policies).filter((g) => !onBehalfReason(g) && !calls.some((c) => usedBy(g, c)));
}

/** The recorded calls a role's policy refuses. */
export function refusedCalls(policies: RolePolicies, calls: readonly RecordedCall[]): RecordedCall[] {
  return calls.filter((c) => {
    const policy = policies.roles[c.role];
    return !policy || evaluate(policy, c) !== 'allowed';
  });
}

/**
 * The policies with one grant taken away: its action dropped from every Allow statement of its role
 * that grants it on its resource (the statement split so its other actions and resources stay).
 */
export function withoutGrant(policies: RolePolicies, grant: Grant): RolePolicies {
  const roles = { ...policies.roles };
  const policy = roles[grant.role];
  if (!policy) return policies;
  roles[grant.role] = {
    statements: policy.statements.flatMap((s) => {
      if (s.effect !== 'Allow' || !s.actions.includes(grant.action) || !s.resources.includes(grant.resource))
        return [s];
      const otherActions = s.actions.filter((a) => a !== grant.action);
      const otherResources = s.resources.filter((r) => r !== grant.resource);
      return [
        ...(otherActions.length ? [{ ...s, actions: otherActions }] : []),
        ...(otherResources.length ? [{ ...s, actions: [grant.action], resources: otherResources }] : []),
      ];
    }),
  };
  return { roles };
}

/** Distinct calls (role, action, resource), in first-seen order. */
export function distinctCalls(calls: readonly RecordedCall[]): RecordedCall[] {
  const seen = new Map<string, RecordedCall>();
  for (const c of calls) {
    const key = JSON.stringify([c.role, c.action, c.resource, c.context ?? {}]);
    if (!seen.has(key))
      seen.set(key, {
        role: c.role,
        action: c.action,
        resource: c.resource,
        ...(c.context ? { context: c.context } : {}),
      });
  }
  return [...seen.values()];
}
