import type { ChartState } from '#shared/model/chart-state.ts';
import { byPayerOrder, type DenialFamily, type RemittanceRecord, toCents } from '#shared/model/remittance.ts';

/**
 * Denial metrics over the remittance records and the chart states, pure. A claim is one billed chart
 * version (one claimRef) with at least one payer answer applied; every figure counts claims, never
 * records, so a reversal, a correction or a resent file never counts a claim twice.
 *
 * - denial rate: claims denied at least once / claims adjudicated (by payer, by CARC, by family);
 * - coding-related denial rate: claims with a coding or documentation denial / claims adjudicated;
 * - clean-claim (first-pass) rate: claims whose first answer was a payment / claims adjudicated;
 * - rework: open items and their age in days, closed items and the days they took;
 * - overpayments: open items, overdue ones (past their report-and-return date).
 */
export interface DenialMetrics {
  claims: number;
  denied: number;
  codingDenied: number;
  firstPassPaid: number;
  denialRate: number | undefined;
  codingDenialRate: number | undefined;
  cleanClaimRate: number | undefined;
  netPaid: number;
  byPayer: { payer: string; claims: number; denied: number; denialRate: number }[];
  byCarc: { code: string; family: DenialFamily | 'unknown'; deniedClaims: number; share: number }[];
  byFamily: { family: DenialFamily | 'unknown'; deniedClaims: number; share: number }[];
  /**
   * By the billed principal diagnosis's ICD-10-CM category (the category QA sampling raises after a
   * coding denial): claims, denied claims and coding-related ones; `unknown` when the chart is not given.
   */
  byCategory: {
    category: string;
    claims: number;
    denied: number;
    codingDenied: number;
    denialRate: number;
  }[];
  rework: {
    open: number;
    closed: number;
    medianOpenAgeDays: number | undefined;
    oldestOpenAgeDays: number | undefined;
    medianDaysToClose: number | undefined;
  };
  overpayments: { open: number; overdue: number; nextDueBy: string | undefined };
}

const DAY = 86_400_000;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const ratio = (n: number, d: number) => (d === 0 ? undefined : n / d);

export function denialMetrics(args: {
  records: Iterable<RemittanceRecord>;
  charts: Iterable<ChartState>;
  now: Date;
  /**
   * Only claims with an answer applied since then (ISO date or instant), each judged on all its answers
   * (a claim denied before and paid inside the window is still a denial, not a clean claim); rework and
   * overpayments opened since then or still open; net paid counts the money applied since then.
   */
  since?: string;
}): DenialMetrics {
  // Each claim's applied answers, in the order they were applied.
  const claims = new Map<string, RemittanceRecord[]>();
  for (const r of args.records) {
    if (r.disposition === 'informational') continue;
    const key = `${r.chartKey}:${r.version}`;
    const list = claims.get(key) ?? [];
    list.push(r);
    claims.set(key, list);
  }
  const charts = [...args.charts];
  // The billed principal's category: the denial's own (QA's corrected principal when that was billed).
  const categoryOf = new Map<string, string>();
  for (const s of charts) {
    const category = s.denial?.category ?? s.principalCategory;
    if (category) categoryOf.set(`${s.chartKey}:${s.version}`, category);
  }
  const categories = new Map<string, { claims: number; denied: number; codingDenied: number }>();
  const payers = new Map<string, { claims: number; denied: number }>();
  const carcs = new Map<string, { family: DenialFamily | 'unknown'; deniedClaims: number }>();
  const families = new Map<DenialFamily | 'unknown', number>();
  let denied = 0;
  let codingDenied = 0;
  let firstPassPaid = 0;
  let netPaid = 0;
  const since = args.since;
  for (const [key, list] of claims) if (since && !list.some((r) => r.receivedAt >= since)) claims.delete(key);
  for (const [key, list] of claims) {
    const ordered = [...list].sort(byPayerOrder);
    const first = ordered[0] as RemittanceRecord;
    const payer =
      first.payerName && first.payerId
        ? `${first.payerName} (${first.payerId})`
        : (first.payerId ?? first.payerName ?? 'unknown');
    const p = payers.get(payer) ?? { claims: 0, denied: 0 };
    p.claims++;
    payers.set(payer, p);
    // Money moves when it is applied: with a window, only the answers inside it.
    const category = categoryOf.get(key) ?? 'unknown';
    const c = categories.get(category) ?? { claims: 0, denied: 0, codingDenied: 0 };
    c.claims++;
    categories.set(category, c);
    netPaid += ordered.reduce((sum, r) => (since && r.receivedAt < since ? sum : sum + r.payment), 0);
    if (first.disposition === 'paid') firstPassPaid++;
    const denial = ordered.find((r) => r.disposition === 'denied');
    if (!denial) continue;
    denied++;
    p.denied++;
    c.denied++;
    if (ordered.some((r) => r.disposition === 'denied' && r.coderRelated)) {
      codingDenied++;
      c.codingDenied++;
    }
    const family = denial.family ?? 'unknown';
    families.set(family, (families.get(family) ?? 0) + 1);
    for (const code of new Set(denial.reasonCodes)) {
      const reasonFamily = denial.reasonFamilies?.[code] ?? family;
      // CO-45 or PR-2 beside the denial reason explain amounts; they are not why the claim was denied.
      if (reasonFamily === 'contractual' || reasonFamily === 'patient_responsibility') continue;
      const c = carcs.get(code) ?? { family: reasonFamily, deniedClaims: 0 };
      c.deniedClaims++;
      carcs.set(code, c);
    }
  }

  const now = args.now.getTime();
  const today = args.now.toISOString().slice(0, 10);
  const openAges: number[] = [];
  const closeDays: number[] = [];
  let overpaymentsOpen = 0;
  let overdue = 0;
  let nextDueBy: string | undefined;
  for (const s of charts) {
    if (s.rework && (!since || !s.rework.closedAt || s.rework.openedAt >= since)) {
      const opened = Date.parse(s.rework.openedAt);
      if (s.rework.closedAt) closeDays.push((Date.parse(s.rework.closedAt) - opened) / DAY);
      else openAges.push((now - opened) / DAY);
    }
    // Open overpayments are listed whatever the window: an open one is owed until it is resolved.
    if (s.overpayment && !s.overpayment.resolvedAt) {
      overpaymentsOpen++;
      const due = s.overpayment.dueBy;
      if (due && due < today) overdue++;
      else if (due && (!nextDueBy || due < nextDueBy)) nextDueBy = due;
    }
  }

  const total = claims.size;
  const days = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);
  return {
    claims: total,
    denied,
    codingDenied,
    firstPassPaid,
    denialRate: ratio(denied, total),
    codingDenialRate: ratio(codingDenied, total),
    cleanClaimRate: ratio(firstPassPaid, total),
    netPaid: toCents(netPaid),
    byPayer: [...payers]
      .map(([payer, p]) => ({ payer, claims: p.claims, denied: p.denied, denialRate: p.denied / p.claims }))
      .sort((a, b) => b.denied - a.denied || a.payer.localeCompare(b.payer)),
    byCarc: [...carcs]
      .map(([code, c]) => ({
        code,
        family: c.family,
        deniedClaims: c.deniedClaims,
        share: c.deniedClaims / denied,
      }))
      .sort((a, b) => b.deniedClaims - a.deniedClaims || a.code.localeCompare(b.code)),
    byFamily: [...families]
      .map(([family, n]) => ({ family, deniedClaims: n, share: n / denied }))
      .sort((a, b) => b.deniedClaims - a.deniedClaims || a.family.localeCompare(b.family)),
    byCategory: [...categories]
      .map(([category, c]) => ({ category, ...c, denialRate: c.denied / c.claims }))
      .sort((a, b) => b.denied - a.denied || b.claims - a.claims || a.category.localeCompare(b.category)),
    rework: {
      open: openAges.length,
      closed: closeDays.length,
      medianOpenAgeDays: days(median(openAges)),
      oldestOpenAgeDays: days(openAges.length ? Math.max(...openAges) : undefined),
      medianDaysToClose: days(median(closeDays)),
    },
    overpayments: { open: overpaymentsOpen, overdue, nextDueBy },
  };
}
