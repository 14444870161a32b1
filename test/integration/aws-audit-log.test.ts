import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'audit' });

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    type: 'chart.validated',
    agencyId: 'agency-a',
    subject: 'chart:ck1:v1',
    actor: 'stage:validation',
    at: '2026-11-21T08:00:00.000Z',
    idempotencyKey: 'validated',
    detail: { findings: 2 },
    ...overrides,
  };
}

describe('DynamoAuditLog on dynalite', () => {
  it('records an event once, even when a retry carries a later `at`', async () => {
    await stack.ports.audit.record(event());
    await stack.ports.audit.record(event({ at: '2026-11-21T08:00:07.000Z', detail: { findings: 3 } }));
    expect(await stack.ports.audit.list('agency-a', 'chart:ck1:v1')).toEqual([event()]);
  });

  it('lists a subject’s distinct events oldest first', async () => {
    const subject = 'chart:ck2:v1';
    const later = event({
      subject,
      type: 'chart.sampled',
      idempotencyKey: 'sampled',
      at: '2026-11-21T09:00:00.000Z',
    });
    const earlier = event({ subject, at: '2026-11-21T08:30:00.000Z' });
    const human = event({
      subject,
      type: 'verdict.applied',
      actor: 'local:reviewer',
      idempotencyKey: 'verdict-1',
      at: '2026-11-22T10:00:00.000Z',
    });
    for (const e of [later, human, earlier]) await stack.ports.audit.record(e);
    expect(await stack.ports.audit.list('agency-a', subject)).toEqual([earlier, later, human]);
    expect(await stack.ports.audit.list('agency-a', 'chart:nobody:v1')).toEqual([]);
    // Kept under the subject's agency: the same subject of another agency names other events.
    expect(await stack.ports.audit.list('agency-b', subject)).toEqual([]);
    const item = await stack.clients.dynamo.send(
      new QueryCommand({
        TableName: stack.resources.auditTable,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `AUDIT#agency-a#${subject}` },
      }),
    );
    expect(item.Items).toHaveLength(3);
  });

  it("hands every event to its agency's chainer: the audit FIFO queue, grouped by agency, deduplicated by event id", async () => {
    const sent = event({ agencyId: 'agency-c', subject: 'batch:b-1', type: 'batch.handed-off' });
    await stack.ports.audit.record(sent);
    // A retry hands it over again (the first hand-over may be what failed): SQS drops the repeat.
    await stack.ports.audit.record({ ...sent, at: '2026-11-23T23:59:59.000Z' });
    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.resources.queueUrls.audit,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    const mine = (out.Messages ?? []).filter((m) => m.Attributes?.MessageGroupId === 'agency-c');
    // The message names the event: the chainer reads what the audit table holds.
    expect(mine.map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      { agencyId: 'agency-c', subject: 'batch:b-1', eventId: auditEventId(sent) },
    ]);
    expect(mine[0]?.Attributes?.MessageDeduplicationId).toBe(auditEventId(sent));
  });
});
