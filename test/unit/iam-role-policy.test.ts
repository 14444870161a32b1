import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type RolePolicy, resolvePlaceholders, wildcardMatch } from '#shared/iam/role-policy.ts';

/** The same match by regular expression: the oracle the hand-written matcher is checked against. */
function byRegex(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

describe('wildcardMatch', () => {
  it.each([
    ['arn:aws:s3:::b/charts/*', 'arn:aws:s3:::b/charts/a/v1.json', true],
    ['arn:aws:s3:::b/charts/*', 'arn:aws:s3:::b/charts/', true],
    ['arn:aws:s3:::b/charts/*', 'arn:aws:s3:::b/chart', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
    ['arn:aws:s3:::b', 'arn:aws:s3:::b/x', false],
    ['s3:GetObject*', 's3:GetObjectVersion', true],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get?bject', 's3:Getbject', false],
    ['*', '', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('ignores case only when told to (actions), never for resources', () => {
    expect(wildcardMatch('S3:getobject', 's3:GetObject', true)).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::B/*', 'arn:aws:s3:::b/x')).toBe(false);
  });

  it('agrees with a regular expression on any pattern and value', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', ':', '*', '?', '.', 'A');
    const text = fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, text, fc.boolean(), (pattern, value, ignoreCase) => {
        expect(wildcardMatch(pattern, value, ignoreCase)).toBe(byRegex(pattern, value, ignoreCase));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluate', () => {
  const read: RolePolicy = {
    statements: [
      { effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/charts/*'] },
      { effect: 'Allow', actions: ['sqs:*'], resources: ['arn:aws:sqs:us-east-1:1:q'] },
    ],
  };

  it('allows what an Allow statement matches in action and resource, and nothing else', () => {
    expect(evaluate(read, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/charts/x' })).toBe('allowed');
    expect(evaluate(read, { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:1:q' })).toBe(
      'allowed',
    );
    expect(evaluate(read, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/charts/x' })).toBe(
      'implicitly-denied',
    );
    expect(evaluate(read, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/batches/x' })).toBe(
      'implicitly-denied',
    );
    expect(evaluate({ statements: [] }, { action: 's3:GetObject', resource: '*' })).toBe('implicitly-denied');
  });

  it('lets an explicit Deny win over any Allow, in either order', () => {
    const deny = { effect: 'Deny' as const, actions: ['s3:*'], resources: ['arn:aws:s3:::b/charts/secret*'] };
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/charts/secret-1' };
    expect(evaluate({ statements: [...read.statements, deny] }, request)).toBe('explicitly-denied');
    expect(evaluate({ statements: [deny, ...read.statements] }, request)).toBe('explicitly-denied');
    // A Deny that does not match leaves the Allow standing.
    expect(
      evaluate(
        { statements: [deny, ...read.statements] },
        { ...request, resource: 'arn:aws:s3:::b/charts/x' },
      ),
    ).toBe('allowed');
  });

  describe('conditions', () => {
    const conditioned = (operator: string, key: string, values: string[]): RolePolicy => ({
      statements: [
        {
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: ['arn:aws:s3:::b'],
          conditions: { [operator]: { [key]: values } },
        },
      ],
    });
    const list = (context?: Record<string, string[]>) => ({
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
      ...(context ? { context } : {}),
    });

    it('StringLike matches a single value by wildcard, and fails when the key is absent', () => {
      const policy = conditioned('StringLike', 's3:prefix', ['exports/*', 'work/*']);
      expect(evaluate(policy, list({ 's3:prefix': ['work/p-1/'] }))).toBe('allowed');
      expect(evaluate(policy, list({ 's3:prefix': ['quarantine/'] }))).toBe('implicitly-denied');
      expect(evaluate(policy, list())).toBe('implicitly-denied');
      expect(evaluate(policy, list({ 's3:prefix': ['work/a', 'work/b'] }))).toBe('implicitly-denied');
      // Condition key names are compared without regard to case, as IAM does.
      expect(evaluate(policy, list({ 'S3:Prefix': ['work/p-1/'] }))).toBe('allowed');
    });

    it('StringEquals matches a single value exactly', () => {
      const policy = conditioned('StringEquals', 'kms:ViaService', ['s3.us-east-1.amazonaws.com']);
      expect(evaluate(policy, list({ 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] }))).toBe('allowed');
      expect(evaluate(policy, list({ 'kms:ViaService': ['s3.us-east-1.amazonaws.com.evil'] }))).toBe(
        'implicitly-denied',
      );
      expect(evaluate(policy, list())).toBe('implicitly-denied');
    });

    it('StringEqualsIfExists matches a present single value exactly, and holds when the key is absent', () => {
      const policy = conditioned('StringEqualsIfExists', 's3:x-amz-server-side-encryption', ['aws:kms']);
      expect(evaluate(policy, list({ 's3:x-amz-server-side-encryption': ['aws:kms'] }))).toBe('allowed');
      expect(evaluate(policy, list())).toBe('allowed');
      expect(evaluate(policy, list({ 's3:x-amz-server-side-encryption': ['AES256'] }))).toBe(
        'implicitly-denied',
      );
      expect(evaluate(policy, list({ 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] }))).toBe(
        'implicitly-denied',
      );
    });

    it('Null holds for true when the key is absent, for false when it is present', () => {
      const absent = conditioned('Null', 's3:x-amz-server-side-encryption-aws-kms-key-id', ['true']);
      expect(evaluate(absent, list())).toBe('allowed');
      expect(evaluate(absent, list({ 's3:x-amz-server-side-encryption-aws-kms-key-id': ['k'] }))).toBe(
        'implicitly-denied',
      );
      const present = conditioned('Null', 's3:x-amz-server-side-encryption-aws-kms-key-id', ['false']);
      expect(evaluate(present, list({ 's3:x-amz-server-side-encryption-aws-kms-key-id': ['k'] }))).toBe(
        'allowed',
      );
      expect(evaluate(present, list())).toBe('implicitly-denied');
    });

    it('ForAllValues: every value must match, and an absent key matches (as in IAM)', () => {
      const equals = conditioned('ForAllValues:StringEquals', 'dynamodb:LeadingKeys', ['a', 'b']);
      expect(evaluate(equals, list({ 'dynamodb:LeadingKeys': ['a', 'b'] }))).toBe('allowed');
      expect(evaluate(equals, list({ 'dynamodb:LeadingKeys': ['a', 'c'] }))).toBe('implicitly-denied');
      expect(evaluate(equals, list())).toBe('allowed');
      const like = conditioned('ForAllValues:StringLike', 'dynamodb:LeadingKeys', ['agency#a1#*']);
      expect(evaluate(like, list({ 'dynamodb:LeadingKeys': ['agency#a1#c1'] }))).toBe('allowed');
      expect(evaluate(like, list({ 'dynamodb:LeadingKeys': ['agency#a2#c1'] }))).toBe('implicitly-denied');
    });

    it('refuses to guess an operator it does not implement', () => {
      expect(() => evaluate(conditioned('ArnLike', 'aws:SourceArn', ['*']), list())).toThrow(/ArnLike/);
    });
  });
});

describe('resolvePlaceholders', () => {
  const policy: RolePolicy = {
    statements: [
      {
        effect: 'Allow',
        actions: ['kms:Decrypt'],
        resources: ['{key:data}', '{bucket:intake}/exports/*'],
        conditions: { StringEquals: { 'kms:ViaService': ['s3.{region}.amazonaws.com'] } },
      },
    ],
  };
  const arns = new Map([
    ['key:data', 'arn:aws:kms:us-east-1:0:key/d'],
    ['bucket:intake', 'arn:aws:s3:::in'],
    ['region', 'us-east-1'],
  ]);

  it('writes each placeholder as the ARN it stands for, in resources and condition values', () => {
    expect(resolvePlaceholders(policy, (p) => arns.get(p))).toEqual({
      statements: [
        {
          effect: 'Allow',
          actions: ['kms:Decrypt'],
          resources: ['arn:aws:kms:us-east-1:0:key/d', 'arn:aws:s3:::in/exports/*'],
          conditions: { StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] } },
        },
      ],
    });
  });

  it('throws on a placeholder it has no resource for', () => {
    expect(() => resolvePlaceholders(policy, () => undefined)).toThrow('no local resource for {key:data}');
  });
});
