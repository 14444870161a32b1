import { groupPdgm } from './pdgm-grouping.ts';
import { defineRule, type Rule } from './rule.ts';
import { lineHcpcs, PDGM_HIPPS } from './visit-codes.ts';

/** HH-HIPPS-MISMATCH: the HIPPS code on the 0023 line is not the one the chart groups to. */
export const hhHippsMatch: Rule = defineRule(
  {
    id: 'HH-HIPPS-MISMATCH',
    severity: 'warn',
    title: 'HIPPS code on the claim matches the PDGM grouping',
    what: 'On a home health chart whose PDGM grouping can be computed from a complete PDGM table (not a sample), the HIPPS code on the revenue code 0023 line equals the computed one: admission source and timing, clinical group of the principal diagnosis, functional level from the OASIS points, comorbidity adjustment from the secondary diagnoses. The computed HIPPS is recorded on the chart version either way.',
    why: "Medicare's grouper recomputes the HIPPS from the claim's diagnoses and OASIS items, and may re-code position 1 from its own claims history; a HIPPS that disagrees with the coding usually means the diagnoses, the OASIS or the HIPPS was changed after the other, and the payment will not be what the agency expects.",
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §1.2: HIPPS positions (AAPC quoting CMS, postacutetools); the HIPPS goes on a revenue code 0023 line (annexmed.com); the grouper derives it from diagnoses and OASIS items',
      },
      {
        tag: 'UNATTRIB',
        cite: 'domain-rules.md §1.4-1.5: CY2025 functional points, thresholds and comorbidity subgroups (unverified transcription of the CMS grouper; the sample parameters)',
      },
    ],
    limits:
      'Silent while only the sample PDGM table is loaded. Position 1 is taken from admission.source and admission.timing as exported (occurrence codes 61/62 are not in the chart); Medicare may re-code it.',
  },
  (chart, tables, finding) => {
    const pdgm = tables.pdgm;
    // No line-of-business check: groupPdgm groups home health periods only, so a hospice chart never groups.
    if (!pdgm || pdgm.sample) return [];
    const index = chart.visits.findIndex((v) => v.revenueCode === '0023');
    const line = chart.visits[index];
    const billed = line ? lineHcpcs(line) : undefined;
    if (!billed || !PDGM_HIPPS.test(billed)) return [];
    const result = groupPdgm(chart, pdgm);
    if (!result.grouped || result.grouping.hipps === billed) return [];
    return [
      finding(
        `visits[${index}].hcpcs: the claim carries HIPPS ${billed}, but the coded chart groups to ${result.grouping.hipps} under PDGM ${pdgm.version}; check the diagnoses, the OASIS items and the admission source and timing`,
        `visits[${index}].hcpcs`,
      ),
    ];
  },
);
