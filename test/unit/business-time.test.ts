import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BusinessCalendar,
  businessDaysBetween,
  businessHoursBetween,
  localDayOf,
  workdayHoursBetween,
  zonedInstant,
} from '#shared/billing/business-time.ts';

const NY: BusinessCalendar = {
  timeZone: 'America/New_York',
  holidays: [],
  dayStart: '08:00',
  dayEnd: '17:00',
};

describe('business time', () => {
  it('finds local wall times in a zone, across daylight saving changes', () => {
    expect(new Date(zonedInstant('2026-11-23', '08:00', 'America/New_York')).toISOString()).toBe(
      '2026-11-23T13:00:00.000Z',
    );
    expect(new Date(zonedInstant('2026-07-01', '08:00', 'America/New_York')).toISOString()).toBe(
      '2026-07-01T12:00:00.000Z',
    );
    expect(new Date(zonedInstant('2026-11-23', '08:00', 'Asia/Kolkata')).toISOString()).toBe(
      '2026-11-23T02:30:00.000Z',
    );
  });

  it('counts the working hours of the working days in between', () => {
    // Monday 10:00 to Monday 15:00 New York: 5 hours.
    expect(businessHoursBetween('2026-11-23T15:00:00Z', '2026-11-23T20:00:00Z', NY)).toBe(5);
    // Friday 16:00 to Monday 09:00: one hour on Friday, one on Monday; the weekend does not count.
    expect(businessHoursBetween('2026-11-20T21:00:00Z', '2026-11-23T14:00:00Z', NY)).toBe(2);
    // Outside working hours entirely: Saturday.
    expect(businessHoursBetween('2026-11-21T14:00:00Z', '2026-11-21T20:00:00Z', NY)).toBe(0);
  });

  it('leaves holidays out, in the agency calendar', () => {
    const thanksgiving = { ...NY, holidays: ['2026-11-26'] };
    // Wednesday 17:00 to Friday 09:00: Thursday is off, one hour on Friday.
    expect(businessHoursBetween('2026-11-25T22:00:00Z', '2026-11-27T14:00:00Z', thanksgiving)).toBe(1);
    expect(businessDaysBetween('2026-11-25T22:00:00Z', '2026-11-27T14:00:00Z', thanksgiving)).toBe(1);
  });

  it('counts days by the local calendar of the time zone', () => {
    // 23:30 UTC Friday is 18:30 Friday in New York but 05:00 Saturday in Kolkata.
    const fri = '2026-11-20T23:30:00Z';
    const mon = '2026-11-23T15:00:00Z';
    expect(businessDaysBetween(fri, mon, NY)).toBe(1);
    expect(businessDaysBetween(fri, mon, { ...NY, timeZone: 'Asia/Kolkata' })).toBe(1);
    expect(businessDaysBetween('2026-11-23T10:00:00Z', '2026-11-23T12:00:00Z', NY)).toBe(0);
  });

  it('never exceeds the wall-clock hours, and adds up over a split', () => {
    const instant = fc.integer({
      min: Date.parse('2026-01-01T00:00:00Z'),
      max: Date.parse('2026-12-31T00:00:00Z'),
    });
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 30 * 86_400_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, span, cut) => {
          const from = new Date(a).toISOString();
          const mid = new Date(a + Math.floor(span * cut)).toISOString();
          const to = new Date(a + span).toISOString();
          const whole = businessHoursBetween(from, to, NY);
          expect(whole).toBeLessThanOrEqual(span / 3_600_000 + 1e-9);
          expect(whole).toBeCloseTo(
            businessHoursBetween(from, mid, NY) + businessHoursBetween(mid, to, NY),
            6,
          );
        },
      ),
    );
  });

  it('counts elapsed hours on working days for the hour SLAs: a weekend and a holiday do not count', () => {
    // Friday 15:00 New York to Monday 15:00: 9 hours of Friday, 15 of Monday.
    expect(workdayHoursBetween('2026-11-20T20:00:00Z', '2026-11-23T20:00:00Z', NY)).toBe(24);
    expect(
      workdayHoursBetween('2026-11-25T20:00:00Z', '2026-11-27T20:00:00Z', {
        ...NY,
        holidays: ['2026-11-26'],
      }),
    ).toBe(24);
  });
});

describe('zone offsets, remembered per UTC quarter hour', () => {
  const zones = [
    'America/New_York',
    'America/Phoenix',
    'Pacific/Honolulu',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
  ];
  const dayIn = (instant: number, timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      new Date(instant),
    );

  it('give the local day Intl gives, across DST changes (a half-hour one included)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }),
        (zone, instant) => {
          expect(localDayOf(instant, zone)).toBe(dayIn(instant, zone));
        },
      ),
      { numRuns: 2000 },
    );
    // Each side of New York's spring-forward change (07:00 UTC) and Lord Howe's half-hour one.
    for (const at of [
      Date.UTC(2026, 2, 8, 6, 59, 59),
      Date.UTC(2026, 2, 8, 7, 0, 0),
      Date.UTC(2026, 3, 4, 14, 59),
      Date.UTC(2026, 3, 4, 15, 0),
    ])
      for (const zone of zones) expect(localDayOf(at, zone)).toBe(dayIn(at, zone));
    // St. John's fell back at 00:01 local until 2011 (02:31 UTC on 7 November 2010): a change off the
    // hour and the quarter hour, back to the day before.
    const stJohns = [Date.UTC(2010, 10, 7, 2, 30, 59), Date.UTC(2010, 10, 7, 2, 31, 0)];
    expect(stJohns.map((at) => dayIn(at, 'America/St_Johns'))).toEqual(['2010-11-07', '2010-11-06']);
    for (const at of stJohns) expect(localDayOf(at, 'America/St_Johns')).toBe(dayIn(at, 'America/St_Johns'));
  });
});
