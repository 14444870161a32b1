import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chart } from '#shared/model/chart.ts';
import { FINDING_SEVERITIES } from '#shared/model/chart-state.ts';
import { decide, RULES, runRules } from '#shared/rules/index.ts';
import { groupPdgm } from '#shared/rules/pdgm-grouping.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { chartInput } from '../support/chart-arbitrary.ts';

const ids = new Set(RULES.map((r) => r.id));

describe('the rule engine on any schema-valid chart', () => {
  // Hundreds of generated cases take seconds on a busy two-core machine: more than vitest's 5 s default.
  it('never throws, and gives well-formed findings from catalogued rules, the same way twice', () => {
    fc.assert(
      fc.property(chartInput, (input) => {
        const parsed = Chart.safeParse(input);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        // The stage's own path: the tables in force for the period, the PDGM grouping for home health.
        const tables = tablesInForce(parsed.data.period.from);
        const findings = runRules(parsed.data, tables);
        const pdgm = parsed.data.lineOfBusiness === 'home_health' ? tables.pdgm : undefined;
        if (pdgm) expect(JSON.stringify(groupPdgm(parsed.data, pdgm))).not.toContain('SYN-PROP');
        for (const f of findings) {
          expect(ids.has(f.ruleId)).toBe(true);
          expect(FINDING_SEVERITIES).toContain(f.severity);
          expect(f.message.length).toBeGreaterThan(0);
          // No patient identifier reaches a message.
          expect(f.message).not.toContain('SYN-PROP');
          expect(f.message).not.toContain('PROP-1');
          // No date of service (the generated charts carry many) ever reaches a message.
          expect(f.message).not.toMatch(/\d{4}-\d{2}-\d{2}/);
        }
        expect(['REJECTED', 'QUERY_OPEN', 'VALIDATED']).toContain(decide(findings));
        expect(runRules(parsed.data, tablesInForce(parsed.data.period.from))).toEqual(findings);
      }),
      { numRuns: 400 },
    );
  }, 30_000);
});
