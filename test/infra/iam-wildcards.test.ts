import { describe, expect, it } from 'vitest';
import { JOBS, pascal, STAGES } from '#shared/topology.ts';
import { asArray, template } from './harness.ts';

/**
 * Every IAM statement the stack synthesizes, walked for wildcards: a `*` in an action or a resource is
 * allowed only where a rule below says why. Anything else (a grant helper's `s3:GetObject*`, a table's
 * `/index/*`, a bucket-wide `/*`) fails here, with the statement that holds it.
 */

interface Wildcard {
  where: string;
  kind: 'action' | 'resource';
  value: string;
  actions: string[];
}

/** The allowed wildcards, each with the reason it is acceptable. */
const ALLOWED: { reason: string; matches: (w: Wildcard) => boolean }[] = [
  {
    reason:
      'X-Ray active tracing: PutTraceSegments and PutTelemetryRecords have no resource-level permissions',
    matches: (w) =>
      w.kind === 'resource' &&
      w.value === '"*"' &&
      w.actions.every((a) => a === 'xray:PutTraceSegments' || a === 'xray:PutTelemetryRecords'),
  },
  {
    reason:
      'object keys (agency, chartKey or object id) are known only at run time: one key prefix the topology names, never a bucket',
    matches: (w) => {
      // `{"Fn::Join":["",[{"Fn::GetAtt":["<bucket logical id>","Arn"]},"/<prefix>/*"]]}`: the prefix must
      // be one the topology names for that very bucket.
      const m = /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["(\w+)","Arn"\]\},"\/([a-z-]+\/)\*"\]\]\}$/.exec(
        w.value,
      );
      const named = [...STAGES, ...JOBS]
        .flatMap((s) => [...(s.reads ?? []), ...(s.writes ?? []), ...('tags' in s ? (s.tags ?? []) : [])])
        .some(
          (a) =>
            m?.[1]?.startsWith(`CodetrailBucket${pascal(a.bucket)}`) === true &&
            a.prefixes.includes(m[2] ?? ''),
        );
      return (
        w.kind === 'resource' &&
        named &&
        w.actions.every((a) =>
          ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectTagging'].includes(a),
        )
      );
    },
  },
  // The roles people and the EMR export job assume are one per agency: each names its own agency's prefix.
  ...(
    [
      ['EmrWriter', 'Intake', 'exports', 's3:PutObject', 'an EMR export writer adds its files'],
      ['QaReviewer', 'Artifacts', 'charts', 's3:GetObject', 'a reviewer reads files tagged for review'],
      ['QaSenior', 'Artifacts', 'charts', 's3:GetObject', 'a senior reads files tagged for review'],
      ['Billing', 'Artifacts', 'charts', 's3:GetObject', 'billing reads files tagged as batched'],
      ['Billing', 'Artifacts', 'batches', 's3:GetObject', 'billing reads its batch files'],
      ['Billing', 'Artifacts', 'billing-notes', 's3:PutObject', 'billing files why it rejects'],
      ['QaReviewer', 'Artifacts', 'qa-notes', 's3:PutObject', 'a reviewer adds notes'],
      ['QaSenior', 'Artifacts', 'qa-notes', 's3:PutObject', 'a senior adds notes'],
      ['Coder', 'Artifacts', 'qa-notes', 's3:PutObject', "a coder adds a dispute's note"],
      ['Compliance', 'Artifacts', 'receipts', 's3:GetObject', 'compliance reads receipts'],
      [
        'Compliance',
        'Artifacts',
        'charts',
        's3:GetObject',
        'compliance reads the charts an audit packet holds',
      ],
      ['Compliance', 'Audit', 'receipts', 's3:GetObject', 'compliance reads locked receipts'],
      ['Compliance', 'Audit', 'batches', 's3:GetObject', 'compliance reads locked manifests'],
      [
        'Compliance',
        'Audit',
        'audit-trail',
        's3:GetObject',
        'compliance reads the signed trail to verify it',
      ],
    ] as const
  ).map(([role, bucket, prefix, action, what]) => ({
    reason: `${what}, under its own agency's ${prefix}/<agency>/ prefix only, ${action} only (object names are known only at run time)`,
    matches: (w: Wildcard) => {
      const m = new RegExp(
        `^\\{"Fn::Join":\\["",\\[\\{"Fn::GetAtt":\\["CodetrailBucket${bucket}\\w+","Arn"\\]\\},"\\/${prefix}\\/([a-z0-9-]+)\\/\\*"\\]\\]\\}$`,
      ).exec(w.value);
      const agency = m?.[1] ?? '';
      return (
        w.kind === 'resource' &&
        m !== null &&
        template().built.config.agencies.some((a) => a.id === agency) &&
        w.where.includes(`PersonRoles${role}${pascal(agency)}`) &&
        w.actions.every((a) => a === action)
      );
    },
  })),
];

function wildcards(): Wildcard[] {
  const resources = template().template.toJSON().Resources as Record<
    string,
    {
      Type: string;
      Properties: {
        PolicyDocument?: { Statement: Record<string, unknown>[] };
        Policies?: { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
      };
    }
  >;
  const found: Wildcard[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const documents = [
      ...(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && r.Properties.PolicyDocument
        ? [r.Properties.PolicyDocument]
        : []),
      ...(r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p) => p.PolicyDocument) : []),
    ];
    for (const statement of documents.flatMap((d) => d.Statement)) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray(statement.Action as string | string[]);
      for (const a of actions)
        if (a.includes('*')) found.push({ where: id, kind: 'action', value: a, actions });
      for (const res of asArray(statement.Resource)) {
        const text = JSON.stringify(res);
        if (text.includes('*')) found.push({ where: id, kind: 'resource', value: text, actions });
      }
    }
  }
  return found;
}

describe('wildcards in the synthesized IAM policies', () => {
  it('are only those allowed, each for its reason', () => {
    const unexplained = wildcards().filter((w) => !ALLOWED.some((rule) => rule.matches(w)));
    expect(unexplained).toEqual([]);
  });

  it('include no wildcard action at all', () => {
    expect(wildcards().filter((w) => w.kind === 'action')).toEqual([]);
  });

  it('are each used by some statement (no rule is stale)', () => {
    const found = wildcards();
    for (const rule of ALLOWED)
      expect(
        found.some((w) => rule.matches(w)),
        rule.reason,
      ).toBe(true);
  });

  it('would catch a bucket-wide object grant and a wildcard action', () => {
    const rule = (w: Wildcard) => ALLOWED.some((r) => r.matches(w));
    const join = (bucket: string, prefix: string) =>
      `{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/${prefix}*"]]}`;
    const bucketWide = join('CodetrailBucketArtifactsB5279CF1', '');
    expect(rule({ where: 'x', kind: 'resource', value: bucketWide, actions: ['s3:GetObject'] })).toBe(false);
    const unknownPrefix = join('CodetrailBucketIntakeB6F031A4', 'exports-old/');
    expect(rule({ where: 'x', kind: 'resource', value: unknownPrefix, actions: ['s3:GetObject'] })).toBe(
      false,
    );
    // A prefix the topology names, but on another bucket.
    expect(
      rule({
        where: 'x',
        kind: 'resource',
        value: join('CodetrailBucketAudit72A4557A', 'charts/'),
        actions: ['s3:GetObject'],
      }),
    ).toBe(false);
    // A person's role: its own agency's prefix, never another's, never the whole prefix.
    const reviewer = 'CodetrailPersonRolesQaReviewerDemoAgencyDefaultPolicy0123ABCD';
    const notes = (under: string) => join('CodetrailBucketArtifactsB5279CF1', `qa-notes/${under}`);
    const by = (value: string) =>
      rule({ where: reviewer, kind: 'resource', value, actions: ['s3:PutObject'] });
    expect(by(notes('demo-agency/'))).toBe(true);
    expect(by(notes('other-agency/'))).toBe(false);
    expect(by(notes(''))).toBe(false);
    const deleting = join('CodetrailBucketArtifactsB5279CF1', 'charts/');
    expect(rule({ where: 'x', kind: 'resource', value: deleting, actions: ['s3:GetObject'] })).toBe(true);
    expect(rule({ where: 'x', kind: 'resource', value: deleting, actions: ['s3:DeleteObject'] })).toBe(false);
    expect(
      rule({
        where: 'x',
        kind: 'resource',
        value: '"*"',
        actions: ['xray:PutTraceSegments', 's3:GetObject'],
      }),
    ).toBe(false);
  });
});
