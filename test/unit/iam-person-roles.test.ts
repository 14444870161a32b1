import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { resetAwsClients } from '#shared/aws/clients.ts';
import { BILLING_TAG, REVIEW_TAG } from '#shared/topology.ts';
import { enforcedClients, iamQueueUrl } from '../support/local-iam.ts';

/**
 * The QA reviewer's and senior's roles as deployed, enforced by the local IAM on real SDK calls: a chart
 * file is readable only once qa-sampling tagged it for review; the table only by chart partition, read
 * only; each role only its own review queue. And compliance's: read-only, audit and receipts alone.
 */
const TAGGED = 'charts/a/ck1/v1.json';
/** A chart file billing handoff tagged when it batched it. */
const BILLED = 'charts/a/ck4/v1.json';
const tags = (_bucket: unknown, key: unknown): Readonly<Record<string, string>> | undefined => {
  if (key === TAGGED || key === 'charts/b/ck1/v1.json') return { [REVIEW_TAG.key]: REVIEW_TAG.value };
  if (key === BILLED || key === 'charts/b/ck4/v1.json') return { [BILLING_TAG.key]: BILLING_TAG.value };
  return key === 'charts/a/ck3/v1.json' ? { other: 'x' } : undefined;
};

afterEach(() => resetAwsClients());

/** Expects `role` to be refused `command`, with the AccessDenied naming `action`. */
async function expectRefused(role: string, command: () => unknown, action: string) {
  const { clients } = enforcedClients(tags);
  const client = action.startsWith('s3')
    ? clients.s3
    : action.startsWith('sqs')
      ? clients.sqs
      : clients.dynamo;
  await expect(
    actAs(role, () => (client as { send: (c: unknown) => Promise<unknown> }).send(command())),
  ).rejects.toMatchObject({ message: expect.stringContaining(`perform: ${action}`) });
}

const read = (key: string) => new GetObjectCommand({ Bucket: 'art', Key: key });
/** A person's note, added once (`If-None-Match: *`, which their roles require). */
const addNote = (key: string) =>
  new PutObjectCommand({ Bucket: 'art', Key: key, Body: '{}', IfNoneMatch: '*' });
/** The review board of one queue, read by Query. */
const board = (queue: string) =>
  new QueryCommand({
    TableName: 't',
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: `REVIEWS#a#${queue}` } },
  });
const getChart = (pk: string) =>
  new GetItemCommand({ TableName: 't', Key: { pk: { S: pk }, sk: { S: 'V#0000000001' } } });
/** One agency's queue of a human kind (agency `a` unless named). */
const receive = (queue: 'qa-review' | 'qa-review-senior' | 'coded-batches', agency = 'a') =>
  new ReceiveMessageCommand({ QueueUrl: iamQueueUrl(queue, agency) });

/** Every role people assume is one agency's: these tests act for agency `a`, whose neighbour is `b`. */
const ofA = (kind: string) => `${kind}@a`;

describe.each(['person:qa-reviewer', 'person:qa-senior'])('%s', (kind) => {
  const role = ofA(kind);
  const own = kind === 'person:qa-senior' ? 'qa-review-senior' : 'qa-review';
  const other = kind === 'person:qa-senior' ? 'qa-review' : 'qa-review-senior';

  it('reads a chart file tagged for review, the review board and its queue, and adds a note', async () => {
    const { clients, iam } = enforcedClients(tags);
    await actAs(role, async () => {
      await clients.s3.send(read(TAGGED));
      await clients.dynamo.send(
        new GetItemCommand({
          TableName: 't',
          Key: { pk: { S: `REVIEWS#a#${own}` }, sk: { S: 'ck1#0000000001#review' } },
        }),
      );
      await clients.dynamo.send(board(own));
      await clients.sqs.send(receive(own));
      await clients.s3.send(addNote('qa-notes/a/ck1/v1-n.json'));
    });
    expect(iam.denials()).toEqual([]);
  });

  it.each([
    ['a chart file not sampled for review', () => read('charts/a/ck2/v1.json'), 's3:GetObject'],
    ['a chart file with another tag', () => read('charts/a/ck3/v1.json'), 's3:GetObject'],
    ['a receipt', () => read('receipts/a/ob1.json'), 's3:GetObject'],
    ['an audit event', () => getChart('AUDIT#a#chart:ck1:v1'), 'dynamodb:GetItem'],
    [
      "a chart version's state, even of a chart sampled for review",
      () => getChart('CHART#ck1'),
      'dynamodb:GetItem',
    ],
    [
      'a write to the table',
      () => new PutItemCommand({ TableName: 't', Item: { pk: { S: 'CHART#ck1' }, sk: { S: 'V#1' } } }),
      'dynamodb:PutItem',
    ],
    ['the other review queue', () => receive(other), 'sqs:ReceiveMessage'],
    // Another agency's: its queue, its files tagged for review, its board, its notes.
    ["another agency's review queue", () => receive(own, 'b'), 'sqs:ReceiveMessage'],
    ["another agency's chart file, tagged for review", () => read('charts/b/ck1/v1.json'), 's3:GetObject'],
    [
      "another agency's review board",
      () =>
        new QueryCommand({
          TableName: 't',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `REVIEWS#b#${own}` } },
        }),
      'dynamodb:Query',
    ],
    ["a note under another agency's charts", () => addNote('qa-notes/b/ck1/v1-n.json'), 's3:PutObject'],
    [
      'a note written over another (no If-None-Match)',
      () => new PutObjectCommand({ Bucket: 'art', Key: 'qa-notes/a/ck1/v1-n.json', Body: '{}' }),
      's3:PutObject',
    ],
  ] as const)('may not touch %s', (_what, command, action) => expectRefused(role, command, action));
});

describe('the review board by queue', () => {
  it("keeps the seniors' partition from a first reviewer: a dispute's entry shows the first review", () =>
    expectRefused(ofA('person:qa-reviewer'), () => board('qa-review-senior'), 'dynamodb:Query'));

  it('lets a senior read both, as a senior answers both queues', async () => {
    const { clients, iam } = enforcedClients(tags);
    await actAs(ofA('person:qa-senior'), async () => {
      await clients.dynamo.send(board('qa-review'));
      await clients.dynamo.send(board('qa-review-senior'));
    });
    expect(iam.denials()).toEqual([]);
  });
});

describe('person:compliance', () => {
  const role = ofA('person:compliance');
  const put = (pk: string) =>
    new PutItemCommand({ TableName: 'at', Item: { pk: { S: pk }, sk: { S: 'EVT#1' } } });
  const query = (table: string, pk: string) =>
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
    });
  it("reads receipts, the audit bucket and events, its agency's charts and indexes, and adds its own events alone", async () => {
    const { clients, iam } = enforcedClients(tags);
    await actAs(role, async () => {
      await clients.s3.send(read('receipts/a/ob1.json'));
      await clients.s3.send(new GetObjectCommand({ Bucket: 'aud', Key: 'batches/a/b1.json' }));
      await clients.s3.send(
        new GetObjectCommand({ Bucket: 'aud', Key: 'audit-trail/a/digests/0000000000.json' }),
      );
      await clients.dynamo.send(query('at', 'AUDIT#a#chart:ck1:v1'));
      // A chart's story and packet: its file, its versions, the claim and member indexes.
      await clients.s3.send(read('charts/a/a.ck9/v1.json'));
      await clients.dynamo.send(getChart('CHART#a.ck1'));
      await clients.dynamo.send(query('t', 'CHART#a.ck1'));
      await clients.dynamo.send(getChart('CLAIMREF#CT0000000000000Z'));
      await clients.dynamo.send(getChart('ICN#a#hmac'));
      await clients.dynamo.send(query('t', 'MEMBER#a#hmac'));
      // Its own events: the charts it opens, the documentation requests.
      await clients.dynamo.send(put('AUDIT#a#access'));
      await clients.dynamo.send(put('AUDIT#a#adrs'));
    });
    expect(iam.denials()).toEqual([]);
  });

  it.each([
    ["another agency's chart file", () => read('charts/b/ck1/v1.json'), 's3:GetObject'],
    ["another agency's chart version", () => getChart('CHART#b.ck1'), 'dynamodb:GetItem'],
    ["another agency's chart partition by query", () => query('t', 'CHART#b.ck1'), 'dynamodb:Query'],
    ["another agency's ICN index", () => getChart('ICN#b#hmac'), 'dynamodb:GetItem'],
    ["another agency's member index", () => query('t', 'MEMBER#b#hmac'), 'dynamodb:Query'],
    ['a batch item', () => getChart('BATCH#a#b1'), 'dynamodb:GetItem'],
    ["an event among a chart's", () => put('AUDIT#a#chart:a.ck1:v1'), 'dynamodb:PutItem'],
    ["an event of another agency's register", () => put('AUDIT#b#adrs'), 'dynamodb:PutItem'],
    [
      'an event under a subject that only begins like its own',
      () => put('AUDIT#a#access2'),
      'dynamodb:PutItem',
    ],
    ["another agency's receipt", () => read('receipts/b/ob1.json'), 's3:GetObject'],
    [
      "another agency's Object-Locked copies",
      () => new GetObjectCommand({ Bucket: 'aud', Key: 'batches/b/b1.json' }),
      's3:GetObject',
    ],
    ["another agency's audit events", () => query('at', 'AUDIT#b#chart:ck1:v1'), 'dynamodb:Query'],
    [
      "another agency's signed trail",
      () => new GetObjectCommand({ Bucket: 'aud', Key: 'audit-trail/b/digests/0000000000.json' }),
      's3:GetObject',
    ],
    [
      'a write to the audit bucket',
      () => new PutObjectCommand({ Bucket: 'aud', Key: 'x', Body: '' }),
      's3:PutObject',
    ],
  ] as const)('may not touch %s', async (_what, command, action) => {
    const { clients } = enforcedClients(tags);
    const client = action.startsWith('s3') ? clients.s3 : clients.dynamo;
    await expect(
      actAs(role, () => (client as { send: (c: unknown) => Promise<unknown> }).send(command())),
    ).rejects.toMatchObject({ message: expect.stringContaining(`perform: ${action}`) });
  });
});

describe('person:coder', () => {
  const role = ofA('person:coder');
  it('sends nothing but disputes and notes: it reads no chart, no state and no queue', async () => {
    const { clients, iam } = enforcedClients(tags);
    await actAs(role, () => clients.s3.send(addNote('qa-notes/a/ck1/v1-n.json')));
    expect(iam.denials()).toEqual([]);
    for (const [command, action] of [
      [() => read(TAGGED), 's3:GetObject'],
      [() => getChart('CHART#ck1'), 'dynamodb:GetItem'],
      [() => receive('qa-review-senior'), 'sqs:ReceiveMessage'],
      [() => addNote('qa-notes/b/ck1/v1-n.json'), 's3:PutObject'],
    ] as const)
      await expectRefused(role, command, action);
  });
});

describe('person:billing', () => {
  const role = ofA('person:billing');
  it('takes coded batches, reads batch files and the chart files batched, files a note and answers', async () => {
    const { clients, iam } = enforcedClients(tags);
    await actAs(role, async () => {
      await clients.sqs.send(receive('coded-batches'));
      await clients.s3.send(read('batches/a/b20261123-0123456789ab.json'));
      await clients.s3.send(read(BILLED));
      await clients.dynamo.send(
        new GetItemCommand({
          TableName: 't',
          Key: { pk: { S: 'BATCH#a#b20261123-0123456789ab' }, sk: { S: 'META' } },
        }),
      );
      await clients.s3.send(addNote('billing-notes/a/b20261123-0123456789ab/n.json'));
    });
    expect(iam.denials()).toEqual([]);
  });

  it.each([
    [
      'a chart file not batched (on hold, in QA, not yet billed)',
      () => read('charts/a/ck2/v1.json'),
      's3:GetObject',
    ],
    ['a chart file tagged for review only', () => read(TAGGED), 's3:GetObject'],
    ['a receipt', () => read('receipts/a/ob1.json'), 's3:GetObject'],
    ['a chart version', () => getChart('CHART#ck1'), 'dynamodb:GetItem'],
    [
      'a write to the table (an acknowledgement goes through billing-reply)',
      () => new PutItemCommand({ TableName: 't', Item: { pk: { S: 'BATCH#b1' }, sk: { S: 'BATCH' } } }),
      'dynamodb:PutItem',
    ],
    ['a review queue', () => receive('qa-review'), 'sqs:ReceiveMessage'],
    // Another agency's: its batches, their files, their state, its reasons.
    ["another agency's coded batches", () => receive('coded-batches', 'b'), 'sqs:ReceiveMessage'],
    ["another agency's batch file", () => read('batches/b/b20261123-0123456789ab.json'), 's3:GetObject'],
    ["another agency's batched chart file", () => read('charts/b/ck4/v1.json'), 's3:GetObject'],
    [
      "another agency's batch",
      () =>
        new GetItemCommand({
          TableName: 't',
          Key: { pk: { S: 'BATCH#b#b20261123-0123456789ab' }, sk: { S: 'META' } },
        }),
      'dynamodb:GetItem',
    ],
    [
      "a reason under another agency's batch",
      () => addNote('billing-notes/b/b20261123-0123456789ab/n.json'),
      's3:PutObject',
    ],
    [
      'a reason written over another (no If-None-Match)',
      () =>
        new PutObjectCommand({
          Bucket: 'art',
          Key: 'billing-notes/a/b20261123-0123456789ab/n.json',
          Body: '{}',
        }),
      's3:PutObject',
    ],
  ] as const)('may not touch %s', (_what, command, action) => expectRefused(role, command, action));
});

describe('a role without an agency', () => {
  it.each(['person:qa-reviewer', 'person:billing', 'person:compliance', 'person:coder'])(
    "%s alone (no @agency) reaches nothing: every role people assume is one agency's",
    (kind) =>
      expectRefused(
        kind,
        () => addNote(kind === 'person:billing' ? 'billing-notes/a/b1/n.json' : 'qa-notes/a/ck1/v1-n.json'),
        's3:PutObject',
      ),
  );
});
