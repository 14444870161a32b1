import { isWorkday, localDayOf, nextDay, workdaysBetweenDays } from '#shared/billing/business-time.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { agencyHolidays, agencyTimeZone } from '#shared/model/config.ts';

/**
 * Clinician documentation queries: what a `query` finding opens, and how old it is. Pure: dates in,
 * dates out. Aging counts business days (Monday to Friday, less the agency's holidays), as agencies
 * count their query turnaround; the agency sets after how many a query escalates.
 */
export interface DocumentationQuery {
  ruleId: string;
  /** The finding's message: names fields and codes, never patient data. */
  question: string;
  /** Where in the chart the query points (field path), when the finding names one. */
  evidence?: string;
  openedAt: string;
  /** The day (YYYY-MM-DD) the answer is due: escalateAfterDays business days after it opened. */
  dueOn: string;
}

export const ESCALATION_LEVELS = ['clinician', 'clinical manager', 'administrator'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export interface QueryPolicy {
  escalateAfterDays: number;
  holidays: readonly string[];
  /** The agency's time zone: its days are the ones counted. */
  timeZone: string;
}

/**
 * An agency's query policy from the configuration (`queryAging`; the deployment's and the agency's
 * `holidays`; the agency's `timeZone`).
 */
export function queryPolicy(
  config: {
    queryAging: { escalateAfterDays: number };
    holidays: readonly string[];
    agencies: readonly { id: string; timeZone: string; holidays?: readonly string[] }[];
  },
  agencyId: string,
): QueryPolicy {
  return {
    escalateAfterDays: config.queryAging.escalateAfterDays,
    holidays: agencyHolidays(config, agencyId),
    timeZone: agencyTimeZone(config, agencyId),
  };
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function localDay(instant: string, timeZone: string): string {
  return localDayOf(Date.parse(instant), timeZone);
}

/** The date `days` business days after `from` (a date or an instant; its calendar day in UTC). */
export function addBusinessDays(from: string, days: number, holidays: readonly string[]): string {
  const off = new Set(holidays);
  let day = from.slice(0, 10);
  for (let left = days; left > 0; ) {
    day = nextDay(day);
    if (isWorkday(day, off)) left--;
  }
  return day;
}

/** Business days from `from` to `to` (the day it opened not counted; 0 when `to` is not later). */
export function businessDaysBetween(from: string, to: string, holidays: readonly string[]): number {
  return workdaysBetweenDays(from.slice(0, 10), to.slice(0, 10), new Set(holidays));
}

/** The documentation queries a validation opens: one per `query` finding. */
export function openQueries(
  findings: readonly Finding[],
  openedAt: string,
  policy: QueryPolicy,
): DocumentationQuery[] {
  const dueOn = addBusinessDays(
    localDay(openedAt, policy.timeZone),
    policy.escalateAfterDays,
    policy.holidays,
  );
  return findings
    .filter((f) => f.severity === 'query')
    .map((f) => ({
      ruleId: f.ruleId,
      question: f.message,
      ...(f.path ? { evidence: f.path } : {}),
      openedAt,
      dueOn,
    }));
}

/**
 * How old a query is and who should be chasing it, in the agency's business days: the clinician until
 * it is due (escalateAfterDays after it opened), then the clinical manager, and past twice that the
 * administrator.
 */
export function queryAging(
  query: Pick<DocumentationQuery, 'openedAt'>,
  now: string,
  policy: QueryPolicy,
): { businessDays: number; overdue: boolean; level: EscalationLevel } {
  const businessDays = businessDaysBetween(
    localDay(query.openedAt, policy.timeZone),
    localDay(now, policy.timeZone),
    policy.holidays,
  );
  const n = policy.escalateAfterDays;
  const steps = businessDays <= n ? 0 : businessDays <= 2 * n ? 1 : 2;
  return { businessDays, overdue: businessDays > n, level: ESCALATION_LEVELS[steps] as EscalationLevel };
}
