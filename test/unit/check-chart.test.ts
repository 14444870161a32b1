import { describe, expect, it } from 'vitest';
import { checkChart } from '#shared/rules/check-chart.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';

describe('checkChart: what the stages judge a chart by', () => {
  const in2022 = { period: { from: '2022-03-01', through: '2022-03-30' } };
  const oasis = {
    items: { M1800: '02', M1810: '02', M1820: '01', M1830: '02', M1840: '00', M1850: '01', M1860: '02' },
  };

  it('reports the schema, and judges nothing more, for a chart that does not parse', () => {
    const result = checkChart({ ...homeHealthChart(), coderId: undefined }, tablesInForce);
    expect(result.decision).toBe('REJECTED');
    expect(result.findings.map((f) => f.ruleId)).toEqual(['SCHEMA']);
    expect(result.grouping).toBeUndefined();
  });

  it('groups a home health period with the PDGM table in force, and not a hospice one', () => {
    const hh = checkChart(
      homeHealthChart({
        ...in2022,
        admission: { date: '2022-03-01', source: 'community', timing: 'early' },
        oasis,
      }),
      tablesInForce,
    );
    expect(hh.grouping).toMatchObject({ hipps: expect.stringMatching(/^1B[ABC][123]1$/), sample: true });
    expect(checkChart(hospiceChart(in2022), tablesInForce).grouping).toBeUndefined();
  });

  it('does not group a period no PDGM table is in force for, and says so', () => {
    const before = checkChart(
      homeHealthChart({ period: { from: '2019-06-01', through: '2019-06-30' }, oasis }),
      tablesInForce,
    );
    expect(before.grouping).toBeUndefined();
    expect(before.findings.filter((f) => f.ruleId === 'CODE-TABLES').map((f) => f.message)).toContainEqual(
      expect.stringContaining('no loaded PDGM table is in force'),
    );
  });
});
