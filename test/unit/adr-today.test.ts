import { describe, expect, it } from 'vitest';
import { todayIn } from '#cli/commands/adr.ts';

describe("a documentation request's days left count from the person's today", () => {
  it('is the calendar day in the zone named: an evening in Chicago is already tomorrow in UTC', () => {
    const evening = new Date('2027-01-21T02:00:00Z');
    expect(todayIn('America/Chicago', evening)).toBe('2027-01-20');
    expect(todayIn('UTC', evening)).toBe('2027-01-21');
    expect(todayIn(undefined, evening)).toMatch(/^2027-01-2[01]$/);
  });

  it('refuses a zone that is not one, in a line saying what to give', () => {
    expect(() => todayIn('Mars/Olympus', new Date())).toThrow(
      '--time-zone: not an IANA time zone (e.g. America/New_York)',
    );
  });
});
