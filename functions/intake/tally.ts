import type { ChartMessage } from '#shared/model/messages.ts';
import type { IntakeCounts } from '#shared/model/receipt.ts';
import type { ChartOutcome, IntakeIssue } from './take-chart.ts';

/** Issues kept in full across runs (they ride in the checkpoint, which DynamoDB caps at 400 KB). */
export const MAX_KEPT_ISSUES = 500;

export interface TallyState {
  counts: IntakeCounts;
  issues: IntakeIssue[];
  issueCount: number;
}

export function emptyTally(): TallyState {
  return {
    counts: { read: 0, accepted: 0, quarantined: 0, superseded: 0, duplicates: 0 },
    issues: [],
    issueCount: 0,
  };
}

/** The count each outcome of a chart taken in adds to. */
const COUNTED = { accepted: 'accepted', superseded: 'superseded', duplicate: 'duplicates' } as const;

/** Adds up what happened to each record of a file, and collects the messages for validation. */
export class Tally {
  readonly forward: ChartMessage[] = [];

  constructor(readonly state: TallyState = emptyTally()) {}

  /** A record that could not be read as a chart at all (broken line, not JSON, too long). */
  unreadable(issue: IntakeIssue): void {
    this.state.counts.quarantined++;
    this.issue(issue);
  }

  /** A problem that quarantines no chart by itself (an unknown resource, a missing file of a drop). */
  issue(issue: IntakeIssue): void {
    this.state.issueCount++;
    if (this.state.issues.length < MAX_KEPT_ISSUES) this.state.issues.push(issue);
  }

  chart(result: ChartOutcome): void {
    const { counts } = this.state;
    counts.read++;
    if (result.outcome === 'quarantined') {
      counts.quarantined++;
      for (const issue of result.issues) this.issue(issue);
      return;
    }
    counts[COUNTED[result.outcome]]++;
    if (result.forward) this.forward.push(result.forward);
  }
}
