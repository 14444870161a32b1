import type { RuleInfo } from './rule.ts';

/**
 * docs/rules.md, generated from the catalog (`npm run docs`; a unit test fails when the file is stale):
 * the engine's contract first, then a table of every rule and a section each.
 */
const INTRO =
  "# Coding rules catalog\n\nThe validation stage checks each received chart version in three steps, all pure functions in\n`shared/rules/` (no I/O, no clock, no AWS SDK):\n\n1. `validateChartInput(raw)` parses the chart against the canonical schema; every problem becomes a\n   `SCHEMA` finding.\n2. `runRules(chart, tables)` runs the rules below, in this order, over a chart that parsed, with the\n   code tables in force on the chart's period from-date (ICD-10-CM; PDGM for home health; the\n   hospice-principal and code-first lists).\n3. `decide(findings)`: any **reject** -> `REJECTED` (back to the coder); else any **query** ->\n   `QUERY_OPEN` (a clinician or physician must answer); else `VALIDATED` (warn findings are recorded\n   and the chart goes on to QA sampling).\n\nA finding is `{ ruleId, severity, message, path }`. Messages name codes, fields and code-table\ndescriptions only: never patient data. A code is echoed only when it has the shape of a code in its\nsystem; dates of service are never echoed (they are PHI). Rule ids are stable: never rename or reuse one.\n\nSource-quality tags are those of the domain research: **[CMS]** CMS/CDC/Federal Register/eCFR text\nor CMS data files; **[MAC]** Medicare Administrative Contractor guidance; **[3P]** third-party page or\nrepository, verify before relying on it; **[UNATTRIB]** seen in a public code index without its\nrepository; **[codetrail]** this project's own contract or policy. Where a citation was not read in\nthe project's research notes (`domain-rules.md`), the entry says so.\n\n**Code tables.** Tables are versioned by the dates of service they are in force for\n(`shared/data/code-tables.json`); a chart is judged by the versions in force on its period's\nfrom-date, and CODE-TABLES warns when none is (the nearest version is used). The ICD-10-CM\n**FY2022** table ships (`shared/data/icd10cm/`, CC BY 4.0 via icd10us): a dev/test fixture, stale for\nproduction; so does a **sample** PDGM table (`shared/data/pdgm/`), not CMS data, and two codetrail **starter** code lists\n(`shared/data/lists/`, marked sample): principal diagnoses Medicare returns on hospice claims (R54,\nR62.7) and codes with a mandatory \"code first\" note. Load the tables for the claim years with\n`codetrail tables import` (icd10cm, pdgm, hospice-principal, code-first) before production use.\n\n";

const NOT_CHECKED_YET =
  '## Not checked yet\n\nNamed in the research or the brief as checkable next: OASIS items beyond pressure ulcers, stasis\nulcers and bowel ostomy. CMS data that is not\nshipped and has to be imported for complete checks: the PDGM code list and parameters\n(`codetrail tables import pdgm`; until then grouping runs on a sample table and HH-LUPA-RISK waits for\nthe LUPA thresholds), the unacceptable hospice principal list of the CR of March 13, 2025\n(`hospice-principal`) and the PDGM Code_First_Conditions (`code-first`).\n';

/** GitHub's anchor for a `## ID (severity)` heading. */
function anchor(rule: RuleInfo): string {
  return `${rule.id} (${rule.severity})`.toLowerCase().replace(/[()]/g, '').replace(/ /g, '-');
}

/** A Markdown table with padded columns, laid out the way the repository's Markdown is. */
function table(headers: string[], rows: string[][]): string {
  // Stryker disable next-line StringLiteral: every row has a cell under each header, so the fallback for a missing cell is never read
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function section(rule: RuleInfo): string {
  const parts = [
    `## ${rule.id} (${rule.severity})`,
    `**${rule.title}.**`,
    `_What:_ ${rule.what}`,
    `_Why:_ ${rule.why}`,
  ];
  if (rule.limits) parts.push(`_Limits:_ ${rule.limits}`);
  parts.push(`_Sources:_\n\n${rule.sources.map((s) => `- [${s.tag}] ${s.cite}`).join('\n')}`);
  return parts.join('\n\n');
}

export function rulesMarkdown(catalog: readonly RuleInfo[]): string {
  const index = table(
    ['id', 'severity', 'checks'],
    catalog.map((r) => [`[${r.id}](#${anchor(r)})`, r.severity, r.title]),
  );
  return `${INTRO}${index}\n\n${catalog.map(section).join('\n\n')}\n\n${NOT_CHECKED_YET}`;
}
