import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qaReport } from '#cli/commands/qa-report.ts';
import { HeldReviews } from '#cli/lib/held-reviews.ts';
import {
  answerKey,
  stillAwaited,
  submitDisputes,
  submitResolutions,
  submitVerdicts,
  takeNextReview,
} from '#cli/lib/review-queue.ts';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { DynamoCoderLedger } from '#shared/aws/dynamo-coder-ledger.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { parseConfig } from '#shared/model/config.ts';
import type { ReviewRecord } from '#shared/model/qa.ts';
import { agencyQueueUrl } from '#shared/topology.ts';
import { homeHealthChart } from '../support/charts.ts';

// The QA loop on the real handlers and emulators: a new coder in probation (every chart sampled to the
// senior queue), reviewed, leaves probation once the window has passed and the code-accuracy lower
// bound clears the target; a correction is billed with the corrected codes; a duplicate verdict is a no-op.
let pipeline: LocalPipeline;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-qa-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'cd'.repeat(32));
  pipeline = await startLocalPipeline({
    config: parseConfig({
      agencies: [{ id: 'test-agency' }],
      sampling: {
        baseRate: 0,
        // Probation: the first 3 charts and no day minimum; 11 of 12 codes confirmed (lower bound 0.646) clears 0.6.
        probation: { charts: 3, days: 0 },
        accuracyTarget: 0.6,
        risk: { hospice: 0, warnFindings: 0 },
      },
      local: { timeCompression: 100_000 },
    }),
    keyFile,
    prefix: 'qa',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

/** A chart of the new coder, coded on day `day` of November (so their order is the coding order). */
function chart(n: number, day: number) {
  return homeHealthChart({
    chartId: `QA-${n}`,
    coderId: 'coder-new',
    codingCompletedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00-05:00`,
    diagnoses: [
      { sequence: 1, code: 'I69.351', system: 'ICD-10-CM' },
      { sequence: 2, code: 'I50.22', system: 'ICD-10-CM' },
      { sequence: 3, code: 'I10', system: 'ICD-10-CM' },
    ],
  });
}

async function state(n: number) {
  const key = await chartKeyOf(pipeline.ports.keys, 'test-agency', `QA-${n}`);
  return pipeline.ports.charts.get(key, 1);
}

async function review(entries: { n: number; outcome: 'agree' | 'corrected'; corrections?: object[] }[]) {
  return submitVerdicts(
    {
      sqs: pipeline.clients.sqs,
      ports: pipeline.ports,
      queueUrls: pipeline.resources.queueUrls,
      actor: 'local:test',
    },
    entries.map((e) => ({
      agencyId: 'test-agency',
      chartId: `QA-${e.n}`,
      version: 1,
      reviewerId: 'qa-senior-1',
      round: 'first' as const,
      outcome: e.outcome,
      corrections: (e.corrections ?? []) as never,
      reviewedAt: `2026-11-10T1${e.n}:00:00Z`,
    })),
  );
}

describe('the QA loop on embedded AWS', () => {
  it('samples every chart of a coder in probation to the senior queue', async () => {
    const body = [1, 2, 3, 4].map((n) => JSON.stringify(chart(n, n))).join('\n');
    await pipeline.ports.artifacts.putText('intake', 'exports/test-agency/probation.ndjson', body);
    await pipeline.runUntilQuiet();
    for (const n of [1, 2, 3, 4]) {
      const s = await state(n);
      expect(s?.status).toBe('SAMPLED');
      expect(s?.sampling).toMatchObject({ rule: 'probation', queue: 'qa-review-senior' });
    }
    expect((await state(4))?.sampling?.reason).toContain('window passed, code accuracy lower bound unknown');
  });

  it('bills a correction with the corrected codes, and ignores the same verdict sent twice', async () => {
    const corrected = {
      n: 4,
      outcome: 'corrected' as const,
      corrections: [
        { sequence: 3, code: 'I11.0', category: 'specificity', severity: 'minor', direction: 'neutral' },
      ],
    };
    await review([
      { n: 1, outcome: 'agree' },
      { n: 2, outcome: 'agree' },
      { n: 3, outcome: 'agree' },
      corrected,
    ]);
    await pipeline.runUntilQuiet();
    await review([corrected]);
    await pipeline.runUntilQuiet();
    const s = await state(4);
    expect(s?.status).toBe('BATCHED');
    expect(s?.qa?.outcome).toBe('corrected');
    const billed = JSON.parse(
      await pipeline.ports.artifacts.getText('artifacts', s?.qa?.correctedArtifactKey ?? ''),
    );
    expect(billed.diagnoses[2].code).toBe('I11.0');
    const reviews: ReviewRecord[] = [];
    for await (const r of pipeline.ports.coders.reviews('test-agency', 'coder-new')) reviews.push(r);
    expect(reviews).toHaveLength(4);
    expect(reviews.reduce((sum, r) => sum + r.score.codesConfirmed, 0)).toBe(11);
  });

  it('lets the coder leave probation once the window has passed and accuracy clears the target', async () => {
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/after.ndjson',
      JSON.stringify(chart(5, 20)),
    );
    await pipeline.runUntilQuiet();
    const s = await state(5);
    expect(s?.status).toBe('BATCHED');
    expect(s?.sampling).toMatchObject({ sampled: false, rule: 'base-rate' });
    const ended = await pipeline.ports.coders.probationEndedAt('test-agency', 'coder-new');
    expect(ended?.slice(0, 10)).toBe('2026-11-20');
    const audit = await pipeline.ports.audit.list('test-agency', 'coder:test-agency:coder-new');
    expect(audit.map((e) => e.type)).toEqual(['coder.probation-ended']);
  });
});

describe('disputes on embedded AWS', () => {
  it('sends a dispute to the senior queue, which its coder cannot take, and counts the overturned correction out', async () => {
    const deps = {
      sqs: pipeline.clients.sqs,
      ports: pipeline.ports,
      queueUrls: pipeline.resources.queueUrls,
      actor: 'local:test',
    };
    // As the coder's role, as deployed: a dispute and its note.
    await actAs('person:coder@test-agency', () =>
      submitDisputes(deps, [
        {
          agencyId: 'test-agency',
          chartId: 'QA-4',
          version: 1,
          coderId: 'coder-new',
          corrections: [0],
          note: 'I11.0 needs documented heart failure due to hypertension',
        },
      ]),
    );
    await pipeline.runUntilQuiet();
    // From here on as the senior reviewer's role, as deployed (the local IAM refuses what it may not do).
    const senior = <T>(work: () => Promise<T>) => actAs('person:qa-senior@test-agency', work);
    // The agency's own senior queue.
    const queues = {
      sqs: pipeline.clients.sqs,
      queueUrls: {
        'qa-review-senior': agencyQueueUrl(
          pipeline.resources.queueUrls['qa-review-senior'] ?? '',
          'test-agency',
        ),
      },
    };
    expect(await senior(() => takeNextReview(queues, 'qa-review-senior', 'coder-new', 1))).toBeUndefined();
    // Taken for the real 30 minutes: the resolution deletes exactly that hidden message.
    const taken = await senior(() => takeNextReview(queues, 'qa-review-senior', 'qa-lead', 1800));
    const request = taken?.request;
    expect(request).toMatchObject({ purpose: 'dispute', reason: 'dispute of correction(s) 0' });
    // The senior reads the chart (sampled, so tagged for review) before deciding.
    const file = await senior(() =>
      pipeline.ports.artifacts.getText('artifacts', request?.artifactKey ?? ''),
    );
    expect(JSON.parse(file)).toMatchObject({ chartId: 'QA-4' });
    const held = new HeldReviews(join(mkdtempSync(join(tmpdir(), 'codetrail-held-')), 'held.json'));
    held.hold(answerKey(request?.chartKey ?? '', 1, 'dispute'), {
      queue: 'qa-review-senior',
      receiptHandle: taken?.receiptHandle ?? '',
      heldUntil: '2099-01-01T00:00:00Z',
    });
    await senior(() =>
      submitResolutions({ ...deps, queueUrls: queues.queueUrls, held }, [
        {
          agencyId: 'test-agency',
          chartId: 'QA-4',
          version: 1,
          reviewerId: 'qa-lead',
          outcome: 'overturned',
          note: 'The record documents heart failure due to hypertension.',
        },
      ]),
    );
    expect(held.all()).toEqual({});
    await pipeline.runUntilQuiet();
    const config = parseConfig({ agencies: [{ id: 'test-agency' }] });
    const report = await qaReport(pipeline.ports, config, { by: ['coder'] });
    expect(report.by.coder?.[0]).toMatchObject({ key: 'coder-new', codes: { successes: 12, n: 12 } });
    expect(
      JSON.stringify(await pipeline.ports.audit.list('test-agency', `chart:${request?.chartKey}:v1`)),
    ).toContain('dispute.overturned');
    // Another copy of the request (two live deliveries racing both sent one) is stale once answered:
    // the next reviewer to take it deletes it instead of reviewing the chart again.
    await pipeline.ports.queue.send('qa-review-senior', [request], 'test-agency');
    const awaited = (r: Parameters<typeof stillAwaited>[1]) => stillAwaited(pipeline.ports, r, 'qa-review');
    expect(
      await senior(() => takeNextReview({ ...queues, awaited }, 'qa-review-senior', 'qa-senior-2', 1)),
    ).toBeUndefined();
    // Deleted, not put back: a take that does not check finds nothing either.
    expect(await senior(() => takeNextReview(queues, 'qa-review-senior', 'qa-senior-2', 1))).toBeUndefined();
    expect(pipeline.iam.denialLines()).toEqual([]);

    // The same chart exported again: its file is written again (a new, untagged object version in the
    // versioned bucket), and intake puts the review tag back, so the reviewers can still read it.
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/again.ndjson',
      JSON.stringify(chart(4, 4)),
    );
    await pipeline.runUntilQuiet();
    expect(
      JSON.parse(
        await senior(() => pipeline.ports.artifacts.getText('artifacts', request?.artifactKey ?? '')),
      ),
    ).toMatchObject({
      chartId: 'QA-4',
    });
    expect(pipeline.iam.denialLines()).toEqual([]);
  });
});

describe('the coder ledger on DynamoDB (dynalite)', () => {
  it('writes each record once, reads by range, and lists the coders', async () => {
    const ledger = new DynamoCoderLedger(pipeline.clients.dynamo, pipeline.resources.table);
    const coded = (n: number) => ({
      kind: 'coded' as const,
      agencyId: 'ledger-agency',
      coderId: n % 2 ? 'coder-x' : 'coder-y',
      chartKey: `ck${n}`,
      version: 1,
      codedAt: `2026-11-0${n}T10:00:00Z`,
      lineOfBusiness: 'home_health' as const,
    });
    expect(await ledger.record(coded(1))).toBe(true);
    expect(await ledger.record(coded(1))).toBe(false);
    for (const n of [2, 3, 5]) await ledger.record(coded(n));
    expect((await ledger.firstCoded('ledger-agency', 'coder-x', 2)).map((c) => c.chartKey)).toEqual([
      'ck1',
      'ck3',
    ]);
    const coders: string[] = [];
    for await (const c of ledger.coders('ledger-agency')) coders.push(c);
    expect(coders).toEqual(['coder-x', 'coder-y']);
    const denial = {
      kind: 'denial' as const,
      agencyId: 'ledger-agency',
      coderId: 'coder-x',
      chartKey: 'ck1',
      version: 1,
      deniedAt: '2026-11-15T00:00:00Z',
      reasonCodes: ['CO-146'],
      category: 'I50',
    };
    expect(await ledger.record(denial)).toBe(true);
    expect(await ledger.denials('ledger-agency', 'coder-x', '2026-11-10T00:00:00Z')).toHaveLength(1);
    expect(await ledger.denials('ledger-agency', 'coder-x', '2026-11-16T00:00:00Z')).toHaveLength(0);
    expect(await ledger.categoryDenials('ledger-agency', 'I50', '2026-11-01T00:00:00Z')).toBe(1);
    expect(await ledger.endProbation('ledger-agency', 'coder-x', '2026-11-16T00:00:00Z')).toBe(true);
    expect(await ledger.endProbation('ledger-agency', 'coder-x', '2026-11-17T00:00:00Z')).toBe(false);
    expect(await ledger.probationEndedAt('ledger-agency', 'coder-x')).toBe('2026-11-16T00:00:00Z');
  });
});
