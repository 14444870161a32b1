import type { AssembleResult, FhirIssue, SharedDirectory } from './chart-vocabulary.ts';
import { PatientAssembly } from './patient-assembly.ts';
import { resourceTypeOf } from './resources.ts';
import { typeLabel } from './untrusted-json.ts';

/**
 * FHIR R4 -> canonical charts, for the resources of ONE patient (any order) plus a directory of shared
 * resources (Practitioner, Organization, PractitionerRole). Pure and total: no I/O, no clock, and it
 * never throws, whatever it is given. The mapping, field by field, is docs/fhir-mapping.md.
 *
 * Output values are ChartInput-shaped objects that intake validates with validateChartInput: a chart
 * missing a required field (no coder, no codingCompletedAt) is still returned, without the field, and
 * validation quarantines it with a field path. Issues and unused keys never hold a value from the
 * input: only resource types, element paths, fixed reasons and `<Type>#<index>` positions.
 *
 * This file is the entry; the work is split along its seams: chart-vocabulary.ts (result types, the
 * visit code table, the shared directory), untrusted-json.ts (checked accessors), assembly-model.ts
 * (ranks, entries, anchors, reasons), element-readers.ts (single elements), patient-links.ts (reading
 * and linking one patient's resources) and patient-assembly.ts (building each anchor's chart).
 */

/**
 * Assembles the charts of one patient. Deterministic: charts come sorted by period start, then anchor
 * resource id, then index. Every resource ends up in exactly one place: among the `sources` of at least
 * one chart, counted once in `unused`, or as one issue.
 */
export function assembleCharts(args: {
  agencyId: string;
  resources: readonly unknown[];
  shared: SharedDirectory;
}): AssembleResult {
  let resources: readonly unknown[] = [];
  try {
    resources = Array.isArray(args?.resources) ? args.resources : [];
    return new PatientAssembly(args?.agencyId, resources, args?.shared).run();
  } catch {
    // Not expected: each chart is already assembled under its own guard. Report, never throw.
    const issues: FhirIssue[] = [];
    for (let i = 0; i < resources.length; i++) {
      let type = 'unknown';
      try {
        type = typeLabel(resourceTypeOf(resources[i]));
      } catch {
        // keep 'unknown'
      }
      issues.push({
        resourceType: type,
        reason: 'the patient group could not be assembled',
        at: `${type}#${i}`,
      });
    }
    return { charts: [], issues, unused: {} };
  }
}

export * from './chart-vocabulary.ts';
export { payerTypeOf } from './element-readers.ts';
