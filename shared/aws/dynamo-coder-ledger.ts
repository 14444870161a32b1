import { type DynamoDBDocumentClient, GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { CodedRecord, type CoderRecord, DenialMark, DisputeRecord, ReviewRecord } from '#shared/model/qa.ts';
import { BoundedCache } from './bounded-cache.ts';
import { putOnce } from './dynamo-conditional.ts';
import { countAll, queryAll } from './dynamo-paged.ts';
import type { CoderLedger } from './ports.ts';
import {
  agencyCodersPk,
  CODER_PROFILE_SK,
  categoryPk,
  coderPk,
  coderRecordKey,
  GSI1,
  PROBATION_EXIT_SK,
  withoutKeys,
} from './table-keys.ts';

/** Every sort key of a kind sorts before this suffix: `CODED#` .. `CODED#\uffff`. */
const END = '\uffff';

/** The coder ledger in the one table (see table-keys.ts): records are written once, read by range. */
export class DynamoCoderLedger implements CoderLedger {
  /** Coders this process has seen listed: the profile is put once, not once per chart coded. */
  private readonly listed = new BoundedCache<string, true>(10_000);

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(record: CoderRecord): Promise<boolean> {
    const coder = `${record.agencyId}|${record.coderId}`;
    if (record.kind === 'coded' && !this.listed.get(coder)) {
      // Written now or before: either way the coder is listed.
      await this.ensureProfile(record.agencyId, record.coderId, record.codedAt);
      this.listed.set(coder, true);
    }
    const key = coderRecordKey(record);
    const written = await this.putOnce({ ...record, ...key });
    if (record.kind === 'denial' && record.category)
      await this.putOnce({ ...record, pk: categoryPk(record.agencyId, record.category), sk: key.sk });
    return written;
  }

  async firstCoded(agencyId: string, coderId: string, limit: number): Promise<CodedRecord[]> {
    const out: CodedRecord[] = [];
    for await (const item of this.range(coderPk(agencyId, coderId), 'CODED#', undefined, limit)) {
      out.push(CodedRecord.parse(item));
      if (out.length >= limit) break;
    }
    return out;
  }

  async *reviews(agencyId: string, coderId: string, since?: string): AsyncIterable<ReviewRecord> {
    for await (const item of this.range(coderPk(agencyId, coderId), 'REVIEW#', since))
      yield ReviewRecord.parse(item);
  }

  async denials(agencyId: string, coderId: string, since: string): Promise<DenialMark[]> {
    const out: DenialMark[] = [];
    for await (const item of this.range(coderPk(agencyId, coderId), 'DENIAL#', since))
      out.push(DenialMark.parse(item));
    return out;
  }

  async disputes(agencyId: string, coderId: string, since?: string): Promise<DisputeRecord[]> {
    const out: DisputeRecord[] = [];
    for await (const item of this.range(coderPk(agencyId, coderId), 'DISPUTE#', since))
      out.push(DisputeRecord.parse(item));
    return out;
  }

  categoryDenials(agencyId: string, category: string, since: string): Promise<number> {
    return countAll(this.dynamo, this.rangeQuery(categoryPk(agencyId, category), 'DENIAL#', since));
  }

  async probationEndedAt(agencyId: string, coderId: string): Promise<string | undefined> {
    const out = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: coderPk(agencyId, coderId), sk: PROBATION_EXIT_SK },
      }),
    );
    return typeof out.Item?.at === 'string' ? out.Item.at : undefined;
  }

  endProbation(agencyId: string, coderId: string, at: string): Promise<boolean> {
    return this.putOnce({ pk: coderPk(agencyId, coderId), sk: PROBATION_EXIT_SK, agencyId, coderId, at });
  }

  async *coders(agencyId: string): AsyncIterable<string> {
    for await (const item of queryAll(this.dynamo, {
      TableName: this.table,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': agencyCodersPk(agencyId) },
    }))
      if (typeof item.coderId === 'string') yield item.coderId;
  }

  /** Lists the coder in gsi1 the first time they are seen. */
  private ensureProfile(agencyId: string, coderId: string, firstSeenAt: string): Promise<boolean> {
    return this.putOnce({
      pk: coderPk(agencyId, coderId),
      sk: CODER_PROFILE_SK,
      gsi1pk: agencyCodersPk(agencyId),
      gsi1sk: coderId,
      agencyId,
      coderId,
      firstSeenAt,
    });
  }

  private putOnce(item: Record<string, unknown>): Promise<boolean> {
    return putOnce(this.dynamo, this.table, item);
  }

  /** Items of one kind in a partition, oldest first, from `since` on. */
  private async *range(
    pk: string,
    prefix: string,
    since?: string,
    pageSize?: number,
  ): AsyncGenerator<Record<string, unknown>> {
    const input = this.rangeQuery(pk, prefix, since);
    if (pageSize !== undefined) input.Limit = pageSize;
    for await (const item of queryAll(this.dynamo, input)) yield withoutKeys(item);
  }

  /** The items of one kind in a partition, from `since` on (sort keys are the kind, then the time). */
  private rangeQuery(
    pk: string,
    prefix: string,
    since?: string,
  ): Omit<QueryCommandInput, 'ExclusiveStartKey'> {
    return {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': `${prefix}${since ?? ''}`,
        ':to': `${prefix}${END}`,
      },
    };
  }
}
