import type { CodeList } from '#shared/data/code-list.ts';
import type { TableVersionUsed } from '#shared/data/code-tables.ts';
import type { Icd10Table } from '#shared/data/icd10cm.ts';
import type { PdgmTables } from '#shared/data/pdgm.ts';
import type { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';

/** The code tables a rule may consult: the versions in force on the chart's period from-date. */
export interface RuleTables {
  icd10cm: Icd10Table;
  /** PDGM code list and grouper parameters in force; absent when none is (home health is not grouped). */
  pdgm?: PdgmTables | undefined;
  /** Principal diagnoses Medicare returns on hospice claims (the version in force, else the nearest). */
  hospicePrincipal?: CodeList | undefined;
  /** Codes with a mandatory "code first" note: never the principal diagnosis. */
  codeFirst?: CodeList | undefined;
  /** Tables with no version in force for the period (MISSING_TABLE), for CODE-TABLES to report. */
  missing?: readonly string[];
  /** Which version of each table the period is judged by, for the audit trail (`versionsInForce`). */
  versions?: readonly TableVersionUsed[];
}

/** How RuleTables.missing names each table with no version in force (for a code list, the nearest was used). */
export const MISSING_TABLE = {
  pdgm: 'PDGM',
  hospicePrincipal: 'hospice-principal list',
  codeFirst: 'code-first list',
} as const;

/** What the stages are given: the tables to judge a chart by, from its period's from-date (YYYY-MM-DD). */
export type TablesFor = (periodFrom: string) => RuleTables;

/** Source-quality tags, as in the domain research: CMS/CDC text, a MAC page, third party, our own. */
export type SourceTag = 'CMS' | 'MAC' | '3P' | 'UNATTRIB' | 'codetrail';

export interface RuleSource {
  tag: SourceTag;
  cite: string;
}

/** One catalog entry: what the rule checks, why, and where that comes from. No code, no I/O. */
export interface RuleInfo {
  /** Stable id: findings, audit events, metrics and the docs use it; never reuse or rename one. */
  id: string;
  severity: Finding['severity'];
  title: string;
  what: string;
  why: string;
  sources: readonly RuleSource[];
  /** What the rule cannot see or gets wrong today. */
  limits?: string;
}

export interface Rule extends RuleInfo {
  /** Pure: the same chart and tables always give the same findings, in the same order. */
  check(chart: Chart, tables: RuleTables): Finding[];
}

/** A finding of `rule`: its id and severity, a message naming codes and fields only, and the path. */
export function findingOf(rule: RuleInfo, message: string, path?: string): Finding {
  const finding: Finding = { ruleId: rule.id, severity: rule.severity, message };
  if (path !== undefined) finding.path = path;
  return finding;
}

/**
 * Builds a rule from its catalog entry and its check. The check gets `finding(message, path)`, which
 * stamps the rule's id and severity, so a rule cannot report under another id.
 */
export function defineRule(
  info: RuleInfo,
  check: (
    chart: Chart,
    tables: RuleTables,
    finding: (message: string, path?: string) => Finding,
  ) => Finding[],
): Rule {
  const finding = (message: string, path?: string) => findingOf(info, message, path);
  return { ...info, check: (chart, tables) => check(chart, tables, finding) };
}
