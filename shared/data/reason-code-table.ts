import { readFileSync } from 'node:fs';

/** Whether a denial for a reason or remark counts against the coder: yes, only with a remark saying so, or no. */
export type CoderFeedback = 'yes' | 'partial' | 'no';
const FEEDBACK: ReadonlySet<string> = new Set<CoderFeedback>(['yes', 'partial', 'no']);

export function isCoderFeedback(value: string): value is CoderFeedback {
  return FEEDBACK.has(value);
}

/** A versioned table of reason or remark codes (CARC, RARC), looked up by code. */
export interface ReasonCodeTable<E> {
  readonly version: string;
  readonly sample: boolean;
  readonly size: number;
  lookup(code: string): E | undefined;
}

export type TableInfo = { version: string; sample?: boolean };

/** The table over parsed entries, by code; `noun` names it in the error when the file holds none. */
export function reasonCodeTable<E extends { code: string }>(
  entries: readonly E[],
  info: TableInfo,
  noun: string,
): ReasonCodeTable<E> {
  const byCode = new Map(entries.map((e) => [e.code, e]));
  if (byCode.size === 0) throw new Error(`${noun} table holds no codes`);
  return {
    version: info.version,
    sample: info.sample ?? false,
    size: byCode.size,
    lookup: (code) => byCode.get(code.trim().toUpperCase()),
  };
}

/** A loader for a table file: read as UTF-8, then parsed. */
export function fileLoader<T>(parse: (text: string, info: TableInfo) => T) {
  return (file: string, info: TableInfo): T => parse(readFileSync(file, 'utf8'), info);
}
