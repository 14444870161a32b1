import { defineRule, type Rule } from './rule.ts';

/** Reasons for assessment (M0100) whose date OC 50 reports: start of care, resumption, recertification, follow-up. */
const GROUPING_ASSESSMENTS: ReadonlySet<string> = new Set(['01', '03', '04', '05']);

/** Occurrence code 50: the assessment date (OASIS M0090). */
export const ASSESSMENT_OCCURRENCE = '50';

/** HH-OC50: a home health claim reports the OASIS assessment date as occurrence code 50. */
export const hhAssessmentOccurrence: Rule = defineRule(
  {
    id: 'HH-OC50',
    severity: 'reject',
    title: 'Occurrence code 50 reports the OASIS assessment date',
    what: 'On a home health chart that carries occurrence codes: an occurrence code 50 is present, and when the OASIS has an assessment date (M0090) of a start-of-care, resumption-of-care, recertification or follow-up assessment (RFA 01, 03, 04, 05, or no RFA given), an OC 50 carries that date. A chart without occurrence codes is not checked (its export does not carry them).',
    why: 'The final home health claim reports the date of the OASIS assessment the period is grouped from as occurrence code 50; Medicare matches it to the assessment on file. Missing or with another date, the claim does not match its OASIS: the coder or billing office corrects the claim data before it goes out.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §1.1: operacare blog quoting a CMS MLN call: occurrence code 50 (assessment date = OASIS M0090) is required on all final claims; §4: OC 50 required',
      },
    ],
    limits:
      "Compares dates only when the chart has both; which assessment a period must use (start of care, recertification, other follow-up) is HH-OASIS-TIMING's.",
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health' || chart.occurrences === undefined) return [];
    const reported = chart.occurrences.filter((o) => o.code === ASSESSMENT_OCCURRENCE);
    if (reported.length === 0) {
      return [
        finding(
          'occurrences: no occurrence code 50 (the OASIS assessment date, M0090); the final claim reports it, add it with the assessment date',
          'occurrences',
        ),
      ];
    }
    const assessed = chart.oasis?.assessmentDate;
    const rfa = chart.oasis?.reasonForAssessment?.trim().padStart(2, '0');
    // Transfer and discharge assessments (RFA 06-09) are not what OC 50 reports.
    const reportable = rfa === undefined || GROUPING_ASSESSMENTS.has(rfa);
    if (assessed !== undefined && reportable && !reported.some((o) => o.date === assessed)) {
      return [
        finding(
          'occurrences: occurrence code 50 is not dated on the OASIS assessment date (oasis.assessmentDate); correct the claim date or confirm which assessment the period is grouped from',
          'occurrences',
        ),
      ];
    }
    return [];
  },
);
