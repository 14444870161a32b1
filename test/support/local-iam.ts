import { LocalIam } from '#cli/local/iam-enforcement.ts';
import { localArns, localRolePolicies, placeholderForm } from '#cli/local/local-role-policies.ts';
import { awsClients, resetAwsClients } from '#shared/aws/clients.ts';
import type { Resources } from '#shared/aws/resources.ts';
import { AGENCY_PLACEHOLDER, agencyQueueUrl, type QueueName, queues } from '#shared/topology.ts';

/**
 * The deployed role policies (shared/iam/role-policies.json) resolved to local ARNs, enforced by the
 * local IAM on real SDK clients that answer every call it lets through (no emulator needed).
 */
export const IAM_SCOPE = { region: 'us-east-1', account: '000000000000' };
const url = (name: string) => `http://127.0.0.1:1/000000000000/${name}`;
export const IAM_RESOURCES = {
  table: 't',
  auditTable: 'at',
  buckets: { intake: 'in', denials: 'den', artifacts: 'art', audit: 'aud' },
  // A human kind's queue is one per agency: its URL a template, as the stack's outputs give it.
  queueUrls: Object.fromEntries(
    queues().map((q) => [q.name, url(q.humanDrained ? `${q.name}_${AGENCY_PLACEHOLDER}` : q.name)]),
  ),
} as unknown as Resources;
export const IAM_ARNS = localArns(
  IAM_RESOURCES,
  Object.fromEntries(
    queues().map((q) => [
      q.name,
      url(q.humanDrained ? `${q.name}-dlq_${AGENCY_PLACEHOLDER}` : `${q.name}-dlq`),
    ]),
  ),
  IAM_SCOPE,
);

/** The URL of a queue: a Lambda queue's, or one agency's queue of a human kind. */
export function iamQueueUrl(name: QueueName, agency?: string): string {
  const configured = IAM_RESOURCES.queueUrls[name] ?? '';
  return agency ? agencyQueueUrl(configured, agency) : configured;
}

/**
 * Clients that answer every call that passes the check with an empty result, so these tests need no
 * emulator: a middleware at the build step stands in for the network.
 */
export function answeringClients() {
  resetAwsClients();
  const clients = awsClients();
  for (const client of [clients.dynamo, clients.s3, clients.sqs, clients.kms])
    (client.middlewareStack as { add: (mw: unknown, o: unknown) => void }).add(
      () => async () => ({ output: { $metadata: {} }, response: {} }),
      { step: 'build', name: 'test-answer' },
    );
  return clients;
}

/** Answering clients under the deployed policies, as the local IAM enforces them. */
export function enforcedClients(
  objectTags?: (bucket: unknown, key: unknown) => Readonly<Record<string, string>> | undefined,
) {
  const clients = answeringClients();
  const iam = new LocalIam(localRolePolicies(IAM_ARNS), IAM_SCOPE, {
    recordAll: true,
    recordAs: (r) => placeholderForm(r, IAM_ARNS),
    ...(objectTags ? { objectTags } : {}),
  });
  iam.install(clients);
  return { clients, iam };
}
