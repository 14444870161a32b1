import type { Finding } from '#shared/model/chart-state.ts';
import { startOfCare } from './pdgm-admission.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** The start-of-care comprehensive assessment is completed within this many days after the start of care. */
export const SOC_ASSESSMENT_DAYS = 5;
/** A home health certification period: the start-of-care assessment, then a recertification every 60 days. */
export const CERTIFICATION_DAYS = 60;
/** The recertification assessment falls in the last 5 days of the certification period before. */
export const RECERT_WINDOW_DAYS = 5;
/**
 * Without a start of care: a 30-day period starts at most 30 days into its certification period, whose
 * assessment is at most 5 days older than that, so an assessment older than this belongs to an earlier one.
 */
export const OASIS_COVERS_DAYS = 35;

/**
 * The earliest date an assessment covering the chart's period can carry: with a start of care, the start
 * of care for the first certification period, else 5 days before the start of the period's certification
 * period (start of care + 60k); without one, 35 days before the period.
 */
export function earliestCoveringAssessment(periodFrom: number, soc: number | undefined): number {
  if (soc === undefined) return periodFrom - OASIS_COVERS_DAYS;
  const k = Math.max(0, Math.floor((periodFrom - soc) / CERTIFICATION_DAYS));
  return k === 0 ? soc : soc + k * CERTIFICATION_DAYS - RECERT_WINDOW_DAYS;
}

const PATH = 'oasis.assessmentDate';

/** HH-OASIS-TIMING: the OASIS assessment belongs to the period the chart bills. */
export const hhOasisTiming: Rule = defineRule(
  {
    id: 'HH-OASIS-TIMING',
    severity: 'query',
    title: 'Home health OASIS assessment dated for the period',
    what: `On a home health chart with oasis.assessmentDate: (1) the assessment is not dated after the period's through-date; (2) a start-of-care assessment (reasonForAssessment 01) is dated from the start of care to ${SOC_ASSESSMENT_DAYS} days after it; (3) the assessment is not older than the certification period the chart's period falls in: with a start of care, certification periods run ${CERTIFICATION_DAYS} days from it, the first one's assessment is the start-of-care one (not before the start of care) and each later one's is the recertification in the last ${RECERT_WINDOW_DAYS} days before it starts; without a start of care, no more than ${OASIS_COVERS_DAYS} days before the period's from-date (a 30-day period starts at most 30 days into its certification period). Each broken point opens a query naming the window, never the dates. A chart without an assessment date is HH-OASIS-DOC's.`,
    why: "The PDGM functional level and the claim's occurrence code 50 come from the OASIS for the period: the start-of-care assessment for the first certification period, the recertification (days 56-60) for the next. An assessment dated after the period, outside its window, or from an earlier certification period means the grouping is built on the wrong assessment, or the assessment the period needs is missing; the clinician who assesses the patient has to say which.",
    sources: [
      {
        tag: 'CMS',
        cite: '42 CFR 484.55(b)(1): the comprehensive assessment "must be completed in a timely manner … no later than 5 calendar days after the start of care"; 484.55(d)(1): updated "the last 5 days of every 60 days beginning with the start-of-care date"; cited from the regulation, not from domain-rules.md',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §1.1: occurrence code 50 = the OASIS assessment date (M0090), required on all final claims (operacare quoting a CMS MLN call)',
      },
    ],
    limits:
      'Dates only: not whether the assessment on file is the one the grouping used, other follow-up (RFA 05) or resumption-of-care (RFA 03) timing, nor transfers and discharges.',
  },
  (chart, _tables, finding) => {
    const oasis = chart.oasis;
    if (chart.lineOfBusiness !== 'home_health' || oasis?.assessmentDate === undefined) return [];
    const assessed = oasis.assessmentDate;
    const findings: Finding[] = [];
    if (assessed > chart.period.through) {
      findings.push(
        finding(
          `${PATH}: the OASIS assessment is dated after the period it is attached to; ask the clinician for the assessment that covers this period`,
          PATH,
        ),
      );
    }
    const start = startOfCare(chart);
    const soc = 'date' in start ? start.date : undefined;
    if (oasis.reasonForAssessment?.trim().padStart(2, '0') === '01' && soc !== undefined) {
      const days = dayNumber(assessed) - dayNumber(soc);
      const when =
        days < 0
          ? 'before the start of care'
          : days > SOC_ASSESSMENT_DAYS
            ? `${days} days after the start of care`
            : undefined;
      if (when !== undefined) {
        findings.push(
          finding(
            `${PATH}: the start-of-care OASIS (RFA 01) is dated ${when}; it is due from the start of care to ${SOC_ASSESSMENT_DAYS} days after it, ask the clinician to confirm the assessment date`,
            PATH,
          ),
        );
      }
    }
    const earliest = earliestCoveringAssessment(
      dayNumber(chart.period.from),
      soc === undefined ? undefined : dayNumber(soc),
    );
    if (dayNumber(assessed) < earliest) {
      findings.push(
        finding(
          `${PATH}: the OASIS assessment is ${earliest - dayNumber(assessed)} days older than the earliest assessment that covers this period's certification period (its start of care, or the last 5 days before its recertification); ask the clinician for the assessment of this certification period`,
          PATH,
        ),
      );
    }
    return findings;
  },
);
