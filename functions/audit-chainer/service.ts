import { z } from 'zod';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import {
  type ChainLinks,
  chainTip,
  linkEvent,
  REFUSED_MESSAGES_SUBJECT,
} from '#shared/audit-trail/chainer.ts';
import { filingRefusal, senderRefusal } from '#shared/audit-trail/person-events.ts';
import type { AuditEvent, AuditLog, Clock } from '#shared/aws/ports.ts';
import type { StaffMember } from '#shared/model/config.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import type { FifoItem } from '#shared/runtime/sqs-handler.ts';
import { verifiedActor } from '#shared/runtime/staff-check.ts';
import { AGENCY_ID } from '#shared/topology.ts';

/** What the stages send the chainer: which recorded event to link (the event itself is read from the audit table). */
const AuditChainMessage = z.strictObject({
  agencyId: z.string().regex(AGENCY_ID),
  subject: z.string().min(1).max(512),
  eventId: z.string().regex(/^[0-9a-f]{24}$/),
});

/** A message that can never be chained, whatever SQS does: set aside at once, with why. */
class Unchainable extends PhiFreeError {}

export interface ChainerService {
  /**
   * Links one agency's events (its message group, in the order SQS delivered them) into its chain, each
   * as the audit table holds it, with who AWS says sent its message.
   *
   * A message that can never be linked (not an audit chain message, another agency's event, one never
   * recorded, one not what its partition says, a person's event sent by someone else) is recorded as
   * `audit.message-refused` and taken: left to fail, SQS would deliver it again and again, holding up the
   * agency's whole chain behind it (anyone who may send to the shared queue could). Returns how many it
   * took from the first; it stops at the first it could not take (a write that failed), so SQS delivers
   * that one and the rest again, in order.
   */
  chain(agencyId: string, items: readonly FifoItem[]): Promise<number>;
}

export function createChainerService(deps: {
  links: ChainLinks;
  /** Where refused messages are recorded: the audit table, and the chain through the queue like any event. */
  audit: AuditLog;
  /** The agencies the stack serves: a message group of any other is failed (to the alarmed DLQ), never chained. */
  agencies: readonly string[];
  /** Registered staff, by the SenderId their messages come with: a link's `sentBy` names them. */
  staff: readonly StaffMember[];
  clock: Clock;
  onError: (error: unknown) => void;
}): ChainerService {
  /** The event a message names, as recorded, if it may be linked as sent; throws Unchainable if never. */
  async function chainable(
    agencyId: string,
    item: FifoItem,
  ): Promise<{ eventId: string; event: AuditEvent }> {
    if (item.unreadable) throw new Unchainable('the message is not JSON');
    const parsed = AuditChainMessage.safeParse(item.body);
    if (!parsed.success) throw new Unchainable('not an audit chain message');
    const { subject, eventId } = parsed.data;
    if (parsed.data.agencyId !== agencyId) throw new Unchainable("an audit event in another agency's group");
    // Read consistently, and recorded before its message is sent: an event not there never will be.
    const event = (await deps.links.recorded(agencyId, subject, eventId)) as AuditEvent | undefined;
    if (!event) throw new Unchainable('the audit event is not recorded');
    if (event.agencyId !== agencyId || auditEventId(event) !== eventId)
      throw new Unchainable('the recorded audit event does not match its id');
    // Filed where it says it belongs: a role that may add events under one subject alone (a person's
    // `access`) must not get one chained as another's (a chart's, a stage's).
    const misfiled = filingRefusal(agencyId, subject, event);
    if (misfiled) throw new Unchainable(misfiled);
    // A person's event is chained only as sent by the person it names.
    const impersonated = senderRefusal(event, item.sender);
    if (impersonated) throw new Unchainable(impersonated);
    return { eventId, event };
  }

  /** Records the refusal; it reaches the chain through the queue, as every event does. */
  async function refuse(agencyId: string, item: FifoItem, reason: string): Promise<void> {
    const named = AuditChainMessage.shape.eventId.safeParse((item.body as { eventId?: unknown })?.eventId);
    await deps.audit.record({
      type: 'audit.message-refused',
      agencyId,
      subject: REFUSED_MESSAGES_SUBJECT,
      actor: 'stage:audit-chainer',
      at: deps.clock.now().toISOString(),
      // A redelivery of the message (the record above done, the take not) is the same refusal.
      idempotencyKey: item.messageId,
      // Why, and who AWS says sent it; of what it says, only an event id (hex, never PHI).
      detail: {
        reason,
        sentBy: verifiedActor(deps.staff, item.sender),
        ...(named.success ? { eventId: named.data } : {}),
      },
    });
  }

  return {
    async chain(agencyId, items) {
      if (!AGENCY_ID.test(agencyId)) throw new PhiFreeError('the message group is not an agency id');
      // No trail is begun for a group that only looks like an agency: its messages wait in the DLQ.
      if (!deps.agencies.includes(agencyId))
        throw new PhiFreeError('the message group is not an agency this stack serves');
      let tip = await chainTip(deps.links, agencyId);
      let taken = 0;
      for (const item of items) {
        try {
          try {
            const { eventId, event } = await chainable(agencyId, item);
            const sentBy = verifiedActor(deps.staff, item.sender);
            tip = await linkEvent(deps.links, agencyId, tip, { eventId, event, sentBy });
          } catch (error) {
            if (!(error instanceof Unchainable)) throw error;
            deps.onError(error);
            await refuse(agencyId, item, error.message);
          }
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
