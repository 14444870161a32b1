import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { agencyQueueUrl } from '#shared/topology.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'queue' });

async function drain(sqs: SQSClient, url: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (!got.Messages?.length) return bodies;
    bodies.push(...got.Messages.map((m) => JSON.parse(m.Body ?? 'null')));
  }
}

describe('SqsStageQueue on fauxqs', () => {
  it('sends 25 messages in 3 SendMessageBatch calls, every one delivered', async () => {
    const send = vi.spyOn(stack.clients.sqs, 'send');
    const messages = Array.from({ length: 25 }, (_, i) => ({
      kind: 'chart',
      chartKey: `ck${i}`,
      version: 1,
    }));
    await stack.ports.queue.send('validate', messages);
    const batchCalls = send.mock.calls.filter(
      ([command]) => command.constructor.name === 'SendMessageBatchCommand',
    );
    expect(batchCalls).toHaveLength(3);
    send.mockRestore();

    const url = stack.resources.queueUrls.validate ?? '';
    const received = await drain(stack.clients.sqs, url);
    expect(received).toHaveLength(25);
    expect(received).toEqual(expect.arrayContaining(messages));
  });

  it('does nothing for no messages, and refuses an unconfigured queue', async () => {
    await stack.ports.queue.send('billing', []);
    expect(await drain(stack.clients.sqs, stack.resources.queueUrls.billing ?? '')).toEqual([]);
    const { SqsStageQueue } = await import('#shared/aws/sqs-stage-queue.ts');
    await expect(new SqsStageQueue(stack.clients.sqs, {}).send('billing', [{}])).rejects.toThrow(/billing/);
  });

  it("sends a human queue's message to the agency's own queue, and refuses one that names none or no agency id", async () => {
    const template = stack.resources.queueUrls['qa-review'] ?? '';
    await stack.ports.queue.send('qa-review', [{ kind: 'probe', n: 1 }], 'agency-a');
    expect(await drain(stack.clients.sqs, agencyQueueUrl(template, 'agency-a'))).toEqual([
      { kind: 'probe', n: 1 },
    ]);
    expect(await drain(stack.clients.sqs, agencyQueueUrl(template, 'agency-b'))).toEqual([]);
    await expect(stack.ports.queue.send('qa-review', [{}])).rejects.toThrow(
      'queue qa-review is one per agency',
    );
    // What goes into the URL is an agency id, never free text (it could carry PHI or a path).
    await expect(stack.ports.queue.send('qa-review', [{}], 'Jane Doe')).rejects.toThrow(
      'queue qa-review: no queue for that agency',
    );
    await expect(stack.ports.queue.send('qa-review', [{}], '../x')).rejects.toThrow(
      'no queue for that agency',
    );
  });
});
