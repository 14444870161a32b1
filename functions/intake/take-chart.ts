import { queueOfPurpose, type ReviewQueue } from '#shared/aws/ports.ts';
import { chartKeyOf, chartSubject, memberKeyOf, sha256Hex } from '#shared/identity/identifiers.ts';
import { type ChartState, isBilled } from '#shared/model/chart-state.ts';
import { agencyTimeZone } from '#shared/model/config.ts';
import type { ChartMessage } from '#shared/model/messages.ts';
import { validateChartInput } from '#shared/rules/index.ts';
import { localDay } from '#shared/rules/queries.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { chartFileTags } from '#shared/topology.ts';

export const INTAKE_ACTOR = 'stage:intake';

/** Payers whose overpayments fall under the 60-day report-and-return rule. */
const STATUTORY_PAYERS: ReadonlySet<string> = new Set(['medicare', 'medicaid']);

/** Statuses a newer version replaces: everything before the chart is billed. */
const SUPERSEDABLE = [
  'RECEIVED',
  'VALIDATED',
  'QUERY_OPEN',
  'REJECTED',
  'SAMPLED',
  'NOT_SAMPLED',
  'QA_PASSED',
  'QA_CORRECTED',
  'READY_FOR_BILLING',
] as const;

/** One problem with one record of a dropped file: where it is and why, never the values (PHI). */
export interface IntakeIssue {
  file?: string;
  line?: number;
  /** Byte offset of the record, for JSON files whose records share a line (a minified array). */
  byte?: number;
  /** For a chart assembled from a FHIR drop: which one, e.g. "partition 0, patient 3, chart 1". */
  record?: string;
  path?: string;
  reason: string;
}

export type ChartOutcome =
  | { outcome: 'accepted' | 'superseded' | 'duplicate'; forward?: ChartMessage }
  | { outcome: 'quarantined'; issues: IntakeIssue[] };

export interface ChartSource {
  objectId: string;
  /** The agency whose prefix the file was dropped under: a chart of another agency is refused. */
  agencyId: string;
  /** Where the chart sits in the file, for reports and to recognise a retry of the same record. */
  record: string;
  at: Omit<IntakeIssue, 'reason' | 'path'>;
}

/**
 * Takes one chart in: schema check, content-addressed artifact, the version's state, newest-version
 * bookkeeping and the audit record. Every write is conditional or content-addressed, so taking the same
 * chart again (a redelivered file, a run taken over after a crash) changes nothing.
 */
export function createChartTaker(deps: StageDeps) {
  const { ports } = deps;

  /**
   * A corrected version of a billed chart: a denied one's rework item is closed by it; a paid one may
   * have been overpaid, so an overpayment item opens with its report-and-return deadline
   * (denials.overpaymentDays, 60 by default: the Medicare 60-day rule), for billing to quantify.
   */
  async function followUpBilled(older: ChartState, newerVersion: number): Promise<void> {
    const now = deps.clock.now();
    const subject = chartSubject(older.chartKey, older.version);
    // Each item is written once, by the first corrected version. A retry after a crash, or any later
    // version, finds it written already and records its audit again, under the version that wrote it: a
    // crash may have lost that audit (the audit log keeps only the first record).
    const { rework } = older;
    if (rework) {
      const closed =
        rework.closedAt !== undefined ||
        (
          await ports.charts.transition(older.chartKey, older.version, [older.status], older.status, {
            rework: { ...rework, closedAt: now.toISOString(), closedByVersion: newerVersion },
          })
        ).ok;
      if (closed)
        await recordAudit(deps, {
          type: 'rework.closed',
          agencyId: older.agencyId,
          subject,
          actor: INTAKE_ACTOR,
          idempotencyKey: 'rework-closed',
          detail: { denialId: rework.denialId, byVersion: rework.closedByVersion ?? newerVersion },
        });
    }
    // Paid and not reversed to nothing: the correction may mean money was paid that is not owed.
    const paid =
      older.status === 'PAID' || (older.status === 'ADJUSTED' && (older.remittance?.netPaid ?? 0) > 0);
    if (paid) {
      const overpayment: NonNullable<ChartState['overpayment']> = older.overpayment ?? {
        identifiedAt: now.toISOString(),
        reason: 'corrected-after-payment',
        byVersion: newerVersion,
        ...(older.remittance ? { netPaid: older.remittance.netPaid } : {}),
      };
      // The 60-day rule (report and return) is Medicare's and Medicaid's; other payers' contracts say.
      if (!older.overpayment && STATUTORY_PAYERS.has(older.payerType)) {
        const day = new Date(
          `${localDay(now.toISOString(), agencyTimeZone(deps.config, older.agencyId))}T00:00:00Z`,
        );
        day.setUTCDate(day.getUTCDate() + deps.config.denials.overpaymentDays);
        overpayment.dueBy = day.toISOString().slice(0, 10);
      }
      const { dueBy, byVersion } = overpayment;
      // Written once, whatever the status meanwhile (a late remittance may move it).
      const opened =
        older.overpayment !== undefined ||
        (await ports.charts.markOnce(older.chartKey, older.version, 'overpayment', overpayment));
      if (opened)
        await recordAudit(deps, {
          type: 'overpayment.opened',
          agencyId: older.agencyId,
          subject,
          actor: INTAKE_ACTOR,
          idempotencyKey: 'overpayment',
          detail: { ...(dueBy ? { dueBy } : {}), byVersion, claimRef: older.claimRef },
        });
    }
  }

  /**
   * Marks a version SUPERSEDED when a newer one exists and it has not been billed yet. A version already
   * BATCHED (or beyond) stays as it is: the newer version is billed as its replacement.
   */
  /**
   * A chart file written again is a new, untagged object version in the versioned bucket: one sampled for
   * review, or billed as it is, gets its tags back, or its reviewers or billing could no longer read it.
   * S3 sets tags as a whole, and billing handoff may be tagging the same file from a newer state (it
   * batches, then tags): so the state is read again after tagging, and the file tagged once more if the
   * state moved on meanwhile, never leaving a tag another stage set undone.
   */
  async function tagAgain(state: ChartState): Promise<void> {
    const access = fileAccess(state);
    if (!access.review && !access.billing) return;
    await ports.artifacts.tagObject('artifacts', state.artifactKey, chartFileTags(access));
    const now = await ports.charts.get(state.chartKey, state.version);
    const later = now && fileAccess(now);
    if (later && (later.review !== access.review || later.billing !== access.billing))
      await ports.artifacts.tagObject('artifacts', state.artifactKey, chartFileTags(later));
  }

  async function supersede(state: ChartState, newerVersion: number): Promise<void> {
    const moved = await ports.charts.transition(state.chartKey, state.version, SUPERSEDABLE, 'SUPERSEDED', {
      supersededBy: newerVersion,
    });
    const current = moved.ok ? moved.state : moved.current;
    if (current?.status !== 'SUPERSEDED') return;
    // Sampled and not yet reviewed: the newer version is the one to review, so this one leaves the board
    // (closed before qa-sampling opened it, it is never opened).
    if (current.sampling?.sampled && !current.qa)
      await ports.reviews.close(
        {
          agencyId: state.agencyId,
          // The queue its sampling named (a sampled decision always names one).
          queue: queueOfPurpose('review', current.sampling.queue as ReviewQueue | undefined),
          chartKey: state.chartKey,
          version: state.version,
          purpose: 'review',
        },
        deps.clock.now().toISOString(),
      );
    await recordAudit(deps, {
      type: 'chart.superseded',
      agencyId: state.agencyId,
      subject: chartSubject(state.chartKey, state.version),
      actor: INTAKE_ACTOR,
      idempotencyKey: 'superseded',
      detail: { newerVersion: current.supersededBy ?? newerVersion },
    });
  }

  return async function takeChart(value: unknown, source: ChartSource): Promise<ChartOutcome> {
    // The rules engine's schema findings name fields and limits, never the values, which may be PHI.
    const checked = validateChartInput(value);
    if (!checked.chart) {
      return {
        outcome: 'quarantined',
        issues: checked.findings.map((f) => ({ ...source.at, path: f.path, reason: f.message })),
      };
    }
    const chart = checked.chart;
    if (chart.agencyId !== source.agencyId) {
      return {
        outcome: 'quarantined',
        issues: [
          {
            ...source.at,
            path: 'agencyId',
            reason: `chart belongs to another agency than exports/${source.agencyId}/`,
          },
        ],
      };
    }
    // An agency the stack does not serve has no review queues, billing queue or roles here: its charts
    // could go no further than validation. (Its id was checked as the folder's: an id, never PHI.)
    if (!deps.config.agencies.some((a) => a.id === chart.agencyId)) {
      return {
        outcome: 'quarantined',
        issues: [
          {
            ...source.at,
            path: 'agencyId',
            reason: `the stack does not serve ${chart.agencyId}: add it to agencies in codetrail.config.json`,
          },
        ],
      };
    }
    const chartKey = await chartKeyOf(ports.keys, chart.agencyId, chart.chartId);
    const contentHash = sha256Hex(JSON.stringify(value));
    const now = deps.clock.now().toISOString();
    const artifactKey = `charts/${chart.agencyId}/${chartKey}/v${chart.version}-${contentHash.slice(0, 12)}.json`;
    // The artifact key holds the content hash, so writing it again (a redelivered file) changes nothing,
    // and a conflicting export of the same version lands beside the first rather than over it.
    await ports.artifacts.putJson('artifacts', artifactKey, chart);
    const state: ChartState = {
      chartKey,
      version: chart.version,
      agencyId: chart.agencyId,
      status: 'RECEIVED',
      lineOfBusiness: chart.lineOfBusiness,
      payerType: chart.payer.type,
      coderId: chart.coderId,
      contentHash,
      artifactKey,
      sourceObject: source.objectId,
      sourceRecord: source.record,
      receivedAt: now,
      updatedAt: now,
      codingCompletedAt: chart.codingCompletedAt,
      // Left out when the export has none: the chart stores keep no undefined field.
      documentationLockedAt: chart.documentationLockedAt,
    };
    const { created, state: stored } = await ports.charts.create(state);
    if (!created && stored.contentHash !== contentHash) {
      return {
        outcome: 'quarantined',
        issues: [
          {
            ...source.at,
            path: 'version',
            reason: `version ${chart.version} was already received with other content`,
          },
        ],
      };
    }
    if (!created) await tagAgain(stored);
    // The patient's member id (the Medicare beneficiary id), as its keyed HMAC, with the period: an audit
    // request that brings the MBI and dates of service finds this version. Written on a retry too.
    if (chart.payer.memberId)
      await ports.members.add({
        agencyId: chart.agencyId,
        memberKey: await memberKeyOf(ports.keys, chart.agencyId, chart.payer.memberId),
        chartKey,
        version: chart.version,
        periodFrom: chart.period.from,
        periodThrough: chart.period.through,
      });
    // The same record of the same file, taken again after a crash or a takeover, counts as it did the
    // first time; the same chart from another drop is a duplicate.
    const ours =
      created || (stored.sourceObject === source.objectId && stored.sourceRecord === source.record);
    const latest = await ports.charts.advanceLatest(chartKey, chart.version);
    if (latest > chart.version) {
      await supersede(stored, latest);
      return { outcome: ours ? 'superseded' : 'duplicate' };
    }
    // The receipt audit is recorded on a redelivery too: the first delivery may have died before it.
    await recordAudit(deps, {
      type: 'chart.received',
      agencyId: chart.agencyId,
      subject: chartSubject(chartKey, chart.version),
      actor: INTAKE_ACTOR,
      idempotencyKey: 'received',
      detail: { objectId: source.objectId, coderId: chart.coderId, contentHash },
    });
    // A newer export replaces the older versions still on their way: they must not be billed too. One
    // already billed stays billed: this version will be billed as its replacement (a void/replace item).
    for (const older of await ports.charts.versions(chartKey)) {
      if (older.version >= chart.version) continue;
      if (!isBilled(older)) {
        await supersede(older, chart.version);
        continue;
      }
      await recordAudit(deps, {
        type: 'chart.void-replace-opened',
        agencyId: chart.agencyId,
        subject: chartSubject(chartKey, chart.version),
        actor: INTAKE_ACTOR,
        idempotencyKey: `void-replace:${older.version}`,
        detail: {
          replacesVersion: older.version,
          replacesClaimRef: older.claimRef,
          batchId: older.batchId,
          status: older.status,
        },
      });
      await followUpBilled(older, chart.version);
    }
    // A chart still RECEIVED is forwarded again: an earlier delivery may have died before sending.
    // Validation treats a second message for the same version as a no-op.
    const forward: ChartMessage | undefined =
      stored.status === 'RECEIVED'
        ? { kind: 'chart', agencyId: chart.agencyId, chartKey, version: chart.version }
        : undefined;
    return { outcome: ours ? 'accepted' : 'duplicate', ...(forward ? { forward } : {}) };
  };
}

export type ChartTaker = ReturnType<typeof createChartTaker>;

/**
 * Who may read a chart's original file: reviewers once it was sampled; billing once a batch bills it as
 * it is (a QA-corrected chart is billed from its corrected file, which billing handoff tags).
 */
function fileAccess(state: ChartState): { review: boolean; billing: boolean } {
  return {
    review: state.sampling?.sampled === true,
    billing: state.batchId !== undefined && state.qa?.correctedArtifactKey === undefined,
  };
}
