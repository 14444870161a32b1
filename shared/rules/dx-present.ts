import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';

/** DX-PRESENT: a claim needs diagnoses, one principal (sequence 1), and no sequence used twice. */
export const dxPresent: Rule = defineRule(
  {
    id: 'DX-PRESENT',
    severity: 'reject',
    title: 'Diagnoses present, principal listed, sequences unique',
    what: 'The chart lists at least one diagnosis, one of them has sequence 1 (the principal diagnosis), and no sequence number is used twice.',
    why: 'The principal (first-listed) diagnosis decides the PDGM clinical group of a home health period; a claim without one cannot be grouped and returns to the provider. A hospice claim reports its terminal diagnosis as principal. Two diagnoses with the same sequence leave the claim order undefined.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §1.3: decisionhealth forum, "a HIPPS code ... cannot be calculated without the assignment of a PDGM acceptable code as primary" (RTP)',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §3: hospice principal-diagnosis edits (FY2014 Hospice final rule via AAPC); 837I HI*ABK principal diagnosis, §5.5',
      },
      {
        tag: 'codetrail',
        cite: 'shared/model/chart.ts: Diagnosis.sequence, "1 = principal (primary) diagnosis"',
      },
    ],
  },
  (chart, _tables, finding) => {
    const findings: Finding[] = [];
    if (chart.diagnoses.length === 0) {
      findings.push(
        finding(
          'diagnoses: the chart lists no diagnosis; code at least the principal diagnosis (sequence 1)',
          'diagnoses',
        ),
      );
      return findings;
    }
    if (!chart.diagnoses.some((d) => d.sequence === 1)) {
      findings.push(
        finding(
          'diagnoses: no diagnosis has sequence 1, so the chart has no principal diagnosis',
          'diagnoses',
        ),
      );
    }
    const seen = new Map<number, number>();
    chart.diagnoses.forEach((d, i) => {
      const first = seen.get(d.sequence);
      if (first === undefined) {
        seen.set(d.sequence, i);
        return;
      }
      findings.push(
        finding(
          `diagnoses[${i}].sequence: sequence ${d.sequence} is already used by diagnoses[${first}]; give each diagnosis its own sequence`,
          `diagnoses[${i}].sequence`,
        ),
      );
    });
    return findings;
  },
);
