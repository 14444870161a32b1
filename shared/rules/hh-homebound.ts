import type { Chart } from '#shared/model/chart.ts';
import { defineRule, type Rule } from './rule.ts';

/** Documents that record or certify homebound status: its own record, the certification, the plan of care. */
export const HOMEBOUND_DOCUMENTS = ['homebound', 'certification', 'plan_of_care'] as const;

const PATH = 'documents';

/** HH-HOMEBOUND: a home health chart documents homebound status: else ask the clinician. */
export const hhHomebound: Rule = defineRule(
  {
    id: 'HH-HOMEBOUND',
    severity: 'query',
    title: 'Home health homebound status documented',
    what: 'A home health chart carries a document that records or certifies the patient is confined to the home: a homebound document (the record of homebound status, when the EMR exports it as a document of its own), a certification document, or a plan_of_care document (which carries the certifying physician statement). If it has none, a clinician query opens. Every period is checked: each certification and recertification attests homebound status.',
    why: 'Being confined to the home (homebound), and a physician certifying it, is one of the qualifying criteria for Medicare home health; the certifying physician or the post-acute facility records must substantiate it, and the agency assessment can be incorporated into them. Without it the period is not covered, and only the clinician and the certifying physician can supply it.',
    sources: [
      {
        tag: 'MAC',
        cite: 'not in domain-rules.md: CGS "Home Health Coverage Guidelines: Homebound" (cgsmedicare.com/hhh/coverage/hh_coverage_guidelines/1c.html, citing Medicare Benefit Policy Manual, CMS Pub. 100-02, ch. 7 §30.1, §30.1.1): "One of Medicare\'s qualifying criteria for home health care is that the beneficiary is homebound and that the physician certifies that he or she believes the beneficiary is homebound"; the medical record "must substantiate the patient\'s need for skilled services, and their homebound status"',
      },
      {
        tag: 'codetrail',
        cite: 'which document types count (a homebound, certification or plan_of_care document): shared/model/chart.ts DOCUMENT_TYPES',
      },
    ],
    limits:
      'Checks presence only: not what the document says (the two homebound criteria: needing a device, special transportation or another person to leave home, or leaving being medically contraindicated; and a normal inability to leave home that takes a considerable and taxing effort), its signature or its date. A plan of care counts whether or not it states homebound status, since the chart does not carry document contents.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health' || hasHomebound(chart)) return [];
    return [
      finding(
        `${PATH}: the home health chart has no homebound status documentation (no homebound, certification or plan_of_care document); ask the clinician for the documentation that the patient is confined to the home, and the certifying physician's statement`,
        PATH,
      ),
    ];
  },
);

function hasHomebound(chart: Chart): boolean {
  return chart.documents.some((d) => (HOMEBOUND_DOCUMENTS as readonly string[]).includes(d.type));
}
