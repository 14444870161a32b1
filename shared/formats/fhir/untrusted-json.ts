import { CODETRAIL_SYSTEM, SYSTEM, SYSTEM_OID, safeTypeName } from './resources.ts';

/** Reading untrusted JSON: every accessor checks the shape and returns undefined (or empty) otherwise. */

// ---------------------------------------------------------------------------------------------------
// Reading untrusted JSON

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function recs(v: unknown): Rec[] {
  const out: Rec[] = [];
  for (const x of list(v)) {
    const r = rec(x);
    if (r) out.push(r);
  }
  return out;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

/** A FHIR date or dateTime -> the calendar date as written (no time-zone shift); other text as-is. */
export function dateOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}(?:T|$)/.test(s) ? s.slice(0, 10) : s;
}

/** A FHIR dateTime -> an instant; a bare date becomes midnight UTC of that date; other text as-is. */
export function dateTimeOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
}

export function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type SystemKey = keyof typeof SYSTEM | keyof typeof CODETRAIL_SYSTEM;

export const SYSTEM_KEYS: ReadonlyMap<string, SystemKey> = (() => {
  const m = new Map<string, SystemKey>();
  for (const [k, uri] of Object.entries(SYSTEM)) m.set(normalizeSystem(uri), k as SystemKey);
  for (const [k, uri] of Object.entries(CODETRAIL_SYSTEM)) m.set(normalizeSystem(uri), k as SystemKey);
  for (const [k, oid] of Object.entries(SYSTEM_OID)) m.set(`urn:oid:${oid}`, k as SystemKey);
  return m;
})();

/** http and https, and a trailing slash, name the same system. */
export function normalizeSystem(s: string): string {
  return s.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export function systemKey(system: unknown): SystemKey | undefined {
  return typeof system === 'string' && system.length <= 512
    ? SYSTEM_KEYS.get(normalizeSystem(system))
    : undefined;
}

export function codings(cc: unknown): Rec[] {
  return recs(rec(cc)?.coding);
}

/** The first code in `cc` from one of the systems, in the order of `systems`. */
export function codeIn(
  cc: unknown,
  ...systems: SystemKey[]
): { code: string; key: SystemKey; coding: Rec } | undefined {
  const all = codings(cc);
  for (const key of systems) {
    for (const c of all) {
      const code = str(c.code);
      if (code !== undefined && systemKey(c.system) === key) return { code, key, coding: c };
    }
  }
  return undefined;
}

export function hasCode(cc: unknown, key: SystemKey, code: string): boolean {
  return codings(cc).some((c) => c.code === code && systemKey(c.system) === key);
}

export function extensions(r: Rec | undefined, url: string): Rec[] {
  return recs(r?.extension).filter((e) => e.url === url);
}

/** valueCode / valueString / valueDate / valueDateTime of the first extension with `url`. */
export function extText(r: Rec | undefined, url: string): string | undefined {
  for (const e of extensions(r, url)) {
    const v = str(e.valueCode) ?? str(e.valueString) ?? str(e.valueDate) ?? str(e.valueDateTime);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** valuePositiveInt / valueUnsignedInt / valueInteger of the first extension with `url`. */
export function extNumber(r: Rec | undefined, url: string): number | undefined {
  for (const e of extensions(r, url)) {
    const v = num(e.valuePositiveInt) ?? num(e.valueUnsignedInt) ?? num(e.valueInteger);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function statusIn(r: Rec, statuses: readonly string[]): boolean {
  return typeof r.status === 'string' && statuses.includes(r.status);
}

/** Drops undefined values so the chart value is plain JSON. */
/** An object that says nothing is left out altogether. */
/**
 * The claim's occurrence codes: Claim.supportingInfo entries coded in the NUBC occurrence code system,
 * dated by timingDate (else timingPeriod.start). None found: undefined, the export does not carry them.
 */
export function occurrencesOf(claim: Rec | undefined): Rec[] | undefined {
  const found: Rec[] = [];
  for (const info of recs(claim?.supportingInfo)) {
    const code = codeIn(info.code, 'occurrence')?.code;
    if (code === undefined) continue;
    found.push(compact({ code, date: dateOf(info.timingDate) ?? dateOf(rec(info.timingPeriod)?.start) }));
  }
  return found.length > 0 ? found : undefined;
}

export function orNothing(o: Rec): Rec | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

export function compact(o: Rec): Rec {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function typeLabel(type: string | undefined): string {
  return type === undefined ? 'unknown' : safeTypeName(type) === type ? type : 'unknown';
}
