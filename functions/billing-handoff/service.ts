import type { BatchRef } from '#shared/aws/ports.ts';
import { batchCsv, batchManifestKey, billTypeOf, membersSha256 } from '#shared/billing/batch-files.ts';
import type { BusinessCalendar } from '#shared/billing/business-time.ts';
import { calendarFor, turnaround } from '#shared/billing/turnaround.ts';
import { chartSubject, claimRefOf, sha256Hex } from '#shared/identity/identifiers.ts';
import { type Batch, type BatchManifest, type BatchMember, BILLING_CONTRACT } from '#shared/model/batch.ts';
import type { Chart } from '#shared/model/chart.ts';
import { type ChartState, isBilled } from '#shared/model/chart-state.ts';
import { type BatchReady, ChartMessage } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { UnknownChartError } from '#shared/runtime/forward.ts';
import { mapLimit } from '#shared/runtime/map-limit.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { chartFileTags, stage } from '#shared/topology.ts';

const ACTOR = 'stage:billing-handoff';
const READY_FROM = ['NOT_SAMPLED', 'QA_PASSED', 'QA_CORRECTED'] as const;
/** Charts worked on at once within one delivery or batch. */
const MEMBER_CONCURRENCY = 10;

/**
 * Billing handoff: charts cleared for billing (not sampled, or passed/corrected by QA) become
 * READY_FOR_BILLING; each delivery's ready charts form one batch per agency. The batch is written first
 * (OPEN) and claimed by one invocation (HANDING_OFF, with a lease), then each member moves to BATCHED
 * with one conditional write (a member already in another batch is skipped), then the manifest goes to
 * the artifacts and audit buckets and a message to the coded-batches queue, and the batch is marked
 * HANDED_OFF. A retry after a crash takes over a batch whose claim has lapsed. Should that takeover
 * follow a crash between the send and the mark, billing sees the batch twice: consumers dedupe by batchId.
 */
export function createBillingHandoffService(
  deps: StageDeps & { onMetric?: (name: string, value: number) => void },
) {
  const { ports } = deps;

  /**
   * Moves a chart cleared for billing to READY_FOR_BILLING, and returns it as it is now: a chart already
   * ready or batched (a redelivery) or on hold fails the conditional move and comes back as it is.
   */
  async function makeReady(message: ChartMessage): Promise<ChartState> {
    const moved = await ports.charts.transition(
      message.chartKey,
      message.version,
      READY_FROM,
      'READY_FOR_BILLING',
      { readyForBillingAt: deps.clock.now().toISOString() },
    );
    return moved.ok ? moved.state : (moved.current ?? unknownChart(message));
  }

  /**
   * Claims the batch for this invocation and finishes it. Only the claim holder moves members and sends
   * the batch, so two deliveries of the same charts cannot hand it to billing twice. Returns false when
   * another invocation holds a live claim (the caller has the messages delivered again later).
   */
  async function claimAndFinish(batch: Batch): Promise<{ done: boolean; skipped: ReadonlySet<string> }> {
    const now = deps.clock.now();
    const leaseExpiredBefore = new Date(
      now.getTime() - stage('billing-handoff').timeoutSeconds * 1000,
    ).toISOString();
    if (!(await ports.batches.claim(batch, now.toISOString(), leaseExpiredBefore))) {
      const current = await ports.batches.get(batch);
      // Done when another invocation finished it; else its holder may be alive, and the messages come again.
      // Stryker disable next-line OptionalChaining,StringLiteral: a claim fails only on a batch that exists (written or read just before; batches are never deleted)
      return { done: !inProgress(current?.status ?? 'OPEN'), skipped: new Set() };
    }
    return { done: true, skipped: await finish(batch) };
  }

  /** What billing needs of one member, from the chart it bills (QA-corrected when QA corrected it). */
  async function memberOf(
    state: ChartState,
    versions: readonly ChartState[],
    claimRef: string,
    batchedAt: string,
    calendar: BusinessCalendar,
  ): Promise<BatchMember> {
    const artifactKey = state.qa?.correctedArtifactKey ?? state.artifactKey;
    const text = await ports.artifacts.getText('artifacts', artifactKey);
    const chart = JSON.parse(text) as Chart;
    const warn = state.findings?.filter((f) => f.severity === 'warn') ?? [];
    const member: BatchMember = {
      chartKey: state.chartKey,
      version: state.version,
      claimRef,
      coderId: state.coderId,
      lineOfBusiness: state.lineOfBusiness,
      payerType: state.payerType,
      periodFrom: chart.period?.from,
      periodThrough: chart.period?.through,
      artifactKey,
      sha256: sha256Hex(text),
      diagnoses: (chart.diagnoses ?? []).map((d) => ({ sequence: d.sequence, code: d.code })),
      findings: { warn: warn.length, ruleIds: [...new Set(warn.map((f) => f.ruleId))] },
      claimKind: 'original',
      ...(state.lineOfBusiness === 'home_health' ? { frequencyCode: '9' as const } : {}),
      flags: reviewChoiceUnaffirmed(chart, state.agencyId)
        ? ['review-choice-no-affirmed-pre-claim-review']
        : [],
    };
    // A version whose chart was billed before replaces that claim: the newest billed one (versions come
    // newest first).
    const prior = versions.find((v) => v.version < state.version && isBilled(v));
    if (prior?.claimRef) {
      member.claimKind = 'replacement';
      member.frequencyCode = '7';
      member.replaces = {
        version: prior.version,
        claimRef: prior.claimRef,
        ...(prior.batchId ? { batchId: prior.batchId } : {}),
      };
    }
    // A HIPPS a sample PDGM table grouped to is not one to bill: carried apart, and the member flagged.
    if (state.grouping?.sample) {
      member.sampleHipps = state.grouping.hipps;
      member.flags = [...member.flags, 'hipps-from-sample-pdgm'];
    } else if (state.grouping) member.hipps = state.grouping.hipps;
    if (state.qa?.correctedArtifactKey) member.qaCorrected = true;
    try {
      member.turnaround = turnaround(chart, { qaAt: state.qa?.reviewedAt, batchedAt }, deps.config, calendar);
    } catch {
      // A time the clock cannot read leaves the member without a turnaround, never without a batch.
    }
    return member;
  }

  /** Home health in a Review Choice Demonstration state, without an affirmed pre-claim review decision. */
  function reviewChoiceUnaffirmed(chart: Chart, agencyId: string): boolean {
    const state = deps.config.agencies.find((a) => a.id === agencyId)?.state;
    // An agency with no state configured is in none of them.
    const reviewChoiceStates: readonly (string | undefined)[] = deps.config.billing.reviewChoiceStates;
    return (
      chart.lineOfBusiness === 'home_health' &&
      reviewChoiceStates.includes(state) &&
      chart.preClaimReview?.decision !== 'affirmed'
    );
  }

  /**
   * Moves the batch's candidates into it and hands it to billing. Returns the charts it could not
   * batch because their chart file could not be read (they stay READY_FOR_BILLING and their messages
   * come again, then go to the dead-letter queue): never a batch stuck half done.
   */
  async function finish(batch: Batch): Promise<Set<string>> {
    const { batchId, agencyId } = batch;
    const now = deps.clock.now().toISOString();
    const skipped = new Set<string>();
    // One agency per batch: its business calendar is worked out once.
    const calendar = calendarFor(deps.config, agencyId);
    // Each member is its own conditional move: a few at a time, in candidate order in the manifest.
    const moved = await mapLimit(batch.candidates, MEMBER_CONCURRENCY, async (candidate) => {
      const claimRef = claimRefOf(candidate.chartKey, candidate.version);
      // Every version of the chart in one read: this one's state, a newer one, a billed older one.
      const versions = await ports.charts.versions(candidate.chartKey);
      const current = versions.find((v) => v.version === candidate.version);
      const ours = current?.status === 'BATCHED' && current.batchId === batchId; // a takeover finishing it
      if (!current || (!ours && current.status !== 'READY_FOR_BILLING')) return undefined;
      const newest = versions.reduce((n, v) => Math.max(n, v.version), candidate.version);
      if (!ours && newest > candidate.version) {
        // A newer version arrived meanwhile (after a rejected batch, say): this one is not billed.
        const superseded = await ports.charts.transition(
          candidate.chartKey,
          candidate.version,
          ['READY_FOR_BILLING'],
          'SUPERSEDED',
          { supersededBy: newest },
        );
        // Audited as intake audits it: every status a version takes is in the trail.
        if (superseded.ok)
          await recordAudit(deps, {
            type: 'chart.superseded',
            agencyId,
            subject: chartSubject(candidate.chartKey, candidate.version),
            actor: ACTOR,
            idempotencyKey: 'superseded',
            detail: { newerVersion: newest },
          });
        return undefined;
      }
      // The member is built before the chart moves: a chart whose file cannot be read is not batched.
      // A takeover measures to the time the first run batched the chart (so it writes the same bytes); a
      // chart back from a rejected batch still carries that batch's time, and is batched anew.
      const batchedAt = ours ? (current.batchedAt ?? now) : now;
      let member: BatchMember;
      try {
        member = await memberOf(current, versions, claimRef, batchedAt, calendar);
      } catch (err) {
        skipped.add(`${candidate.chartKey}:${candidate.version}`);
        await recordAudit(deps, {
          type: 'chart.not-batched',
          agencyId,
          subject: chartSubject(candidate.chartKey, candidate.version),
          actor: ACTOR,
          idempotencyKey: `not-batched:${batchId}`,
          // The error's name only: a parser's message may quote the chart.
          detail: { batchId, reason: err instanceof Error ? err.name : 'unknown error' },
        });
        return undefined;
      }
      // One conditional move per member; on a takeover it finds the chart moved already, batched here.
      const result = await ports.charts.transition(
        candidate.chartKey,
        candidate.version,
        ['READY_FOR_BILLING'],
        'BATCHED',
        {
          batchId,
          claimRef,
          batchedAt: now,
          // Kept on the chart too, for the turnaround report (`codetrail turnaround`).
          ...(member.turnaround ? { turnaround: member.turnaround } : {}),
        },
      );
      const state = result.ok ? result.state : result.current;
      // Moved here now, or by the crashed run a takeover finishes; any other batch id: another batch took it.
      // Stryker disable next-line OptionalChaining: the chart was read just above and chart versions are never deleted: the transition always finds it
      if (state?.batchId !== batchId) return undefined;
      // The billing team reads only the chart files a batch bills (their role conditions on this tag):
      // tagged before the batch is announced, on every run (a takeover too). A file sampled for review
      // keeps its review tag: S3 sets a file's tags as a whole.
      await ports.artifacts.tagObject(
        'artifacts',
        member.artifactKey,
        chartFileTags({
          review: member.artifactKey === state.artifactKey && state.sampling?.sampled === true,
          billing: true,
        }),
      );
      // The 835's CLP01 is looked up by the claimRef: indexed on every run (a takeover too), written once.
      await ports.remittances.indexClaim(claimRef, {
        agencyId,
        chartKey: candidate.chartKey,
        version: candidate.version,
      });
      // A takeover finishing the batch: the turnaround its first run may not have kept.
      if (ours && member.turnaround && !current.turnaround)
        await ports.charts.markOnce(candidate.chartKey, candidate.version, 'turnaround', member.turnaround);
      return member;
    });
    const members = moved.filter((m): m is BatchMember => m !== undefined);
    const first = members[0];
    if (!first) {
      // Every candidate went to another batch or moved on: close this one empty, with no message.
      await ports.batches.handOff(batch, { manifestKey: '', chartCount: 0, handedOffAt: now });
      return skipped;
    }
    // A batch written before batches carried their group takes it from its members (all of one group).
    const lineOfBusiness = batch.lineOfBusiness ?? first.lineOfBusiness;
    const manifest: BatchManifest = {
      schemaVersion: 2,
      contract: BILLING_CONTRACT,
      batchId,
      agencyId,
      payerType: batch.payerType ?? first.payerType,
      lineOfBusiness,
      billType: batch.billType ?? billTypeOf(lineOfBusiness),
      // The batch's own time, not this run's: a takeover after a crash writes the same bytes again.
      createdAt: batch.createdAt,
      chartCount: members.length,
      flags: members.some((m) => m.sampleHipps !== undefined) ? ['sample-hipps'] : [],
      members,
      membersSha256: membersSha256(members),
    };
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    const csvText = batchCsv(manifest);
    const manifestKey = batchManifestKey(agencyId, batchId);
    const csvKey = `batches/${agencyId}/${batchId}.csv`;
    for (const bucket of ['artifacts', 'audit'] as const) {
      await ports.artifacts.putText(bucket, manifestKey, manifestText, 'application/json');
      await ports.artifacts.putText(bucket, csvKey, csvText, 'text/csv');
    }
    const ready: BatchReady = {
      kind: 'batch-ready',
      contract: BILLING_CONTRACT,
      agencyId,
      batchId,
      payerType: manifest.payerType,
      lineOfBusiness: manifest.lineOfBusiness,
      billType: manifest.billType,
      chartCount: members.length,
      // Claims to look at one by one: a sample HIPPS is the whole batch's matter (the manifest's flags).
      flagged: members.filter((m) => m.flags.some((f) => f !== 'hipps-from-sample-pdgm')).length,
      manifestKey,
      manifestSha256: sha256Hex(manifestText),
      csvKey,
      csvSha256: sha256Hex(csvText),
      createdAt: batch.createdAt,
    };
    // The per-chart audit (and the SLA metric) before the hand-off: all idempotent, so a takeover after a
    // crash redoes them, where recording them after the hand-off could lose them for good.
    await mapLimit(members, MEMBER_CONCURRENCY, async (m) => {
      await recordAudit(deps, {
        type: 'chart.batched',
        agencyId,
        subject: chartSubject(m.chartKey, m.version),
        actor: ACTOR,
        idempotencyKey: `batched:${batchId}`,
        detail: { batchId, claimRef: m.claimRef, sha256: m.sha256, flags: m.flags, claimKind: m.claimKind },
      });
      const { turnaround: times } = m;
      if (times?.codingSla && !times.codingSla.met) {
        await recordAudit(deps, {
          type: 'chart.coding-sla-breached',
          agencyId,
          subject: chartSubject(m.chartKey, m.version),
          actor: ACTOR,
          idempotencyKey: 'coding-sla',
          detail: { coderId: m.coderId, sla: times.codingSla, codingHours: times.codingHours },
        });
        deps.onMetric?.('CodingSlaBreached', 1);
      }
    });
    await ports.queue.send('coded-batches', [ready], agencyId);
    // When another invocation handed it off first (a takeover racing a slow holder), the batch record and
    // its audit event are that one's: what this one read can differ (a member skipped on a slow read).
    const handedOff = await ports.batches.handOff(batch, {
      manifestKey,
      chartCount: members.length,
      handedOffAt: now,
    });
    if (handedOff)
      await recordAudit(deps, {
        type: 'batch.handed-off',
        agencyId,
        subject: `batch:${batchId}`,
        actor: ACTOR,
        idempotencyKey: 'handed-off',
        detail: {
          manifestKey,
          manifestSha256: ready.manifestSha256,
          chartCount: members.length,
          flagged: ready.flagged,
        },
      });
    return skipped;
  }

  return {
    /**
     * Handles one delivered SQS batch; returns the message ids to come again: those that failed, and
     * those deferred because another live invocation holds their batch (normal contention, not alarmed).
     */
    async handle(items: { messageId: string; body: unknown }[]): Promise<HandoffOutcome> {
      const failed: string[] = [];
      const deferred: string[] = [];
      // One entry per chart version, however many of its messages came in this delivery (a stage that
      // lost a race re-sends, a reconcile re-drives): a chart is a batch's member once.
      const ready = new Map<string, { state: ChartState; messageIds: string[] }>();
      // By the batch's key (agency and id), with the messages of its charts.
      const unfinished = new Map<string, { ref: BatchRef; messageIds: string[] }>();
      await mapLimit(items, MEMBER_CONCURRENCY, async (item) => {
        // A body that is no chart message, or names a chart the table does not hold, fails (then the DLQ).
        try {
          const state = await makeReady(ChartMessage.parse(item.body));
          if (state.status === 'READY_FOR_BILLING') {
            const key = `${state.chartKey}:${state.version}`;
            const entry = ready.get(key) ?? { state, messageIds: [] };
            entry.messageIds.push(item.messageId);
            ready.set(key, entry);
          } else {
            // Batched by a delivery that may have crashed: its batch is finished below. A chart on hold or
            // further on names no batch, or one no longer in progress, which the claim below leaves be.
            // Stryker disable next-line StringLiteral: a chart without a batchId names no batch, so none is found whatever the key
            const ref = { agencyId: state.agencyId, batchId: state.batchId ?? '' };
            const key = `${ref.agencyId}#${ref.batchId}`;
            const entry = unfinished.get(key) ?? { ref, messageIds: [] };
            entry.messageIds.push(item.messageId);
            unfinished.set(key, entry);
          }
        } catch {
          failed.push(item.messageId);
        }
      });

      // A batch whose holder crashed mid-way: take it over once its claim has lapsed.
      for (const { ref, messageIds } of unfinished.values()) {
        const batch = await ports.batches.get(ref);
        // A batch that moved on fails the claim, which then reports it done.
        if (batch && !(await claimAndFinish(batch)).done) deferred.push(...messageIds);
      }

      for (const group of groupReady([...ready.values()], deps.config.billing.maxBatchSize)) {
        const sorted = group.entries.map((e) => e.state); // in chart order (groupReady)
        const day = deps.clock.now().toISOString().slice(0, 10).replaceAll('-', '');
        // A chart back from a rejected batch carries its rejection time: its next batch is a new one.
        const members = sorted
          .map((s) => `${s.chartKey}:${s.version}:${s.billingRejection?.at ?? ''}`)
          .join('|');
        let batchId = `b${day}-${sha256Hex(`${group.key}|${members}`).slice(0, 12)}`;
        let existing = await ports.batches.get({ agencyId: group.agencyId, batchId });
        if (existing && !inProgress(existing.status)) {
          // These ready charts once made a batch that has moved on (an empty one, say): they make a new one.
          batchId = `b${day}-${sha256Hex(`${group.key}|${members}|${deps.clock.now().toISOString()}`).slice(0, 12)}`;
          existing = await ports.batches.get({ agencyId: group.agencyId, batchId });
        }
        const batch: Batch = existing ?? {
          batchId,
          agencyId: group.agencyId,
          payerType: group.payerType,
          lineOfBusiness: group.lineOfBusiness,
          billType: billTypeOf(group.lineOfBusiness),
          status: 'OPEN',
          createdAt: deps.clock.now().toISOString(),
          candidates: sorted.map((s) => ({ chartKey: s.chartKey, version: s.version })),
        };
        // Written once: a batch an earlier delivery wrote stands (one that moved on then fails the claim).
        await ports.batches.create(batch);
        const { done, skipped } = await claimAndFinish(batch);
        if (!done) deferred.push(...group.entries.flatMap((e) => e.messageIds));
        // A chart left out because its file could not be read comes again (then to the DLQ, alarmed).
        else
          for (const e of group.entries)
            if (skipped.has(`${e.state.chartKey}:${e.state.version}`)) failed.push(...e.messageIds);
      }
      return { failed, deferred };
    },
  };
}

/** What a delivery left to come again: failed (counted RecordsFailed, alarmed) or deferred (RecordsDeferred). */
export interface HandoffOutcome {
  failed: string[];
  deferred: string[];
}

/** A message naming a chart version the table does not hold: it fails, comes again, then dead-letters. */
// Stryker disable next-line BlockStatement: without the throw, the undefined it returns fails the message all the same (its status read throws into handle's catch)
function unknownChart(message: ChartMessage): never {
  throw new UnknownChartError(message.chartKey, message.version);
}

/** A batch still being made or handed off: one a delivery may finish (or take over). */
function inProgress(status: Batch['status']): boolean {
  return status === 'OPEN' || status === 'HANDING_OFF';
}

/**
 * The ready charts of one delivery in batches: one group per agency, payer, line of business and bill
 * type, cut into batches of at most `max` (in chart order, so a redelivery cuts them the same way).
 */
interface ReadyGroup<E> {
  agencyId: string;
  payerType: string;
  lineOfBusiness: string;
  entries: E[];
}

export function groupReady<E extends { state: ChartState }>(
  entries: readonly E[],
  max: number,
): (ReadyGroup<E> & { key: string })[] {
  const groups = new Map<string, ReadyGroup<E>>();
  for (const e of entries) {
    const { agencyId, payerType, lineOfBusiness } = e.state;
    const key = `${agencyId}|${payerType}|${lineOfBusiness}|${billTypeOf(lineOfBusiness)}`;
    const group = groups.get(key) ?? { agencyId, payerType, lineOfBusiness, entries: [] };
    group.entries.push(e);
    groups.set(key, group);
  }
  const out: (ReadyGroup<E> & { key: string })[] = [];
  // Groups in key order (the default sort, by UTF-16 code units), so a redelivery cuts the same batches.
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key) as ReadyGroup<E>;
    const sorted = [...group.entries].sort(
      (a, b) => a.state.chartKey.localeCompare(b.state.chartKey) || a.state.version - b.state.version,
    );
    for (let i = 0; i < sorted.length; i += max)
      out.push({ ...group, key: `${key}|${i / max}`, entries: sorted.slice(i, i + max) });
  }
  return out;
}
