import type { Chart } from '#shared/model/chart.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** The first benefit period that needs a face-to-face encounter. */
export const F2F_FROM_PERIOD = 3;
/** The encounter may be up to this many days before the benefit period starts, and up to its first day. */
export const F2F_DAYS_BEFORE = 30;

const PATH = 'hospice.faceToFaceDate';

/** HOSPICE-F2F: from the third benefit period on, a face-to-face encounter in the 30 days up to the start. */
export const hospiceF2f: Rule = defineRule(
  {
    id: 'HOSPICE-F2F',
    severity: 'query',
    title: 'Hospice face-to-face encounter from the third benefit period',
    what: 'On a hospice chart in benefit period 3 or later, a face-to-face encounter date is recorded (hospice.faceToFaceDate, or a face_to_face document with a date) and at least one such date lies in the window from 30 days before the benefit period starts up to its first day, both ends included. No date at all opens a query asking for the encounter; dates that all fall outside the window open a query naming the window (never the dates). A face_to_face document without a date does not count.',
    why: 'From the third benefit period (day 180) on, a hospice physician or hospice nurse practitioner must see the patient face to face before each recertification, no earlier than 30 days before the new benefit period; the recertification, and so the claim, depends on it. Whether it happened, and when, is for the hospice physician to document.',
    sources: [
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: 42 CFR 418.22(a)(4), "As of January 1, 2011, a hospice physician or hospice nurse practitioner ..." (text cut in the source read)',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §3: medicareinteractive.org, required from the third benefit period and before each later 60-day period, "no earlier than 30 days before the new benefit period"; hospicekeys.com, may also occur on the first day of the new period',
      },
    ],
    limits:
      'The window comes from third-party pages: the regulation text itself was not read in full. Not checked: who performed the encounter, the attestation or signature, or that it relates to the terminal prognosis. Any recorded date in the window satisfies the rule, even when hospice.faceToFaceDate and a document disagree. A patient admitted to hospice for the first time in period 3 or later may have a different deadline (an encounter shortly after admission); the chart does not show that case and the research does not give it, so such a chart may open a query the physician then answers.',
  },
  (chart, _tables, finding) => {
    const hospice = chart.hospice;
    if (chart.lineOfBusiness !== 'hospice' || !hospice) return [];
    const period = hospice.benefitPeriod;
    if (period.number < F2F_FROM_PERIOD) return [];
    const dates = encounterDates(hospice, chart.documents);
    if (dates.length === 0) {
      return [
        finding(
          `${PATH}: benefit period ${period.number} needs a face-to-face encounter (required from the third benefit period on), but the chart records none: no hospice.faceToFaceDate and no face_to_face document with a date; ask the hospice physician for the encounter note`,
          PATH,
        ),
      ];
    }
    const start = dayNumber(period.from);
    const earliest = start - F2F_DAYS_BEFORE;
    // Counted, not tested per side afterwards: past the window check every date lies outside it, where a
    // boundary test would have no edge case left.
    const before = dates.filter((d) => d < earliest).length;
    const after = dates.filter((d) => d > start).length;
    if (before + after < dates.length) return [];
    const when =
      before === dates.length
        ? 'earlier than that'
        : after === dates.length
          ? 'after the first day of the benefit period'
          : 'outside that window';
    return [
      finding(
        `${PATH}: the face-to-face encounter for benefit period ${period.number} must take place from ${F2F_DAYS_BEFORE} days before the benefit period starts up to its first day; the recorded encounter is ${when}; ask the hospice physician for an encounter in the window, or correct the date`,
        PATH,
      ),
    ];
  },
);

/** Every recorded face-to-face date, as day numbers. */
function encounterDates(hospice: NonNullable<Chart['hospice']>, documents: Chart['documents']): number[] {
  const dates: number[] = [];
  if (hospice.faceToFaceDate !== undefined) dates.push(dayNumber(hospice.faceToFaceDate));
  for (const d of documents) if (d.type === 'face_to_face' && d.date) dates.push(dayNumber(d.date));
  return dates;
}
