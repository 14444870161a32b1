import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provision } from '#cli/local/provision.ts';
import { agencyQueueUrl, BUCKETS, queues } from '#shared/topology.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'prov', timeCompression: 60 });

async function attributes(url: string) {
  const out = await stack.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return out.Attributes ?? {};
}

describe('provision on the emulators', () => {
  it('creates exactly the topology: table with gsi1, buckets, every queue with its DLQ', async () => {
    const table = await stack.clients.dynamo.send(
      new DescribeTableCommand({ TableName: stack.resources.table }),
    );
    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      table.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]),
    ).toEqual([['gsi1', 'ALL']]);
    // The audit table: keys alone, no index.
    const audit = await stack.clients.dynamo.send(
      new DescribeTableCommand({ TableName: stack.resources.auditTable }),
    );
    expect(audit.Table?.KeySchema).toEqual(table.Table?.KeySchema);
    expect(audit.Table?.GlobalSecondaryIndexes).toBeUndefined();

    for (const b of BUCKETS) {
      expect(stack.resources.buckets[b]).toBe(`${stack.prefix}-${b}`);
      await stack.clients.s3.send(new HeadBucketCommand({ Bucket: stack.resources.buckets[b] }));
    }

    // A Lambda queue once; a human kind once per agency, its URL a template with the agency's place.
    const listed = await stack.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: stack.prefix }));
    const human = queues().filter((q) => q.humanDrained).length;
    expect(listed.QueueUrls).toHaveLength((queues().length - human + human * stack.agencies.length) * 2);
    const [agency = ''] = stack.agencies;
    for (const spec of queues()) {
      const configured = stack.resources.queueUrls[spec.name] ?? '';
      // A FIFO queue's name (and its DLQ's) ends in .fifo.
      const fifo = spec.fifo ? '.fifo' : '';
      const name = spec.humanDrained ? `${spec.name}_{agency}` : `${spec.name}${fifo}`;
      expect(configured.endsWith(`/${stack.prefix}-${name}`)).toBe(true);
      const url = spec.humanDrained ? agencyQueueUrl(configured, agency) : configured;
      const dlqUrl = spec.humanDrained
        ? agencyQueueUrl(stack.dlqUrls[spec.name], agency)
        : stack.dlqUrls[spec.name];
      expect(listed.QueueUrls).toContain(url);
      // The URL names a host that resolves (127.0.0.1), not sqs.<region>.localhost.
      expect(new URL(url).hostname).toBe('127.0.0.1');
      const attrs = await attributes(url);
      const dlq = await attributes(dlqUrl);
      expect(attrs.VisibilityTimeout).toBe(
        String(Math.max(1, Math.round(spec.visibilityTimeoutSeconds / 60))),
      );
      expect(attrs.MessageRetentionPeriod).toBe(String(spec.retentionDays * 86_400));
      expect(attrs.FifoQueue === 'true').toBe(spec.fifo);
      expect(dlq.FifoQueue === 'true').toBe(spec.fifo);
      expect(JSON.parse(attrs.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: dlq.QueueArn,
        maxReceiveCount: spec.maxReceiveCount,
      });
      expect(
        dlq.QueueArn?.endsWith(`:${stack.prefix}-${spec.name}-dlq${spec.humanDrained ? `_${agency}` : fifo}`),
      ).toBe(true);
      expect(dlq.RedrivePolicy).toBeUndefined();
    }
  });

  it('is idempotent, and re-applies queue attributes (a restart with another time compression)', async () => {
    const again = await provision(stack.clients, {
      prefix: stack.prefix,
      timeCompression: 1,
      localKeyFile: stack.keyFile,
      agencies: stack.agencies,
    });
    expect(again.resources).toEqual(stack.resources);
    expect(again.dlqUrls).toEqual(stack.dlqUrls);
    expect((await attributes(stack.resources.queueUrls.intake ?? '')).VisibilityTimeout).toBe('1800');
    await provision(stack.clients, {
      prefix: stack.prefix,
      timeCompression: 60,
      localKeyFile: stack.keyFile,
      agencies: stack.agencies,
    });
  });

  it('drives redrive: past maxReceiveCount a message moves to the DLQ', async () => {
    const url = stack.resources.queueUrls.sample ?? '';
    await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"poison":true}' }));
    const maxReceiveCount = queues().find((q) => q.name === 'sample')?.maxReceiveCount ?? 0;
    for (let i = 0; i < maxReceiveCount; i++) {
      // VisibilityTimeout 0 on the receive: the message is back at once, as after a failed attempt.
      const got = await stack.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }),
      );
      expect(got.Messages).toHaveLength(1);
    }
    const after = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(after.Messages).toBeUndefined();
    const dead = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrls.sample }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['{"poison":true}']);
  });

  it('reports queue counts with expired visibility timeouts already applied', async () => {
    const url = stack.resources.queueUrls['qa-result'] ?? '';
    await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{}' }));
    await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    const attrs = await attributes(url);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '1',
      '0',
    ]);
    await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 30 }));
    const hidden = await attributes(url);
    expect([hidden.ApproximateNumberOfMessages, hidden.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '1',
    ]);
  });

  it('rejects a prefix S3 would not accept', async () => {
    await expect(
      provision(stack.clients, {
        prefix: 'Bad_Prefix',
        timeCompression: 1,
        localKeyFile: stack.keyFile,
        agencies: stack.agencies,
      }),
    ).rejects.toThrow(/invalid resource prefix/);
  });
});
