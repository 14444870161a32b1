import { z } from 'zod';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { type ChainLinks, chainTip, linkEvent } from '#shared/audit-trail/chainer.ts';
import { filingRefusal } from '#shared/audit-trail/person-events.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { AGENCY_ID } from '#shared/topology.ts';

/** What the stages send the chainer: which recorded event to link (the event itself is read from the audit table). */
const AuditChainMessage = z.strictObject({
  agencyId: z.string().regex(AGENCY_ID),
  subject: z.string().min(1).max(512),
  eventId: z.string().regex(/^[0-9a-f]{24}$/),
});

export interface ChainerService {
  /**
   * Links one agency's events (its message group, in the order SQS delivered them) into its chain, each
   * as the audit table holds it.
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
          const parsed = AuditChainMessage.safeParse(body);
          if (!parsed.success) throw new PhiFreeError('not an audit chain message');
          const { subject, eventId } = parsed.data;
          if (parsed.data.agencyId !== agencyId)
            throw new PhiFreeError("an audit event in another agency's group");
          const event = await deps.links.recorded(agencyId, subject, eventId);
          // Not (yet) in the table: SQS delivers it again, and after its retries it waits in the DLQ (alarmed).
          if (!event) throw new PhiFreeError('the audit event is not recorded');
          if (event.agencyId !== agencyId || auditEventId(event as AuditEvent) !== eventId)
            throw new PhiFreeError('the recorded audit event does not match its id');
          // Filed where it says it belongs: a role that may add events under one subject alone (a
          // person's `access`) must not get one chained as another's (a chart's, a stage's).
          const misfiled = filingRefusal(agencyId, subject, event as AuditEvent);
          if (misfiled) throw new PhiFreeError(misfiled);
          tip = await linkEvent(deps.links, agencyId, tip, { eventId, event });
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
