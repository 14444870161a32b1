import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOBS, PERSON_ROLES, STAGES } from '#shared/topology.ts';
import { PROJECT_ROOT } from '../../infra/codetrail.ts';
import { rolePolicies, rolePoliciesText, statementOf } from '../../infra/role-policies.ts';
import { build } from './harness.ts';

/**
 * The local runtime enforces shared/iam/role-policies.json, so it must be the synthesized policies
 * exactly: a grant changed in infra/ without `npm run docs` fails here, before it can pass locally and
 * fail in AWS.
 */
describe('the role policy snapshot the local runtime enforces', () => {
  it('is what a fresh synth of the stack gives (run `npm run docs` after changing a grant)', () => {
    const committed = readFileSync(path.join(PROJECT_ROOT, 'shared/iam/role-policies.json'), 'utf8');
    expect(committed).toBe(rolePoliciesText(rolePolicies(build().stack.codetrail)));
  });

  it('names every stage and job role, with its resources as placeholders and no CloudFormation left in them', () => {
    const policies = rolePolicies(build().stack.codetrail);
    expect(Object.keys(policies.roles)).toEqual([
      ...[...STAGES, ...JOBS].map((s) => `stage:${s.name}`),
      ...Object.values(PERSON_ROLES),
    ]);
    const text = JSON.stringify(policies);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(policies.roles['stage:intake']?.statements).toContainEqual({
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: ['{bucket:intake}/exports/*'],
    });
  });

  it('is valid JSON with one statement per line', () => {
    const text = rolePoliciesText({
      roles: {
        'stage:a': { statements: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] }] },
      },
    });
    expect(JSON.parse(text)).toEqual({
      roles: {
        'stage:a': { statements: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] }] },
      },
    });
    expect(text).toContain('\n        {"effect":"Allow","actions":["s3:GetObject"],"resources":["*"]}\n');
  });

  it('refuses what the local check cannot evaluate: an inverted statement, an unknown reference', () => {
    const names = new Map([['Bucket1', 'bucket:intake']]);
    expect(() => statementOf({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' } as never, names)).toThrow(
      'NotAction',
    );
    expect(() =>
      statementOf({ Effect: 'Allow', Action: 's3:GetObject', Resource: { Ref: 'Other' } }, names),
    ).toThrow('no placeholder');
    expect(
      statementOf(
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket1', 'Arn'] }, '/exports/*']] },
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
          },
        },
        names,
      ),
    ).toEqual({
      effect: 'Allow',
      actions: ['s3:GetObject'],
      resources: ['{bucket:intake}/exports/*'],
      conditions: { StringEquals: { 'kms:ViaService': ['s3.{region}.amazonaws.com'] } },
    });
  });
});
