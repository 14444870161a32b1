import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { diagnosisPath, printableCode } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** DX-DUPLICATE: the same code (same system, dot and case ignored) listed more than once. */
export const dxDuplicate: Rule = defineRule(
  {
    id: 'DX-DUPLICATE',
    severity: 'warn',
    title: 'Diagnosis listed twice',
    what: 'The same code in the same system (dot, spaces and case ignored) appears on more than one diagnosis line. Each repeat after the first is reported.',
    why: 'A repeated code adds nothing to grouping or risk and takes one of the 25 diagnosis slots; it usually means an EMR export merged two problem lists. It is recorded as a warning, not a rejection, because the claim is still codable.',
    sources: [
      { tag: '3P', cite: 'domain-rules.md §1.5: up to 25 diagnoses on the claim (AAPC, askmaclegacy)' },
      {
        tag: 'codetrail',
        cite: 'data/SOURCES.md: the CARIN BB outpatient EOB example lists I95.1 twice (principal and other), the pattern EMR exports produce',
      },
    ],
  },
  (chart, _tables, finding) => {
    const findings: Finding[] = [];
    const first = new Map<string, number>();
    chart.diagnoses.forEach((d, i) => {
      const key = `${d.system}|${normaliseIcd10Code(d.code)}`;
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, i);
        return;
      }
      const label = printableCode(d.code, d.system) ?? 'this code';
      findings.push(
        finding(
          `${diagnosisPath(i, 'code')}: ${label} is already listed at diagnoses[${earlier}]; list each code once`,
          diagnosisPath(i, 'code'),
        ),
      );
    });
    return findings;
  },
);
