import type { Clock, Ports } from '#shared/aws/ports.ts';
import type { Config } from '#shared/model/config.ts';

/** What every stage's service is built from: its ports, the agency configuration and a clock. */
export interface StageDeps {
  ports: Ports;
  config: Config;
  clock: Clock;
}
