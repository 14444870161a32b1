import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { resetAwsClients } from '#shared/aws/clients.ts';
import { enforcedClients, IAM_ARNS } from '../support/local-iam.ts';

/**
 * The EMR export writer role as deployed (shared/iam/role-policies.json, one role per agency, kept once
 * with `{agency}`), enforced by the local IAM on real SDK calls: it may add exports under its own
 * agency's prefix, SSE-KMS under the intake key or the bucket's default, and nothing else.
 */
const intakeKey = IAM_ARNS.get('key:intake') as string;
const writerClients = () => enforcedClients();

afterEach(() => resetAwsClients());

const put = (key: string, extra: Record<string, string> = {}) =>
  new PutObjectCommand({ Bucket: 'in', Key: key, Body: 'x', ...extra });

describe("an agency's EMR export writer", () => {
  it('adds exports under its own agency, with the bucket default or SSE-KMS under the intake key', async () => {
    const { clients, iam } = writerClients();
    await actAs('person:emr-writer@agency-a', async () => {
      await clients.s3.send(put('exports/agency-a/run-1.ndjson'));
      await clients.s3.send(put('exports/agency-a/bulk-1/Patient.ndjson'));
      await clients.s3.send(
        put('exports/agency-a/run-2.ndjson', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: intakeKey }),
      );
    });
    expect(iam.denials()).toEqual([]);
    // Recorded as the kind of role, its agency as `{agency}`, as the snapshot writes them.
    expect(iam.calls.map((c) => [c.role, c.resource])).toContainEqual([
      'person:emr-writer',
      '{bucket:intake}/exports/{agency}/…',
    ]);
  });

  it.each([
    ['another agency', 'exports/agency-b/run.ndjson', {}],
    ['outside exports/', 'quarantine/agency-a/x/report.json', {}],
    ["intake's scratch space", 'work/agency-a/x/p-0/s0-0.ndjson', {}],
    ["intake's saved keys", 'keys/agency-a/ob1.json', {}],
    ['SSE-S3', 'exports/agency-a/run.ndjson', { ServerSideEncryption: 'AES256' }],
    // S3 would encrypt under the AWS managed key aws/s3, not the intake key.
    ['SSE-KMS naming no key', 'exports/agency-a/run.ndjson', { ServerSideEncryption: 'aws:kms' }],
    [
      'the data key (the intake bucket has a key of its own)',
      'exports/agency-a/run.ndjson',
      { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: IAM_ARNS.get('key:data') as string },
    ],
    [
      'another KMS key',
      'exports/agency-a/run.ndjson',
      { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:000000000000:key/other' },
    ],
  ])('may not write %s', async (_what, key, extra) => {
    const { clients } = writerClients();
    await expect(
      actAs('person:emr-writer@agency-a', () => clients.s3.send(put(key, extra))),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('s3:PutObject on resource: arn:aws:s3:::in/'),
    });
  });

  it('is no role at all for a kind that is not deployed', async () => {
    const { clients } = writerClients();
    await expect(
      actAs('person:nobody@agency-a', () => clients.s3.send(put('exports/agency-a/x'))),
    ).rejects.toThrow('no IAM policy for the role person:nobody@agency-a');
  });
});
