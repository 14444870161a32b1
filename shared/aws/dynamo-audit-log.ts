import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './dynamo-conditional.ts';
import { queryAll } from './dynamo-paged.ts';
import type { AuditEvent, AuditLog } from './ports.ts';
import {
  AUDIT_EVENT_PREFIX,
  auditDayPk,
  auditDaySk,
  auditPk,
  auditSk,
  GSI1_PK,
  GSI1_SK,
  withoutKeys,
} from './table-keys.ts';

/**
 * The event's identity: what happened, to what, under which idempotency key. Deliberately not `at`, so a
 * retry stamped a few seconds later is the same event.
 */
export function auditEventId(event: Pick<AuditEvent, 'type' | 'subject' | 'idempotencyKey'>): string {
  return createHash('sha256')
    .update(`${event.type}|${event.subject}|${event.idempotencyKey}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * Append-only audit events, one item each: pk AUDIT#<agencyId>#<subject>, sk EVT#<eventId>, written only if absent,
 * so a retried event records once whatever its `at`. gsi1 (AUDIT#<agencyId>#<day>, <at>#<eventId>) lists
 * an agency's events by day for compliance. Subjects are chart/object/batch ids, never PHI.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const eventId = auditEventId(event);
    // If the event is already recorded the condition fails and the first write stands (its `at` is when
    // it really happened).
    await conditionalWrite(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...event,
            eventId,
            pk: auditPk(event.agencyId, event.subject),
            sk: auditSk(eventId),
            [GSI1_PK]: auditDayPk(event.agencyId, event.at),
            [GSI1_SK]: auditDaySk(event.at, eventId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** A subject's events, oldest first (the sort key is the event id, so order by `at` here). */
  async list(agencyId: string, subject: string): Promise<AuditEvent[]> {
    const found: { event: AuditEvent; eventId: string }[] = [];
    for await (const item of queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
      ExpressionAttributeValues: { ':pk': auditPk(agencyId, subject), ':evt': AUDIT_EVENT_PREFIX },
      ConsistentRead: true,
    }))
      found.push({ event: withoutKeys<AuditEvent>(item, ['eventId']), eventId: String(item.eventId) });
    found.sort((a, b) => a.event.at.localeCompare(b.event.at) || a.eventId.localeCompare(b.eventId));
    return found.map((f) => f.event);
  }
}
