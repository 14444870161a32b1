import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** Inpatient respite is paid for at most this many consecutive days. */
export const MAX_RESPITE_DAYS = 5;

/** A 0655 line as the days it bills: `first` to `last`, day numbers. */
interface Span {
  line: number;
  first: number;
  last: number;
}

/** HOSPICE-RESPITE: a run of more than five consecutive inpatient respite days on the 0655 lines. */
export const hospiceRespite: Rule = defineRule(
  {
    id: 'HOSPICE-RESPITE',
    severity: 'reject',
    title: 'Hospice inpatient respite at most five consecutive days',
    what: 'On a hospice chart, the revenue code 0655 (inpatient respite) lines bill no run of more than 5 consecutive days. A 0655 line covers as many consecutive days as its units, starting on its date; days covered by several lines count once, and lines that touch or overlap join into one run. Each run longer than 5 days is one finding, on the line that bills its sixth day.',
    why: 'Medicare pays inpatient respite care for no more than five consecutive days at a time; every day beyond the fifth is billed and paid at the routine home care rate (revenue code 0651). A longer respite run overstates the payment.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §3: NGS "Hospice Levels of Care: Inpatient Respite Care", "reimbursed for no more than five consecutive days at a time. Every day of inpatient respite care beyond the fifth consecutive day is billed and paid at the routine home care rate (revenue code 0651)"',
      },
      {
        tag: 'codetrail',
        cite: 'a line covers its units as consecutive days from its line-item date (domain-rules.md §3: each change of level is a new line with its line-item date)',
      },
    ],
    limits:
      'Sees only the 0655 lines of this chart: a respite stay that began in the previous claim period is counted from this chart only. The respite days of hospice.levelOfCareDays without lines are not checked, and neither is the day of discharge from respite.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice') return [];
    // Each 0655 line as the interval of days it bills; intervals that touch or overlap make one run.
    // Intervals, not days: a line of 9,999 units costs what a line of 1 does.
    const spans: Span[] = [];
    chart.visits.forEach((line, i) => {
      if (line.revenueCode !== '0655' || line.units <= 0) return;
      const first = dayNumber(line.date);
      spans.push({ line: i, first, last: first + line.units - 1 });
    });
    // By first day; the order among lines starting the same day changes nothing below.
    spans.sort((a, b) => a.first - b.first);
    const runs: { first: number; last: number; spans: Span[] }[] = [];
    for (const span of spans) {
      const run = runs[runs.length - 1];
      if (run && span.first <= run.last + 1) {
        run.spans.push(span);
        run.last = Math.max(run.last, span.last);
      } else runs.push({ first: span.first, last: span.last, spans: [span] });
    }
    const findings: Finding[] = [];
    for (const run of runs) {
      const length = run.last - run.first + 1;
      if (length <= MAX_RESPITE_DAYS) continue;
      const sixthDay = run.first + MAX_RESPITE_DAYS;
      // The line that bills the sixth day: the first, in chart order, of those covering it.
      const sixth = Math.min(
        ...run.spans.filter((s) => s.first <= sixthDay && sixthDay <= s.last).map((s) => s.line),
      );
      const lines = run.spans.map((s) => s.line).sort((a, b) => a - b);
      const across = lines.length === 1 ? '' : ` across ${lines.map((l) => `visits[${l}]`).join(', ')}`;
      findings.push(
        finding(
          `visits[${sixth}].units: the revenue code 0655 (inpatient respite) lines bill ${length} consecutive respite days${across}; Medicare pays at most ${MAX_RESPITE_DAYS} consecutive days, so bill each day after the fifth as routine home care (0651)`,
          `visits[${sixth}].units`,
        ),
      );
    }
    return findings;
  },
);
