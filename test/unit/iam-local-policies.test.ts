import { describe, expect, it } from 'vitest';
import {
  localArnScope,
  localArns,
  localRolePolicies,
  placeholderForm,
} from '#cli/local/local-role-policies.ts';
import { deployedRolePolicies } from '#shared/iam/deployed-role-policies.ts';
import { evaluate } from '#shared/iam/role-policy.ts';
import { STAGES } from '#shared/topology.ts';

const scope = { region: 'us-east-1', account: '000000000000' };
const resources = {
  table: 'ct-table',
  buckets: { intake: 'ct-intake', denials: 'ct-denials', artifacts: 'ct-artifacts', audit: 'ct-audit' },
  queueUrls: Object.fromEntries(
    [...STAGES.map((s) => s.queue), 'qa-review', 'qa-review-senior', 'coded-batches'].map((q) => [
      q,
      `http://127.0.0.1:9/000000000000/ct-${q}`,
    ]),
  ),
};
const dlqUrls = { billing: 'http://127.0.0.1:9/000000000000/ct-billing-dlq' };
const arns = localArns(resources, dlqUrls, scope);

describe('the local ARNs of the snapshot placeholders', () => {
  it('names each local resource by the ARN AWS would give it', () => {
    expect(arns.get('table')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/ct-table');
    expect(arns.get('bucket:artifacts')).toBe('arn:aws:s3:::ct-artifacts');
    expect(arns.get('queue:billing')).toBe('arn:aws:sqs:us-east-1:000000000000:ct-billing');
    expect(arns.get('dlq:billing')).toBe('arn:aws:sqs:us-east-1:000000000000:ct-billing-dlq');
    expect(arns.get('key:mac')).toBe('arn:aws:kms:us-east-1:000000000000:key/local-mac');
    expect(arns.get('logs:intake')).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/codetrail/intake');
    expect(arns.get('region')).toBe('us-east-1');
  });

  it('takes the region from the environment, us-east-1 when unset', () => {
    expect(localArnScope({ AWS_REGION: 'eu-west-2' })).toEqual({
      region: 'eu-west-2',
      account: '000000000000',
    });
    expect(localArnScope({})).toEqual(scope);
  });

  it('resolves the deployed policies so a stage may do locally exactly what it may do in AWS', () => {
    const local = localRolePolicies(arns, deployedRolePolicies());
    const billing = local['stage:billing-handoff'];
    if (!billing) throw new Error('no billing policy');
    const allowed = (action: string, resource: string) => evaluate(billing, { action, resource });
    expect(allowed('s3:GetObject', 'arn:aws:s3:::ct-artifacts/charts/a1/k/v1-x.json')).toBe('allowed');
    expect(allowed('s3:PutObject', 'arn:aws:s3:::ct-artifacts/batches/a1/b.json')).toBe('allowed');
    expect(allowed('s3:PutObject', 'arn:aws:s3:::ct-artifacts/charts/a1/k/v2.json')).toBe(
      'implicitly-denied',
    );
    expect(allowed('sqs:SendMessage', arns.get('queue:coded-batches') ?? '')).toBe('allowed');
    expect(allowed('sqs:SendMessage', arns.get('queue:billing') ?? '')).toBe('implicitly-denied');
  });
});

describe('placeholderForm', () => {
  it('writes a local ARN as the placeholder it came from, object keys cut after their first segment', () => {
    expect(placeholderForm('arn:aws:s3:::ct-intake/exports/a1/Smith_John_DOB.json', arns)).toBe(
      '{bucket:intake}/exports/…',
    );
    expect(placeholderForm('arn:aws:s3:::ct-intake', arns)).toBe('{bucket:intake}');
    expect(placeholderForm('arn:aws:s3:::ct-intake/Smith_John.json', arns)).toBe('{bucket:intake}/…');
    expect(placeholderForm('arn:aws:s3:::ct-intake/exports/', arns)).toBe('{bucket:intake}/exports/');
    expect(placeholderForm('arn:aws:sqs:us-east-1:000000000000:ct-billing-dlq', arns)).toBe('{dlq:billing}');
    expect(placeholderForm('arn:aws:sqs:us-east-1:000000000000:ct-billing', arns)).toBe('{queue:billing}');
    expect(placeholderForm('arn:aws:dynamodb:us-east-1:000000000000:table/ct-table/index/gsi1', arns)).toBe(
      '{table}/index/gsi1',
    );
  });

  it('leaves what is not a local resource as it is, and never matches a bare region', () => {
    expect(placeholderForm('arn:aws:s3:::other/x', arns)).toBe('arn:aws:s3:::other/x');
    expect(placeholderForm('us-east-1', arns)).toBe('us-east-1');
  });
});
