import { describe, expect, it } from 'vitest';
import { noticeTiming } from '#shared/rules/notice-timing.ts';

describe('noticeTiming', () => {
  it('counts calendar days after the event: 5 allowed, the 6th is late', () => {
    expect(noticeTiming('2022-03-01', '2022-03-01', 5)).toEqual({ kind: 'on-time' });
    expect(noticeTiming('2022-03-01', '2022-03-06', 5)).toEqual({ kind: 'on-time' });
    expect(noticeTiming('2022-02-27', '2022-03-05', 5)).toEqual({ kind: 'late', days: 6 });
    expect(noticeTiming('2022-03-01', '2022-02-28', 5)).toEqual({ kind: 'before-event' });
    expect(noticeTiming('2022-03-01', undefined, 5)).toEqual({ kind: 'missing' });
  });
});
