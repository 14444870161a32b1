/**
 * The entry `cdk synth` and `cdk deploy` run (cdk.json: `npx tsx infra/main.ts`): builds the app of
 * infra/app.ts and synthesizes it, always. Kept apart so tests import buildApp without synthesizing.
 */
import { buildApp } from './app.ts';

buildApp().synth();
