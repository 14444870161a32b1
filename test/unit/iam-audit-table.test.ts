import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { resetAwsClients } from '#shared/aws/clients.ts';
import { agencyRole, JOBS, PERSON_ROLES, STAGES } from '#shared/topology.ts';
import { enforcedClients, IAM_RESOURCES } from '../support/local-iam.ts';

/**
 * Who may do what to the audit table, under the deployed policies as the local IAM enforces them: an
 * audit event can only be added, and only the chainer writes the chain, only the sealer where it sealed.
 */
const TABLE = IAM_RESOURCES.auditTable;
const put = (pk: string) => new PutCommand({ TableName: TABLE, Item: { pk, sk: 'x' } });
const query = (pk: string) =>
  new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
  });

afterEach(() => resetAwsClients());

async function outcome(role: string, command: PutCommand | QueryCommand | UpdateCommand | DeleteCommand) {
  const { clients } = enforcedClients();
  try {
    await actAs(role, () => clients.dynamo.send(command as PutCommand));
    return 'allowed';
  } catch (error) {
    return (error as Error).name === 'AccessDeniedException' ? 'refused' : `failed: ${(error as Error).name}`;
  }
}

const RECORDERS = [
  ...STAGES.filter((s) => s.name !== 'audit-chainer'),
  ...JOBS.filter((j) => j.name !== 'audit-sealer'),
];

describe('the audit table under the deployed policies', () => {
  it.each(RECORDERS.map((s) => `stage:${s.name}`))(
    '%s may add an audit event, and nothing else',
    async (role) => {
      expect(await outcome(role, put('AUDIT#agency-a#chart:agency-a.ck1:v1'))).toBe('allowed');
      expect(await outcome(role, put('CHAIN#agency-a'))).toBe('refused');
      expect(await outcome(role, put('CHAINED#agency-a#e1'))).toBe('refused');
      expect(await outcome(role, put('SEAL#agency-a'))).toBe('refused');
      const key = { pk: 'AUDIT#agency-a#chart:agency-a.ck1:v1', sk: 'EVT#e1' };
      expect(
        await outcome(
          role,
          new UpdateCommand({
            TableName: TABLE,
            Key: key,
            UpdateExpression: 'SET actor = :a',
            ExpressionAttributeValues: { ':a': 'someone-else' },
          }),
        ),
      ).toBe('refused');
      expect(await outcome(role, new DeleteCommand({ TableName: TABLE, Key: key }))).toBe('refused');
      expect(await outcome(role, query('AUDIT#agency-a#chart:agency-a.ck1:v1'))).toBe('refused');
      // The reconciler alone reads events, of one subject: its agencies' last configuration in force.
      expect(await outcome(role, query('AUDIT#agency-a#config'))).toBe(
        role === 'stage:reconciler' ? 'allowed' : 'refused',
      );
    },
  );

  it('lets the chainer alone write links and claims, and add events (the messages it refuses), never seals', async () => {
    expect(await outcome('stage:audit-chainer', put('CHAIN#agency-a'))).toBe('allowed');
    expect(await outcome('stage:audit-chainer', put('CHAINED#agency-a#e1'))).toBe('allowed');
    expect(await outcome('stage:audit-chainer', query('CHAIN#agency-a'))).toBe('allowed');
    expect(await outcome('stage:audit-chainer', put('AUDIT#agency-a#audit-queue'))).toBe('allowed');
    expect(await outcome('stage:audit-chainer', put('AUDIT#agency-a#chart:agency-a.ck1:v1'))).toBe('refused');
    expect(await outcome('stage:audit-chainer', put('AUDIT#agency-a#access'))).toBe('refused');
    expect(await outcome('stage:audit-chainer', query('AUDIT#agency-a#audit-queue'))).toBe('refused');
    expect(await outcome('stage:audit-chainer', put('SEAL#agency-a'))).toBe('refused');
  });

  it('lets the sealer read links and note where it sealed, never write a link', async () => {
    expect(await outcome('stage:audit-sealer', query('CHAIN#agency-a'))).toBe('allowed');
    expect(await outcome('stage:audit-sealer', put('SEAL#agency-a'))).toBe('allowed');
    expect(await outcome('stage:audit-sealer', put('CHAIN#agency-a'))).toBe('refused');
    expect(await outcome('stage:audit-sealer', put('AUDIT#agency-a#x'))).toBe('refused');
  });

  it("lets compliance read its own agency's events alone, and write nothing", async () => {
    const role = agencyRole(PERSON_ROLES.compliance, 'agency-a');
    expect(await outcome(role, query('AUDIT#agency-a#chart:agency-a.ck1:v1'))).toBe('allowed');
    expect(await outcome(role, query('AUDIT#agency-b#chart:agency-b.ck1:v1'))).toBe('refused');
    expect(await outcome(role, query('CHAIN#agency-a'))).toBe('refused');
    expect(await outcome(role, put('AUDIT#agency-a#x'))).toBe('refused');
  });
});
