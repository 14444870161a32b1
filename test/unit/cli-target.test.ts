import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTarget } from '#cli/lib/target.ts';
import { BUCKETS, OUTPUT, queues } from '#shared/topology.ts';

// `--stack NAME`: the CLI finds a deployed stack's resources from the outputs infra writes. No AWS
// here, so CloudFormation and STS are mocked; the output names come from the same OUTPUT table.
const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);

afterEach(() => {
  cfn.reset();
  sts.reset();
});

function outputs(skip?: string) {
  const all = [
    { OutputKey: OUTPUT.table, OutputValue: 'codetrail-table' },
    { OutputKey: OUTPUT.auditTable, OutputValue: 'codetrail-audit-table' },
    { OutputKey: OUTPUT.signingKey, OutputValue: 'arn:aws:kms:us-east-1:111122223333:key/sig' },
    { OutputKey: OUTPUT.macKey, OutputValue: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
    { OutputKey: OUTPUT.agencies, OutputValue: 'north-branch,south-branch' },
    ...BUCKETS.map((b) => ({ OutputKey: OUTPUT.bucket(b), OutputValue: `bucket-${b}` })),
    ...queues().map((q) => ({
      OutputKey: OUTPUT.queue(q.name),
      // A human kind's queue is one per agency: its output is a URL template.
      OutputValue: `https://sqs/111122223333/${q.humanDrained ? `${q.name}_{agency}` : q.name}`,
    })),
  ];
  return all.filter((o) => o.OutputKey !== skip);
}

describe('resolveTarget --stack', () => {
  it('maps the stack outputs to resources and records the IAM principal as the actor', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Codetrail' }).resolves({
      Stacks: [
        {
          StackName: 'Codetrail',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs(),
        },
      ],
    });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/qa/reviewer-7' });
    const target = await resolveTarget({ stack: 'Codetrail' });
    expect(target.resources.table).toBe('codetrail-table');
    expect(target.resources.buckets.intake).toBe('bucket-intake');
    expect(target.resources.queueUrls['qa-review-senior']).toBe(
      'https://sqs/111122223333/qa-review-senior_{agency}',
    );
    expect(target.resources.macKeyId).toContain(':key/abc');
    expect(target.resources.auditTable).toBe('codetrail-audit-table');
    expect(target.resources.signingKeyId).toContain(':key/sig');
    expect(target.actor).toBe('arn:aws:sts::111122223333:assumed-role/qa/reviewer-7');
    // The review board's partitions, one per agency.
    expect(target.agencies).toEqual(['north-branch', 'south-branch']);
  });

  it('refuses a stack deployed before each agency had its own queues, saying what to do', async () => {
    const old = outputs().map((o) =>
      o.OutputKey === OUTPUT.queue('qa-review')
        ? { ...o, OutputValue: 'https://sqs/111122223333/qa-review' }
        : o,
    );
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Codetrail', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: old },
      ],
    });
    await expect(resolveTarget({ stack: 'Codetrail' })).rejects.toThrow(
      'stack Codetrail was deployed by an older codetrail: deploy a fresh stack with this one (its keys and queues are laid out per agency)',
    );
  });

  it('refuses a stack deployed before audit events had a table and a chain of their own', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Codetrail',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs(OUTPUT.auditTable),
        },
      ],
    });
    await expect(resolveTarget({ stack: 'Codetrail' })).rejects.toThrow(/deployed by an older codetrail/);
  });

  it('says which output is missing when the stack is not a codetrail stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs(OUTPUT.bucket('audit')),
        },
      ],
    });
    await expect(resolveTarget({ stack: 'Other' })).rejects.toThrow(
      `has no output ${OUTPUT.bucket('audit')}`,
    );
  });
});
