import { type ConfigInput, parseConfig } from '#shared/model/config.ts';

/**
 * The agencies the tests' charts and files name. A stack serves only its configured agencies (each has
 * its own human queues and roles; intake quarantines a chart of any other), so a test's stack serves
 * these unless the test configures its own.
 */
export const TEST_AGENCY_IDS = [
  'test-agency',
  'agency-a',
  'agency-b',
  'demo-agency',
  'other-agency',
  'calif-agency',
  'a',
] as const;

/** A configuration serving the test agencies, over `input` (whose own `agencies` win). */
export function testConfig(input: ConfigInput = {}) {
  return parseConfig({ agencies: TEST_AGENCY_IDS.map((id) => ({ id })), ...input });
}
