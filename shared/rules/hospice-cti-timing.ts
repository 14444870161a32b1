import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** A certification may be signed at most this many days before the benefit period (or election) starts. */
export const CTI_DAYS_AHEAD = 15;

/** HOSPICE-CTI-TIMING: the CTI signed too early for its benefit period, or after the claim was coded. */
export const hospiceCtiTiming: Rule = defineRule(
  {
    id: 'HOSPICE-CTI-TIMING',
    severity: 'query',
    title: 'Hospice certification of terminal illness dated for its benefit period',
    what: "On a hospice chart with a certification date (hospice.ctiDate, else the latest dated cti or certification document), that date is no more than 15 calendar days before the benefit period starts, and not after the day coding was completed (the claim is built from the coded chart, so the written certification must already exist). Either problem opens a query for the hospice physician. A chart without any CTI date is HOSPICE-CTI's.",
    why: 'The hospice must obtain the written certification for each benefit period before it submits a claim; certifications may be completed no more than 15 calendar days prior to the effective date of election, and recertifications no more than 15 calendar days prior to the start of the subsequent benefit period.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: 42 CFR 418.22(a), written certification for each period before a claim is submitted; "Certifications may be completed no more than 15 calendar days prior to the effective date of election"; "Recertifications may be completed no more than 15 calendar days prior to the start of the subsequent benefit period"',
      },
    ],
    limits:
      'For the first benefit period the window is measured from the period start, which is the election date when the export sets them equal. The oral certification within 2 days of the period start is not represented in the chart.',
  },
  (chart, _tables, finding) => {
    const hospice = chart.hospice;
    if (chart.lineOfBusiness !== 'hospice' || !hospice) return [];
    const signed = hospice.ctiDate ?? latestCertificationDocument(chart.documents);
    if (signed === undefined) return [];
    const findings: Finding[] = [];
    const path = hospice.ctiDate !== undefined ? 'hospice.ctiDate' : 'documents';
    const daysAhead = dayNumber(hospice.benefitPeriod.from) - dayNumber(signed);
    if (daysAhead > CTI_DAYS_AHEAD)
      findings.push(
        finding(
          `${path}: the certification of terminal illness is dated ${daysAhead} days before the benefit period starts; it may be signed at most ${CTI_DAYS_AHEAD} days ahead: ask the hospice physician for the certification of this period`,
          path,
        ),
      );
    // Stryker disable next-line MethodExpression: a YYYY-MM-DD date sorts before any timestamp of its own day and like its day against any other, so comparing with the whole timestamp gives the same answer
    if (signed > chart.codingCompletedAt.slice(0, 10))
      findings.push(
        finding(
          `${path}: the certification of terminal illness is dated after coding was completed; the written certification must exist before the claim is billed: confirm it with the hospice physician`,
          path,
        ),
      );
    return findings;
  },
);

/** The date of the latest dated cti or certification document, when there is one. */
function latestCertificationDocument(documents: Chart['documents']): string | undefined {
  const dates = documents
    .filter((d) => (d.type === 'cti' || d.type === 'certification') && d.date)
    .map((d) => d.date as string)
    .sort();
  return dates[dates.length - 1];
}
