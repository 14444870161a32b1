import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { codeTablesInForce } from './code-tables-in-force.ts';
import { dxBillable } from './dx-billable.ts';
import { dxDuplicate } from './dx-duplicate.ts';
import { dxExists } from './dx-exists.ts';
import { dxExternalCausePrincipal } from './dx-external-cause.ts';
import { dxManifestationPrincipal } from './dx-manifestation.ts';
import { dxPresent } from './dx-present.ts';
import { dxSystem } from './dx-system.ts';
import { hhAdmissionSource } from './hh-admission-source.ts';
import { hhAssessmentOccurrence } from './hh-assessment-occurrence.ts';
import { hhDiagnosisServices } from './hh-diagnosis-services.ts';
import { hhF2f } from './hh-f2f.ts';
import { hhHippsMatch } from './hh-hipps-match.ts';
import { hhHomebound } from './hh-homebound.ts';
import { hhLupaRisk } from './hh-lupa-risk.ts';
import { hhNoaTimely } from './hh-noa-timely.ts';
import { hhOasisConditions } from './hh-oasis-conditions.ts';
import { hhOasisDoc } from './hh-oasis-doc.ts';
import { hhOasisItems } from './hh-oasis-items.ts';
import { hhOasisTiming } from './hh-oasis-timing.ts';
import { hhPrimaryGroupable } from './hh-primary-groupable.ts';
import { hhSiteOfService } from './hh-site-of-service.ts';
import { hospiceBenefitPeriod } from './hospice-benefit-period.ts';
import { hospiceCti } from './hospice-cti.ts';
import { hospiceCtiTiming } from './hospice-cti-timing.ts';
import { hospiceF2f } from './hospice-f2f.ts';
import { hospiceLevelOfCare } from './hospice-level-of-care.ts';
import { hospiceNoeTimely } from './hospice-noe-timely.ts';
import { hospicePrincipal } from './hospice-principal.ts';
import { hospiceRelatedConditions } from './hospice-related-conditions.ts';
import { hospiceRespite } from './hospice-respite.ts';
import { hospiceSymptomPrincipal } from './hospice-symptom-principal.ts';
import type { Rule, RuleInfo, RuleTables } from './rule.ts';
import { SCHEMA_RULE } from './schema-findings.ts';
import { visitLineCodes } from './visit-line-codes.ts';
import { visitLineUnits } from './visit-line-units.ts';

/** Every rule, in the order they run and their findings are listed. docs/rules.md documents each. */
export const RULES: readonly Rule[] = [
  codeTablesInForce,
  dxPresent,
  dxSystem,
  dxExists,
  dxBillable,
  dxDuplicate,
  dxManifestationPrincipal,
  dxExternalCausePrincipal,
  hhOasisDoc,
  hhOasisItems,
  hhOasisTiming,
  hhOasisConditions,
  hhF2f,
  hhHomebound,
  hhNoaTimely,
  hhAdmissionSource,
  hhAssessmentOccurrence,
  hhPrimaryGroupable,
  hhHippsMatch,
  hhLupaRisk,
  hhSiteOfService,
  hhDiagnosisServices,
  hospiceCti,
  hospiceCtiTiming,
  hospicePrincipal,
  hospiceSymptomPrincipal,
  hospiceRelatedConditions,
  hospiceBenefitPeriod,
  hospiceF2f,
  hospiceNoeTimely,
  hospiceLevelOfCare,
  hospiceRespite,
  visitLineCodes,
  visitLineUnits,
];

/** The catalog: the schema check first, then every rule; what docs/rules.md lists. */
export function ruleCatalog(): RuleInfo[] {
  return [SCHEMA_RULE, ...RULES].map(({ id, severity, title, what, why, sources, limits }) => {
    const info: RuleInfo = { id, severity, title, what, why, sources };
    if (limits !== undefined) info.limits = limits;
    return info;
  });
}

/** Runs every rule over a chart that passed the schema. Pure: no I/O, no clock, no randomness. */
export function runRules(chart: Chart, tables: RuleTables): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) for (const f of rule.check(chart, tables)) findings.push(f);
  return findings;
}
