/**
 * The coding rules: pure functions over a canonical chart and the code tables. The validation stage
 * calls validateChartInput, then runRules on the parsed chart, then decide on all findings.
 */
export { RULES, ruleCatalog, runRules } from './catalog.ts';
export { decide, type ValidationDecision } from './decide.ts';
export type { Rule, RuleInfo, RuleSource, RuleTables, SourceTag, TablesFor } from './rule.ts';
export { SCHEMA_MESSAGE_PHRASES, SCHEMA_RULE, validateChartInput } from './schema-findings.ts';
