import { chartSubject, claimRefOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { Batch, BatchManifest, BatchMember } from '#shared/model/batch.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { type BatchReady, ChartMessage } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { stage } from '#shared/topology.ts';

const ACTOR = 'stage:billing-handoff';
const READY_FROM = ['NOT_SAMPLED', 'QA_PASSED', 'QA_CORRECTED'] as const;

/**
 * Billing handoff: charts cleared for billing (not sampled, or passed/corrected by QA) become
 * READY_FOR_BILLING; each delivery's ready charts form one batch per agency. The batch is written first
 * (OPEN) and claimed by one invocation (HANDING_OFF, with a lease), then each member moves to BATCHED
 * with one conditional write (a member already in another batch is skipped), then the manifest goes to
 * the artifacts and audit buckets and a message to the coded-batches queue, and the batch is marked
 * HANDED_OFF. A retry after a crash takes over a batch whose claim has lapsed. Should that takeover
 * follow a crash between the send and the mark, billing sees the batch twice: consumers dedupe by batchId.
 */
export function createBillingHandoffService(deps: StageDeps) {
  const { ports } = deps;

  async function makeReady(message: ChartMessage): Promise<ChartState | undefined> {
    const state = await ports.charts.get(message.chartKey, message.version);
    if (!state) return undefined;
    if ((READY_FROM as readonly string[]).includes(state.status)) {
      const moved = await ports.charts.transition(
        state.chartKey,
        state.version,
        READY_FROM,
        'READY_FOR_BILLING',
        {
          readyForBillingAt: deps.clock.now().toISOString(),
        },
      );
      return moved.ok ? moved.state : moved.current;
    }
    return state;
  }

  /**
   * Claims the batch for this invocation and finishes it. Only the claim holder moves members and sends
   * the batch, so two deliveries of the same charts cannot hand it to billing twice. Returns false when
   * another invocation holds a live claim (the caller has the messages delivered again later).
   */
  async function claimAndFinish(batch: Batch): Promise<boolean> {
    const now = deps.clock.now();
    const leaseExpiredBefore = new Date(
      now.getTime() - stage('billing-handoff').timeoutSeconds * 1000,
    ).toISOString();
    if (!(await ports.batches.claim(batch.batchId, now.toISOString(), leaseExpiredBefore))) {
      return (await ports.batches.get(batch.batchId))?.status === 'HANDED_OFF';
    }
    await finish(batch.batchId, batch.agencyId, batch.candidates);
    return true;
  }

  /** Each conditional move returns the chart's state, so the candidates need no reading first. */
  async function finish(
    batchId: string,
    agencyId: string,
    candidates: readonly { chartKey: string; version: number }[],
  ): Promise<void> {
    const now = deps.clock.now().toISOString();
    const members: BatchMember[] = [];
    for (const candidate of candidates) {
      const claimRef = claimRefOf(candidate.chartKey, candidate.version);
      const moved = await ports.charts.transition(
        candidate.chartKey,
        candidate.version,
        ['READY_FOR_BILLING'],
        'BATCHED',
        {
          batchId,
          claimRef,
          batchedAt: now,
        },
      );
      const state = moved.ok ? moved.state : moved.current;
      if (state?.status !== 'BATCHED' || state.batchId !== batchId) continue; // taken by another batch
      members.push({
        chartKey: state.chartKey,
        version: state.version,
        claimRef,
        coderId: state.coderId,
        lineOfBusiness: state.lineOfBusiness,
        payerType: state.payerType,
        // A QA correction is billed with the corrected codes.
        artifactKey: state.qa?.correctedArtifactKey ?? state.artifactKey,
        ...(state.qa?.correctedArtifactKey ? { qaCorrected: true } : {}),
      });
    }
    if (members.length === 0) {
      // Every candidate went to another batch or moved on: close this one empty, with no message.
      await ports.batches.handOff(batchId, { manifestKey: '', chartCount: 0, handedOffAt: now });
      return;
    }
    const manifest: BatchManifest = { schemaVersion: 1, batchId, agencyId, createdAt: now, members };
    const manifestKey = `batches/${agencyId}/${batchId}.json`;
    await ports.artifacts.putJson('artifacts', manifestKey, manifest);
    await ports.artifacts.putJson('audit', manifestKey, manifest);
    const ready: BatchReady = {
      kind: 'batch-ready',
      agencyId,
      batchId,
      chartCount: members.length,
      manifestKey,
      createdAt: now,
    };
    await ports.queue.send('coded-batches', [ready]);
    const handedOff = await ports.batches.handOff(batchId, {
      manifestKey,
      chartCount: members.length,
      handedOffAt: now,
    });
    if (!handedOff) return;
    for (const m of members) {
      await recordAudit(deps, {
        type: 'chart.batched',
        agencyId,
        subject: chartSubject(m.chartKey, m.version),
        actor: ACTOR,
        idempotencyKey: `batched:${batchId}`,
        detail: { batchId, claimRef: m.claimRef },
      });
    }
    await recordAudit(deps, {
      type: 'batch.handed-off',
      agencyId,
      subject: `batch:${batchId}`,
      actor: ACTOR,
      idempotencyKey: 'handed-off',
      detail: { manifestKey, chartCount: members.length },
    });
  }

  return {
    /** Handles one delivered SQS batch; returns the message ids that failed and should come again. */
    async handle(items: { messageId: string; body: unknown }[]): Promise<string[]> {
      const failed: string[] = [];
      const ready = new Map<string, { state: ChartState; messageId: string }[]>();
      const unfinished = new Map<string, string[]>();
      for (const item of items) {
        const parsed = ChartMessage.safeParse(item.body);
        if (!parsed.success) {
          failed.push(item.messageId);
          continue;
        }
        try {
          const state = await makeReady(parsed.data);
          if (!state) {
            failed.push(item.messageId);
          } else if (state.status === 'READY_FOR_BILLING') {
            ready.set(state.agencyId, [
              ...(ready.get(state.agencyId) ?? []),
              { state, messageId: item.messageId },
            ]);
          } else if (state.status === 'BATCHED' && state.batchId) {
            unfinished.set(state.batchId, [...(unfinished.get(state.batchId) ?? []), item.messageId]);
          }
        } catch {
          failed.push(item.messageId);
        }
      }

      // A batch whose holder crashed mid-way: take it over once its claim has lapsed.
      for (const [batchId, messageIds] of unfinished) {
        const batch = await ports.batches.get(batchId);
        if (!batch || batch.status === 'HANDED_OFF') continue;
        if (!(await claimAndFinish(batch))) failed.push(...messageIds);
      }

      for (const [agencyId, entries] of ready) {
        const sorted = entries
          .map((e) => e.state)
          .sort((a, b) => a.chartKey.localeCompare(b.chartKey) || a.version - b.version);
        const day = deps.clock.now().toISOString().slice(0, 10).replaceAll('-', '');
        const batchId = `b${day}-${sha256Hex(sorted.map((s) => `${s.chartKey}:${s.version}`).join('|')).slice(0, 12)}`;
        const batch: Batch = (await ports.batches.get(batchId)) ?? {
          batchId,
          agencyId,
          status: 'OPEN',
          createdAt: deps.clock.now().toISOString(),
          candidates: sorted.map((s) => ({ chartKey: s.chartKey, version: s.version })),
        };
        if (batch.status === 'HANDED_OFF') continue;
        if (batch.status === 'OPEN') await ports.batches.create(batch);
        if (!(await claimAndFinish(batch))) failed.push(...entries.map((e) => e.messageId));
      }
      return failed;
    },
  };
}
