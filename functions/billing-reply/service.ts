import { chartSubject } from '#shared/identity/identifiers.ts';
import type { Batch } from '#shared/model/batch.ts';
import type { BillingReply, ChartMessage } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import { chartMessage } from '#shared/runtime/forward.ts';
import { agencyRefusal, staffMemberOf, verifiedActor } from '#shared/runtime/staff-check.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

/** A reply naming a batch the table does not hold: it comes again, then goes to the dead-letter queue. */
export class UnknownBatchError extends PhiFreeError {
  constructor(batchId: string) {
    super(`no batch ${batchId}`);
  }
}

/**
 * Billing reply: the billing team's answers about a coded batch, recorded as AWS says who sent them. The
 * people of billing never write the table: their role may only send here. Every answer is idempotent,
 * so a redelivery records nothing twice: a batch settles once, each chart moves once, each audit event
 * has a fixed key (a pull keys on the coded-batches message and the person, a refused check on the
 * reply's message).
 */
export function createBillingReplyService(deps: StageDeps) {
  const { ports } = deps;

  /** Whether the sender may answer for billing (any sender when no staff is configured: a trial stack). */
  function refusedSender(sender: string | undefined, agencyId: string): string | undefined {
    const staff = deps.config.staff;
    if (staff.length === 0) return undefined;
    if (!sender) return 'the message carries no sender identity';
    const member = staffMemberOf(staff, sender);
    if (!member) return 'the sender is not registered staff';
    if (!member.roles.includes('billing')) return `${member.staffId} is not on the billing team`;
    return agencyRefusal(member, agencyId);
  }

  async function accept(batch: Batch, actor: string): Promise<void> {
    const at = deps.clock.now().toISOString();
    const settled = await ports.batches.settle(batch, { status: 'ACCEPTED', at });
    const now = settled ? batch : await current(batch);
    // Settled now, or by an earlier delivery of this answer (the event's key records it once).
    if (settled || now.status === 'ACCEPTED') {
      await recordAudit(deps, {
        type: 'batch.accepted',
        agencyId: batch.agencyId,
        subject: `batch:${batch.batchId}`,
        actor,
        idempotencyKey: 'accepted',
        detail: { chartCount: batch.chartCount },
      });
      return;
    }
    await refuse(
      batch,
      actor,
      'batch-accepted',
      `the batch is ${now.status}: only a handed-off batch can be acknowledged`,
    );
  }

  /** The batch as it is now: settling failed, so another answer may have settled it since it was read. */
  async function current(batch: Batch): Promise<Batch> {
    return (await ports.batches.get(batch)) ?? batch;
  }

  /**
   * The batch is REJECTED; its charts go back to READY_FOR_BILLING and to billing handoff, which makes
   * a new batch of them; a chart with a newer version is superseded instead (the newer one is billed).
   */
  async function reject(batch: Batch, actor: string, reasonKey: string): Promise<void> {
    const { batchId, agencyId } = batch;
    if (!reasonKey.startsWith(`billing-notes/${agencyId}/${batchId}/`))
      return refuse(batch, actor, 'batch-rejected', 'the reason is not filed under this batch');
    const at = deps.clock.now().toISOString();
    const settled = await ports.batches.settle(batch, { status: 'REJECTED', at, reason: reasonKey });
    const now = settled ? batch : await current(batch);
    if (!settled && now.status !== 'REJECTED')
      return refuse(
        batch,
        actor,
        'batch-rejected',
        `the batch is ${now.status}: only a handed-off batch can be rejected`,
      );
    // Rejected before, for another reason: that rejection stands (a redelivery carries the same key).
    if (!settled && now.rejectionReason !== reasonKey)
      return refuse(batch, actor, 'batch-rejected', 'the batch was rejected already, with another reason');
    await recordAudit(deps, {
      type: 'batch.rejected',
      agencyId,
      subject: `batch:${batchId}`,
      actor,
      idempotencyKey: 'rejected',
      detail: { reasonKey },
    });
    const requeue: ChartMessage[] = [];
    for (const c of batch.candidates) {
      // Every version in one read: this one's state, and whether a newer one came meanwhile.
      const versions = await ports.charts.versions(c.chartKey);
      const state = versions.find((v) => v.version === c.version);
      // Moved by an earlier delivery that died before it sent them on: sent now (billing handoff takes a
      // chart message twice as once).
      if (state?.status === 'READY_FOR_BILLING' && state.billingRejection?.batchId === batchId) {
        requeue.push(chartMessage(state));
        continue;
      }
      if (state?.status !== 'BATCHED' || state.batchId !== batchId) continue;
      const latest = versions.reduce((n, v) => Math.max(n, v.version), c.version);
      const to = latest > c.version ? 'SUPERSEDED' : 'READY_FOR_BILLING';
      const moved = await ports.charts.transition(c.chartKey, c.version, ['BATCHED'], to, {
        billingRejection: { batchId, reasonKey, at, by: actor },
        ...(to === 'SUPERSEDED' ? { supersededBy: latest } : {}),
      });
      if (!moved.ok) continue;
      await recordAudit(deps, {
        type: 'chart.billing-rejected',
        agencyId,
        subject: chartSubject(c.chartKey, c.version),
        actor,
        idempotencyKey: `billing-rejected:${batchId}`,
        detail: { batchId, reasonKey, now: to },
      });
      if (to === 'READY_FOR_BILLING') requeue.push(chartMessage(moved.state));
    }
    if (requeue.length > 0) await ports.queue.send('billing', requeue);
  }

  /** An answer that cannot stand: recorded on the batch, with why, and set aside. */
  function refuse(batch: Batch, actor: string, kind: BillingReply['kind'], reason: string): Promise<void> {
    return recordAudit(deps, {
      type: 'batch.reply-refused',
      agencyId: batch.agencyId,
      subject: `batch:${batch.batchId}`,
      actor,
      idempotencyKey: `${kind}:${actor}:${reason}`,
      detail: { kind, reason },
    });
  }

  return {
    /**
     * `sender`: the SQS SenderId (who really sent it); `messageId`: the reply's SQS message id, which keys
     * a refused check (each refusal a person meets is its own event; a pull is keyed by the coded-batches
     * message it took, which the reply carries).
     */
    async handle(reply: BillingReply, sender: string | undefined, messageId: string): Promise<void> {
      const batch = await ports.batches.get(reply);
      if (!batch) throw new UnknownBatchError(reply.batchId);
      const actor = verifiedActor(deps.config.staff, sender);
      const notStaff = refusedSender(sender, batch.agencyId);
      if (notStaff) return refuse(batch, actor, reply.kind, notStaff);
      const subject = `batch:${batch.batchId}`;
      switch (reply.kind) {
        case 'batch-accepted':
          return accept(batch, actor);
        case 'batch-rejected':
          return reject(batch, actor, reply.reasonKey);
        case 'batch-pulled':
          return recordAudit(deps, {
            type: 'batch.pulled',
            agencyId: batch.agencyId,
            subject,
            actor,
            // Once per coded-batches message and person: a colleague who pulls the same message again
            // (it came back after a crash) downloaded the batch too.
            idempotencyKey: `pulled:${reply.messageId}:${actor}`,
            detail: { chartCount: batch.chartCount, manifestSha256: reply.manifestSha256 },
          });
        case 'batch-refused':
          return recordAudit(deps, {
            type: 'batch.verification-failed',
            agencyId: batch.agencyId,
            subject,
            actor,
            idempotencyKey: `verification-failed:${messageId}`,
            detail: { check: reply.check, ...(reply.claimRef ? { claimRef: reply.claimRef } : {}) },
          });
      }
    },
  };
}
