import type { Chart } from '#shared/model/chart.ts';
import { agencyHolidays, agencyTimeZone, type Config } from '#shared/model/config.ts';
import {
  type BusinessCalendar,
  businessDaysBetween,
  businessHoursBetween,
  workdayHoursBetween,
} from './business-time.ts';

/** The coding SLA a chart is held to (slas.coding). */
export type CodingSlaClass = 'start-of-care' | 'recertification' | 'expedited';

/** How long a chart took, stage by stage, in the agency's business time. No PHI: durations and ids. */
export interface Turnaround {
  /**
   * Documentation lock to coding complete (the coder's clock): working-day hours (the agency's business
   * hours), elapsed hours on working days (what the hour SLAs count), and business days.
   */
  coding?: { businessHours: number; hours: number; businessDays: number };
  /** Coding complete to the QA verdict (sampled charts). */
  qa?: { businessHours: number; businessDays: number };
  /** The last of those to the batch. */
  toBatch?: { businessHours: number; businessDays: number };
  sla?: { class: CodingSlaClass; limit: string; met: boolean };
}

export function calendarFor(config: Config, agencyId: string): BusinessCalendar {
  return {
    timeZone: agencyTimeZone(config, agencyId),
    holidays: agencyHolidays(config, agencyId),
    dayStart: config.billing.businessHours.start,
    dayEnd: config.billing.businessHours.end,
  };
}

/**
 * The SLA class: expedited when the export says so; else a home health admission period, or a hospice
 * first benefit period, is start of care; any later period is a recertification.
 */
export function codingSlaClass(
  chart: Pick<Chart, 'priority' | 'lineOfBusiness' | 'admission' | 'period' | 'hospice'>,
): CodingSlaClass {
  if (chart.priority === 'expedited') return 'expedited';
  if (chart.lineOfBusiness === 'hospice')
    return chart.hospice?.benefitPeriod.number === 1 ? 'start-of-care' : 'recertification';
  const { date, timing } = chart.admission;
  if (timing === 'late') return 'recertification';
  if (timing === 'early' || date === undefined) return 'start-of-care';
  return date < chart.period.from ? 'recertification' : 'start-of-care';
}

const span = (from: string, to: string, calendar: BusinessCalendar) => ({
  businessHours: Math.round(businessHoursBetween(from, to, calendar) * 100) / 100,
  businessDays: businessDaysBetween(from, to, calendar),
});

/**
 * The chart's turnaround from documentation lock to its batch, and whether coding met its SLA. Without
 * a documentation lock time there is no coding clock (and no SLA verdict).
 */
export function turnaround(
  chart: Pick<
    Chart,
    | 'priority'
    | 'lineOfBusiness'
    | 'admission'
    | 'period'
    | 'hospice'
    | 'documentationLockedAt'
    | 'codingCompletedAt'
  >,
  times: { qaAt?: string | undefined; batchedAt: string },
  config: Config,
  calendar: BusinessCalendar,
): Turnaround {
  const out: Turnaround = {};
  const locked = chart.documentationLockedAt;
  const coded = chart.codingCompletedAt;
  if (locked) {
    out.coding = {
      ...span(locked, coded, calendar),
      hours: Math.round(workdayHoursBetween(locked, coded, calendar) * 100) / 100,
    };
    const cls = codingSlaClass(chart);
    const limits = config.slas.coding;
    const hoursLimit = cls === 'expedited' ? limits.expeditedHours : limits.startOfCareHours;
    const sla =
      Date.parse(coded) < Date.parse(locked)
        ? // Coded before the documentation was locked: not a turnaround to be proud of, and not one to count as met.
          { limit: 'coding after the documentation lock', met: false }
        : cls === 'recertification'
          ? {
              limit: `${limits.recertificationBusinessDays} business day(s)`,
              met: out.coding.businessDays <= limits.recertificationBusinessDays,
            }
          : { limit: `${hoursLimit} hours on working days`, met: out.coding.hours <= hoursLimit };
    out.sla = { class: cls, ...sla };
  }
  if (times.qaAt) out.qa = span(coded, times.qaAt, calendar);
  out.toBatch = span(times.qaAt ?? coded, times.batchedAt, calendar);
  return out;
}
