import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamo-paged.ts';
import type { MemberEntry, MemberIndex } from './ports.ts';
import { memberPk, memberSk, withoutKeys } from './table-keys.ts';

/** The member index in the one table (see table-keys.ts): one item per chart version naming the member. */
export class DynamoMemberIndex implements MemberIndex {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(entry: MemberEntry): Promise<void> {
    // The same version carries the same member and period: writing it again writes the same item.
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...entry,
          pk: memberPk(entry.agencyId, entry.memberKey),
          sk: memberSk(entry.chartKey, entry.version),
        },
      }),
    );
  }

  async charts(agencyId: string, memberKey: string): Promise<MemberEntry[]> {
    const out: MemberEntry[] = [];
    for await (const item of queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': memberPk(agencyId, memberKey) },
    }))
      out.push(withoutKeys<MemberEntry>(item));
    return out.sort(
      (a, b) =>
        a.periodFrom.localeCompare(b.periodFrom) ||
        a.chartKey.localeCompare(b.chartKey) ||
        a.version - b.version,
    );
  }
}
