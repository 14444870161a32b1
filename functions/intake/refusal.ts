import type { ObjectRun } from './object-run.ts';

export const NOT_UNDER_AGENCY = 'object is not under exports/<agency>/';

/** A reason to refuse a whole file (or drop) before reading it, if there is one. */
export function refusalOf(run: ObjectRun, maxObjectBytes: number | undefined): string | undefined {
  if (run.agencyId === 'unknown') return NOT_UNDER_AGENCY;
  return oversize(run.source.size, maxObjectBytes);
}

export function oversize(size: number | undefined, maxObjectBytes: number | undefined): string | undefined {
  // No maximum configured: no size is too large.
  if ((size ?? 0) > (maxObjectBytes ?? Number.POSITIVE_INFINITY))
    return `file is larger than the configured maximum of ${maxObjectBytes} bytes`;
  return undefined;
}
