/**
 * Business time in an agency's time zone: hours inside its working day (default 08:00-17:00), Monday to
 * Friday, less its holidays. Pure: instants in, numbers out. Turnaround clocks (documentation lock to
 * coding complete, to QA, to batched) are measured in it, as agencies measure their coders.
 */
export interface BusinessCalendar {
  timeZone: string;
  /** YYYY-MM-DD days off, in the agency's calendar. */
  holidays: readonly string[];
  /** Working day in local wall time, HH:MM. */
  dayStart: string;
  dayEnd: string;
}

const MS_HOUR = 3_600_000;
const MS_DAY = 86_400_000;
/** A turnaround longer than this is counted as this: no clock runs for years. */
const MAX_DAYS = 400;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Offsets by zone and UTC hour: asking Intl costs microseconds, and every query asks. NaN marks an hour
 * with a change in it.
 */
const offsets = new Map<string, number>();
const MAX_OFFSETS = 10_000;

/**
 * The zone's offset from UTC at an instant, in milliseconds (local = UTC + offset). Remembered per UTC
 * hour when the offset is the same at both ends of it; an hour with a change in it (zones change on a
 * whole minute, not always on the hour: St. John's changed at 00:01 until 2011) asks Intl every time.
 */
function offsetAt(instant: number, timeZone: string): number {
  const hour = Math.floor(instant / MS_HOUR);
  const key = `${timeZone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= MAX_OFFSETS) offsets.clear();
    const start = zoneOffset(hour * MS_HOUR, timeZone);
    offset = start === zoneOffset((hour + 1) * MS_HOUR - 1, timeZone) ? start : Number.NaN;
    offsets.set(key, offset);
  }
  return Number.isNaN(offset) ? zoneOffset(instant, timeZone) : offset;
}

function zoneOffset(instant: number, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return local - Math.floor(instant / 1000) * 1000;
}

/** The UTC instant of a local wall time on a local day (YYYY-MM-DD, HH:MM) in a zone, DST included. */
export function zonedInstant(day: string, time: string, timeZone: string): number {
  // 24:00 is the end of the day: the next day's midnight.
  if (time === '24:00') return zonedInstant(nextDay(day), '00:00', timeZone);
  const wall = Date.parse(`${day}T${time}:00Z`);
  // Two passes: the offset at the guess, then at the corrected instant (they differ across a DST change).
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** The local calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDayOf(instant: number, timeZone: string): string {
  return new Date(instant + offsetAt(instant, timeZone)).toISOString().slice(0, 10);
}

/** A local day (YYYY-MM-DD) that is neither a weekend day nor a holiday. */
export function isWorkday(day: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
}

/** The calendar day after a local day (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + MS_DAY).toISOString().slice(0, 10);
}

/** Business hours between two instants (0 when `to` is not later). */
export function businessHoursBetween(from: string, to: string, calendar: BusinessCalendar): number {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (!(end > start)) return 0;
  const holidays = new Set(calendar.holidays);
  let ms = 0;
  let day = localDayOf(start, calendar.timeZone);
  const last = localDayOf(end, calendar.timeZone);
  for (let n = 0; n <= MAX_DAYS; n++) {
    if (isWorkday(day, holidays)) {
      const open = zonedInstant(day, calendar.dayStart, calendar.timeZone);
      const close = zonedInstant(day, calendar.dayEnd, calendar.timeZone);
      const overlap = Math.min(close, end) - Math.max(open, start);
      if (overlap > 0) ms += overlap;
    }
    if (day >= last) break;
    day = nextDay(day);
  }
  return ms / MS_HOUR;
}

/**
 * Elapsed hours on working days between two instants: whole local days (midnight to midnight) count,
 * weekends and holidays do not. "Within 48 hours" of a lock on Friday afternoon ends Tuesday afternoon.
 */
export function workdayHoursBetween(from: string, to: string, calendar: BusinessCalendar): number {
  return businessHoursBetween(from, to, { ...calendar, dayStart: '00:00', dayEnd: '24:00' });
}

/**
 * Business days between two instants: workdays after the local day of `from`, up to and including the
 * local day of `to` (a lock on Friday coded on Monday is 1 business day).
 */
export function businessDaysBetween(from: string, to: string, calendar: BusinessCalendar): number {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (!(end > start)) return 0;
  return workdaysBetweenDays(
    localDayOf(start, calendar.timeZone),
    localDayOf(end, calendar.timeZone),
    new Set(calendar.holidays),
    MAX_DAYS,
  );
}

/** Workdays after the local day `from` up to and including `to` (YYYY-MM-DD), counting `limit` days at most. */
export function workdaysBetweenDays(
  from: string,
  to: string,
  holidays: ReadonlySet<string>,
  limit = Number.POSITIVE_INFINITY,
): number {
  let day = from;
  let days = 0;
  for (let n = 0; n < limit && day < to; n++) {
    day = nextDay(day);
    if (isWorkday(day, holidays)) days++;
  }
  return days;
}
