import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** The longest a benefit period may run: 90 days for periods 1 and 2, 60 days from period 3 on. */
export function allowedBenefitPeriodDays(number: number): number {
  return number <= 2 ? 90 : 60;
}

const PATH = 'hospice.benefitPeriod';

/** HOSPICE-BENEFIT-PERIOD: a benefit period longer than its number allows, or a claim period outside it. */
export const hospiceBenefitPeriod: Rule = defineRule(
  {
    id: 'HOSPICE-BENEFIT-PERIOD',
    severity: 'reject',
    title: 'Hospice benefit period length and claim period',
    what: 'On a hospice chart, hospice.benefitPeriod ends on or after its start, and runs (from and through both counted) no longer than its number allows: 90 days for periods 1 and 2, 60 days for period 3 and later. A shorter period is accepted (it ends early at discharge, revocation, transfer or death). The chart period (period.from to period.through) lies inside the benefit period.',
    why: 'The hospice benefit is an initial 90-day period, a subsequent 90-day period, then an unlimited number of 60-day periods; each needs its own certification, and from the third a face-to-face encounter. A period longer than allowed, or a claim that bills days outside the benefit period it names, is billed under the wrong certification.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: 42 CFR 418.21 (as quoted on govregs.com / apn.mhmedical.com), an initial 90-day period, a subsequent 90-day period, unlimited subsequent 60-day periods',
      },
      {
        tag: 'codetrail',
        cite: 'shared/model/chart.ts: a chart is one hospice benefit period (Hospice.benefitPeriod: "1 and 2 are 90-day periods, 3+ are 60-day periods"), so its period lies inside the benefit period',
      },
    ],
    limits:
      'Sees one benefit period only: not whether the number follows the previous period, whether the period starts the day after the previous one ends, or whether it starts on or after the election date. A shorter period is never flagged, since the chart has no discharge or revocation field. Visit line dates are not compared with the benefit period.',
  },
  (chart, _tables, finding) => {
    const period = chart.hospice?.benefitPeriod;
    if (chart.lineOfBusiness !== 'hospice' || !period) return [];
    const from = dayNumber(period.from);
    const through = dayNumber(period.through);
    if (through < from) {
      return [
        finding(
          `${PATH}: benefit period ${period.number} ends (through) before it starts (from); correct the benefit period dates`,
          PATH,
        ),
      ];
    }
    const findings: Finding[] = [];
    const days = through - from + 1;
    const allowed = allowedBenefitPeriodDays(period.number);
    if (days > allowed) {
      const which = period.number <= 2 ? 'periods 1 and 2 last' : 'periods 3 and later last';
      findings.push(
        finding(
          `${PATH}: benefit period ${period.number} spans ${days} days (from and through counted), but ${which} at most ${allowed} days; correct the benefit period number or its dates`,
          PATH,
        ),
      );
    }
    if (dayNumber(chart.period.from) < from || dayNumber(chart.period.through) > through) {
      findings.push(
        finding(
          `${PATH}: the chart period (period.from to period.through) is not inside benefit period ${period.number}; a hospice chart covers the days of one benefit period, so split the claim at the benefit period boundary or correct the dates`,
          PATH,
        ),
      );
    }
    return findings;
  },
);
