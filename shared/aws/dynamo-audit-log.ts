import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { AUDIT_EVENT_PREFIX, auditPk, auditSk } from './audit-table-keys.ts';
import { conditionalWrite } from './dynamo-conditional.ts';
import { queryAll } from './dynamo-paged.ts';
import type { AuditEvent, AuditLog } from './ports.ts';
import { withoutKeys } from './table-keys.ts';

/** Hands a recorded event to its agency's chainer (the audit FIFO queue in AWS). */
export interface AuditChainFeed {
  send(event: AuditEvent, eventId: string): Promise<void>;
}

/**
 * Append-only audit events in the audit table, one item each: pk AUDIT#<agencyId>#<subject>, sk
 * EVT#<eventId>, written only if absent (PutItem alone: no role may update or delete one), so a retried
 * event records once whatever its `at`. Each is then handed to its agency's chainer, which links it into
 * the agency's hash chain. A retry hands it over again (the first hand-over may be what failed); the
 * chainer links an event id once. Subjects are chart/object/batch ids, never PHI.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly chain: AuditChainFeed,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const eventId = auditEventId(event);
    // If the event is already recorded the condition fails and the first write stands (its `at` is when
    // it really happened). It is handed to the chain again all the same: the first hand-over may be what
    // failed. The chain keeps the first it is given of an event id; in the rare retry whose first
    // hand-over failed, that copy's `at` is the retry's.
    await conditionalWrite(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...event, eventId, pk: auditPk(event.agencyId, event.subject), sk: auditSk(eventId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    await this.chain.send(event, eventId);
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
