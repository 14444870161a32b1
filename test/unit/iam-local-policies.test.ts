import { describe, expect, it } from 'vitest';
import { LocalIam } from '#cli/local/iam-enforcement.ts';
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
  auditTable: 'ct-audit-table',
  buckets: { intake: 'ct-intake', denials: 'ct-denials', artifacts: 'ct-artifacts', audit: 'ct-audit' },
  queueUrls: Object.fromEntries(
    [
      ...STAGES.map((s) => [s.queue, s.queue]),
      // A human kind's queue is one per agency: its URL a template.
      ...['qa-review', 'qa-review-senior', 'coded-batches'].map((q) => [q, `${q}_{agency}`]),
    ].map(([q, name]) => [q, `http://127.0.0.1:9/000000000000/ct-${name}`]),
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
    // Any agency's coded-batches queue (the stack grants each configured agency's), no other kind's.
    const queue = (name: string) => `arn:aws:sqs:us-east-1:000000000000:ct-${name}`;
    expect(allowed('sqs:SendMessage', queue('coded-batches_a1'))).toBe('allowed');
    expect(allowed('sqs:SendMessage', queue('qa-review_a1'))).toBe('implicitly-denied');
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

  it("resolves a person's role to its own agency: its queue and prefixes, not another agency's", () => {
    const local = localRolePolicies(arns, deployedRolePolicies());
    const kind = local['person:billing'];
    if (!kind) throw new Error('no billing policy');
    const queue = (name: string) => `arn:aws:sqs:us-east-1:000000000000:ct-${name}`;
    // Unresolved (no agency named), the kind's policy reaches nothing of any agency.
    expect(evaluate(kind, { action: 'sqs:ReceiveMessage', resource: queue('coded-batches_a1') })).toBe(
      'implicitly-denied',
    );
    const mine = new LocalIam(local, scope).policyOf('person:billing@a1');
    if (!mine) throw new Error('no policy for agency a1');
    // A note is added once: the request carries If-None-Match, as the role requires.
    const may = (action: string, resource: string) =>
      evaluate(mine, { action, resource, context: { 's3:if-none-match': ['*'] } });
    expect(may('sqs:ReceiveMessage', queue('coded-batches_a1'))).toBe('allowed');
    expect(may('sqs:ReceiveMessage', queue('coded-batches_a2'))).toBe('implicitly-denied');
    expect(may('s3:PutObject', 'arn:aws:s3:::ct-artifacts/billing-notes/a1/b/n.json')).toBe('allowed');
    expect(may('s3:PutObject', 'arn:aws:s3:::ct-artifacts/billing-notes/a2/b/n.json')).toBe(
      'implicitly-denied',
    );
  });

  it("writes one agency's human queue as its kind's placeholder, whichever agency it is", () => {
    const queue = (name: string) => `arn:aws:sqs:us-east-1:000000000000:ct-${name}`;
    expect(placeholderForm(queue('qa-review_a1'), arns)).toBe('{queue:qa-review}');
    expect(placeholderForm(queue('qa-review-senior_a1'), arns)).toBe('{queue:qa-review-senior}');
    expect(placeholderForm(queue('qa-review_{agency}'), arns)).toBe('{queue:qa-review}');
    expect(placeholderForm(queue('qa-review_Jane Doe'), arns)).toBe(queue('qa-review_Jane Doe'));
  });

  it('leaves what is not a local resource as it is, and never matches a bare region', () => {
    expect(placeholderForm('arn:aws:s3:::other/x', arns)).toBe('arn:aws:s3:::other/x');
    expect(placeholderForm('us-east-1', arns)).toBe('us-east-1');
  });
});
