import { startOfCare } from './pdgm-admission.ts';
import { defineRule, type Rule } from './rule.ts';
import { dayNumber } from './visit-codes.ts';

/** The encounter may be up to this many days before the start of care ... */
export const HH_F2F_DAYS_BEFORE = 90;
/** ... and up to this many days after it, both ends included. */
export const HH_F2F_DAYS_AFTER = 30;

const PATH = 'documents';

/** HH-F2F: the start-of-care period documents a face-to-face encounter from 90 days before to 30 after. */
export const hhF2f: Rule = defineRule(
  {
    id: 'HH-F2F',
    severity: 'query',
    title: 'Home health face-to-face encounter around the start of care',
    what: 'On a home health chart of the start-of-care period (admission.timing early; or, without a timing, an admission.date that is not before the period), a face_to_face document with a date is present, and at least one such date lies from 90 days before to 30 days after the start of care, both ends included. The start of care is admission.date, else (timing early) the period from-date. No face_to_face document, or only undated ones, opens a query to the clinician; dates that all fall outside the window open a query naming the window (never the dates). A later period of the admission (timing late, or an admission.date before the period) is not checked: its encounter is the start-of-care one, checked on that period. A chart that gives neither timing nor admission date is checked for a dated face_to_face document only.',
    why: 'The face-to-face encounter is a condition of payment for the home health certification: it must take place within 90 days before or 30 days after the start of care and relate to the primary reason for home health services. Whether it happened, and when, is for the clinician and the certifying practitioner to document.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §4: Palmetto GBA / CGS, "within 90 days prior to or 30 days after the start of care … related to the primary reason the patient requires home health services … performed by an allowed provider type"; condition of payment',
      },
      {
        tag: 'codetrail',
        cite: 'checked on the start-of-care period only, where the encounter falls due (domain-rules.md §1.1: early = the first 30-day period of a sequence of adjacent periods)',
      },
    ],
    limits:
      'Not checked: who performed the encounter (an allowed provider type), that it relates to the primary reason for home health, the records or signature of the certifying practitioner. Any dated face_to_face document in the window satisfies the rule. A later period is not checked even when the start-of-care period never reached codetrail. Without a start of care (no admission.date and no timing) the window cannot be placed, so any dated face_to_face document passes.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    const start = startOfCare(chart);
    if (start.period === 'later') return [];
    const encounters = chart.documents.filter((d) => d.type === 'face_to_face');
    const dates = encounters.flatMap((d) => (d.date ? [dayNumber(d.date)] : []));
    if (dates.length === 0) {
      return [
        finding(
          encounters.length === 0
            ? `${PATH}: the home health chart of the start-of-care period has no face_to_face document; the face-to-face encounter (from ${HH_F2F_DAYS_BEFORE} days before to ${HH_F2F_DAYS_AFTER} days after the start of care) is a condition of payment; ask the clinician for the encounter documentation`
            : `${PATH}: the face_to_face document has no date, so the encounter cannot be placed against the start of care (from ${HH_F2F_DAYS_BEFORE} days before to ${HH_F2F_DAYS_AFTER} days after it); ask the clinician for the date of the encounter`,
          PATH,
        ),
      ];
    }
    if (start.period === 'unknown') return [];
    const soc = dayNumber(start.date);
    const earliest = soc - HH_F2F_DAYS_BEFORE;
    const latest = soc + HH_F2F_DAYS_AFTER;
    if (dates.some((d) => d >= earliest && d <= latest)) return [];
    // Every date is outside the window now, so which side of it is which side of the start of care (a
    // sign, not a comparison with a bound no date can equal any more).
    const allBefore = dates.every((d) => Math.sign(d - soc) === -1);
    const allAfter = dates.every((d) => Math.sign(d - soc) === 1);
    const when = allBefore
      ? `more than ${HH_F2F_DAYS_BEFORE} days before the start of care`
      : allAfter
        ? `more than ${HH_F2F_DAYS_AFTER} days after the start of care`
        : 'outside that window';
    return [
      finding(
        `${PATH}: the face-to-face encounter must take place from ${HH_F2F_DAYS_BEFORE} days before to ${HH_F2F_DAYS_AFTER} days after the start of care (admission.date); ${dates.length === 1 ? 'the face_to_face document is' : 'every dated face_to_face document is'} dated ${when}; ask the clinician for an encounter in the window, or correct the date`,
        PATH,
      ),
    ];
  },
);
