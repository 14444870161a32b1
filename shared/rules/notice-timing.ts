import { dayNumber } from './visit-codes.ts';

/**
 * Whether a notice (NOA, NOE) was filed on time: within `allowedDays` calendar days after the event it
 * reports (start of care, election), counted from the day after. Missing, late or before the event.
 */
export type NoticeTiming =
  | { kind: 'on-time' }
  | { kind: 'missing' }
  | { kind: 'late'; days: number }
  | { kind: 'before-event' };

export function noticeTiming(event: string, notice: string | undefined, allowedDays: number): NoticeTiming {
  if (notice === undefined) return { kind: 'missing' };
  const days = dayNumber(notice) - dayNumber(event);
  if (days < 0) return { kind: 'before-event' };
  return days > allowedDays ? { kind: 'late', days } : { kind: 'on-time' };
}
