import { defineRule, type Rule } from './rule.ts';

/** HOSPICE-RELATED-CONDITIONS: a hospice chart that codes the terminal diagnosis alone. */
export const hospiceRelatedConditions: Rule = defineRule(
  {
    id: 'HOSPICE-RELATED-CONDITIONS',
    severity: 'warn',
    title: 'Hospice related conditions coded',
    what: 'A hospice chart codes more than its principal diagnosis: at least one other ICD-10-CM diagnosis (a condition related to the terminal prognosis, or a coexisting one). A chart with the principal diagnosis alone gets a warning for QA to confirm that no related condition was left out.',
    why: 'CMS expects hospice claims to report every condition related to the terminal prognosis, not only the terminal diagnosis (up to 25 diagnoses; the March 2025 CR adds "related conditions" to the claims manual). Few hospice patients have none, so a lone principal usually means the coder stopped at the first code; the hospice\'s defence in a review rests on the related conditions being on the claim.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §3: "Hospice claims allow up to 25 diagnoses; CMS expects all related conditions coded (3P sources)"',
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §3: CMS CR "Principal Diagnosis Code Reporting Update for Hospice" (March 13, 2025) updates Claims Processing Manual ch. 11 §50 "to include related conditions"',
      },
      { tag: 'codetrail', cite: 'severity warn: only the record can say whether related conditions exist' },
    ],
    limits:
      'Counts the diagnoses only: it cannot tell whether the other codes are the related ones, or whether a related condition documented in the record was left out when some were coded.',
  },
  (chart, _tables, finding) => {
    if (chart.lineOfBusiness !== 'hospice') return [];
    const others = chart.diagnoses.filter((d) => d.sequence !== 1 && d.system === 'ICD-10-CM');
    if (others.length > 0 || chart.diagnoses.length === 0) return [];
    return [
      finding(
        'diagnoses: only the principal diagnosis is coded; CMS expects the conditions related to the terminal prognosis coded too, confirm with the record that there are none',
        'diagnoses',
      ),
    ];
  },
);
