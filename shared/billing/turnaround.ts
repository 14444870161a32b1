import type { Chart } from '#shared/model/chart.ts';
import type { ChartTurnaround } from '#shared/model/chart-state.ts';
import { agencyHolidays, agencyTimeZone, type Config } from '#shared/model/config.ts';
import { startOfCare } from '#shared/rules/pdgm-admission.ts';
import {
  type BusinessCalendar,
  businessDaysBetween,
  businessHoursBetween,
  workdayHoursBetween,
} from './business-time.ts';

/** The coding SLA a chart is held to (slas.coding). */
export type CodingSlaClass = 'start-of-care' | 'recertification' | 'expedited';

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
  return startOfCare(chart).period === 'later' ? 'recertification' : 'start-of-care';
}

const hours = (n: number) => Math.round(n * 100) / 100;

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
): ChartTurnaround {
  const out: ChartTurnaround = {};
  const locked = chart.documentationLockedAt;
  const coded = chart.codingCompletedAt;
  if (locked) {
    out.codingBusinessHours = hours(businessHoursBetween(locked, coded, calendar));
    const codingHours = hours(workdayHoursBetween(locked, coded, calendar));
    out.codingHours = codingHours;
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
              // Business days only where the recertification SLA counts them.
              met: businessDaysBetween(locked, coded, calendar) <= limits.recertificationBusinessDays,
            }
          : { limit: `${hoursLimit} hours on working days`, met: codingHours <= hoursLimit };
    out.codingSla = { class: cls, ...sla };
  }
  if (times.qaAt) out.qaBusinessHours = hours(businessHoursBetween(coded, times.qaAt, calendar));
  out.toBatchBusinessHours = hours(businessHoursBetween(times.qaAt ?? coded, times.batchedAt, calendar));
  return out;
}
