import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { Chart } from '#shared/model/chart.ts';
import { FINDING_SEVERITIES } from '#shared/model/chart-state.ts';
import { decide, RULES, runRules } from '#shared/rules/index.ts';
import { chartInput } from '../support/chart-arbitrary.ts';

const tables = { icd10cm: loadIcd10cm() };
const ids = new Set(RULES.map((r) => r.id));

describe('the rule engine on any schema-valid chart', () => {
  it('never throws, and gives well-formed findings from catalogued rules, the same way twice', () => {
    fc.assert(
      fc.property(chartInput, (input) => {
        const parsed = Chart.safeParse(input);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const findings = runRules(parsed.data, tables);
        for (const f of findings) {
          expect(ids.has(f.ruleId)).toBe(true);
          expect(FINDING_SEVERITIES).toContain(f.severity);
          expect(f.message.length).toBeGreaterThan(0);
          // No patient identifier reaches a message.
          expect(f.message).not.toContain('SYN-PROP');
          expect(f.message).not.toContain('PROP-1');
        }
        expect(['REJECTED', 'QUERY_OPEN', 'VALIDATED']).toContain(decide(findings));
        expect(runRules(parsed.data, tables)).toEqual(findings);
      }),
      { numRuns: 400 },
    );
  });
});
