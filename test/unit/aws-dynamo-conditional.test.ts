import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { unmarshallItem } from '#shared/aws/attribute-value.ts';
import { DynamoChartStore } from '#shared/aws/dynamo-chart-store.ts';
import { isConditionalCheckFailed, itemFromConditionalFailure } from '#shared/aws/dynamo-conditional.ts';
import { DynamoObjectLedger } from '#shared/aws/dynamo-object-ledger.ts';
import type { ChartState } from '#shared/model/chart-state.ts';

// In AWS a failed condition can return the item (ReturnValuesOnConditionCheckFailure: ALL_OLD), which
// saves a read; dynalite never does, so that path is tested here against a mocked client.
const ddbMock = mockClient(DynamoDBDocumentClient);
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const state: ChartState = {
  chartKey: 'ck1',
  version: 2,
  agencyId: 'agency-a',
  status: 'VALIDATED',
  lineOfBusiness: 'hospice',
  payerType: 'medicare',
  coderId: 'coder-1',
  contentHash: 'f'.repeat(64),
  artifactKey: 'charts/agency-a/ck1/v2.json',
  sourceObject: 'intake/exports/agency-a/d.ndjson',
  receivedAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T11:00:00.000Z',
  findings: [{ ruleId: 'R1', severity: 'warn', message: 'm' }],
};

const rawState = {
  pk: { S: 'CHART#ck1' },
  sk: { S: 'V#0000000002' },
  gsi1pk: { S: 'AGENCY#agency-a#STATUS#VALIDATED' },
  gsi1sk: { S: '2026-11-20T11:00:00.000Z#ck1#0000000002' },
  chartKey: { S: 'ck1' },
  version: { N: '2' },
  agencyId: { S: 'agency-a' },
  status: { S: 'VALIDATED' },
  lineOfBusiness: { S: 'hospice' },
  payerType: { S: 'medicare' },
  coderId: { S: 'coder-1' },
  contentHash: { S: 'f'.repeat(64) },
  artifactKey: { S: 'charts/agency-a/ck1/v2.json' },
  sourceObject: { S: 'intake/exports/agency-a/d.ndjson' },
  receivedAt: { S: '2026-11-20T10:00:00.000Z' },
  updatedAt: { S: '2026-11-20T11:00:00.000Z' },
  findings: { L: [{ M: { ruleId: { S: 'R1' }, severity: { S: 'warn' }, message: { S: 'm' } } }] },
};

function conditionFailed(item?: Record<string, unknown>) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item ? { Item: item as never } : {}),
  });
}

beforeEach(() => ddbMock.reset());

describe('raw items from a failed condition', () => {
  it('unmarshalls every attribute type the table uses', () => {
    expect(
      unmarshallItem({
        s: { S: 'x' },
        n: { N: '1.5' },
        b: { BOOL: false },
        z: { NULL: true },
        m: { M: { a: { L: [{ N: '1' }, { S: 'y' }] } } },
        ss: { SS: ['a', 'b'] },
        ns: { NS: ['1', '2'] },
      }),
    ).toEqual({
      s: 'x',
      n: 1.5,
      b: false,
      z: null,
      m: { a: [1, 'y'] },
      ss: new Set(['a', 'b']),
      ns: new Set([1, 2]),
    });
  });

  it('recognises the exception by name and reads its item when present', () => {
    expect(isConditionalCheckFailed(conditionFailed())).toBe(true);
    expect(isConditionalCheckFailed(new Error('other'))).toBe(false);
    expect(itemFromConditionalFailure(conditionFailed())).toBeUndefined();
    expect(itemFromConditionalFailure(conditionFailed({ latestVersion: { N: '7' } }))).toEqual({
      latestVersion: 7,
    });
  });
});

describe('DynamoChartStore in AWS mode', () => {
  it('sends one conditional UpdateItem and, on failure, answers from the returned item without a read', async () => {
    ddbMock.on(GetCommand).resolves({ Item: { ...state, status: 'RECEIVED' } });
    ddbMock.on(UpdateCommand).rejects(conditionFailed(rawState));
    const store = new DynamoChartStore(dynamo, 'tbl');
    await store.get('ck1', 2); // learns the agency, as a stage does before it transitions

    const result = await store.transition('ck1', 2, ['RECEIVED'], 'VALIDATED', { findings: state.findings });
    expect(result).toEqual({ ok: false, current: state });
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(1);

    const input = ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('#status IN (:from0)');
    expect(input?.ReturnValues).toBe('ALL_NEW');
    expect(input?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(input?.Key).toEqual({ pk: 'CHART#ck1', sk: 'V#0000000002' });
    expect(input?.ExpressionAttributeValues?.[':gsi1pk']).toBe('AGENCY#agency-a#STATUS#VALIDATED');
  });

  it('create returns the existing version from the failed put', async () => {
    ddbMock.on(PutCommand).rejects(conditionFailed(rawState));
    const store = new DynamoChartStore(dynamo, 'tbl');
    expect(await store.create({ ...state, status: 'RECEIVED' })).toEqual({ created: false, state });
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('advanceLatest returns the newer latest from the failed update', async () => {
    ddbMock.on(UpdateCommand).rejects(conditionFailed({ latestVersion: { N: '9' } }));
    expect(await new DynamoChartStore(dynamo, 'tbl').advanceLatest('ck1', 4)).toBe(9);
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('passes other errors through', async () => {
    ddbMock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(new DynamoChartStore(dynamo, 'tbl').advanceLatest('ck1', 4)).rejects.toThrow('slow down');
  });
});

describe('DynamoObjectLedger in AWS mode', () => {
  it('returns the existing claim from the failed put', async () => {
    ddbMock.on(PutCommand).rejects(
      conditionFailed({
        pk: { S: 'OBJECT#o1' },
        sk: { S: 'META' },
        objectId: { S: 'o1' },
        status: { S: 'DONE' },
        stage: { S: 'intake' },
        source: { M: { bucket: { S: 'b' }, key: { S: 'k' }, etag: { S: 'e' } } },
        startedAt: { S: 't0' },
      }),
    );
    const claim = await new DynamoObjectLedger(dynamo, 'tbl').begin({
      objectId: 'o1',
      status: 'PROCESSING',
      stage: 'intake',
      source: { objectId: 'o1', bucket: 'b', etag: 'e' },
      startedAt: 't1',
    });
    expect(claim).toEqual({
      claimed: false,
      existing: {
        objectId: 'o1',
        status: 'DONE',
        stage: 'intake',
        source: { bucket: 'b', key: 'k', etag: 'e' },
        startedAt: 't0',
      },
    });
  });
});
