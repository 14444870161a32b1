import { userInfo } from 'node:os';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { LOCAL_SENDER_ATTRIBUTE, localSenderId } from '#cli/local/sender-ids.ts';
import { SqsEventSource } from '#cli/local/sqs-event-source.ts';
import { stage } from '#shared/topology.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'sender' });

/** What the validation stage's handler is given, delivered by the local event source as Lambda would. */
async function delivered(): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  const source = new SqsEventSource(
    stack.clients.sqs,
    stage('validation'),
    stack.resources.queueUrls.validate ?? '',
    async (event) => {
      records.push(...event.Records);
      return { batchItemFailures: [] };
    },
    1,
  );
  while ((await source.pollOnce()).received > 0);
  return records.sort((a, b) => a.body.localeCompare(b.body));
}

describe('the local SQS SenderId', () => {
  it('is the identity of the role that sent each message, as SQS stamps it, and cannot be set by the sender', async () => {
    const QueueUrl = stack.resources.queueUrls.validate ?? '';
    const user = userInfo().username;
    await actAs('stage:intake', () =>
      stack.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '"1 stage"' })),
    );
    await actAs('person:qa-reviewer@agency-a', () =>
      stack.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'a', MessageBody: '"2 person"' },
            {
              Id: 'b',
              MessageBody: '"3 forged"',
              // A sender naming another identity: the stamp is SQS's, not the caller's.
              MessageAttributes: {
                [LOCAL_SENDER_ATTRIBUTE]: { DataType: 'String', StringValue: 'AROAOTHER:someone' },
                note: { DataType: 'String', StringValue: 'kept' },
              },
            },
          ],
        }),
      ),
    );
    await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '"4 operator"' }));
    const records = await delivered();
    const reviewer = localSenderId('person:qa-reviewer@agency-a', user);
    expect(records.map((r) => r.attributes.SenderId)).toEqual([
      localSenderId('stage:intake'),
      reviewer,
      reviewer,
      localSenderId(undefined, user),
    ]);
    // A role session's id names its session: a stage's function, the person; a user's id names no session.
    expect(records[0]?.attributes.SenderId).toMatch(/^AROA[0-9A-F]{17}:codetrail-intake$/);
    expect(reviewer).toMatch(new RegExp(`^AROA[0-9A-F]{17}:${user}$`));
    expect(localSenderId('person:qa-reviewer@agency-b', user)).not.toBe(reviewer);
    expect(records[3]?.attributes.SenderId).toMatch(/^AIDA[0-9A-F]{17}$/);
    // The stamp is not among the message's attributes; the sender's own are.
    expect(records[2]?.messageAttributes).toEqual({
      note: { stringValue: 'kept', dataType: 'String', stringListValues: [], binaryListValues: [] },
    });
  });
});
