import { expect } from 'vitest';
import type { Finding } from '#shared/model/chart-state.ts';

/**
 * The identifying markers of the synthetic test data: one list for findings, logs and queue messages.
 * Chart ids, patient ids, names, birth dates and member ids of test/support/charts.ts and
 * test/support/rule-charts.ts, the patient's member id in test/support/x12-835.ts, and the patient-named
 * files the log tests drop ('Zulu_Yankee_1940-01-01...'). A test that adds an identifying field adds its
 * marker here. Dates of service are left out on purpose: a log's own timestamps are dates too.
 */
export const PHI_MARKERS = [
  // charts.ts
  'HH-1001',
  'HS-2001',
  'P-1',
  'P-2',
  'Test Patient',
  '1940-01-01',
  // rule-charts.ts
  'SYN-PT-SECRET-ID',
  'SYN-MBR-SECRET',
  'HH-T-1',
  'HSP-T-1',
  'Zulu',
  'Yankee',
  // x12-835.ts (NM1*QC)
  '1EG4TE5MK73',
] as const;

/** No chart date, no patient, member or chart id ever reaches a finding. */
export function expectNoPhi(findings: readonly Finding[]): void {
  const text = JSON.stringify(findings);
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  for (const marker of PHI_MARKERS) expect(text).not.toContain(marker);
}

/**
 * No marker in `text` (captured logs, sent messages), which must hold something: a capture that saw
 * nothing would pass any scan, so an empty one fails. `what` names it in the failure message.
 */
export function expectNoPhiIn(text: string, what: string): void {
  expect(text.trim(), `${what}: nothing was captured to scan`).not.toBe('');
  // The offending lines, not the whole text, in the failure message.
  const lines = text.split('\n');
  for (const marker of PHI_MARKERS)
    expect(
      lines.filter((line) => line.includes(marker)),
      `${what} holds "${marker}"`,
    ).toEqual([]);
}
