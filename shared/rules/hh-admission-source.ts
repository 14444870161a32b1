import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import {
  daysBeforePeriod,
  HOSPITAL_DISCHARGE,
  INSTITUTIONAL_LOOKBACK_DAYS,
  institutionalDischarges,
  isAdmissionPeriod,
  OTHER_INSTITUTION_DISCHARGE,
} from './pdgm-admission.ts';
import { defineRule, type Rule } from './rule.ts';

const occurrencePath = (index: number) => `occurrences[${index}]`;

/**
 * HH-ADMISSION-SOURCE: the occurrence codes 61/62 follow the claim rules, and the admission source and
 * timing the chart is grouped by agree with them and with the admission date.
 */
export const hhAdmissionSource: Rule = defineRule(
  {
    id: 'HH-ADMISSION-SOURCE',
    severity: 'reject',
    title: 'PDGM admission source and timing agree with occurrence codes 61/62',
    what: `On a home health chart: (1) occurrence codes 61 (acute hospital discharge) and 62 (other institutional discharge: SNF, IRF, LTCH, IPF) are not both reported; (2) an OC 61 or 62 is dated from 0 to ${INSTITUTIONAL_LOOKBACK_DAYS} days before the period's from-date; (3) OC 62 is only on the admission period (the from-date is the admission date); (4) when the chart carries occurrence codes, admission.source says institutional exactly when a qualifying OC 61/62 is present; (5) admission.timing early is not given for a period that starts after the admission date. Each broken point is one finding. Without admission.source or timing, the grouping takes them from the occurrence codes and admission date, so only points 1-3 can fail.`,
    why: 'The admission source and timing are HIPPS position 1 (community or institutional, early or late). Medicare groups a period as institutional when the claim reports a hospital discharge (OC 61) or, on an admission claim only, another institutional discharge (OC 62) within 14 days before the From date; a claim with both is returned to the provider. A source or timing that disagrees with the occurrence codes gives a HIPPS code, and a payment, that Medicare will not reproduce: the coder or the billing office corrects one or the other before the claim.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §1.1: CGS "PDGM Admission Source 14 Day Calculator": OC 61 "within 14 days prior to the From date of the HH claim … grouped into Institutional payment groups"; OC 62 "only reported on admission claims (e.g., claim From and Admission date match)"; "If both codes are reported, the claim will be sent to the Return to Provider (RTP) file"',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §1.1: early = the first 30-day period, late = any later adjacent period (postacutetools, Trella); AAPC: "OC 62 adds payment only to an early episode"',
      },
      {
        tag: 'codetrail',
        cite: 'a discharge on the from-date itself counts (0 days before); the window end is read as inclusive',
      },
    ],
    limits:
      "Medicare also regroups from its own inpatient claims history, which codetrail cannot see: a chart whose export states institutional without an OC 61/62 is only reported when the chart carries occurrence codes at all. Two discharges within 14 days (report the later one) are not told apart from a wrong date. A readmission within 60 days of a discharge (a late period whose from-date is its admission date) relies on the export's timing.",
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    return [
      ...occurrenceFindings(chart, finding),
      ...sourceFindings(chart, finding),
      ...timingFindings(chart, finding),
    ];
  },
);

type MakeFinding = (message: string, path?: string) => Finding;

/** Points 1-3: the OC 61/62 lines themselves. */
function occurrenceFindings(chart: Chart, finding: MakeFinding): Finding[] {
  const occurrences = chart.occurrences;
  if (!occurrences) return [];
  const findings: Finding[] = [];
  if (
    occurrences.some((o) => o.code === HOSPITAL_DISCHARGE) &&
    occurrences.some((o) => o.code === OTHER_INSTITUTION_DISCHARGE)
  ) {
    findings.push(
      finding(
        'occurrences: both occurrence code 61 (hospital discharge) and 62 (other institutional discharge) are reported; Medicare returns such a claim, report only the later discharge',
        'occurrences',
      ),
    );
  }
  occurrences.forEach((o, i) => {
    if (o.code !== HOSPITAL_DISCHARGE && o.code !== OTHER_INSTITUTION_DISCHARGE) return;
    const days = daysBeforePeriod(chart, o);
    const when =
      days < 0
        ? 'after the period from-date'
        : days > INSTITUTIONAL_LOOKBACK_DAYS
          ? `${days} days before the period from-date`
          : undefined;
    if (when !== undefined) {
      findings.push(
        finding(
          `${occurrencePath(i)}.date: occurrence code ${o.code} is dated ${when}, outside the ${INSTITUTIONAL_LOOKBACK_DAYS} days before it that make the period institutional; correct the date or remove the code`,
          `${occurrencePath(i)}.date`,
        ),
      );
    }
    if (o.code === OTHER_INSTITUTION_DISCHARGE && isAdmissionPeriod(chart) === false) {
      findings.push(
        finding(
          `${occurrencePath(i)}.code: occurrence code 62 is only reported on the admission period (from-date = admission date); this period is a later one`,
          `${occurrencePath(i)}.code`,
        ),
      );
    }
  });
  return findings;
}

/** Point 4: a stated source against the occurrence codes, when the chart carries them. */
function sourceFindings(chart: Chart, finding: MakeFinding): Finding[] {
  // Without a stated source there is nothing to contradict: neither branch below matches.
  const stated = chart.admission.source;
  if (chart.occurrences === undefined) return [];
  const institutional = institutionalDischarges(chart).length > 0;
  if (stated === 'institutional' && !institutional) {
    return [
      finding(
        'admission.source: the chart is grouped as institutional but carries no occurrence code 61 or 62 within 14 days before the period; the claim groups as community unless one is reported',
        'admission.source',
      ),
    ];
  }
  if (stated === 'community' && institutional) {
    return [
      finding(
        'admission.source: the chart is grouped as community but reports an institutional discharge (occurrence code 61 or 62) within 14 days before the period; Medicare groups it as institutional',
        'admission.source',
      ),
    ];
  }
  return [];
}

/** Point 5: early is the admission period only. */
function timingFindings(chart: Chart, finding: MakeFinding): Finding[] {
  const { date, timing } = chart.admission;
  if (timing !== 'early' || date === undefined || date >= chart.period.from) return [];
  return [
    finding(
      'admission.timing: the period is grouped as early (the first 30-day period) but starts after the admission date, so it is a later (late) period',
      'admission.timing',
    ),
  ];
}
