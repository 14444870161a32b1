import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { AGENCY_ID } from '#shared/topology.ts';
import type { AuditChainFeed } from './dynamo-audit-log.ts';
import type { AuditEvent } from './ports.ts';

/**
 * Audit events to the chainer through the audit FIFO queue: the agency is the message group (one
 * chainer at a time per agency, in the order sent) and the event id the deduplication id (SQS drops a
 * repeat sent within five minutes; the chainer drops any later one). The message names the event
 * (agency, subject, id) and carries nothing of it: the chainer links the event as the audit table holds
 * it, so what a message says cannot put into the chain anything that was not recorded.
 */
export class SqsAuditFeed implements AuditChainFeed {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(event: AuditEvent, eventId: string): Promise<void> {
    if (!AGENCY_ID.test(event.agencyId)) throw new PhiFreeError('an audit event names no agency id');
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ agencyId: event.agencyId, subject: event.subject, eventId }),
        MessageGroupId: event.agencyId,
        MessageDeduplicationId: eventId,
      }),
    );
  }
}
