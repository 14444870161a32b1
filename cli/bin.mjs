#!/usr/bin/env node
// The `codetrail` command: runs the TypeScript CLI through tsx, so nothing needs building first.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
await import('./main.ts');
