import { defineRule, type Rule } from './rule.ts';
import { disciplineRevenue, isHomeHealthSiteCode, lineHcpcs } from './visit-codes.ts';

/** HH-SITE-OF-SERVICE: a home health claim with visits carries its site-of-service Q-code line. */
export const hhSiteOfService: Rule = defineRule(
  {
    id: 'HH-SITE-OF-SERVICE',
    severity: 'reject',
    title: 'Home health site-of-service code reported',
    what: 'A home health chart with at least one discipline visit line (revenue codes 042x-057x) reports a site-of-service code, Q5001 (home or residence), Q5002 (assisted living facility) or Q5009 (place not otherwise specified), on one of its visit lines.',
    why: 'HHAs report one of the three site-of-service codes on every period of care claim, with the first billable service (same revenue code and date, one unit, a nominal charge); a claim without it is returned to the provider.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §2.2: NGS "Reporting Site of Service Codes for Home Health Care", "HHAs should report one of the following three HCPCS site of service codes on every period of care claim: Q5001, Q5002 or Q5009"',
      },
      { tag: '3P', cite: 'domain-rules.md §4: visit lines, "Q5001/Q5002/Q5009 line required"' },
    ],
    limits:
      'Checks that the code is there, not that it sits on the revenue code and date of the first billable visit (VISIT-LINE-UNITS checks its one unit), nor an additional line when the location changes.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    const visits = chart.visits.filter((v) => disciplineRevenue(v.revenueCode));
    if (visits.length === 0) return [];
    const reported = chart.visits.some((v) => isHomeHealthSiteCode(lineHcpcs(v)));
    if (reported) return [];
    return [
      finding(
        'visits: the home health claim reports no site-of-service code; add Q5001 (home), Q5002 (assisted living) or Q5009 (other) with the first billable visit, one unit',
        'visits',
      ),
    ];
  },
);
