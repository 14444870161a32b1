import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { Config, type ConfigInput } from '#shared/model/config.ts';
import { PROJECT_ROOT } from '../../infra/codetrail.ts';
import { CodetrailStack } from '../../infra/codetrail-stack.ts';
import { addNagPacks } from '../../infra/nag.ts';

/** The context `cdk synth` runs with (feature flags and defaults from cdk.json). */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/** That context without bundling (`aws:cdk:bundling-stacks: []` keeps the handlers unbundled). */
export const UNBUNDLED_CONTEXT: Record<string, unknown> = { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] };

export interface Built {
  app: App;
  stack: CodetrailStack;
  config: Config;
}

/**
 * A CodetrailStack as `cdk synth` builds it, minus bundling (`aws:cdk:bundling-stacks: []` keeps the
 * handlers unbundled; the template is otherwise identical). With `nag`, the packs are registered and
 * the assembly goes to a fresh temporary folder.
 */
export function build(input: ConfigInput = {}, opts: { nag?: boolean; acknowledge?: boolean } = {}): Built {
  // A trial stack, as npm start and the tests run, unless the test says `trial: false`.
  const config = Config.parse({ trial: true, ...input });
  const app = new App({
    context: UNBUNDLED_CONTEXT,
    ...(opts.nag ? { outdir: mkdtempSync(path.join(tmpdir(), 'codetrail-nag-')) } : {}),
  });
  const stack = new CodetrailStack(app, 'Codetrail', {
    config,
    acknowledgeNagFindings: opts.acknowledge ?? true,
  });
  if (opts.nag) addNagPacks(app);
  return { app, stack, config };
}

const templates = new Map<string, { template: Template; built: Built }>();

/** The template of a nag-free stack for this config (memoised: each config is synthesised once). */
export function template(input: ConfigInput = {}): { template: Template; built: Built } {
  const key = JSON.stringify(input);
  let entry = templates.get(key);
  if (!entry) {
    const built = build(input);
    entry = { template: Template.fromStack(built.stack), built };
    templates.set(key, entry);
  }
  return entry;
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalId(construct: IConstruct): string {
  const cfn = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(cfn instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}

export interface CfnJson {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, checked by the assertions
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export function resources(t: Template, type: string): Record<string, CfnJson> {
  return t.findResources(type) as Record<string, CfnJson>;
}

/** The template JSON of the resource behind `construct`. */
export function resourceOf(t: Template, construct: IConstruct): CfnJson {
  const id = logicalId(construct);
  const r = (t.toJSON().Resources as Record<string, CfnJson>)[id];
  if (!r) throw new Error(`no resource ${id} in the template`);
  return r;
}

export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
/** A configuration serving two agencies (branches): each gets its own queues and roles. */
export const TWO_AGENCIES = {
  agencies: [
    { id: 'north-branch', timeZone: 'America/Chicago' },
    { id: 'south-branch', timeZone: 'America/Chicago' },
  ],
};

export const arn = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

/** Every IAM statement of the policies attached to a role. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
export function statementsOfRole(t: Template, role: IConstruct): any[] {
  const roleRef = logicalId(role);
  return Object.values(resources(t, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

export function asArray<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}
