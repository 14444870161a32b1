import type { Chart, Occurrence } from '#shared/model/chart.ts';
import { dayNumber } from './visit-codes.ts';

/** Occurrence codes that make a home health period institutional (domain-rules.md §1.1, CGS). */
export const HOSPITAL_DISCHARGE = '61';
export const OTHER_INSTITUTION_DISCHARGE = '62';
/** How far before the period's from-date a discharge still makes the admission source institutional. */
export const INSTITUTIONAL_LOOKBACK_DAYS = 14;

export type AdmissionSource = 'community' | 'institutional';
export type PeriodTiming = 'early' | 'late';

/** Days from an occurrence's date to the period from-date: 0 = the same day, negative = after it. */
export function daysBeforePeriod(chart: Chart, occurrence: Occurrence): number {
  return dayNumber(chart.period.from) - dayNumber(occurrence.date);
}

/**
 * Where a home health chart sits in its admission. `admission`: the start-of-care period (PDGM timing
 * early), `date` its start of care; `later`: a later period of the same admission (timing late); `unknown`:
 * the chart says neither its timing nor its admission date.
 */
export type StartOfCare =
  | { period: 'admission'; date: string }
  | { period: 'later'; date?: string }
  | { period: 'unknown' };

/**
 * The start of care is chart.admission.date; on the admission period (timing early) without one, the
 * period's from-date. Without a timing, an admission date before the period makes it a later period, and
 * one inside (or after) it the admission period.
 */
export function startOfCare(chart: Pick<Chart, 'admission' | 'period'>): StartOfCare {
  const { date, timing } = chart.admission;
  if (timing === 'late') return date === undefined ? { period: 'later' } : { period: 'later', date };
  if (timing === 'early') return { period: 'admission', date: date ?? chart.period.from };
  if (date === undefined) return { period: 'unknown' };
  return date < chart.period.from ? { period: 'later', date } : { period: 'admission', date };
}

/** Whether the chart is the first period of its admission (its from-date is the admission date). */
export function isAdmissionPeriod(chart: Chart): boolean | undefined {
  const { date, timing } = chart.admission;
  if (date !== undefined) return date === chart.period.from;
  return timing === undefined ? undefined : timing === 'early';
}

/**
 * The OC 61/62 lines that can make this period institutional: dated 0-14 days before its from-date,
 * and OC 62 only on the admission period (CGS: "only reported on admission claims").
 */
export function institutionalDischarges(chart: Chart): Occurrence[] {
  // Stryker disable next-line ArrayDeclaration: the filter keeps OC 61/62 lines only, so any other fallback entry is dropped and the answer is the same empty list
  return (chart.occurrences ?? []).filter((o) => {
    if (o.code !== HOSPITAL_DISCHARGE && o.code !== OTHER_INSTITUTION_DISCHARGE) return false;
    const days = daysBeforePeriod(chart, o);
    if (days < 0 || days > INSTITUTIONAL_LOOKBACK_DAYS) return false;
    return o.code === HOSPITAL_DISCHARGE || isAdmissionPeriod(chart) !== false;
  });
}

/**
 * The PDGM admission source and timing to group by: what the export states, else what the claim data
 * shows. Source from the occurrence codes (a qualifying OC 61/62 = institutional; occurrence codes
 * carried without one = community; none carried = unknown). Timing from the admission date (the
 * admission period is early, a later one late). HH-ADMISSION-SOURCE reports when the two disagree.
 */
export function pdgmAdmission(chart: Chart): { source?: AdmissionSource; timing?: PeriodTiming } {
  const source =
    chart.admission.source ??
    (chart.occurrences === undefined
      ? undefined
      : institutionalDischarges(chart).length > 0
        ? 'institutional'
        : 'community');
  const first = isAdmissionPeriod(chart);
  const timing = chart.admission.timing ?? (first === undefined ? undefined : first ? 'early' : 'late');
  const result: { source?: AdmissionSource; timing?: PeriodTiming } = {};
  if (source) result.source = source;
  if (timing) result.timing = timing;
  return result;
}
