import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '#cli/local/lambda-context.ts';
import { fifoGroupHandler } from '#shared/runtime/sqs-handler.ts';
import { withCapturedLogs } from '../support/capture-logs.ts';

/** A FIFO record of message group `group`, its body `body` (JSON unless a string is given raw). */
function record(id: string, group: string, body: unknown): SQSRecord {
  return {
    messageId: id,
    receiptHandle: id,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: group,
      MessageDeduplicationId: id,
      SequenceNumber: '1',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:audit.fifo',
    awsRegion: 'us-east-1',
  };
}

describe('fifoGroupHandler', () => {
  it("fails the rest of a group after what it could not take, in order, leaving other groups' alone", async () => {
    const seen: [string, unknown[]][] = [];
    const handler = fifoGroupHandler('audit-chainer', async (group, items) => {
      seen.push([group, items.map((i) => (i.unreadable ? 'unreadable' : i.body))]);
      if (group === 'a') return 1;
      if (group === 'c') throw new Error('the whole group failed');
      return items.length;
    });
    const event: SQSEvent = {
      Records: [
        record('a1', 'a', 1),
        record('b1', 'b', 1),
        record('a2', 'a', 2),
        record('b2', 'b', 'not json'),
        record('a3', 'a', 3),
        record('b3', 'b', 3),
        record('c1', 'c', 1),
      ],
    };
    const { result: out, logs } = await withCapturedLogs(() =>
      handler(event, lambdaContext('codetrail-audit-chainer', 60, 256)),
    );
    // Message ids and error names only: a body that does not parse is not quoted.
    expect(logs.text()).not.toContain('not json');
    // Each group's records in order; a body that does not parse is handed over marked, for the stage to
    // set aside (dropped here, it would never be seen; failed, it would hold up its group).
    expect(seen).toEqual([
      ['a', [1, 2, 3]],
      ['b', [1, 'unreadable', 3]],
      ['c', [1]],
    ]);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a2', 'a3', 'c1']);
  });

  it('hands each record over with the SenderId SQS stamped on it', async () => {
    const senders: (string | undefined)[] = [];
    const handler = fifoGroupHandler('audit-chainer', async (_group, items) => {
      senders.push(...items.map((i) => i.sender));
      return items.length;
    });
    await withCapturedLogs(() =>
      handler({ Records: [record('a1', 'a', 1)] }, lambdaContext('codetrail-audit-chainer', 60, 256)),
    );
    expect(senders).toEqual(['x']);
  });

  it('reports nothing when every group is taken whole', async () => {
    const handler = fifoGroupHandler('audit-chainer', async (_group, items) => items.length);
    const { result: out } = await withCapturedLogs(() =>
      handler(
        { Records: [record('a1', 'a', 1), record('b1', 'b', 1), record('a2', 'a', 2)] },
        lambdaContext('codetrail-audit-chainer', 60, 256),
      ),
    );
    expect(out.batchItemFailures).toEqual([]);
  });
});
