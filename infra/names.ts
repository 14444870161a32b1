import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// Output names and the PascalCase helper live in the topology, so the CLI reads what infra writes.
export { OUTPUT, pascal } from '#shared/topology.ts';

/** The logical id of a construct's CloudFormation resource (its default child, or itself), as templates and cdk-nag print it. */
export function logicalIdOf(construct: IConstruct): string {
  const cfn = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(cfn instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}
