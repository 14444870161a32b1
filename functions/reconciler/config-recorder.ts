import {
  CONFIG_SUBJECT,
  configInForceEvent,
  configSectionsFor,
  latestConfigEvent,
} from '#shared/audit-trail/config-in-force.ts';
import type { Clock, Ports } from '#shared/aws/ports.ts';
import type { BundledTable } from '#shared/data/bundled-tables.ts';
import type { Config } from '#shared/model/config.ts';
import { RECONCILER_ACTOR } from './service.ts';

/**
 * The hourly job's other duty: for each agency, a `config.in-force` event when the configuration and
 * code tables the stack runs with are not what the agency's last such event recorded (a deployment
 * changed them). Returns the agencies it recorded for.
 */
export function createConfigRecorder(deps: {
  ports: Pick<Ports, 'audit'>;
  config: Config;
  /** The code tables the stack carries, each with its file's hash. */
  tables: () => BundledTable[];
  clock: Clock;
}) {
  return {
    async recordInForce(): Promise<string[]> {
      const at = deps.clock.now().toISOString();
      const tables = deps.tables();
      const recorded: string[] = [];
      for (const { id: agencyId } of deps.config.agencies) {
        const event = configInForceEvent({
          agencyId,
          inForce: { configSections: configSectionsFor(deps.config, agencyId), tables },
          previous: latestConfigEvent(await deps.ports.audit.list(agencyId, CONFIG_SUBJECT)),
          actor: RECONCILER_ACTOR,
          at,
        });
        if (!event) continue;
        await deps.ports.audit.record(event);
        recorded.push(agencyId);
      }
      return recorded;
    },
  };
}
