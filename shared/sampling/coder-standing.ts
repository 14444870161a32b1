import type { SamplingConfig } from '#shared/model/config.ts';
import type { CodedRecord, DenialMark, ReviewRecord } from '#shared/model/qa.ts';
import { type Proportion, wilson } from './wilson.ts';

export const DAY_MS = 86_400_000;

/** What the coder ledger holds about one coder, as much as a sampling decision needs. */
export interface CoderHistory {
  /** The coder's first coded chart versions, oldest first: at least probation.charts + 1 when there are. */
  firstCoded: readonly CodedRecord[];
  /** When the coder left probation (recorded once), if they have. */
  probationEndedAt?: string;
  /** Reviews of the last accuracyWindowDays, both rounds: only first-round ones score the coder. */
  reviews: readonly ReviewRecord[];
  /** Coding-related denials of the last recentDenials.days. */
  denials: readonly DenialMark[];
}

export interface CoderStanding {
  coderId: string;
  probation: {
    inProbation: boolean;
    /** Why, in words a manager reads in `codetrail qa plan`. */
    reason: string;
    /** The window (first N charts, first D days) has passed. */
    windowPassed: boolean;
    /** Now leaves probation: the window has passed and the code-accuracy lower bound clears the target. */
    exitsNow: boolean;
  };
  /** Chart accuracy: reviewed charts with no major or critical correction. */
  charts: Proportion;
  /** Code accuracy: codes confirmed / codes reviewed. */
  codes: Proportion;
  /** Enough reviews and a code-accuracy lower bound under the target. */
  belowTarget: boolean;
  recentDenials: number;
}

/**
 * A coder's standing at `at` (the chart's coding time, or now): probation, accuracy with its 95 percent
 * Wilson interval, and recent coding-related denials. Pure; the ledger reads feed it.
 *
 * Probation: a coder not exempt is in probation until both hold: the window has passed (more than
 * `charts` charts coded, and `days` days since the first), and the code-accuracy lower bound clears
 * the target. Leaving is recorded once (probationEndedAt) and is for good: a later dip is the
 * below-target factor's business.
 */
export function coderStanding(
  coderId: string,
  history: CoderHistory,
  config: SamplingConfig,
  at: string,
): CoderStanding {
  const reviews = history.reviews.filter((r) => r.round === 'first');
  const charts = wilson(reviews.filter((r) => r.score.chartAccurate).length, reviews.length);
  const codes = wilson(
    reviews.reduce((sum, r) => sum + r.score.codesConfirmed, 0),
    reviews.reduce((sum, r) => sum + r.score.codesReviewed, 0),
  );
  const target = config.accuracyTarget;
  const belowTarget = reviews.length >= config.minReviewedCharts && codes.lower < target;
  // A denial of a chart billed with QA's corrected codes is not the coder's.
  const recentDenials = history.denials.filter((d) => !d.qaCorrected).length;
  const standing = { coderId, charts, codes, belowTarget, recentDenials };

  const { charts: windowCharts, days: windowDays, exempt } = config.probation;
  if (exempt.includes(coderId))
    return {
      ...standing,
      probation: { inProbation: false, reason: 'exempt', windowPassed: true, exitsNow: false },
    };
  if (history.probationEndedAt !== undefined)
    return {
      ...standing,
      probation: {
        inProbation: false,
        reason: `left probation ${history.probationEndedAt.slice(0, 10)}`,
        windowPassed: true,
        exitsNow: false,
      },
    };
  const coded = history.firstCoded.filter((c) => c.codedAt <= at).length;
  const first = history.firstCoded[0]?.codedAt;
  const days = first === undefined ? 0 : Math.floor((Date.parse(at) - Date.parse(first)) / DAY_MS);
  const windowPassed = coded > windowCharts && days >= windowDays;
  const cleared = codes.n > 0 && codes.lower >= target;
  const exitsNow = windowPassed && cleared;
  const reason = exitsNow
    ? `leaves probation: window passed, code accuracy lower bound ${fmt(codes.lower)} >= ${fmt(target)}`
    : !windowPassed
      ? `in probation: ${coded > windowCharts ? `past the first ${windowCharts} charts` : `chart ${coded} of the first ${windowCharts}`}, day ${days} of ${windowDays}`
      : `in probation: window passed, code accuracy lower bound ${codes.n > 0 ? fmt(codes.lower) : 'unknown (no review yet)'} < ${fmt(target)}`;
  return { ...standing, probation: { inProbation: !exitsNow, reason, windowPassed, exitsNow } };
}

export function fmt(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** A proportion as a manager reads it: `97.5% [93.1%, 99.2%]`; `-` with nothing to count. */
export function fmtProportion(p: Proportion): string {
  return p.n === 0 ? '-' : `${fmt(p.rate ?? 0)} [${fmt(p.lower)}, ${fmt(p.upper)}]`;
}
