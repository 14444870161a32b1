import type { AssembleResult } from '#shared/formats/fhir/assemble-charts.ts';
import type { ChartSource } from './take-chart.ts';
import type { Tally } from './tally.ts';

/** One spilled resource: its patient, the file (its index in the drop) and line it came from, and the resource. */
export interface Spilled {
  p?: string;
  f: number;
  l: number;
  r: Record<string, unknown>;
}

/** Which patient group of a FHIR drop an assembly is: stable across runs, so a retried chart is recognised. */
export interface GroupPlace {
  partition: number;
  /** The patient's index in the partition, patients sorted by id. */
  patient: number;
  /** The resources given to the assembler, in order: its `<Type>#<i>` positions index them. */
  entries: readonly Spilled[];
  /** The drop's files by object id, by index: a report names a file so, never by its key. */
  fileIds: readonly string[];
}

/** The spilled entry a `<Type>#<i>` position names (the i-th resource given to the assembler). */
export function positionOf(anchor: string, entries: readonly Spilled[]): Spilled | undefined {
  const at = Number(anchor.split('#')[1]);
  return Number.isInteger(at) ? entries[at] : undefined;
}

/**
 * Places one patient's assembly back in the drop: its issues go to the tally with the file and line of
 * the resource at fault, its unused resources are counted in `unused`, and its charts come back labelled
 * for the chart taker ("partition 0, patient 3, chart 1").
 */
export function placeAssembly(
  assembled: AssembleResult,
  place: GroupPlace,
  tally: Tally,
  unused: Record<string, number>,
): { value: unknown; record: string; at: ChartSource['at'] }[] {
  const where = (position: string | undefined) => {
    const from = position === undefined ? undefined : positionOf(position, place.entries);
    return from ? { file: place.fileIds[from.f], line: from.l } : {};
  };
  for (const issue of assembled.issues)
    tally.issue({ ...where(issue.at), ...(issue.path ? { path: issue.path } : {}), reason: issue.reason });
  for (const [reason, n] of Object.entries(assembled.unused)) unused[reason] = (unused[reason] ?? 0) + n;
  return assembled.charts.map((chart, j) => {
    const record = `partition ${place.partition}, patient ${place.patient}, chart ${j + 1}`;
    return { value: chart.value, record, at: { ...where(chart.anchor), record } };
  });
}
