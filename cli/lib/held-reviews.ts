import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A review request a reviewer took with `qa review --next`: hidden on its queue until answered. */
export interface HeldReview {
  queue: 'qa-review' | 'qa-review-senior';
  receiptHandle: string;
  heldUntil: string;
}

/**
 * The requests taken with `--next` on this machine, by answer key (chartKey:version:purpose), kept in
 * the state folder so the later `--verdicts` can delete exactly that message while it is hidden (a
 * receive cannot see it then). Nothing of the chart is kept: keys and SQS receipt handles only.
 */
export class HeldReviews {
  constructor(private readonly file: string) {}

  all(): Record<string, HeldReview> {
    if (!existsSync(this.file)) return {};
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, HeldReview>;
  }

  hold(key: string, held: HeldReview): void {
    const all = this.all();
    all[key] = held;
    this.save(all);
  }

  release(keys: Iterable<string>): void {
    const all = this.all();
    for (const k of keys) delete all[k];
    this.save(all);
  }

  private save(all: Record<string, HeldReview>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(all, null, 2)}\n`);
  }
}
