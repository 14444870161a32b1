import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStackAuditVerify } from '#cli/commands/audit-verify.ts';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { segmentKey, segmentText } from '#shared/audit-trail/segments.ts';
import { DynamoSealedChain } from '#shared/aws/dynamo-sealed-chain.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { parseConfig } from '#shared/model/config.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

/**
 * The trail on the emulators, every part as deployed: stages record events as their own roles (PutItem
 * and a FIFO message each), the chainer's real handler links them from the FIFO queue, the sealer's real
 * handler seals them into the audit bucket and signs them, and `codetrail audit verify` reads the bucket
 * as each agency's compliance role.
 */
let pipeline: LocalPipeline;
/** agency-q records nothing: a new or quiet branch. */
const AGENCIES = ['agency-a', 'agency-b', 'agency-q'];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-trail-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'a7'.repeat(32));
  pipeline = await startLocalPipeline({
    config: parseConfig({
      agencies: AGENCIES.map((id) => ({ id, timeZone: 'America/Chicago' })),
      sampling: SAMPLE_NOTHING,
      local: { timeCompression: 1000 },
    }),
    keyFile,
    prefix: 'trail',
  });
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

function event(agencyId: string, n: number): AuditEvent {
  return {
    type: 'chart.validated',
    agencyId,
    subject: `chart:${agencyId}.ck${String(n).padStart(4, '0')}:v1`,
    actor: 'stage:validation',
    at: new Date(Date.UTC(2026, 11, 7, 9) + n * 1000).toISOString(),
    idempotencyKey: `validated-${n}`,
    detail: { findings: n % 3, ruleIds: [] },
  };
}

function target() {
  return {
    clients: pipeline.clients,
    resources: pipeline.resources,
    ports: pipeline.ports,
    actor: 'local:auditor',
    agencies: AGENCIES,
    description: 'local stack',
  };
}

describe('the audit trail on the emulators, as deployed', () => {
  it('chains what stages record, seals it, and verifies it from the bucket as compliance', async () => {
    // Recorded as validation's role; 25 events of one agency, 5 of the other, one of them retried.
    await actAs('stage:validation', async () => {
      for (let n = 0; n < 25; n++) await pipeline.ports.audit.record(event('agency-a', n));
      for (let n = 0; n < 5; n++) await pipeline.ports.audit.record(event('agency-b', n));
      await pipeline.ports.audit.record({ ...event('agency-a', 3), at: '2026-12-07T10:00:00.000Z' });
    });
    await pipeline.runUntilQuiet();
    const sealed = await pipeline.runJob('audit-sealer');
    expect(sealed).toEqual({
      sealed: [
        { agencyId: 'agency-a', segments: 1, events: 25 },
        { agencyId: 'agency-b', segments: 1, events: 5 },
        { agencyId: 'agency-q', segments: 0, events: 0 },
      ],
    });
    const { text, ok } = await runStackAuditVerify(target(), {});
    expect(text).toBe(
      'audit trail verified: 30 event(s) in 2 segment(s) of agency-a, agency-b\nnothing sealed yet for agency-q',
    );
    expect(ok).toBe(true);
    // Named, an agency must have a trail.
    const named = await runStackAuditVerify(target(), { agency: ['agency-q'] });
    expect(named.ok).toBe(false);
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it('chains an event sent again after SQS forgot it (past five minutes) once, and seals what a stopped sealer left', async () => {
    // The same event under a new deduplication id: SQS delivers it, the chainer finds it chained.
    await actAs('stage:validation', () =>
      pipeline.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: pipeline.resources.queueUrls.audit,
          MessageBody: JSON.stringify({
            agencyId: 'agency-a',
            subject: event('agency-a', 3).subject,
            eventId: auditEventId(event('agency-a', 3)),
          }),
          MessageGroupId: 'agency-a',
          MessageDeduplicationId: 'sent-again-an-hour-later',
        }),
      ),
    );
    for (let n = 25; n < 28; n++)
      await actAs('stage:validation', () => pipeline.ports.audit.record(event('agency-a', n)));
    await pipeline.runUntilQuiet();
    // A sealer that stopped after writing the next segment, before its digest: the next run seals it.
    const links = await new DynamoSealedChain(pipeline.clients.dynamo, pipeline.resources.auditTable).links(
      'agency-a',
      25,
      10,
    );
    expect(links.map((l) => l.seq)).toEqual([25, 26, 27]);
    await pipeline.ports.artifacts.putText(
      'audit',
      segmentKey('agency-a', 1),
      segmentText(links.slice(0, 2)),
    );
    expect(await pipeline.runJob('audit-sealer')).toEqual({
      sealed: [
        { agencyId: 'agency-a', segments: 2, events: 3 },
        { agencyId: 'agency-b', segments: 0, events: 0 },
        { agencyId: 'agency-q', segments: 0, events: 0 },
      ],
    });
    const { text, ok } = await runStackAuditVerify(target(), { agency: ['agency-a', 'agency-b'] });
    expect(text).toBe('audit trail verified: 33 event(s) in 4 segment(s) of agency-a, agency-b');
    expect(ok).toBe(true);
  });

  it("names the event changed behind the seal, and fails the agency's verification", async () => {
    const key = segmentKey('agency-b', 0);
    const text = await pipeline.ports.artifacts.getText('audit', key);
    // An administrator who could overwrite the object (S3 Object Lock forbids it; the emulator has none).
    const changed = text.replace('"findings":1', '"findings":0');
    expect(changed).not.toBe(text);
    await pipeline.clients.s3.send(
      new PutObjectCommand({ Bucket: pipeline.resources.buckets.audit, Key: key, Body: changed }),
    );
    const { text: report, ok } = await runStackAuditVerify(target(), { agency: ['agency-b'] });
    expect(ok).toBe(false);
    // A window after the segment was sealed does not read it (its digest is still checked).
    const before = await runStackAuditVerify(target(), { agency: ['agency-b'], from: '2030-01-01' });
    expect(before).toEqual({
      ok: true,
      text: 'audit trail verified: 5 event(s) in 1 segment(s) (1 sealed outside the window: digests checked, events not read) of agency-b',
    });
    await expect(runStackAuditVerify(target(), { from: '2026-13-01' })).rejects.toThrow(
      '--from: not a date (YYYY-MM-DD)',
    );
    expect(report).toMatch(/^modified {2}agency-b {2}segment 0 {2}event 1: /m);
    // The other agency's trail still verifies on its own.
    expect((await runStackAuditVerify(target(), { agency: ['agency-a'] })).ok).toBe(true);
    // As of three hours on, with no sealer run since: its end is too old (cut short, or a stopped sealer).
    const later = await runStackAuditVerify(target(), {
      agency: ['agency-a'],
      asOf: new Date(Date.now() + 3 * 3_600_000),
    });
    expect(later.ok).toBe(false);
    expect(later.text).toMatch(/^stale-trail {2}agency-a {2}segment \d+: the newest digest was signed at /m);
  });
});
