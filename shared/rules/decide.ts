import type { Finding } from '#shared/model/chart-state.ts';

export type ValidationDecision = 'REJECTED' | 'QUERY_OPEN' | 'VALIDATED';

/** Any reject sends the chart back to the coder; else any query waits for a clinician; else it goes on. */
export function decide(findings: readonly Finding[]): ValidationDecision {
  if (findings.some((f) => f.severity === 'reject')) return 'REJECTED';
  if (findings.some((f) => f.severity === 'query')) return 'QUERY_OPEN';
  return 'VALIDATED';
}
