import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { dxBillable } from './dx-billable.ts';
import { dxDuplicate } from './dx-duplicate.ts';
import { dxExists } from './dx-exists.ts';
import { dxPresent } from './dx-present.ts';
import { dxSystem } from './dx-system.ts';
import { hhOasisDoc } from './hh-oasis-doc.ts';
import { hospiceCti } from './hospice-cti.ts';
import { hospicePrincipal } from './hospice-principal.ts';
import type { Rule, RuleInfo, RuleTables } from './rule.ts';
import { SCHEMA_RULE } from './schema-findings.ts';

/** Every rule, in the order they run and their findings are listed. docs/rules.md documents each. */
export const RULES: readonly Rule[] = [
  dxPresent,
  dxSystem,
  dxExists,
  dxBillable,
  dxDuplicate,
  hhOasisDoc,
  hospiceCti,
  hospicePrincipal,
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
  return RULES.flatMap((rule) => rule.check(chart, tables));
}
