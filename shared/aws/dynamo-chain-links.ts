import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { canonical } from '#shared/audit-trail/canonical.ts';
import { type ChainedEvent, linkBody } from '#shared/audit-trail/chain.ts';
import type { ChainLinks } from '#shared/audit-trail/chainer.ts';
import {
  auditPk,
  auditSk,
  CHAIN_SEQ_PREFIX,
  CHAINED_SK,
  chainedPk,
  chainPk,
  chainSk,
} from './audit-table-keys.ts';
import { isConditionalCheckFailed, itemFromConditionalFailure } from './dynamo-conditional.ts';
import { withoutKeys } from './table-keys.ts';

/**
 * A link as the audit table holds it, under its agency's chain partition. The event is kept as its
 * canonical JSON text, not as DynamoDB attributes: what the hash covers reads back byte for byte, with
 * no number, empty string or set turned into something else on the way.
 */
export function linkOf(item: Record<string, unknown> | undefined): ChainedEvent | undefined {
  if (!item) return undefined;
  const { agencyId, seq, eventId, prevHash, hash, eventJson, sentBy } = item as {
    agencyId: string;
    seq: number;
    eventId: string;
    prevHash: string;
    hash: string;
    eventJson: string;
    sentBy?: string;
  };
  const body = linkBody({
    agencyId,
    seq: Number(seq),
    eventId,
    prevHash,
    event: JSON.parse(eventJson),
    sentBy,
  });
  return { ...body, hash };
}

/**
 * The chain in the audit table: the events as recorded (read, never written: `AUDIT#`), links under
 * `CHAIN#<agency>` by sequence number, and each event id's
 * claimed place under `CHAINED#<agency>#<eventId>`. Every write is conditional (PutItem only: nothing is
 * updated or deleted), so a link once written stays, and no place is written twice.
 */
export class DynamoChainLinks implements ChainLinks {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async recorded(agencyId: string, subject: string, eventId: string) {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: auditPk(agencyId, subject), sk: auditSk(eventId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? withoutKeys<Record<string, unknown>>(out.Item, ['eventId']) : undefined;
  }

  async last(agencyId: string): Promise<ChainedEvent | undefined> {
    const out = await this.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: { ':pk': chainPk(agencyId), ':seq': CHAIN_SEQ_PREFIX },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return linkOf(out.Items?.[0]);
  }

  async at(agencyId: string, seq: number): Promise<ChainedEvent | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: chainPk(agencyId), sk: chainSk(seq) },
        ConsistentRead: true,
      }),
    );
    return linkOf(out.Item);
  }

  async claim(agencyId: string, eventId: string, seq: number, replacing?: number): Promise<number> {
    const key = { pk: chainedPk(agencyId, eventId), sk: CHAINED_SK };
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, agencyId, eventId, seq },
          ...(replacing === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'seq = :was', ExpressionAttributeValues: { ':was': replacing } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return seq;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // DynamoDB returns the claim that stands; dynalite does not, so read it then.
      const held = Number(
        (
          itemFromConditionalFailure(err) ??
          (await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })))
            .Item
        )?.seq,
      );
      if (!Number.isInteger(held)) throw new Error(`${agencyId}'s claim of ${eventId} is unreadable`);
      return held;
    }
  }

  async add(link: ChainedEvent): Promise<void> {
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: chainPk(link.agencyId),
          sk: chainSk(link.seq),
          agencyId: link.agencyId,
          seq: link.seq,
          eventId: link.eventId,
          prevHash: link.prevHash,
          hash: link.hash,
          eventJson: canonical(link.event),
          ...(link.sentBy === undefined ? {} : { sentBy: link.sentBy }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
