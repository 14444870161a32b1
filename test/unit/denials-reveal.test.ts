import { describe, expect, it } from 'vitest';
import { type DenialReport, formatDenialReport, withDenialChartIds } from '#cli/commands/denials.ts';
import { denialMetrics } from '#shared/metrics/denial-metrics.ts';

const CK = 'demo-agency.ck0123456789abcdef0123456789abcdef';

const report: DenialReport = {
  agencyId: 'demo-agency',
  ...denialMetrics({ records: [], charts: [], now: new Date('2026-12-08T00:00:00Z') }),
  openRework: [
    {
      chartKey: CK,
      version: 2,
      coderId: 'c-1',
      family: 'coding',
      reasonCodes: ['CO-16'],
      openedAt: '2026-12-01T00:00:00.000Z',
    },
  ],
  openOverpayments: [{ chartKey: CK, version: 1, claimRef: 'CTAAAAAAAAAAAAAA', dueBy: '2027-01-30' }],
};

describe('the denials report with --reveal', () => {
  it("puts each open item's chart id beside its chartKey, in the rework and overpayment tables", () => {
    const revealed = withDenialChartIds([report], new Map([[CK, 'HH-1004']]));
    expect(revealed[0]?.openRework[0]?.chartId).toBe('HH-1004');
    expect(revealed[0]?.openOverpayments[0]?.chartId).toBe('HH-1004');
    const text = formatDenialReport(revealed);
    expect(text).toMatch(new RegExp(`${CK}\\s+HH-1004\\s+2\\s+c-1\\s+coding`));
    expect(text).toMatch(new RegExp(`${CK}\\s+HH-1004\\s+1\\s+CTAAAAAAAAAAAAAA`));
  });

  it('says nothing of chart ids without it', () => {
    const text = formatDenialReport([report]);
    expect(text).not.toContain('chart id');
    expect(text).toMatch(new RegExp(`${CK}\\s+2\\s+c-1`));
  });
});
