import { icd10Principal, printableCode } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/** HH-PRIMARY-NOT-GROUPABLE: a home health principal diagnosis PDGM does not accept. */
export const hhPrimaryGroupable: Rule = defineRule(
  {
    id: 'HH-PRIMARY-NOT-GROUPABLE',
    severity: 'reject',
    title: 'Home health principal diagnosis groups under PDGM',
    what: 'On a home health chart, the principal diagnosis (sequence 1, ICD-10-CM) is on the PDGM code list in force for the period with a clinical group. A code the list carries without a clinical group (a symptom code, a manifestation, a questionable encounter such as M62.81 or R26.9) is rejected; so is a code the list does not carry at all, unless the list in force is only a sample.',
    why: 'The clinical group, and so the HIPPS code, comes from the principal diagnosis; a principal that does not map cannot be grouped and the claim is returned to the provider. The coder must sequence a PDGM-acceptable code (often the etiology behind the symptom) first.',
    sources: [
      {
        tag: '3P',
        cite: 'domain-rules.md §1.3: decisionhealth forum, "a HIPPS code ... cannot be calculated without the assignment of a PDGM acceptable code as primary" (RTP); questionable-encounter examples (homecareanswers.com, postacutetools)',
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §1.3: the CMS HH grouper table Diagnosis_Codes.txt per grouper version (not retrieved; a sample ships, shared/data/pdgm/SOURCES.md)',
      },
    ],
    limits:
      'Only a development sample of the PDGM code list ships: until the CMS list is imported, only the codes the sample lists without a clinical group are rejected, and an unlisted code passes.',
  },
  (chart, tables, finding) => {
    const pdgm = tables.pdgm;
    if (chart.lineOfBusiness !== 'home_health' || !pdgm) return [];
    const principal = icd10Principal(chart);
    if (!principal) return [];
    const entry = pdgm.lookup(principal.code);
    const { path } = principal;
    const code = printableCode(principal.code, 'ICD-10-CM') ?? 'the code';
    if (entry && !entry.clinicalGroup)
      return [
        finding(
          `${path}: ${code} does not group under PDGM as the principal diagnosis (no clinical group in ${pdgm.version}); sequence first the condition that is the focus of care`,
          path,
        ),
      ];
    if (!entry && !pdgm.sample)
      return [
        finding(
          `${path}: ${code} is not on the PDGM code list ${pdgm.version}: it cannot be the principal diagnosis of a home health period`,
          path,
        ),
      ];
    return [];
  },
);
