import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChainedEvent } from '#shared/audit-trail/chain.ts';
import type { SealedChain } from '#shared/audit-trail/sealer.ts';
import type { DigestFile } from '#shared/audit-trail/segments.ts';
import { CHAIN_SEQ_PREFIX, chainPk, chainSk, SEAL_SK, sealPk } from './audit-table-keys.ts';
import { linkOf } from './dynamo-chain-links.ts';
import { queryAll } from './dynamo-paged.ts';

/**
 * The sealer's side of the audit table: an agency's links read in order (Query on `CHAIN#<agency>`), and
 * its last sealed digest under `SEAL#<agency>`, replaced only by a sealer that saw the one it replaces.
 */
export class DynamoSealedChain implements SealedChain {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async links(agencyId: string, fromSeq: number, limit: number): Promise<ChainedEvent[]> {
    const out: ChainedEvent[] = [];
    for await (const item of queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': chainPk(agencyId),
        ':from': chainSk(fromSeq),
        // Every sequence number sorts below this: the prefix and a character after the digits.
        ':to': `${CHAIN_SEQ_PREFIX}~`,
      },
      Limit: limit,
      ConsistentRead: true,
    })) {
      const link = linkOf(item);
      if (link) out.push(link);
      // Stopping here leaves the pages after it unread.
      if (out.length >= limit) break;
    }
    return out;
  }

  async lastDigest(agencyId: string): Promise<DigestFile | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: sealPk(agencyId), sk: SEAL_SK },
        ConsistentRead: true,
      }),
    );
    const json = out.Item?.digestJson;
    return typeof json === 'string' ? (JSON.parse(json) as DigestFile) : undefined;
  }

  async sealed(agencyId: string, digest: DigestFile, previous: DigestFile | undefined): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: sealPk(agencyId),
          sk: SEAL_SK,
          index: digest.index,
          digestJson: JSON.stringify(digest),
        },
        ...(previous
          ? {
              ConditionExpression: '#index = :previous',
              ExpressionAttributeNames: { '#index': 'index' },
              ExpressionAttributeValues: { ':previous': previous.index },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
  }
}
