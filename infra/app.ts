/**
 * The deployable CDK app (synthesized by infra/main.ts, the entry cdk.json names). Reads the agency configuration
 * (codetrail.config.json, or context `configFile`), validates it, builds `CodetrailStack` (name from
 * context `stackName`, default 'Codetrail') and registers the cdk-nag packs, so a change that breaks
 * an AWS Solutions or HIPAA Security rule without a reviewed acknowledgment fails `cdk synth`.
 */
import * as path from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { TRIAL_WARNING } from '#shared/model/config.ts';
import { CodetrailStack } from './codetrail-stack.ts';
import { loadConfig } from './load-config.ts';
import { addNagPacks } from './nag.ts';

/**
 * The app `cdk synth` builds. The cdk CLI hands context and output folder over the environment; a test
 * passes them as `props` and synthesizes exactly this app (test/infra/app.test.ts).
 */
export function buildApp(props: AppProps = {}): App {
  const app = new App(props);
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };

  // Relative to the working directory, as the cdk CLI runs the app from the folder holding cdk.json.
  const configFile = path.resolve(context('configFile') ?? 'codetrail.config.json');
  const config = loadConfig(configFile);
  if (config.trial) process.stderr.write(`warning: ${TRIAL_WARNING}\n`);

  new CodetrailStack(app, context('stackName') ?? 'Codetrail', {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  addNagPacks(app);
  return app;
}
