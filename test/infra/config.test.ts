import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { auditLock, Config, deployRefusal } from '#shared/model/config.ts';
import { PROJECT_ROOT, sameAccountAndRegion } from '../../infra/codetrail.ts';
import { loadConfig } from '../../infra/load-config.ts';
import { build, CDK_CONTEXT, UNBUNDLED_CONTEXT } from './harness.ts';

describe('agency configuration for the CDK app', () => {
  it('ships a root codetrail.config.json that is a trial stack, and validates', () => {
    const config = loadConfig(path.join(PROJECT_ROOT, 'codetrail.config.json'));
    expect(config.trial).toBe(true);
    expect(auditLock(config)).toEqual({ mode: 'GOVERNANCE', days: 1 });
    expect(config).toEqual(Config.parse(config));
  });

  it('is production-grade unless it says it is a trial: a COMPLIANCE lock for 7 years', () => {
    expect(Config.parse({}).trial).toBe(false);
    expect(auditLock(Config.parse({}))).toEqual({ mode: 'COMPLIANCE', days: 2557 });
    expect(auditLock(Config.parse({ trial: true }))).toEqual({ mode: 'GOVERNANCE', days: 1 });
    // Said outright, a lock is kept whatever the kind of stack.
    expect(
      auditLock(
        Config.parse({
          trial: true,
          retention: { auditObjectLockMode: 'COMPLIANCE', auditRetentionDays: 30 },
        }),
      ),
    ).toEqual({ mode: 'COMPLIANCE', days: 30 });
  });

  it('refuses retention.removeOnDestroy, which "trial" replaced, by name', () => {
    const refused = Config.safeParse({ retention: { removeOnDestroy: true } });
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({
        path: ['retention', 'removeOnDestroy'],
        message: 'replaced by "trial": true (a production-grade stack is the default)',
      }),
    ]);
  });

  it('names the file and every bad field when the config is invalid', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'codetrail-config-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ retention: { auditObjectLockMode: 'FOREVER' }, alarmEmail: 'nope' }),
    );
    expect(() => loadConfig(file)).toThrow(/bad\.json[\s\S]*retention\.auditObjectLockMode[\s\S]*alarmEmail/);
  });

  it('refuses to deploy a production stack that pages nobody, and takes an email or an SNS topic ARN', () => {
    expect(deployRefusal(Config.parse({}))).toBe(
      'a production stack must page someone when something fails: set alarmEmail or alarmTopicArn (or "trial": true to try codetrail out)',
    );
    expect(() => build({ trial: false })).toThrow(/must page someone/);
    expect(deployRefusal(Config.parse({ alarmEmail: 'oncall@agency.example' }))).toBeUndefined();
    expect(
      deployRefusal(Config.parse({ alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:pager' })),
    ).toBeUndefined();
    expect(Config.safeParse({ alarmTopicArn: 'arn:aws:sqs:us-east-1:123456789012:pager' }).success).toBe(
      false,
    );
    // A trial stack, deleted with its data, may run without a subscription (local runs parse any config).
    expect(deployRefusal(Config.parse({ trial: true }))).toBeUndefined();
  });

  it("refuses at synth an alarm topic outside the stack's account or region, when those are known", () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:pager';
    const at = (account: string, region: string) => {
      const app = new App({ context: UNBUNDLED_CONTEXT });
      const stack = new Stack(app, 'S', { env: { account, region } });
      sameAccountAndRegion(stack, topic);
    };
    expect(() => at('123456789012', 'us-east-1')).not.toThrow();
    expect(() => at('123456789012', 'eu-west-1')).toThrow(
      'alarmTopicArn is in us-east-1, the stack in eu-west-1',
    );
    expect(() => at('210987654321', 'us-east-1')).toThrow('alarmTopicArn is in account 123456789012');
    // An environment-agnostic stack: left to deploy time.
    expect(() => sameAccountAndRegion(new Stack(new App(), 'T'), topic)).not.toThrow();
  });

  it('refuses agencies that would name the same queues and roles, too many for a stack, and staff of an agency not served', () => {
    const agencies = (...ids: string[]) => ids.map((id) => ({ id }));
    expect(() => Config.parse({ agencies: agencies('a1', 'a-1') })).toThrow(
      'a-1 and a1 name the same queues and roles (A1): give one another id',
    );
    expect(() => Config.parse({ agencies: agencies('north', 'north') })).toThrow('name the same queues');
    // `senior-x`'s qa-review queue and `x`'s qa-review-senior one would be one construct.
    expect(() => Config.parse({ agencies: agencies('x', 'senior-x') })).toThrow(
      'senior-x and x name the same queues and roles (QaReviewSeniorX)',
    );
    expect(() =>
      Config.parse({ agencies: agencies(...Array.from({ length: 9 }, (_, i) => `b${i}`)) }),
    ).toThrow('a stack serves at most 8 agencies: deploy one stack per group of agencies');
    expect(
      Config.parse({ agencies: agencies(...Array.from({ length: 8 }, (_, i) => `b${i}`)) }).agencies,
    ).toHaveLength(8);
    const staff = (agencyIds: string[]) => [
      { principal: 'AIDA1', staffId: 's1', roles: ['reviewer'], agencies: agencyIds },
    ];
    expect(() => Config.parse({ agencies: agencies('north'), staff: staff(['nrth']) })).toThrow(
      'nrth is not one of the agencies the stack serves',
    );
    expect(Config.parse({ agencies: agencies('north'), staff: staff(['north']) }).staff).toHaveLength(1);
    // An id longer than a queue name has room for (32) is refused.
    expect(() => Config.parse({ agencies: agencies('a'.repeat(33)) })).toThrow();
  });

  it('reports a file that is missing or not JSON', () => {
    expect(() => loadConfig(path.join(tmpdir(), 'no-such-codetrail.json'))).toThrow(
      /cannot read codetrail config/,
    );
  });

  it('runs the app with the context defaults the CLI reads', () => {
    expect(CDK_CONTEXT).toMatchObject({ stackName: 'Codetrail', configFile: 'codetrail.config.json' });
    expect(CDK_CONTEXT['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy']).toBe(true);
  });
});
