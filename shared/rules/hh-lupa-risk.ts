import { groupPdgm } from './pdgm-grouping.ts';
import { defineRule, type Rule } from './rule.ts';
import { disciplineRevenue, lineHcpcs } from './visit-codes.ts';

/** HH-LUPA-RISK: fewer visits than the period's HIPPS needs to escape the low-utilization payment. */
export const hhLupaRisk: Rule = defineRule(
  {
    id: 'HH-LUPA-RISK',
    severity: 'warn',
    title: 'Home health period at risk of a LUPA',
    what: "On a home health chart that groups to a HIPPS code under a complete PDGM table carrying LUPA thresholds, the number of visits (discipline visit lines, 042x-057x) is at least the HIPPS code's threshold. Fewer visits is a warning for QA: the period would be paid per visit (a low-utilization payment adjustment) rather than the case-mix amount.",
    why: 'Each of the 432 PDGM groups has a LUPA threshold (between 2 and 6 visits, the 10th percentile of visits in the group); a period with fewer visits is paid a standardized per-visit amount. A coder or QA reviewer should know before billing, because a missing visit line or a miscoded group often explains it.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §1.6: Palmetto GBA "Low Utilization Payment Adjustment (LUPA)": thresholds between two and six visits, one per case-mix group; fewer visits are paid per visit',
      },
      {
        tag: 'CMS',
        cite: "domain-rules.md §1.6: CMS's annual PDGM case-mix weights and LUPA thresholds file (not retrieved: load it with the PDGM parameters)",
      },
    ],
    limits:
      'Silent until a PDGM table with LUPA thresholds (lupaThresholds in the parameters) is imported; the sample has none. Counts visit lines, not units or days, and only the lines on this chart.',
  },
  (chart, tables, finding) => {
    const pdgm = tables.pdgm;
    // No line-of-business check: groupPdgm groups home health periods only, so a hospice chart never groups.
    if (!pdgm || pdgm.sample || !pdgm.params.lupaThresholds) return [];
    const grouped = groupPdgm(chart, pdgm);
    if (!grouped.grouped) return [];
    const threshold = pdgm.params.lupaThresholds[grouped.grouping.hipps];
    if (threshold === undefined) return [];
    // A site-of-service line (Q5001, Q5002, Q5009, in any case) sits on a discipline revenue code too.
    const visits = chart.visits.filter(
      (v) => disciplineRevenue(v.revenueCode) && !lineHcpcs(v)?.startsWith('Q'),
    ).length;
    if (visits >= threshold) return [];
    return [
      finding(
        `visits: ${visits} visit(s) in the period, below the LUPA threshold of ${threshold} for HIPPS ${grouped.grouping.hipps}: the period would be paid per visit; check for missing visit lines`,
        'visits',
      ),
    ];
  },
);
