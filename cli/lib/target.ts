import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClients, awsClients } from '#shared/aws/clients.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import { type Resources, resourcesFromEnv } from '#shared/aws/resources.ts';
import {
  AGENCY_ID,
  AGENCY_PLACEHOLDER,
  BUCKETS,
  ENV,
  OUTPUT,
  type QueueName,
  queues,
} from '#shared/topology.ts';
import { installLocalConditionalWrites } from '../local/conditional-writes.ts';
import { applyEmulatorEnv } from '../local/emulators.ts';
import { LocalIam } from '../local/iam-enforcement.ts';
import { localArnScope, localArns, localRolePolicies } from '../local/local-role-policies.ts';
import { followLocalObjectTags, refuseLocalTagging } from '../local/object-tags.ts';
import { installLocalSenderIds } from '../local/sender-ids.ts';

/** What `codetrail start --serve` leaves in .codetrail/serve.json for the other commands. */
export interface ServeState {
  pid: number;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  env: Record<string, string>;
  /** The dead-letter queues, by the queue they serve: the role policies name them. */
  dlqUrls: Partial<Record<QueueName, string>>;
  /** Where the stack keeps its S3 object tags (the embedded S3 has none), for the commands' local IAM. */
  objectTagLog: string;
  /** The agencies of its config. */
  agencies: string[];
  keyFile: string;
  startedAt: string;
}

export interface Target {
  clients: AwsClients;
  resources: Resources;
  ports: Ports;
  /** Who is acting, for the audit trail: the IAM principal in AWS, the local user locally. */
  actor: string;
  /** The agencies the stack serves (its `Agencies` output; the local stack's config): the review board's partitions. */
  agencies: readonly string[];
  description: string;
}

export const STATE_DIR = '.codetrail';

/** Who acts on a local stack, for the audit trail: the machine's user (no IAM principal locally). */
export function localActor(): string {
  return `local:${userInfo().username}`;
}

/** The stack's resources, from the CloudFormation outputs infra writes (see OUTPUT in the topology). */
async function stackResources(stackName: string): Promise<{ resources: Resources; agencies: string[] }> {
  const cfn = new CloudFormationClient({});
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map(
    (out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  const need = (key: string) => {
    const v = outputs.get(key);
    if (!v) throw new Error(`stack ${stackName} has no output ${key}; is it a codetrail stack?`);
    return v;
  };
  const resources: Resources = {
    table: need(OUTPUT.table),
    // Checked below with the rest of the layout: a stack from before the audit table has none.
    auditTable: outputs.get(OUTPUT.auditTable) ?? '',
    buckets: Object.fromEntries(BUCKETS.map((b) => [b, need(OUTPUT.bucket(b))])) as Resources['buckets'],
    queueUrls: Object.fromEntries(
      queues().flatMap((q) => {
        const url = outputs.get(OUTPUT.queue(q.name));
        return url ? [[q.name, url]] : [];
      }),
    ),
  };
  olderLayout(
    resources,
    `stack ${stackName} was deployed by an older codetrail: deploy a fresh stack with this one (its keys and queues are laid out per agency)`,
  );
  const mac = outputs.get(OUTPUT.macKey);
  if (mac) resources.macKeyId = mac;
  const signing = outputs.get(OUTPUT.signingKey);
  if (signing) resources.signingKeyId = signing;
  // A stack deployed before the review board has no Agencies output: its commands name the agency.
  return { resources, agencies: outputs.get(OUTPUT.agencies)?.split(',').filter(Boolean) ?? [] };
}

/**
 * Where a command acts: a deployed stack (`--stack NAME`, the usual AWS credentials and region) or the
 * local stack `codetrail start --serve` keeps up. The commands work alike against both.
 */
export async function resolveTarget(opts: { stack?: string; stateDir?: string }): Promise<Target> {
  if (opts.stack) {
    const { resources, agencies } = await stackResources(opts.stack);
    const clients = awsClients();
    const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    return {
      clients,
      resources,
      ports: buildPorts(clients, resources),
      actor: who.Arn ?? 'unknown-principal',
      description: `stack ${opts.stack}`,
      agencies,
    };
  }
  const statePath = join(opts.stateDir ?? STATE_DIR, 'serve.json');
  if (!existsSync(statePath)) {
    throw new Error(
      'no local stack is running: start one with `codetrail start --serve`, or name a deployed one with --stack',
    );
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as ServeState;
  if (!state.dlqUrls || !state.objectTagLog || !state.agencies)
    throw new Error(
      'the local stack was started by an older codetrail: stop it (Ctrl-C) and run `codetrail start --serve` again',
    );
  // Audit events have a table of their own since issue 14: a stack started before has none.
  if (!state.env[ENV.auditTable])
    throw new Error(
      'the local stack was started by an older codetrail: stop it (Ctrl-C), remove .codetrail/ and run `codetrail start --serve` again',
    );
  const resources = resourcesFromEnv({ ...state.env });
  olderLayout(
    resources,
    'the local stack was started by an older codetrail: stop it (Ctrl-C), remove .codetrail/ and run `codetrail start --serve` again',
  );
  applyEmulatorEnv(state.endpoints);
  const clients = awsClients();
  // The commands that act as a person's role are checked against it here as in AWS, with the tags the
  // stack's stages set (the stack keeps them in a file: the embedded S3 has no tagging).
  const scope = localArnScope();
  new LocalIam(localRolePolicies(localArns(resources, state.dlqUrls, scope)), scope, {
    objectTags: followLocalObjectTags(state.objectTagLog),
  }).install(clients);
  refuseLocalTagging(clients);
  installLocalConditionalWrites(clients);
  installLocalSenderIds(clients);
  return {
    clients,
    resources,
    ports: buildPorts(clients, resources),
    actor: localActor(),
    description: `local stack (pid ${state.pid})`,
    agencies: state.agencies,
  };
}

/**
 * The one agency a command acts for: the one named (`--agency`), else the stack's only agency. Keys,
 * queues and a person's role are an agency's own, so a command never guesses among several.
 */
export function agencyOf(
  target: Pick<Target, 'agencies' | 'description'>,
  agency: string | undefined,
  /** Where the agency came from, for the error: the option, a file, a chartKey. */
  from = '--agency',
): string {
  if (agency !== undefined) {
    // The value is not echoed: a mistyped argument can be anything.
    if (!AGENCY_ID.test(agency)) throw new Error(`${from}: not an agency id (lower-case letters, digits, -)`);
    if (target.agencies.length > 0 && !target.agencies.includes(agency))
      throw new Error(`${from}: ${target.description} serves ${target.agencies.join(', ')}`);
    return agency;
  }
  const [only, ...more] = target.agencies;
  if (only && more.length === 0) return only;
  throw new Error(
    target.agencies.length > 0
      ? `name the agency with --agency: ${target.description} serves ${target.agencies.join(', ')}`
      : `name the agency with --agency: ${target.description} does not list its agencies`,
  );
}

/**
 * The agency an argument names (a chartKey, an audit subject), which `--agency`, if given, must agree
 * with; an argument that names none leaves it to `agencyOf`. `what` names the argument in errors.
 */
export function agencyNamedBy(
  target: Pick<Target, 'agencies' | 'description'>,
  option: string | undefined,
  named: string | undefined,
  what: string,
): string {
  if (named === undefined) return agencyOf(target, option);
  if (option !== undefined && option !== named) throw new Error(`--agency: ${what} is ${named}'s`);
  return agencyOf(target, named, `${what}'s agency`);
}

/**
 * Refuses resources from before each agency had its own human queues (a human kind's URL is a template
 * now): their keys are laid out another way too, so nothing of them would be found. No release was made
 * of that layout, so there is nothing to migrate: such a stack is started (or deployed) afresh.
 */
function olderLayout(resources: Resources, what: string): void {
  const url = resources.queueUrls['qa-review'];
  if (url !== undefined && !url.includes(AGENCY_PLACEHOLDER)) throw new Error(what);
  // Audit events have a table and a chain of their own since issue 14.
  if (!resources.auditTable || queues().some((q) => !resources.queueUrls[q.name])) throw new Error(what);
}
