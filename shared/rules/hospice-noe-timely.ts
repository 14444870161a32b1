import { noticeTiming } from './notice-timing.ts';
import { defineRule, type Rule } from './rule.ts';
import { longDate } from './visit-codes.ts';

/** The NOE is timely when filed and accepted within this many calendar days after the election date. */
export const NOE_DAYS = 5;
/** The 5-day NOE requirement (CR 8877) applies to hospice admissions from this date (YYYY-MM-DD). */
export const NOE_FROM = '2014-10-01';

const PATH = 'notices.electionFiledDate';

/** HOSPICE-NOE-TIMELY: the election's Notice of Election within 5 calendar days after the election date. */
export const hospiceNoeTimely: Rule = defineRule(
  {
    id: 'HOSPICE-NOE-TIMELY',
    severity: 'warn',
    title: 'Hospice Notice of Election filed on time',
    what: `On a hospice chart whose election (hospice.electionDate, on or after ${longDate(NOE_FROM)}) falls inside its benefit period, from-date to through-date (the benefit period the election starts), notices.electionFiledDate is recorded and falls from the election date to ${NOE_DAYS} calendar days after it. A warning is recorded when the date is missing (the NOE cannot be checked), later than that (the days before the filing are not covered), or before the election date (the dates disagree). A chart without hospice.electionDate, or whose election lies before its benefit period (a later benefit period of the same election), is not checked.`,
    why: 'A NOE not filed with and accepted by the MAC within 5 calendar days after the hospice admission (election) date leaves the days from the admission date up to the filing uncovered: Medicare does not pay for them, they are the hospice liability and cannot be billed to the patient, and the claim has to show them as non-covered unless the MAC grants an exception. The claim is not rejected, the coder cannot change it and no clinician can answer it, so it is a warning for the hospice and its billing office.',
    sources: [
      {
        tag: 'MAC',
        cite: 'not in domain-rules.md: Palmetto GBA "Hospice Billing When a Notice of Election (NOE) was Filed Untimely" job aid (2018), on CR 8877 (effective October 1, 2014): a timely NOE is "submitted to the Medicare contractor and accepted by the Medicare contractor within five (5) calendar days after the hospice admission date"; otherwise the contractor "shall not cover and pay for the days of hospice care from the hospice admission date to the date the NOE is submitted to, and accepted by, the Medicare contractor. These days shall be a provider liability"; exceptions are requested on the claim',
      },
      {
        tag: 'MAC',
        cite: 'not in domain-rules.md: CGS "Change Request 8877 Frequently Asked Questions": hospice transfers (TOB 8XC) are not subject to the 5-day NOE requirement',
      },
      {
        tag: 'codetrail',
        cite: 'domain-rules.md §7 names NOE timeliness as checkable; severity warn like HH-NOA-TIMELY (domain-rules.md §4: a late notice costs payment, the claim is not returned)',
      },
    ],
    limits:
      'Relies on the export carrying the NOE date: an export that never does gets this warning on every chart of a benefit period an election starts. Not checked: exception circumstances, that the NOE was accepted rather than only submitted (the date is taken to be the accepted one), transfers (a transfer continues the election, needs no new NOE, and the chart cannot show one), that the claim reports the uncovered days, or whether this claim period includes them: every chart of the benefit period gets the warning.',
  },
  (chart, _tables, finding) => {
    const hospice = chart.hospice;
    if (chart.lineOfBusiness !== 'hospice' || !hospice) return [];
    const election = hospice.electionDate;
    const { from, through } = hospice.benefitPeriod;
    if (election === undefined || election < NOE_FROM || election < from || election > through) return [];
    const timing = noticeTiming(election, chart.notices?.electionFiledDate, NOE_DAYS);
    if (timing.kind === 'missing') {
      return [
        finding(
          `${PATH}: the election (hospice.electionDate) starts this benefit period, but the chart records no Notice of Election date; the NOE is due within ${NOE_DAYS} calendar days after the election date, and the days before a late one is filed are not covered; check with the billing office that it was filed and accepted`,
          PATH,
        ),
      ];
    }
    if (timing.kind === 'late') {
      return [
        finding(
          `${PATH}: the Notice of Election was filed ${timing.days} calendar days after the election date (hospice.electionDate), more than the ${NOE_DAYS} allowed; Medicare does not cover the days from the election date until the filing date: they are the hospice liability, not billable to the patient, unless the MAC grants an exception`,
          PATH,
        ),
      ];
    }
    if (timing.kind === 'before-event') {
      return [
        finding(
          `${PATH}: the Notice of Election date is before the election date (hospice.electionDate), but the NOE is filed after the hospice admission it reports: the dates disagree; correct the NOE date or the election date`,
          PATH,
        ),
      ];
    }
    return [];
  },
);
