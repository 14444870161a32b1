import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import { DISCIPLINE_REVENUE, disciplineRevenue, isHomeHealthSiteCode, lineHcpcs } from './visit-codes.ts';

/** 96 units of 15 minutes are 24 hours: more than that on one visit line cannot be one day's visit. */
export const MAX_VISIT_UNITS = 96;

/** VISIT-LINE-UNITS: discipline visit lines bill 1 to 96 units of 15 minutes; a site-of-service line 1. */
export const visitLineUnits: Rule = defineRule(
  {
    id: 'VISIT-LINE-UNITS',
    severity: 'warn',
    title: 'Visit line units are plausible 15-minute increments',
    what: 'On home health and hospice charts, each visit line on a discipline revenue code (042x-057x) bills at least 1 unit and at most 96 units (96 x 15 minutes = 24 hours on one line); on a home health chart, a site-of-service line (Q5001, Q5002 or Q5009 on a discipline revenue code) bills exactly 1 unit. Each line outside these bounds is one warning. Level-of-care lines (0651-0656, units are days) and the 0023 HIPPS line are not checked here.',
    why: 'Visit G-codes are billed in 15-minute increments, so a visit line with 0 units bills nothing and one with more than 96 units claims more than a day of care on one line: both usually mean a units or time conversion error in the export. The home health site-of-service line carries one unit and a nominal charge. These are recorded as warnings for QA, not rejections, because a long visit is possible and the units do not change the coding.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §2.2 and §4: visit lines in 15-minute units (G-code descriptors "each 15 minutes", shared/data/codes/hh_hospice_hcpcs_revenue_reference.csv)',
      },
      {
        tag: 'MAC',
        cite: 'domain-rules.md §2.2: NGS "Reporting Site of Service Codes for Home Health Care", the Q5001/Q5002/Q5009 line has "one unit, and a nominal charge"',
      },
      {
        tag: 'codetrail',
        cite: 'the bounds 1 and 96 units (24 hours) per line are a codetrail plausibility threshold, not a payer edit',
      },
    ],
    limits:
      'Does not compare units with the visit note time, round minutes to units, or check the total units of a day or period. The 96-unit bound is a plausibility threshold of codetrail, not a Medicare limit. Units of hospice level-of-care lines are checked by HOSPICE-LEVEL-OF-CARE and HOSPICE-RESPITE.',
  },
  (chart, _tables, finding) => {
    const findings: Finding[] = [];
    chart.visits.forEach((line, i) => {
      const revenue = disciplineRevenue(line.revenueCode);
      if (!revenue) return;
      const code = lineHcpcs(line);
      const site = chart.lineOfBusiness === 'home_health' && isHomeHealthSiteCode(code);
      // Most lines are fine: the message parts are only built for a line that gets a finding.
      if (site ? line.units === 1 : line.units >= 1 && line.units <= MAX_VISIT_UNITS) return;
      const at = `visits[${i}].units`;
      const rev = `revenue code ${line.revenueCode} (${DISCIPLINE_REVENUE[revenue].name})`;
      // Past the check above, a site line's units are not 1, and a visit line's are 0 or more than 96.
      if (site)
        findings.push(
          finding(
            `${at}: the site-of-service line (${code}) on ${rev} bills ${line.units} units; it is reported with 1 unit and a nominal charge`,
            at,
          ),
        );
      else if (line.units === 0)
        findings.push(
          finding(
            `${at}: the ${rev} visit line bills 0 units; a visit line bills at least one 15-minute unit`,
            at,
          ),
        );
      else
        findings.push(
          finding(
            `${at}: the ${rev} visit line bills ${line.units} units of 15 minutes, more than 24 hours (${MAX_VISIT_UNITS} units) on one line; check the units`,
            at,
          ),
        );
    });
    return findings;
  },
);
