import { describe, expect, it } from 'vitest';
import { recordedPartition } from '#cli/local/iam-enforcement.ts';

/** How a call's partition key is recorded for the IAM sweep: as the role snapshot writes its policy. */
describe('a partition key as a call is recorded', () => {
  it.each([
    ['CHART#demo.ck0123', 'demo', 'CHART#{agency}.…'],
    ['CHART#other.ck0123', 'demo', 'CHART#…'],
    ['BATCH#demo#b1', 'demo', 'BATCH#{agency}#…'],
    ['REVIEWS#demo#qa-review', 'demo', 'REVIEWS#{agency}#qa-review'],
    ['AUDIT#demo#access', 'demo', 'AUDIT#{agency}#access'],
    ['AUDIT#demo#adrs', 'demo', 'AUDIT#{agency}#adrs'],
    // A chart's own subject is cut: no person's role may add events there.
    ['AUDIT#demo#chart:demo.ck1:v1', 'demo', 'AUDIT#{agency}#…'],
    ['AUDIT#demo#access', undefined, 'AUDIT#…'],
    // The trail's own subjects stay: a job's or the chainer's grant names them alone.
    ['AUDIT#demo#config', undefined, 'AUDIT#…#config'],
    ['AUDIT#demo#audit-queue', undefined, 'AUDIT#…#audit-queue'],
    ['CLAIMREF#CT0000000000000Z', 'demo', 'CLAIMREF#…'],
  ])('%s (agency %s) as %s', (value, agency, recorded) => {
    expect(recordedPartition(value, agency)).toBe(recorded);
  });
});
