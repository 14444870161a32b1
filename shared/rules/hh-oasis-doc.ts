import type { Chart } from '#shared/model/chart.ts';
import { defineRule, type Rule } from './rule.ts';

/** HH-OASIS-DOC: a home health chart needs its OASIS (a document or the items): else ask the clinician. */
export const hhOasisDoc: Rule = defineRule(
  {
    id: 'HH-OASIS-DOC',
    severity: 'query',
    title: 'Home health OASIS present',
    what: 'A home health chart carries an OASIS assessment: a document of type oasis, or OASIS data (an assessment date or at least one item). If it has neither, a clinician query opens.',
    why: 'The PDGM grouper derives the functional impairment level from OASIS items M1800-M1860 and M1033, and the final claim reports the assessment date (occurrence code 50, M0090). Without the assessment the coder cannot confirm the grouping; the clinician who assessed the patient has to supply it.',
    sources: [
      { tag: 'CMS', cite: 'domain-rules.md §6: CMS OASIS-E data specifications (M1800-M1860, M1033)' },
      {
        tag: '3P',
        cite: 'domain-rules.md §1.4: functional items scored to points (postacutetools, HCPro/BLR); §1.1: OC 50 (M0090) required on all final claims (operacare quoting a CMS MLN call)',
      },
    ],
    limits:
      "Checks presence only: the assessment date against the period is HH-OASIS-TIMING's, the items HH-OASIS-ITEMS' and HH-OASIS-CONDITIONS'.",
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health' || hasOasis(chart)) return [];
    return [
      finding(
        'oasis: the home health chart has no OASIS assessment (no oasis document and no OASIS items); ask the clinician for the OASIS (M0090 date, M1800-M1860 items) before coding is final',
        'oasis',
      ),
    ];
  },
);

function hasOasis(chart: Chart): boolean {
  if (chart.documents.some((d) => d.type === 'oasis')) return true;
  const oasis = chart.oasis;
  return oasis !== undefined && (oasis.assessmentDate !== undefined || Object.keys(oasis.items).length > 0);
}
