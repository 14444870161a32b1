import { describe, expect, it } from 'vitest';
import { type RunSummary, renderSummary, withChartIds } from '#cli/lib/summary.ts';

const CK = 'demo-agency.ck0123456789abcdef0123456789abcdef';

const summary: RunSummary = {
  generatedAt: '2026-12-08T00:00:00.000Z',
  intake: [],
  charts: [
    {
      agencyId: 'demo-agency',
      chartKey: CK,
      version: 1,
      status: 'DENIED',
      lineOfBusiness: 'home-health',
      coderId: 'c-1',
      findings: [],
    },
  ],
  byStatus: { DENIED: 1 },
  batches: [],
  denials: [{ chartKey: CK, version: 1, reasonCodes: ['CO-16'] }],
  quarantine: [],
  verdicts: { submitted: 0, awaitingReview: 0, invalid: [] },
  deadLetters: [],
};

describe('the run summary with --reveal', () => {
  it("puts each chart's own id beside its chartKey, in summary.json and the denials table", () => {
    const revealed = withChartIds(summary, new Map([[CK, 'HH-1004']]));
    expect(revealed.charts[0]?.chartId).toBe('HH-1004');
    expect(revealed.denials[0]).toEqual({
      chartKey: CK,
      chartId: 'HH-1004',
      version: 1,
      reasonCodes: ['CO-16'],
    });
    expect(renderSummary(revealed)).toMatch(new RegExp(`${CK}\\s+HH-1004\\s+1\\s+CO-16`));
  });

  it('says nothing of chart ids without it', () => {
    expect(JSON.stringify(summary)).not.toContain('chartId');
    expect(renderSummary(summary)).not.toContain('chart id');
    expect(withChartIds(summary, new Map()).charts[0]).not.toHaveProperty('chartId');
  });
});
