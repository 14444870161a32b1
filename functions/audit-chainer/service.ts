import { z } from 'zod';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { type ChainLinks, chainTip, linkEvent } from '#shared/audit-trail/chainer.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { AGENCY_ID } from '#shared/topology.ts';

/** An audit event as the stages send it (the chain keeps it whole, whatever its detail holds). */
const AuditEventMessage = z.looseObject({
  type: z.string().min(1),
  agencyId: z.string().regex(AGENCY_ID),
  subject: z.string().min(1),
  actor: z.string().min(1),
  at: z.string().min(1),
  idempotencyKey: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export interface ChainerService {
  /**
   * Links one agency's events (its message group, in the order SQS delivered them) into its chain.
   * Returns how many it took from the first; it stops at the first it could not take (not an audit event
   * of this agency, or a write that failed), so SQS delivers that one and the rest again, in order.
   */
  chain(agencyId: string, bodies: readonly unknown[]): Promise<number>;
}

export function createChainerService(deps: {
  links: ChainLinks;
  onError: (error: unknown) => void;
}): ChainerService {
  return {
    async chain(agencyId, bodies) {
      if (!AGENCY_ID.test(agencyId)) throw new PhiFreeError('the message group is not an agency id');
      let tip = await chainTip(deps.links, agencyId);
      let taken = 0;
      for (const body of bodies) {
        try {
          const parsed = AuditEventMessage.safeParse(body);
          if (!parsed.success) throw new PhiFreeError('not an audit event');
          const event = parsed.data as AuditEvent & Record<string, unknown>;
          if (event.agencyId !== agencyId) throw new PhiFreeError("an audit event in another agency's group");
          tip = await linkEvent(deps.links, agencyId, tip, { eventId: auditEventId(event), event });
        } catch (error) {
          deps.onError(error);
          return taken;
        }
        taken += 1;
      }
      return taken;
    },
  };
}
