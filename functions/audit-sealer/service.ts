import { type SealReport, sealAgency } from '#shared/audit-trail/sealer.ts';
import type { Clock } from '#shared/aws/ports.ts';
import type { AuditTrailPorts } from '#shared/aws/ports-from-env.ts';

/**
 * Seals every agency's newly chained audit events into the audit bucket. One agency's failure (a
 * bucket object this chain did not write) does not keep the others unsealed; it is reported.
 */
export function createSealerService(deps: {
  ports: AuditTrailPorts;
  agencies: readonly string[];
  clock: Clock;
}) {
  return {
    async run(): Promise<{ sealed: SealReport[]; failed: { agencyId: string; error: unknown }[] }> {
      const sealed: SealReport[] = [];
      const failed: { agencyId: string; error: unknown }[] = [];
      for (const agencyId of deps.agencies) {
        try {
          sealed.push(
            await sealAgency(
              agencyId,
              deps.ports.sealedChain,
              deps.ports.trail,
              deps.ports.signer(),
              deps.clock,
            ),
          );
        } catch (error) {
          failed.push({ agencyId, error });
        }
      }
      return { sealed, failed };
    },
  };
}
