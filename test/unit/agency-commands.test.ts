import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runQaReview, runQaShow } from '#cli/commands/qa.ts';
import { checkLayout, keepUnrestored } from '#cli/commands/serve.ts';
import type { Target } from '#cli/lib/target.ts';
import { resolveTarget } from '#cli/lib/target.ts';
import { memoryPorts } from '../support/memory-ports.ts';

/** A stack serving two agencies, its ports in memory (what these commands read before any AWS call). */
function twoAgencies(): Target {
  const { ports } = memoryPorts();
  return {
    ports,
    agencies: ['north', 'south'],
    description: 'test stack',
    actor: 'local:test',
    resources: { table: 't', buckets: {}, queueUrls: {} },
  } as unknown as Target;
}

afterEach(() => vi.restoreAllMocks());

describe('the QA commands of a stack serving several agencies', () => {
  it('lists the boards the credentials may read, names the others, and says so when they may read none', async () => {
    const target = twoAgencies();
    const refused = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const pending = vi.spyOn(target.ports.reviews, 'pending');
    pending.mockImplementation(async (agency) => {
      if (agency === 'south') throw refused;
      return [];
    });
    expect(await runQaReview(target, {})).toBe(
      'No chart is waiting for QA review.\nNot listed (these credentials may not read their boards): south',
    );
    pending.mockRejectedValue(refused);
    await expect(runQaReview(target, {})).rejects.toThrow(
      "these credentials may read no agency's review board (north, south): assume an agency's QA role",
    );
    // Anything but a refusal stops the listing.
    pending.mockRejectedValue(new Error('throttled'));
    await expect(runQaReview(target, {})).rejects.toThrow('throttled');
  });

  it('checks every agency a verdict file names before anything is sent', async () => {
    const target = twoAgencies();
    const sent = vi.spyOn(target.ports.queue, 'send');
    const file = join(mkdtempSync(join(tmpdir(), 'codetrail-verdicts-')), 'v.json');
    const verdict = (agencyId: string) => ({
      agencyId,
      chartId: 'C-1',
      version: 1,
      reviewerId: 'qa-1',
      outcome: 'agree',
    });
    writeFileSync(file, JSON.stringify([verdict('north'), verdict('east')]));
    await expect(runQaReview(target, { verdicts: file })).rejects.toThrow(
      'the file names an agency: test stack serves north, south',
    );
    expect(sent).not.toHaveBeenCalled();
  });

  it("refuses an --agency that is not the chart's, and a chartKey of an agency the stack does not serve", async () => {
    const target = twoAgencies();
    await expect(runQaShow(target, 'north.ck01', 1, 'review', { agency: 'south' })).rejects.toThrow(
      "--agency: the chart is north's",
    );
    await expect(runQaShow(target, 'east.ck01', 1)).rejects.toThrow(
      "the chart's agency: test stack serves north, south",
    );
  });
});

describe('the local state of another layout', () => {
  it('refuses a state folder an older codetrail kept, and marks a new one', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'codetrail-state-'));
    checkLayout(fresh);
    mkdirSync(join(fresh, 'dynamodb'));
    expect(() => checkLayout(fresh)).not.toThrow();
    const old = mkdtempSync(join(tmpdir(), 'codetrail-state-'));
    mkdirSync(join(old, 'dynamodb'));
    expect(() => checkLayout(old)).toThrow(
      `${old}/ holds a local stack kept by an older codetrail, laid out another way: remove ${old}/ and start again`,
    );
  });

  it("keeps aside a snapshot's messages for queues the stack no longer has, beside those kept before", () => {
    const dir = mkdtempSync(join(tmpdir(), 'codetrail-state-'));
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    keepUnrestored(dir, { 'qa-review_east': ['{"kind":"review-request"}'] });
    keepUnrestored(dir, { 'qa-review_east': ['{"n":2}'], 'coded-batches_east': ['{"n":3}'] });
    expect(JSON.parse(readFileSync(join(dir, 'unrestored-messages.json'), 'utf8'))).toEqual({
      'qa-review_east': ['{"kind":"review-request"}', '{"n":2}'],
      'coded-batches_east': ['{"n":3}'],
    });
  });

  it('refuses a serve state written before each agency had its own queues', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'codetrail-state-'));
    const state = {
      pid: 1,
      endpoints: { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:2' },
      env: {
        CODETRAIL_TABLE: 't',
        CODETRAIL_QUEUE_QA_REVIEW_URL: 'http://127.0.0.1:2/000000000000/codetrail-qa-review',
      },
      dlqUrls: {},
      objectTagLog: join(stateDir, 'tags.jsonl'),
      agencies: ['north'],
      keyFile: join(stateDir, 'k'),
      startedAt: '2026-12-07T00:00:00.000Z',
    };
    writeFileSync(join(stateDir, 'serve.json'), JSON.stringify(state));
    await expect(resolveTarget({ stateDir })).rejects.toThrow(
      'the local stack was started by an older codetrail: stop it (Ctrl-C), remove .codetrail/ and run `codetrail start --serve` again',
    );
  });
});
