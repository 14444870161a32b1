import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'member' });

describe('DynamoMemberIndex on dynalite', () => {
  it("lists the chart versions under an agency's member key, oldest period first, each once", async () => {
    const members = stack.ports.members;
    const entry = (chartKey: string, version: number, periodFrom: string) => ({
      agencyId: 'agency-m',
      memberKey: 'hmac-of-mbi',
      chartKey,
      version,
      periodFrom,
      periodThrough: periodFrom.replace(/-\d\d$/, '-28'),
    });
    await members.add(entry('agency-m.ck2', 1, '2026-11-01'));
    await members.add(entry('agency-m.ck1', 2, '2026-09-01'));
    await members.add(entry('agency-m.ck1', 1, '2026-09-01'));
    await members.add(entry('agency-m.ck1', 1, '2026-09-01'));
    expect(await members.charts('agency-m', 'hmac-of-mbi')).toEqual([
      entry('agency-m.ck1', 1, '2026-09-01'),
      entry('agency-m.ck1', 2, '2026-09-01'),
      entry('agency-m.ck2', 1, '2026-11-01'),
    ]);
    expect(await members.charts('agency-other', 'hmac-of-mbi')).toEqual([]);
    expect(await members.charts('agency-m', 'hmac-of-another')).toEqual([]);
  });
});
