import type { TableVersionUsed } from '#shared/data/code-tables.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { runRules } from './catalog.ts';
import { icd10Principal, printableCode } from './codes.ts';
import { decide, type ValidationDecision } from './decide.ts';
import { groupPdgm, type PdgmGrouping } from './pdgm-grouping.ts';
import type { TablesFor } from './rule.ts';
import { validateChartInput } from './schema-findings.ts';

export interface ChartCheck {
  findings: Finding[];
  decision: ValidationDecision;
  /** Home health: the PDGM grouping, when a PDGM table is in force and the chart groups. */
  grouping?: PdgmGrouping;
  /** The ICD-10-CM category (first 3 characters) of the principal diagnosis, when it is code-shaped. */
  principalCategory?: string;
  /** The table versions the chart was judged by (none when it could not be read as a chart). */
  tableVersions?: readonly TableVersionUsed[];
}

/**
 * Everything the stages judge a chart by, in one place: the schema, then every rule with the code
 * tables in force on the period's from-date, the decision, and for home health the PDGM grouping.
 * Validation runs it on the chart as received; QA result on the chart with a reviewer's corrections.
 */
export function checkChart(raw: unknown, tables: TablesFor): ChartCheck {
  const checked = validateChartInput(raw);
  if (!checked.chart) return { findings: checked.findings, decision: decide(checked.findings) };
  const inForce = tables(checked.chart.period.from);
  const findings = [...checked.findings, ...runRules(checked.chart, inForce)];
  const result: ChartCheck = { findings, decision: decide(findings) };
  // The tables this chart's rules consult: PDGM groups home health alone, the hospice principal list
  // judges hospice alone.
  const notConsulted = checked.chart.lineOfBusiness === 'hospice' ? 'pdgm' : 'hospicePrincipal';
  if (inForce.versions) result.tableVersions = inForce.versions.filter((t) => t.table !== notConsulted);
  // groupPdgm groups home health periods only: a hospice chart comes back not grouped.
  const pdgm = inForce.pdgm;
  const grouped = pdgm ? groupPdgm(checked.chart, pdgm) : undefined;
  if (grouped?.grouped) result.grouping = grouped.grouping;
  const principal = icd10Principal(checked.chart);
  if (principal && printableCode(principal.code, 'ICD-10-CM'))
    result.principalCategory = principal.code.slice(0, 3);
  return result;
}
