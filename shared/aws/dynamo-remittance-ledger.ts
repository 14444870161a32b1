import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { byPayerOrder, RemittanceRecord } from '#shared/model/remittance.ts';
import { conditionalWrite, putOnce } from './dynamo-conditional.ts';
import { queryAll } from './dynamo-paged.ts';
import type { ClaimTarget, RemittanceLedger } from './ports.ts';
import {
  agencyRemittancesPk,
  chartPk,
  claimAliasPk,
  claimMappingsPk,
  claimRefPk,
  GSI1,
  META_SK,
  padVersion,
  payerClaimPk,
  REMIT_PREFIX,
  remittanceSk,
  withoutKeys,
} from './table-keys.ts';

/** The remittance ledger in the one table (see table-keys.ts): index entries and records, written once. */
export class DynamoRemittanceLedger implements RemittanceLedger {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async indexClaim(claimRef: string, target: ClaimTarget): Promise<void> {
    await this.putOnce({ pk: claimRefPk(claimRef), sk: META_SK, claimRef, ...target });
  }

  async findClaim(claimRef: string): Promise<ClaimTarget | undefined> {
    const item = await this.get(claimRefPk(claimRef));
    if (!item || typeof item.chartKey !== 'string' || typeof item.version !== 'number') return undefined;
    return { agencyId: String(item.agencyId), chartKey: item.chartKey, version: item.version };
  }

  async putAlias(agencyId: string, aliasKey: string, claimRef: string): Promise<void> {
    // A later mapping file may correct an entry: the last one written wins.
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: claimAliasPk(agencyId, aliasKey), sk: META_SK, agencyId, claimRef },
      }),
    );
  }

  aliasOf(agencyId: string, aliasKey: string): Promise<string | undefined> {
    return this.claimRefAt(claimAliasPk(agencyId, aliasKey));
  }

  async indexPayerClaim(agencyId: string, icnKey: string, claimRef: string): Promise<void> {
    await this.putOnce({ pk: payerClaimPk(agencyId, icnKey), sk: META_SK, agencyId, claimRef });
  }

  payerClaimOf(agencyId: string, icnKey: string): Promise<string | undefined> {
    return this.claimRefAt(payerClaimPk(agencyId, icnKey));
  }

  /** The claimRef an index item (an alias, a payer's claim number) names. */
  private async claimRefAt(pk: string): Promise<string | undefined> {
    const item = await this.get(pk);
    return typeof item?.claimRef === 'string' ? item.claimRef : undefined;
  }

  async noteMappingChange(agencyId: string, at: string): Promise<void> {
    // Only forward: a mapping file taken late (a retry) never moves the time back.
    await conditionalWrite(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: claimMappingsPk(agencyId), sk: META_SK },
          UpdateExpression: 'SET changedAt = :at, agencyId = :agency',
          ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt < :at',
          ExpressionAttributeValues: { ':at': at, ':agency': agencyId },
        }),
      ),
    );
  }

  async mappingChangedAt(agencyId: string): Promise<string | undefined> {
    const item = await this.get(claimMappingsPk(agencyId));
    return typeof item?.changedAt === 'string' ? item.changedAt : undefined;
  }

  record(record: RemittanceRecord): Promise<boolean> {
    return this.putOnce({
      ...record,
      pk: chartPk(record.chartKey),
      sk: remittanceSk(record.version, record.remitId),
      gsi1pk: agencyRemittancesPk(record.agencyId),
      gsi1sk: `${record.receivedAt}#${record.remitId}`,
    });
  }

  async forVersion(chartKey: string, version: number): Promise<RemittanceRecord[]> {
    const out: RemittanceRecord[] = [];
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': chartPk(chartKey),
        ':prefix': `${REMIT_PREFIX}${padVersion(version)}#`,
      },
      ConsistentRead: true,
    }))
      out.push(RemittanceRecord.parse(withoutKeys(item)));
    return out.sort(byPayerOrder);
  }

  async *list(agencyId: string, since?: string): AsyncIterable<RemittanceRecord> {
    for await (const item of this.query({
      IndexName: GSI1,
      KeyConditionExpression: since ? 'gsi1pk = :pk AND gsi1sk >= :since' : 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': agencyRemittancesPk(agencyId),
        ...(since ? { ':since': since } : {}),
      },
    }))
      yield RemittanceRecord.parse(withoutKeys(item));
  }

  private async get(pk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk: META_SK }, ConsistentRead: true }),
    );
    return out.Item;
  }

  private putOnce(item: Record<string, unknown>): Promise<boolean> {
    return putOnce(this.dynamo, this.table, item);
  }

  private query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    return queryAll(this.dynamo, { ...input, TableName: this.table });
  }
}
