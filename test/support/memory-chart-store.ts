import type { ChartStore, Clock } from '#shared/aws/ports.ts';
import { NOT_CHANGEABLE, systemClock } from '#shared/aws/ports.ts';
import { chartStatusSk } from '#shared/aws/table-keys.ts';
import type { ChartState } from '#shared/model/chart-state.ts';

/**
 * A copy without undefined values, at any depth: the DynamoDB document client (removeUndefinedValues)
 * stores none, so `'field' in state` and markOnce see the same thing on both stores.
 */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(withoutUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out as T;
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * The chart store over a Map, promising what DynamoChartStore does (test/support/chart-store-contract.ts
 * runs both): `clock` stamps transitions that carry no `updatedAt`, identity fields in `changes` are
 * ignored, byStatus goes in gsi1 order. Callers get copies, never the stored objects.
 */
export function memoryChartStore(clock: Clock = systemClock): ChartStore {
  const charts = new Map<string, ChartState>();
  const latest = new Map<string, number>();
  const key = (k: string, v: number) => `${k}#${v}`;
  // gsi1's sort key: oldest update first, then chartKey and version, compared bytewise as DynamoDB does.
  const gsi1Order = (s: ChartState) => chartStatusSk(s.updatedAt, s.chartKey, s.version);
  const byGsi1 = (a: ChartState, b: ChartState) =>
    gsi1Order(a) < gsi1Order(b) ? -1 : gsi1Order(a) > gsi1Order(b) ? 1 : 0;

  return {
    async create(state) {
      const existing = charts.get(key(state.chartKey, state.version));
      if (existing) return { created: false, state: clone(existing) };
      charts.set(key(state.chartKey, state.version), withoutUndefined(clone(state)));
      return { created: true, state: clone(state) };
    },
    async get(chartKey, version) {
      const s = charts.get(key(chartKey, version));
      return s && clone(s);
    },
    async transition(chartKey, version, from, to, changes = {}, options = {}) {
      if (from.length === 0) throw new Error('transition needs at least one status to move from');
      for (const field of options.remove ?? [])
        if (changes[field] !== undefined) throw new Error(`transition both sets and removes ${field}`);
      const s = charts.get(key(chartKey, version));
      if (!s || !from.includes(s.status)) return { ok: false, current: s && clone(s) };
      const count = options.ifRemittanceCount;
      // 0: no payer answer applied yet (no summary at all); n: the summary still counts exactly n.
      if (
        count !== undefined &&
        (count === 0 ? s.remittance !== undefined : s.remittance?.adjudications !== count)
      )
        return { ok: false, current: clone(s) };
      const next: Record<string, unknown> = { ...s };
      for (const [field, value] of Object.entries(changes))
        if (!NOT_CHANGEABLE.has(field) && value !== undefined) next[field] = withoutUndefined(clone(value));
      for (const field of options.remove ?? []) delete next[field];
      next.status = to;
      next.updatedAt = changes.updatedAt ?? clock.now().toISOString();
      charts.set(key(chartKey, version), next as ChartState);
      return { ok: true, state: clone(next as ChartState) };
    },
    async markOnce(chartKey, version, field, value) {
      const s = charts.get(key(chartKey, version));
      if (!s || Object.hasOwn(s, field)) return false;
      s[field] = withoutUndefined(clone(value));
      return true;
    },
    async advanceLatest(chartKey, version) {
      const current = latest.get(chartKey);
      if (current !== undefined && current >= version) return current;
      latest.set(chartKey, version);
      return version;
    },
    async latest(chartKey) {
      return latest.get(chartKey);
    },
    async versions(chartKey) {
      return [...charts.values()]
        .filter((s) => s.chartKey === chartKey)
        .sort((a, b) => b.version - a.version)
        .map(clone);
    },
    async *byStatus(agencyId, status, updatedBefore) {
      // Sorted before the first yield, as a query reads its page first: a transition made while
      // iterating does not reorder what is left.
      const found = [...charts.values()].filter(
        (s) =>
          s.agencyId === agencyId &&
          s.status === status &&
          (updatedBefore === undefined || s.updatedAt < updatedBefore),
      );
      for (const s of found.sort(byGsi1)) yield clone(s);
    },
    async *list(agencyId) {
      const found = [...charts.values()].filter((s) => agencyId === undefined || s.agencyId === agencyId);
      for (const s of found) yield clone(s);
    },
  };
}
