import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { BatchReady } from '#shared/model/messages.ts';
import { table } from '../lib/summary.ts';
import type { Target } from '../lib/target.ts';

/**
 * `codetrail billing pull`: takes the coded batches waiting for billing, writes each batch manifest to
 * OUT/<batchId>.json and acknowledges the message. Run again, it finds nothing new. A batch could be
 * delivered twice after a crash in billing handoff; its manifest file is simply written again.
 */
export async function runBillingPull(target: Target, opts: { out: string }): Promise<string> {
  const url = target.resources.queueUrls['coded-batches'];
  if (!url) throw new Error('the coded-batches queue is not known for this target');
  mkdirSync(opts.out, { recursive: true });
  const rows: (string | number)[][] = [];
  const seen = new Set<string>();
  for (;;) {
    const got = await target.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    const messages = (got.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (messages.length === 0) break;
    for (const m of messages) {
      seen.add(m.MessageId ?? '');
      const ready = BatchReady.parse(JSON.parse(m.Body ?? '{}'));
      const manifest = await target.ports.artifacts.getText('artifacts', ready.manifestKey);
      writeFileSync(join(opts.out, `${ready.batchId}.json`), manifest);
      rows.push([ready.batchId, ready.agencyId, ready.chartCount, join(opts.out, `${ready.batchId}.json`)]);
      await target.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }
  if (rows.length === 0) return 'No coded batch is waiting.';
  return table(['batch', 'agency', 'charts', 'manifest'], rows);
}
