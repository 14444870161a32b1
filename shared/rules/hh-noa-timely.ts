import { noticeTiming } from './notice-timing.ts';
import { startOfCare } from './pdgm-admission.ts';
import { defineRule, type Rule } from './rule.ts';
import { longDate } from './visit-codes.ts';

/** The NOA is timely when submitted and accepted within this many calendar days after the start of care. */
export const NOA_DAYS = 5;
/** The NOA (TOB 032A) replaced the RAP for periods from this date (YYYY-MM-DD); earlier admissions are not checked. */
export const NOA_FROM = '2022-01-01';

const PATH = 'notices.admissionSubmittedDate';

/** HH-NOA-TIMELY: the admission period's Notice of Admission within 5 calendar days after the start of care. */
export const hhNoaTimely: Rule = defineRule(
  {
    id: 'HH-NOA-TIMELY',
    severity: 'warn',
    title: 'Home health Notice of Admission submitted on time',
    what: `On a home health chart of the start-of-care period (admission.timing early; or, without a timing, an admission.date that is not before the period) with a start of care on or after ${longDate(NOA_FROM)}, notices.admissionSubmittedDate is recorded and falls from the start of care to ${NOA_DAYS} calendar days after it (counted from the day after the start of care). The start of care is admission.date, else (timing early) the period from-date. A warning is recorded when the date is missing (the NOA cannot be checked), later than that (the period payment is reduced), or before the start of care (a NOA needs the initial visit made: the dates disagree). Later periods of the admission are not checked: one NOA covers them.`,
    why: 'A NOA not submitted to and accepted by the MAC within 5 calendar days after the start of care reduces the payment for the period by the days from the admission date to the NOA date, divided by 30, and the agency is liable for those days unless an exception applies. The claim is paid, reduced, not returned; the coder cannot change it and no clinician can answer it, so it is a warning for the agency and its billing office, not an error or a query.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §4: NGS "Late Notice of Admission": timely = "submitted to and accepted by the A/B MAC (HH+H) within five calendar days after the start of care/admission date. Count five calendar days starting the day after the SOC"; payment reduced by the days from the admission date to the NOA date divided by 30; provider liability; 4 exception circumstances; one NOA covers contiguous periods until discharge; the NOA requires the initial visit made',
      },
      {
        tag: 'MAC',
        cite: 'domain-rules.md §4: NGS "Billing the Home Health NOA Electronically": TOB 032A Notice of Admission; [3P] HCA-NYS on CR 12227: TOB 329 period claims for From dates on or after January 1, 2022 (the NOA replaced the RAP, TOB 0322)',
      },
      {
        tag: 'codetrail',
        cite: 'severity warn (a reduced payment, not a rejected claim); checked on the start-of-care period only',
      },
    ],
    limits:
      'Relies on the export carrying the NOA date: an export that never does gets this warning on every admission period (and the QA sampling rate of charts with warn findings, sampling.risk.warnFindings). Not checked: the exception circumstances, that the NOA was accepted rather than only submitted (the date is taken to be the accepted one), the NOA content (From = admission date, source, patient status), or a NOA so late that it reduces a later period too. A chart that gives neither timing nor admission date is not checked.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    const start = startOfCare(chart);
    if (start.period !== 'admission' || start.date < NOA_FROM) return [];
    const timing = noticeTiming(start.date, chart.notices?.admissionSubmittedDate, NOA_DAYS);
    if (timing.kind === 'missing') {
      return [
        finding(
          `${PATH}: the chart is the start-of-care period but records no Notice of Admission (TOB 032A) date; the NOA is due within ${NOA_DAYS} calendar days after the start of care, and a late one reduces the period payment; check with the billing office that it was submitted and accepted`,
          PATH,
        ),
      ];
    }
    if (timing.kind === 'late') {
      return [
        finding(
          `${PATH}: the Notice of Admission was submitted ${timing.days} calendar days after the start of care, more than the ${NOA_DAYS} allowed; the period payment is reduced by the days from the start of care to the NOA date (divided by 30) and the agency is liable for them, unless an exception applies`,
          PATH,
        ),
      ];
    }
    if (timing.kind === 'before-event') {
      return [
        finding(
          `${PATH}: the Notice of Admission date is before the start of care (admission.date), but a NOA can only be submitted once the initial visit is made; correct the NOA date or the admission date`,
          PATH,
        ),
      ];
    }
    return [];
  },
);
