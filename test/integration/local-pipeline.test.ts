import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { agencyQueueUrl } from '#shared/topology.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';
import { testConfig } from '../support/test-agencies.ts';

// The real handlers, on the real emulators, fed the way Lambda's SQS event source feeds them.
let pipeline: LocalPipeline;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-it-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'ab'.repeat(32));
  pipeline = await startLocalPipeline({
    // Compressed so far that a failed message comes back at once: five receives, then the DLQ.
    config: testConfig({ sampling: SAMPLE_NOTHING, local: { timeCompression: 100_000 } }),
    keyFile,
    prefix: 'it',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

async function status(chartId: string, version = 1) {
  const key = await chartKeyOf(pipeline.ports.keys, 'test-agency', chartId);
  return (await pipeline.ports.charts.get(key, version))?.status;
}

describe('the local pipeline on embedded AWS', () => {
  it('carries dropped charts through every stage to a batch', async () => {
    const body = [homeHealthChart({ chartId: 'IT-1' }), hospiceChart({ chartId: 'IT-2' })]
      .map((c) => JSON.stringify(c))
      .join('\n');
    await pipeline.ports.artifacts.putText('intake', 'exports/test-agency/first.ndjson', body);
    await pipeline.runUntilQuiet();
    expect(await status('IT-1')).toBe('BATCHED');
    expect(await status('IT-2')).toBe('BATCHED');
  });

  it('treats a redelivered message as a no-op', async () => {
    const before = [];
    for await (const c of pipeline.ports.charts.list()) before.push(c);
    const chartKey = await chartKeyOf(pipeline.ports.keys, 'test-agency', 'IT-1');
    const message = { kind: 'chart', agencyId: 'test-agency', chartKey, version: 1 };
    for (const queue of ['validate', 'sample', 'billing'] as const) {
      await pipeline.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: pipeline.resources.queueUrls[queue],
          MessageBody: JSON.stringify(message),
        }),
      );
    }
    await pipeline.runUntilQuiet();
    const after = [];
    for await (const c of pipeline.ports.charts.list()) after.push(c);
    expect(after).toEqual(before);
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it("keeps two agencies apart: each agency's batch on its own coded-batches queue, its events under it", async () => {
    for (const agency of ['agency-a', 'agency-b'])
      await pipeline.ports.artifacts.putText(
        'intake',
        `exports/${agency}/apart.json`,
        JSON.stringify(homeHealthChart({ agencyId: agency, chartId: 'AP-1' })),
      );
    await pipeline.runUntilQuiet();
    const template = pipeline.resources.queueUrls['coded-batches'] ?? '';
    for (const [agency, other] of [
      ['agency-a', 'agency-b'],
      ['agency-b', 'agency-a'],
    ] as const) {
      const got = await pipeline.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: agencyQueueUrl(template, agency), MaxNumberOfMessages: 10 }),
      );
      const batches = (got.Messages ?? []).map(
        (m) => JSON.parse(m.Body ?? '{}') as { agencyId: string; batchId: string },
      );
      expect(batches.map((b) => b.agencyId)).toEqual([agency]);
      const [batch] = batches;
      const subject = `batch:${batch?.batchId}`;
      // Its events are its agency's: the other agency's compliance role finds none of them.
      expect((await pipeline.ports.audit.list(agency, subject)).map((e) => e.type)).toContain(
        'batch.handed-off',
      );
      expect(await pipeline.ports.audit.list(other, subject)).toEqual([]);
      const chartKey = await chartKeyOf(pipeline.ports.keys, agency, 'AP-1');
      expect(chartKey.startsWith(`${agency}.ck`)).toBe(true);
      expect(
        (await pipeline.ports.charts.get(chartKey, 1))?.artifactKey.startsWith(`charts/${agency}/`),
      ).toBe(true);
    }
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it('moves a poison message to the DLQ after maxReceiveCount and goes on', async () => {
    await pipeline.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: pipeline.resources.queueUrls.validate,
        MessageBody: '{"kind":"chart","oops":true}',
      }),
    );
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/second.json',
      JSON.stringify(homeHealthChart({ chartId: 'IT-3' })),
    );
    await pipeline.runUntilQuiet();
    const dead = await pipeline.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ queue: 'validate', body: '{"kind":"chart","oops":true}' });
    expect(await status('IT-3')).toBe('BATCHED');
  });
});
