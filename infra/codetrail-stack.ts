import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Codetrail, type CodetrailProps } from './codetrail.ts';

export interface CodetrailStackProps extends StackProps, CodetrailProps {}

/**
 * The deployable stack: nothing but the `Codetrail` construct. One stack serves up to
 * MAX_AGENCIES_PER_STACK agencies (branches), each with its own queues and roles.
 */
export class CodetrailStack extends Stack {
  readonly codetrail: Codetrail;

  constructor(scope: Construct, id: string, props: CodetrailStackProps) {
    super(scope, id, {
      description: 'codetrail: governed medical coding pipeline for home health and hospice agencies',
      ...props,
    });
    this.codetrail = new Codetrail(this, 'Codetrail', props);
  }
}
