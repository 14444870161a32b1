import { format } from 'node:util';
import { logger } from '#shared/runtime/logger.ts';

/** One JSON document a line of output held: a Powertools log item or an EMF metrics document. */
export type OutputRecord = Record<string, unknown>;

export interface CapturedLogs {
  /** Everything written, in order. */
  text(): string;
  /** The lines that are JSON objects. */
  records(): OutputRecord[];
  /** The logger's items (they have a `level`). */
  logItems(): OutputRecord[];
  /** The metrics' EMF documents (they have `_aws`). */
  metricDocuments(): OutputRecord[];
  /** Restores the streams, the console and the log level; idempotent. */
  stop(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

/**
 * Captures what the process writes while a handler runs, and keeps it off the terminal:
 *
 * - process.stdout and process.stderr. Powertools Logger and Metrics each write through a Console of
 *   their own, built over these two streams when they are constructed (outside POWERTOOLS_DEV): spying on
 *   the global console sees none of it. A Console calls `stream.write` at each write, so replacing `write`
 *   on the stream objects catches it, whenever the logger or metrics instance was made.
 * - the global console (vitest routes it elsewhere, not through process.stdout), which Powertools uses
 *   in dev mode and the batch processor for its own warnings.
 *
 * The shared logger is set to DEBUG meanwhile, so a debug line is scanned too, not filtered out.
 */
export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const restore: (() => void)[] = [];

  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }

  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      chunks.push(`${format(...args)}\n`);
    };
    restore.push(() => {
      console[method] = original;
    });
  }

  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  restore.push(() => logger.setLogLevel(level));

  const records = (): OutputRecord[] =>
    chunks
      .join('')
      .split('\n')
      .flatMap((line) => {
        if (!line.trimStart().startsWith('{')) return [];
        try {
          const value: unknown = JSON.parse(line);
          return value && typeof value === 'object' && !Array.isArray(value) ? [value as OutputRecord] : [];
        } catch {
          return [];
        }
      });

  return {
    text: () => chunks.join(''),
    records,
    logItems: () => records().filter((r) => 'level' in r),
    metricDocuments: () => records().filter((r) => '_aws' in r),
    stop() {
      while (restore.length) restore.pop()?.();
    },
  };
}

/** Runs `work` with its output captured; the capture stops even when `work` throws. */
export async function withCapturedLogs<T>(
  work: () => Promise<T>,
): Promise<{ result: T; logs: CapturedLogs }> {
  const logs = captureLogs();
  try {
    return { result: await work(), logs };
  } finally {
    logs.stop();
  }
}
