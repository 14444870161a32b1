import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { withAgencyPlaceholder } from '#shared/iam/agency-placeholder.ts';
import type { PolicyStatement, RolePolicies } from '#shared/iam/role-policy.ts';
import { Config } from '#shared/model/config.ts';
import { JOBS, KEY_NAMES, PERSON_ROLES, queues, STAGES } from '#shared/topology.ts';
import { type Codetrail, PROJECT_ROOT } from './codetrail.ts';
import { CodetrailStack } from './codetrail-stack.ts';
import { logicalIdOf } from './names.ts';

/**
 * The IAM policies of the roles the `Codetrail` construct synthesizes, as data the local runtime can
 * enforce without importing the CDK: every statement with its actions, and its resources written over
 * placeholders (`{table}`, `{bucket:artifacts}/*`, `{queue:billing}`) that stand for the ARN of the
 * codetrail resource they name. `npm run docs` writes it to shared/iam/role-policies.json; an infra test
 * fails when the committed file differs from a fresh synth, so the local policies are the deployed ones.
 */
export function rolePolicies(codetrail: Codetrail): RolePolicies {
  const stack = Stack.of(codetrail);
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const placeholders = placeholderNames(codetrail);
  const roles: RolePolicies['roles'] = {};
  // Stages and scheduled jobs alike act as `stage:<name>`, the actor their audit events name.
  const functions = [
    ...STAGES.map((s) => ({ name: s.name, role: codetrail.stages[s.name].role })),
    ...JOBS.map((j) => ({ name: j.name, role: codetrail.jobs[j.name].role })),
  ];
  const statementsOf = (role: IConstruct) => {
    const roleId = logicalIdOf(role);
    return Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => (r.Properties.Roles as { Ref?: string }[]).some((ref) => ref.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: RawStatement[] }).Statement)
      .map((s) => statementOf(s, placeholders));
  };
  for (const { name, role } of functions) roles[`stage:${name}`] = { statements: statementsOf(role) };
  // The people's roles, each deployed once per agency and alike but for the agency: kept once, with
  // `{agency}` for it (the local runtime acts as `person:qa-reviewer@<agency>`).
  const [agency, agencyRoles] = Object.entries(codetrail.personRoles.byAgency)[0] ?? [];
  if (!agency || !agencyRoles) throw new Error('the stack serves no agency');
  const kinds: [string, IConstruct][] = [
    [PERSON_ROLES.emrWriter, agencyRoles.emrWriter],
    [PERSON_ROLES.qaReviewer, agencyRoles.qaReviewer],
    [PERSON_ROLES.qaSenior, agencyRoles.qaSenior],
    [PERSON_ROLES.compliance, agencyRoles.compliance],
    [PERSON_ROLES.coder, agencyRoles.coder],
    [PERSON_ROLES.billing, agencyRoles.billing],
  ];
  for (const [name, role] of kinds)
    roles[name] = {
      statements: JSON.parse(withAgencyPlaceholder(JSON.stringify(statementsOf(role)), agency)),
    };
  return { roles };
}

/**
 * The role policies of the stack `cdk synth` builds with the default configuration (the policies do not
 * depend on it), synthesized without bundling the handlers. What `npm run docs` writes.
 */
export function synthesizedRolePolicies(projectRoot: string = PROJECT_ROOT): RolePolicies {
  const cdkContext = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')).context;
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CodetrailStack(app, 'Codetrail', { config: Config.parse({ trial: true }) });
  return rolePolicies(stack.codetrail);
}

/** The snapshot file's text: valid JSON with one statement per line, so a diff shows the grant that changed. */
export function rolePoliciesText(policies: RolePolicies): string {
  const roles = Object.entries(policies.roles).map(
    ([name, policy]) =>
      `    ${JSON.stringify(name)}: {\n      "statements": [\n${policy.statements
        .map((s) => `        ${JSON.stringify(s)}`)
        .join(',\n')}\n      ]\n    }`,
  );
  return `{\n  "roles": {\n${roles.join(',\n')}\n  }\n}\n`;
}

export interface RawStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** One CloudFormation statement as data, its references as placeholders (exported for its tests). */
export function statementOf(raw: RawStatement, placeholders: ReadonlyMap<string, string>): PolicyStatement {
  // NotAction and NotResource invert a statement: the local evaluator does not model them.
  for (const inverted of ['NotAction', 'NotResource', 'NotPrincipal'])
    if (inverted in raw)
      throw new Error(`a stage role policy uses ${inverted}, which the local IAM check cannot evaluate`);
  const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
  const statement: PolicyStatement = {
    effect: raw.Effect,
    actions: list(raw.Action),
    resources: list(raw.Resource).map((r) => resourceText(r, placeholders)),
  };
  if (raw.Condition) {
    const conditions: NonNullable<PolicyStatement['conditions']> = {};
    for (const [operator, keys] of Object.entries(raw.Condition)) {
      conditions[operator] = Object.fromEntries(
        Object.entries(keys).map(([key, value]) => [
          key,
          list(value).map((v) => resourceText(v, placeholders)),
        ]),
      );
    }
    statement.conditions = conditions;
  }
  return statement;
}

/** A CloudFormation value of a policy (a string, GetAtt Arn, Ref of a pseudo parameter, Join) as text. */
function resourceText(value: unknown, placeholders: ReadonlyMap<string, string>): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::GetAtt']) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    const name = placeholders.get(id);
    if (attribute === 'Arn' && name) return `{${name}}`;
  }
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::Region') return '{region}';
  if (v.Ref === 'AWS::AccountId') return '{account}';
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resourceText(p, placeholders)).join(separator);
  }
  // A new kind of reference in a stage policy must be named here, or the local runtime could not enforce it.
  throw new Error(`a role policy refers to ${JSON.stringify(value)}, which has no placeholder`);
}

/** The placeholder each resource a stage policy may name goes by, keyed by its logical id. */
function placeholderNames(c: Codetrail): Map<string, string> {
  const names = new Map<string, string>();
  const add = (construct: IConstruct, name: string) => names.set(logicalIdOf(construct), name);
  add(c.table, 'table');
  add(c.auditTable, 'auditTable');
  for (const [name, bucket] of Object.entries(c.buckets)) add(bucket, `bucket:${name}`);
  // Every agency's queue of a human kind goes by the kind's placeholder: its local ARN holds `{agency}`.
  for (const { name } of queues())
    for (const queue of c.queues.all(name)) {
      add(queue.queue, `queue:${name}`);
      add(queue.deadLetterQueue, `dlq:${name}`);
    }
  for (const name of KEY_NAMES) add(c.keys[name], `key:${name}`);
  for (const [name, stage] of Object.entries(c.stages)) add(stage.logGroup, `logs:${name}`);
  for (const [name, job] of Object.entries(c.jobs)) add(job.logGroup, `logs:${name}`);
  return names;
}
