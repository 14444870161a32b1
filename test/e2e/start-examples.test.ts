import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStart } from '#cli/commands/start.ts';
import { createLocalKeyService } from '#shared/aws/local-key-service.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';

type Expected = { agencyId: string; chartId: string; version: number; finalStatus: string };

// The `start` command over examples/, end to end: every chart ends where examples/README.md says.
describe('codetrail start over examples/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-e2e-'));
  // examples/ ships its development key, and `start` uses it by default (as `npm start` does), so
  // chartKeys, and so the base-rate draws, are the same everywhere.
  const keyFile = 'examples/local-dev.key';

  it('ends every chart in its expected status, with nothing in a DLQ, and repeats identically', async () => {
    const first = await runStart({ input: 'examples', out: join(dir, 'out1'), quiet: true });
    expect(first.exitCode).toBe(0);
    expect(first.summary.deadLetters).toEqual([]);

    const expected = (
      JSON.parse(readFileSync('examples/expected-final-status.json', 'utf8')) as { charts: Expected[] }
    ).charts;
    const keys = createLocalKeyService(keyFile);
    const byKey = new Map(first.summary.charts.map((c) => [`${c.chartKey}:${c.version}`, c.status]));
    const actual: Record<string, string | undefined> = {};
    const want: Record<string, string> = {};
    for (const e of expected) {
      const chartKey = await chartKeyOf(keys, e.agencyId, e.chartId);
      actual[`${e.chartId} v${e.version}`] = byKey.get(`${chartKey}:${e.version}`);
      want[`${e.chartId} v${e.version}`] = e.finalStatus;
    }
    expect(actual).toEqual(want);
    expect(first.summary.charts).toHaveLength(expected.length);
    for (const outcome of ['BATCHED', 'REJECTED', 'DENIED', 'QUERY_OPEN', 'SAMPLED']) {
      expect(first.summary.byStatus[outcome as 'BATCHED']).toBeGreaterThan(0);
    }
    expect(first.summary.quarantine.length).toBeGreaterThan(0);
    // A receipt for every canonical file and for the FHIR drop; its five charts all read.
    expect(first.summary.intake.filter((r) => r.format === 'canonical')).toHaveLength(8);
    expect(first.summary.intake.find((r) => r.format === 'fhir-bulk')?.counts).toMatchObject({
      read: 5,
      accepted: 5,
    });

    const written = JSON.parse(readFileSync(join(dir, 'out1', 'summary.json'), 'utf8'));
    expect(written.charts).toEqual(first.summary.charts);
    // No EMR chart id or patient name anywhere in the summary.
    const text = JSON.stringify(written);
    for (const e of expected) expect(text).not.toContain(`"${e.chartId}"`);

    // Again, with `--reveal`: the same run, each chart's own id beside its chartKey (read from its file,
    // each reading chained and sealed with the run: the trail still verifies, nothing is refused).
    const second = await runStart({ input: 'examples', out: join(dir, 'out2'), quiet: true, reveal: true });
    expect(second.exitCode).toBe(0);
    for (const c of second.summary.charts)
      expect(await chartKeyOf(keys, c.agencyId, c.chartId ?? 'none'), `${c.chartKey} v${c.version}`).toBe(
        c.chartKey,
      );
    expect(second.summary.denials.every((d) => d.chartId !== undefined)).toBe(true);
    const strip = (s: typeof first.summary) => ({
      ...s,
      generatedAt: undefined,
      charts: s.charts.map(({ chartId: _id, ...c }) => c),
      denials: s.denials.map(({ chartId: _id, ...d }) => d),
    });
    expect(strip(second.summary)).toEqual(strip(first.summary));
  });
});
