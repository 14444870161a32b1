import { codeLabel, diagnosisPath } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** DX-SYSTEM: every diagnosis is coded in ICD-10-CM; others are kept on the chart and reported. */
export const dxSystem: Rule = defineRule(
  {
    id: 'DX-SYSTEM',
    severity: 'reject',
    title: 'Diagnoses coded in ICD-10-CM',
    what: 'Every diagnosis carries system ICD-10-CM. A diagnosis coded in SNOMED CT, ICD-9-CM or another system is reported (one finding each) and kept on the chart as received: it is never dropped or translated.',
    why: 'ICD-10-CM is the HIPAA code set for diagnoses on claims with dates of service from October 1, 2015; an 837I carries them with the ABK/ABF qualifiers. EMR problem lists are often SNOMED CT (as in the Synthea sample exports), and a machine mapping is not a coding decision, so the coder must recode.',
    sources: [
      {
        tag: 'CMS',
        cite: '45 CFR 162.1002 (ICD-10-CM adopted for diagnosis coding; compliance date October 1, 2015); cited from the regulation, not from domain-rules.md',
      },
      { tag: '3P', cite: 'domain-rules.md §5.5: home health 837I segments HI*ABK / HI*ABF carry ICD-10-CM' },
      {
        tag: 'codetrail',
        cite: 'data/SOURCES.md: Synthea R4 bundles code conditions and claims in SNOMED CT',
      },
    ],
  },
  (chart, _tables, finding) => {
    return chart.diagnoses.flatMap((d, i) =>
      d.system === 'ICD-10-CM'
        ? []
        : [
            finding(
              `${diagnosisPath(i, 'system')}: diagnosis sequence ${d.sequence} is coded in ${d.system} (${codeLabel(d.code, d.system)}); claims need ICD-10-CM, so recode it (the original stays on the chart)`,
              diagnosisPath(i, 'system'),
            ),
          ],
    );
  },
);
