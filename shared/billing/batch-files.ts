import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { BatchManifest, BatchMember } from '#shared/model/batch.ts';

/** The bill type a line of business's claims carry: home health period claims, hospice claims. */
/** Where a batch's manifest is kept, in the artifacts bucket and its Object-Locked copy in the audit bucket. */
export function batchManifestKey(agencyId: string, batchId: string): string {
  return `batches/${agencyId}/${batchId}.json`;
}

export function billTypeOf(lineOfBusiness: string): string {
  return lineOfBusiness === 'hospice' ? '081x' : '0329';
}

const CSV_COLUMNS = [
  'claimRef',
  'chartKey',
  'version',
  'lineOfBusiness',
  'payerType',
  'periodFrom',
  'periodThrough',
  'hipps',
  'diagnoses',
  'warnRuleIds',
  'flags',
  'qaCorrected',
  'claimKind',
  'frequencyCode',
  'replacesClaimRef',
  'codingSla',
  'sha256',
  // Added after the others, so a reader by position keeps its columns: never the claim's HIPPS.
  'sampleHipps',
] as const;

function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The batch as CSV: a header, then one row per member (codes joined by spaces, in sequence order). */
export function batchCsv(manifest: BatchManifest): string {
  const rows = manifest.members.map((m: BatchMember) =>
    [
      m.claimRef,
      m.chartKey,
      m.version,
      m.lineOfBusiness,
      m.payerType,
      m.periodFrom,
      m.periodThrough,
      m.hipps,
      m.diagnoses.map((d) => d.code).join(' '),
      m.findings.ruleIds.join(' '),
      m.flags.join(' '),
      m.qaCorrected ? 'yes' : '',
      m.claimKind,
      m.frequencyCode,
      m.replaces?.claimRef,
      m.turnaround?.codingSla
        ? `${m.turnaround.codingSla.class} ${m.turnaround.codingSla.met ? 'met' : 'missed'}`
        : '',
      m.sha256,
      m.sampleHipps,
    ]
      .map(cell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * The hash of a batch's members, reproducible in any language: SHA-256 of the lines
 * `<claimRef>:<sha256 of the chart file>`, in manifest order, joined by newlines (UTF-8, no trailing newline).
 */
export function membersSha256(members: readonly Pick<BatchMember, 'claimRef' | 'sha256'>[]): string {
  return sha256Hex(members.map((m) => `${m.claimRef}:${m.sha256}`).join('\n'));
}
