import type { Chart } from '#shared/model/chart.ts';
import { defineRule, type Rule } from './rule.ts';

/** HOSPICE-CTI: a hospice chart needs its certification of terminal illness: else ask the physician. */
export const hospiceCti: Rule = defineRule(
  {
    id: 'HOSPICE-CTI',
    severity: 'query',
    title: 'Hospice certification of terminal illness present',
    what: 'A hospice chart has a CTI: hospice.ctiDate, or a document of type cti or certification. If it has none, a query opens for the hospice physician.',
    why: 'The hospice must obtain the written certification for each benefit period before it submits a claim (oral within 2 calendar days of the period start when the written one is not yet available); certifications may be completed no more than 15 days ahead.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: 42 CFR 418.22(a) (as quoted on govregs.com / apn.mhmedical.com) and 418.22(b) CTI content',
      },
      {
        tag: 'MAC',
        cite: 'domain-rules.md §3: CGS, nurse practitioners and physician assistants cannot certify terminal illness',
      },
    ],
    limits:
      'Checks presence only: not the signature, the certifying physician, timing against the benefit period, or face-to-face from the third period.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice' || hasCti(chart)) return [];
    return [
      finding(
        'hospice.ctiDate: the hospice chart has no certification of terminal illness (no hospice.ctiDate and no cti or certification document); ask the hospice physician for the signed CTI for this benefit period',
        'hospice.ctiDate',
      ),
    ];
  },
);

function hasCti(chart: Chart): boolean {
  return (
    chart.hospice?.ctiDate !== undefined ||
    chart.documents.some((d) => d.type === 'cti' || d.type === 'certification')
  );
}
