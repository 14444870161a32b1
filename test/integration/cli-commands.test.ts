import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditBatch, runAuditEvents } from '#cli/commands/audit.ts';
import { runBillingPull } from '#cli/commands/billing.ts';
import { runDrop } from '#cli/commands/drop.ts';
import { runIntakeReceipts } from '#cli/commands/intake.ts';
import { runQaReview, runQaShow } from '#cli/commands/qa.ts';
import { runQaPlan } from '#cli/commands/qa-plan.ts';
import { qaReport, renderQaReport } from '#cli/commands/qa-report.ts';
import { runReconcile } from '#cli/commands/reconcile.ts';
import { collectSummary, renderSummary } from '#cli/lib/summary.ts';
import type { Target } from '#cli/lib/target.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { restoreSnapshot, saveSnapshot } from '#cli/local/snapshot.ts';
import { parseConfig } from '#shared/model/config.ts';
import type { IntakeReceipt } from '#shared/model/receipt.ts';
import { agencyQueueUrl } from '#shared/topology.ts';
import { homeHealthChart } from '../support/charts.ts';
import { droppedObjectId } from '../support/dropped-object.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';

// The commands people run against a stack (`drop`, `qa review`, `billing pull`), here against the
// embedded one, as `start --serve` exposes it.
let pipeline: LocalPipeline;
let target: Target;
const dir = mkdtempSync(join(tmpdir(), 'codetrail-cli-'));

beforeAll(async () => {
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'cd'.repeat(32));
  pipeline = await startLocalPipeline({
    config: parseConfig({
      agencies: [{ id: 'test-agency' }],
      // coder-new's charts are all sampled, to the first-review queue (not senior review in probation).
      // coder-sr's are all sampled to senior review.
      sampling: {
        ...SAMPLE_NOTHING,
        coderRates: { 'coder-new': 1, 'coder-sr': 1 },
        senior: { probation: false, coders: ['coder-sr'] },
      },
      local: { timeCompression: 1000 },
    }),
    keyFile,
    prefix: 'cli',
  });
  target = {
    clients: pipeline.clients,
    resources: pipeline.resources,
    ports: pipeline.ports,
    actor: 'local:test',
    description: 'test stack',
    agencies: ['test-agency'],
  };
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('codetrail commands against a running stack', () => {
  it('drops an export under a key that carries no file name, then reviews and bills it', async () => {
    const file = join(dir, 'Test Patient-Zeta export.ndjson');
    writeFileSync(
      file,
      [homeHealthChart({ chartId: 'CLI-1', coderId: 'coder-new' }), homeHealthChart({ chartId: 'CLI-2' })]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    const [key] = await runDrop(target, [file], { agency: 'test-agency' });
    expect(key).toMatch(/^exports\/test-agency\/\d{8}T\d{6}-[0-9a-f]{12}\.ndjson$/);
    await pipeline.runUntilQuiet();

    const listing = await runQaReview(target, {});
    expect(listing).toContain('coder-new');
    expect(listing).toContain('coder-rate');
    // A senior lists their own queue's board, as the senior's role: this chart is not on it.
    expect(await runQaReview(target, { senior: true })).toBe('No chart is waiting for QA review.');
    const chartKey = listing.split('\n')[2]?.split(/\s+/)[2] ?? '';
    expect(await runQaShow(target, chartKey, 1)).toContain('"chartId": "CLI-1"');
    // The coder may not take their own chart: the request goes back at once (for the next reviewer).
    expect(await runQaReview(target, { next: true, reviewer: 'coder-new' })).toBe(
      'No chart is waiting on the QA queue for coder-new.',
    );
    // Taken by a reviewer (held for them), shown, and answered below with a note.
    expect(await runQaReview(target, { next: true, reviewer: 'qa-7' })).toContain('"chartId": "CLI-1"');

    const verdicts = join(dir, 'verdicts.json');
    writeFileSync(
      verdicts,
      JSON.stringify([
        {
          agencyId: 'test-agency',
          chartId: 'CLI-1',
          version: 1,
          reviewerId: 'qa-7',
          outcome: 'agree',
          note: 'Codes match the plan of care.',
        },
        { agencyId: 'test-agency', chartId: 'CLI-1', version: 9, reviewerId: 'qa-7', outcome: 'bogus' },
      ]),
    );
    const answer = await runQaReview(target, { verdicts });
    expect(answer).toContain(': agree');
    expect(answer).toMatch(/entry 2 outcome/);
    await pipeline.runUntilQuiet();
    expect(await runQaReview(target, {})).toBe('No chart is waiting for QA review.');

    // The coders' plan and the accuracy report read the coder ledger the stages wrote.
    const config = parseConfig({
      agencies: [{ id: 'test-agency' }],
      sampling: { coderRates: { 'coder-new': 1 } },
    });
    const plan = await runQaPlan(target.ports, config, {});
    expect(plan).toMatch(/test-agency\s+coder-new\s+1\s+in probation/);
    expect(plan).toContain('hospice charts 0.15');
    const report = await qaReport(target.ports, config, { by: ['coder'] });
    expect(report.by.coder?.map((r) => [r.key, r.reviews, r.charts.rate])).toEqual([['coder-new', 1, 1]]);
    expect(renderQaReport(report)).toContain('Waiting for QA review past the SLA');

    // The local stack's clients refuse a write over a note, as S3 does (the embedded S3 would write over it).
    const note = 'qa-notes/test-agency/ck0/v1-0123456789ab.json';
    await target.ports.artifacts.putJson('artifacts', note, { note: 'first' }, { once: true });
    await target.ports.artifacts.putJson('artifacts', note, { note: 'second' }, { once: true });
    expect(JSON.parse(await target.ports.artifacts.getText('artifacts', note))).toEqual({ note: 'first' });

    const out = join(dir, 'batches');
    // billing-reply cannot be told of the pull: the batch is written, but its message stays, for the next
    // pull to tell it and take it (a pull is never left unrecorded).
    const unreachable = {
      ...target,
      ports: {
        ...target.ports,
        queue: {
          send: async () => {
            throw new Error('billing-reply unreachable');
          },
        },
      },
    };
    await expect(runBillingPull(unreachable, { out, max: 1 })).rejects.toThrow('billing-reply unreachable');
    const pulled = await runBillingPull(target, { out });
    expect(pulled).toContain('(already there)');
    const batchIds = pulled
      .split('\n')
      .slice(2)
      .map((l) => l.split(/\s+/)[0] ?? '');
    const members = batchIds.flatMap(
      (id) => JSON.parse(readFileSync(join(out, id, 'manifest.json'), 'utf8')).members,
    );
    expect(members).toHaveLength(2);
    // Owner-only: the batch carries PHI.
    for (const id of batchIds) {
      expect(statSync(join(out, id)).mode & 0o777).toBe(0o700);
      expect(statSync(join(out, id, 'manifest.json')).mode & 0o777).toBe(0o600);
      for (const m of JSON.parse(readFileSync(join(out, id, 'manifest.json'), 'utf8')).members)
        expect(statSync(join(out, id, 'charts', `${m.claimRef}.json`)).mode & 0o777).toBe(0o600);
    }
    expect(await runBillingPull(target, { out })).toBe('No coded batch is waiting.');
    // Every chart file a pull opened is an audit event of the person's own, with why; the reviewer's too.
    const opened = (await pipeline.ports.audit.list('test-agency', 'access')).map((e) => [
      e.actor,
      e.detail?.chartKey,
      e.detail?.purpose,
    ]);
    for (const m of members) expect(opened).toContainEqual(['local:test', m.chartKey, 'billing']);
    expect(opened).toContainEqual(['local:test', chartKey, 'qa-review']);

    // Compliance proves what a batch billed: its Object-Locked manifest is the one billing handoff recorded.
    const [batchId = ''] = batchIds;
    expect(await runAuditBatch(target, batchId)).toMatch(
      new RegExp(`^${batchId}: the Object-Locked manifest is the one billing handoff recorded at `),
    );
    await expect(runAuditBatch(target, 'b20000101-0123456789ab')).rejects.toThrow(
      'b20000101-0123456789ab: test-agency has no handed-off batch of that id',
    );
    await expect(runAuditBatch(target, 'Jane Doe')).rejects.toThrow('not a batch id');
    // A copy that changed (Object Lock forbids it in AWS; the embedded S3 has none) is named as such.
    await pipeline.ports.artifacts.putText('audit', `batches/test-agency/${batchId}.json`, '{}');
    await expect(runAuditBatch(target, batchId)).rejects.toThrow('is not the one billing handoff recorded');
    expect(pipeline.iam.denialLines()).toEqual([]);
  });

  it('drops a file as its bytes, never re-encoded, so the receipt hashes the file itself', async () => {
    // A Latin-1 export: 0xE9 is "é" there and not UTF-8 at all; re-encoded text would become EF BF BD.
    const bytes = Buffer.concat([
      Buffer.from('{"agencyId":"test-agency","note":"Ren'),
      Buffer.from([0xe9]),
      Buffer.from('e"}\n'),
    ]);
    const file = join(dir, 'latin1-export.json');
    writeFileSync(file, bytes);
    const [key] = await runDrop(target, [file], { agency: 'test-agency' });
    const stored = await pipeline.clients.s3.send(
      new GetObjectCommand({ Bucket: pipeline.resources.buckets.intake, Key: key }),
    );
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    await pipeline.runUntilQuiet();
    const receipts: IntakeReceipt[] = [];
    for await (const o of pipeline.ports.artifacts.list('artifacts', 'receipts/test-agency/'))
      receipts.push(JSON.parse(await pipeline.ports.artifacts.getText('artifacts', o.key)));
    const id = await droppedObjectId(pipeline.ports.artifacts, 'intake', key ?? '');
    const receipt = receipts.find((r) => r.objectId === id);
    expect(receipt?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

    // Compliance (the read-only role, enforced here) reads the receipt, its Object-Locked copy, and
    // the file's audit trail.
    const sha = receipt?.sha256 ?? '';
    expect(await runIntakeReceipts(target, { agency: 'test-agency' })).toContain(sha.slice(0, 12));
    const locked = JSON.parse(
      await runIntakeReceipts(target, { agency: 'test-agency', locked: true, json: true }),
    );
    expect(locked.find((r: IntakeReceipt) => r.objectId === id)).toEqual(receipt);
    const trail = JSON.parse(await runAuditEvents(target, `object:${id}`, { json: true }));
    expect(trail).toContainEqual(expect.objectContaining({ type: 'object.received', actor: 'stage:intake' }));
    expect(await runAuditEvents(target, 'object:ob-none')).toBe('No audit event names object:ob-none.');
    expect(pipeline.iam.denialLines()).toEqual([]);
  });

  it('names a file dropped straight into S3 by its object id and hash in the run summary, never by its key', async () => {
    // An EMR export job that names its files after the patient (the deploy guide asks it not to).
    const key = 'exports/test-agency/Zeta_Quincy_DOB_1940-01-01.json';
    const body = JSON.stringify(homeHealthChart({ chartId: 'CLI-PHI-1' }));
    await pipeline.ports.artifacts.putText('intake', key, body);
    const bad = 'exports/test-agency/Yankee_Xavier_MRN_4242.json';
    await pipeline.ports.artifacts.putText('intake', bad, '{"not":"a chart"}');
    await pipeline.runUntilQuiet();
    const summary = await collectSummary(pipeline.ports, {
      verdicts: { submitted: 0, awaitingReview: 0, invalid: [] },
      deadLetters: [],
    });
    const text = `${JSON.stringify(summary)}\n${renderSummary(summary)}`;
    for (const planted of ['Zeta', 'Quincy', 'Yankee', 'Xavier', '1940-01-01', '4242', 'exports/'])
      expect(text, planted).not.toContain(planted);
    const sha = createHash('sha256').update(body).digest('hex');
    expect(summary.intake.map((r) => r.sha256)).toContain(sha);
    expect(summary.quarantine.length).toBeGreaterThan(0);
  });

  it('re-drives a chart whose message was lost, and it goes on to billing', async () => {
    // A chart validated whose message to sampling was lost (its duplicate's success deleted it).
    const chart = homeHealthChart({ chartId: 'CLI-STRANDED', coderId: 'coder-old' });
    const artifactKey = 'charts/test-agency/stranded0000000000000000000000/v1-000000000000.json';
    await pipeline.ports.artifacts.putJson('artifacts', artifactKey, chart);
    await pipeline.ports.charts.create({
      chartKey: 'stranded0000000000000000000000',
      version: 1,
      agencyId: 'test-agency',
      status: 'VALIDATED',
      lineOfBusiness: chart.lineOfBusiness,
      payerType: chart.payer.type,
      coderId: chart.coderId,
      contentHash: '0123456789abcdef',
      artifactKey,
      sourceObject: 'object-stranded',
      receivedAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:00.000Z',
      findings: [],
    });
    const { stranded } = await runReconcile(target, { olderThanMinutes: 60 });
    expect(stranded.map((s) => [s.chartKey, s.status, s.queue])).toEqual([
      ['stranded0000000000000000000000', 'VALIDATED', 'sample'],
    ]);
    await pipeline.runUntilQuiet();
    expect((await pipeline.ports.charts.get('stranded0000000000000000000000', 1))?.status).toBe('BATCHED');
    expect((await runReconcile(target, { olderThanMinutes: 0, dryRun: true })).stranded).toEqual([]);
  });

  it('snapshots objects (as bytes) and queue messages and restores them into a fresh stack', async () => {
    await pipeline.ports.artifacts.putText('audit', 'probe/one.json', '{"n":1}');
    const latin1 = Buffer.from([0x52, 0x65, 0x6e, 0xe9, 0x65]);
    await pipeline.ports.artifacts.putBytes('audit', 'probe/two.bin', latin1);
    // Every queue as it is: a human kind's, one agency's (as serve names them).
    const queueUrls = {
      'qa-review_test-agency': agencyQueueUrl(pipeline.resources.queueUrls['qa-review'] ?? '', 'test-agency'),
    };
    await pipeline.ports.queue.send('qa-review', [{ kind: 'probe' }], 'test-agency');
    const saved = await saveSnapshot(join(dir, 'snap'), pipeline.ports.artifacts, queueUrls, ['x']);
    expect(saved.objects).toContainEqual({ bucket: 'audit', key: 'probe/one.json' });
    expect(saved.queues['qa-review_test-agency']).toEqual(['{"kind":"probe"}']);

    await pipeline.ports.artifacts.putText('audit', 'probe/one.json', 'overwritten');
    const restored = await restoreSnapshot(
      join(dir, 'snap'),
      pipeline.ports.artifacts,
      pipeline.clients,
      queueUrls,
    );
    expect(restored?.seenObjects).toEqual(['x']);
    expect(restored?.unrestored).toEqual({});
    // Into a stack without that queue (its agency no longer configured): handed back, not dropped.
    const elsewhere = await restoreSnapshot(
      join(dir, 'snap'),
      pipeline.ports.artifacts,
      pipeline.clients,
      {},
    );
    expect(elsewhere?.unrestored).toEqual({ 'qa-review_test-agency': ['{"kind":"probe"}'] });
    expect(await pipeline.ports.artifacts.getText('audit', 'probe/one.json')).toBe('{"n":1}');
    const two = await pipeline.clients.s3.send(
      new GetObjectCommand({ Bucket: pipeline.resources.buckets.audit, Key: 'probe/two.bin' }),
    );
    expect(Buffer.from((await two.Body?.transformToByteArray()) ?? [])).toEqual(latin1);
  });

  it('records the chart a senior reviewer opens, as the senior, before reading it', async () => {
    const file = join(dir, 'senior.ndjson');
    writeFileSync(file, JSON.stringify(homeHealthChart({ chartId: 'CLI-SR', coderId: 'coder-sr' })));
    await runDrop(target, [file], { agency: 'test-agency' });
    await pipeline.runUntilQuiet();
    const listing = await runQaReview(target, { senior: true });
    expect(listing).toContain('coder-sr');
    const chartKey = listing.split('\n')[2]?.split(/\s+/)[2] ?? '';
    expect(await runQaShow(target, chartKey, 1, 'review', { senior: true })).toContain('"chartId": "CLI-SR"');
    const opened = await pipeline.ports.audit.list('test-agency', 'access');
    expect(opened.filter((e) => e.detail?.chartKey === chartKey).map((e) => e.detail?.purpose)).toEqual([
      'qa-review',
    ]);
  });
});
