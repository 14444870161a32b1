/**
 * infra/app.ts itself, the app `cdk synth` builds (nag.test.ts builds its own): synthesized as the cdk CLI
 * runs it, minus bundling, it must run the cdk-nag packs, so a finding nobody acknowledged fails the
 * deploy and not only the tests.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { PROJECT_ROOT } from '../../infra/codetrail.ts';
import { CodetrailStack } from '../../infra/codetrail-stack.ts';
import { UNBUNDLED_CONTEXT } from './harness.ts';

interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
}

describe('the CDK app (infra/app.ts)', () => {
  it('synthesizes the stack with the AWS Solutions, HIPAA Security and NIST 800-53 R5 packs run, nothing unacknowledged', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'codetrail-app-'));
    const app = buildApp({
      context: { ...UNBUNDLED_CONTEXT, configFile: path.join(PROJECT_ROOT, 'codetrail.config.json') },
      outdir,
    });
    expect(app.node.tryFindChild('Codetrail')).toBeInstanceOf(CodetrailStack);
    app.synth();
    // The report exists only when validation plugins are registered on the app.
    const report: Report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.map((p) => [p.pluginName, p.conclusion, p.violations.length])).toEqual([
      ['AwsSolutions', 'success', 0],
      ['HIPAA.Security', 'success', 0],
      ['NIST.800.53.R5', 'success', 0],
    ]);
  });

  it('is what cdk.json runs: infra/main.ts builds this app and synthesizes it, unconditionally', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { app: string };
    expect(cdkJson.app).toBe('npx tsx infra/main.ts');
    const main = readFileSync(path.join(PROJECT_ROOT, 'infra/main.ts'), 'utf8');
    expect(main.split('\n').filter((line) => line && !/^\s*(\/\*\*|\*)/.test(line))).toEqual([
      "import { buildApp } from './app.ts';",
      'buildApp().synth();',
    ]);
  });
});
