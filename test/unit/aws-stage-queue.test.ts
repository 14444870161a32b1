import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, SqsStageQueue, toBatches } from '#shared/aws/sqs-stage-queue.ts';

// The emulator never fails part of a batch, so the retry path is tested against a mocked SQS.
const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1' });
const urls = { validate: 'https://sqs.us-east-1.amazonaws.com/111122223333/codetrail-validate' };
const delays: number[] = [];
const queue = () =>
  new SqsStageQueue(sqs, urls, {
    sleep: async (ms) => {
      delays.push(ms);
    },
  });

function entriesOf(call: number) {
  return sqsMock.commandCalls(SendMessageBatchCommand)[call]?.args[0].input.Entries ?? [];
}

beforeEach(() => {
  sqsMock.reset();
  delays.length = 0;
});

describe('SqsStageQueue retries', () => {
  it('resends only the entries that failed, then succeeds', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: 'm1', SenderFault: false, Code: 'InternalError' },
          { Id: 'm3', SenderFault: false, Code: 'RequestThrottled' },
        ],
      })
      .resolves({ Failed: [] });
    const messages = [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }];
    await queue().send('validate', messages);

    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(entriesOf(0).map((e) => e.Id)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(entriesOf(1)).toEqual([
      { Id: 'm1', MessageBody: '{"n":1}' },
      { Id: 'm3', MessageBody: '{"n":3}' },
    ]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(urls.validate);
    expect(delays).toHaveLength(1);
  });

  it('gives up after 5 attempts with backoff, naming the queue and how many were not sent', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: 'm0', SenderFault: false, Code: 'InternalError' }] });
    await expect(queue().send('validate', [{ a: 1 }, { a: 2 }])).rejects.toThrow(
      'queue validate: 1 of 2 messages were not sent (InternalError)',
    );
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(5);
    // Jittered, under a ceiling that doubles: 50, 100, 200, 400 ms.
    expect(delays).toHaveLength(4);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(50 * 2 ** i);
    });
  });

  it('does not retry what failed by the sender’s fault, and still sends the other batches', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: 'm2', SenderFault: true, Code: 'InvalidMessageContents' }] })
      .resolves({ Failed: [] });
    const messages = Array.from({ length: 12 }, (_, i) => ({ i }));
    await expect(queue().send('validate', messages)).rejects.toThrow(/1 of 12 .*InvalidMessageContents/);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(entriesOf(1).map((e) => e.Id)).toEqual(['m10', 'm11']);
  });

  it('lets a failed call (after the SDK’s own retries) propagate', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));
    await expect(queue().send('validate', [{}])).rejects.toThrow('socket hang up');
  });
});

describe('toBatches', () => {
  const entry = (i: number, bytes: number) => ({ id: `m${i}`, body: 'x'.repeat(bytes) });

  it('puts at most 10 entries in a call', () => {
    const sizes = toBatches(Array.from({ length: 25 }, (_, i) => entry(i, 10))).map((b) => b.length);
    expect(sizes).toEqual([10, 10, 5]);
  });

  it('keeps each call under the byte limit, and sends an oversized body alone', () => {
    const third = Math.floor(MAX_BATCH_BYTES / 3);
    const batches = toBatches([
      entry(0, third),
      entry(1, third),
      entry(2, third),
      entry(3, 2),
      entry(4, MAX_BATCH_BYTES + 1),
      entry(5, 1),
    ]);
    expect(batches.map((b) => b.map((e) => e.id))).toEqual([['m0', 'm1', 'm2'], ['m3'], ['m4'], ['m5']]);
    for (const b of batches.filter((b) => b.length > 1)) {
      expect(b.reduce((n, e) => n + e.body.length, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
  });

  it('counts bytes, not characters', () => {
    const wide = 'é'.repeat(MAX_BATCH_BYTES / 4); // 2 bytes each: half the limit per entry
    const batches = toBatches([
      { id: 'a', body: wide },
      { id: 'b', body: wide },
      { id: 'c', body: wide },
    ]);
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
  });
});
