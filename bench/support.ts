import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ExternalEmulators {
  endpoints: { dynamodb: string; sqs: string; s3: string };
  stop(): void;
}

/** Starts dynalite and fauxqs in a child process and returns their endpoints. */
export async function startExternalEmulators(): Promise<ExternalEmulators> {
  const child: ChildProcess = spawn('npx', ['--no-install', 'tsx', 'bench/emulator-process.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  return {
    endpoints: JSON.parse(first),
    stop: () => {
      child.stdin?.end();
    },
  };
}

export function report(name: string, figure: string, baseline: string, ratio: number): void {
  process.stdout.write(`${name}: ${figure} | baseline ${baseline} | ratio ${ratio.toFixed(2)}\n`);
}
