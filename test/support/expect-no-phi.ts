import { expect } from 'vitest';
import type { Finding } from '#shared/model/chart-state.ts';

/** The identifying markers of the clean test charts (test/support/rule-charts.ts). */
const MARKERS = ['SYN-PT-SECRET-ID', 'Zulu', 'Yankee', 'SYN-MBR-SECRET', 'HH-T-1', 'HSP-T-1'];

/** No chart date, no patient, member or chart id ever reaches a finding. */
export function expectNoPhi(findings: readonly Finding[]): void {
  const text = JSON.stringify(findings);
  expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  for (const marker of MARKERS) expect(text).not.toContain(marker);
}
