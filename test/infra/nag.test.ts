/**
 * cdk-nag v3 (AWS Solutions + HIPAA Security + NIST 800-53 R5) on the whole stack, as `cdk synth` runs it: no finding may
 * be left unacknowledged, and the acknowledgments are pinned by number, so adding, dropping or silently
 * breaking one (cdk-nag v3 ignores an id that matches nothing) shows here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '#shared/model/config.ts';
import { ACKNOWLEDGMENTS, NAG_PACKS } from '../../infra/nag.ts';
import { build } from './harness.ts';

/** Acknowledge calls (a rule on one construct) for the default topology; each covers exactly one finding. */
const EXPECTED_ACKNOWLEDGMENTS = 134;
/** Rows of the ACKNOWLEDGMENTS table in infra/nag.ts. */
const EXPECTED_RULES = 34;
const PACKS: readonly string[] = NAG_PACKS;

interface Violation {
  ruleName: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  acknowledgedAt?: string;
  reason?: string;
}
interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: Violation[];
    suppressedViolations?: Violation[];
  }[];
}

function synthWithNag(input: ConfigInput, acknowledge = true) {
  const built = build(input, { nag: true, acknowledge });
  let error: unknown;
  try {
    built.app.synth();
  } catch (e) {
    error = e;
  }
  const report: Report = JSON.parse(
    readFileSync(path.join(built.app.outdir, 'validation-report.json'), 'utf8'),
  );
  const nag = report.pluginReports.filter((p) => PACKS.includes(p.pluginName));
  const findings = (pick: (p: Report['pluginReports'][number]) => Violation[] | undefined) =>
    nag.flatMap((p) =>
      (pick(p) ?? []).flatMap((v) =>
        v.violatingConstructs.map((c) => ({
          rule: v.ruleName,
          path: c.constructPath,
          acknowledgedId: v.acknowledgedId,
          acknowledgedAt: v.acknowledgedAt,
          reason: v.reason,
        })),
      ),
    );
  return {
    built,
    error,
    nag,
    unacknowledged: findings((p) => p.violations),
    acknowledged: findings((p) => p.suppressedViolations),
  };
}

const PRODUCTION: ConfigInput = {
  trial: false,
  alarmEmail: 'coding-alarms@example.org',
};

describe('cdk-nag', () => {
  it('leaves no finding unacknowledged on the trial stack, and every acknowledgment covers a finding', () => {
    const { built, error, nag, unacknowledged, acknowledged } = synthWithNag({});
    expect(unacknowledged).toEqual([]);
    expect(error).toBeUndefined();
    expect(nag.map((p) => p.pluginName).sort()).toEqual(PACKS);

    const recorded = built.stack.codetrail.acknowledgments;
    expect(recorded).toHaveLength(EXPECTED_ACKNOWLEDGMENTS);
    expect(ACKNOWLEDGMENTS).toHaveLength(EXPECTED_RULES);
    expect(acknowledged).toHaveLength(EXPECTED_ACKNOWLEDGMENTS);

    // Each recorded acknowledgment suppressed a finding on its own construct: none is stale.
    const used = new Set(acknowledged.map((a) => `${a.acknowledgedId} @ ${a.acknowledgedAt}`));
    for (const r of recorded) {
      expect(used, `${r.id} on ${r.path} matched no finding`).toContain(`${r.qualifiedId} @ ${r.path}`);
    }
    for (const a of acknowledged) expect(a.reason?.length ?? 0).toBeGreaterThan(60);
  });

  it('leaves no finding unacknowledged with the production settings (compliance lock, retain, alarm email)', () => {
    const { error, unacknowledged, acknowledged } = synthWithNag(PRODUCTION);
    expect(unacknowledged).toEqual([]);
    expect(error).toBeUndefined();
    expect(acknowledged).toHaveLength(EXPECTED_ACKNOWLEDGMENTS);
  });

  it('fails synth on exactly those findings when nothing is acknowledged (the packs are live)', () => {
    const acknowledgedRun = synthWithNag({});
    const { error, unacknowledged, built } = synthWithNag({}, false);
    expect(built.stack.codetrail.acknowledgments).toHaveLength(0);
    expect(String(error)).toMatch(/validation-report\.json/);
    const key = (f: { rule: string; path: string }) => `${f.rule} @ ${f.path}`;
    expect(unacknowledged.map(key).sort()).toEqual(acknowledgedRun.acknowledged.map(key).sort());
  });
});
