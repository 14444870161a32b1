import { basename } from 'node:path';
import type { SourceObject } from '#shared/aws/ports.ts';
import { type CanonicalEntry, readCanonical } from '#shared/formats/canonical-reader.ts';
import { createdObjects } from '#shared/formats/s3-event.ts';
import { chartKeyOf, chartSubject, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { ChartMessage, S3EventMessage } from '#shared/model/messages.ts';
import { validateChartInput } from '#shared/rules/index.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { claimObject } from '#shared/runtime/claim-object.ts';
import { quarantine } from '#shared/runtime/quarantine.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

const ACTOR = 'stage:intake';
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

export interface IntakeIssue {
  line: number;
  path?: string;
  reason: string;
}

export interface IntakeCounts {
  read: number;
  accepted: number;
  quarantined: number;
  superseded: number;
  duplicates: number;
}

export interface IntakeReceipt {
  schemaVersion: 1;
  objectId: string;
  source: SourceObject;
  agencyId: string;
  sha256: string;
  bytes: number;
  receivedAt: string;
  counts: IntakeCounts;
  quarantineReport?: string;
}

type Outcome = 'accepted' | 'duplicate' | 'superseded' | 'conflict';

/**
 * Intake: takes an EMR export dropped under exports/<agency>/, stores each chart version as an artifact
 * with its state, and hands it to validation. A broken line or chart goes to quarantine with a report;
 * the rest of the file goes on. The same object delivered twice creates nothing new.
 */
export function createIntakeService(deps: StageDeps) {
  const { ports } = deps;

  /**
   * Marks a version SUPERSEDED when a newer one exists and it has not been billed yet. A version already
   * BATCHED (or beyond) stays as it is: correcting a billed claim is a void/replace, a later issue.
   */
  async function supersede(state: ChartState, newerVersion: number): Promise<void> {
    const moved = await ports.charts.transition(state.chartKey, state.version, SUPERSEDABLE, 'SUPERSEDED', {
      supersededBy: newerVersion,
    });
    const current = moved.ok ? moved.state : moved.current;
    if (current?.status !== 'SUPERSEDED') return;
    await recordAudit(deps, {
      type: 'chart.superseded',
      agencyId: state.agencyId,
      subject: chartSubject(state.chartKey, state.version),
      actor: ACTOR,
      idempotencyKey: 'superseded',
      detail: { newerVersion: current.supersededBy ?? newerVersion },
    });
  }

  async function takeChart(
    value: unknown,
    line: number,
    objectId: string,
    fileAgency: string,
    issues: IntakeIssue[],
    forward: ChartMessage[],
  ): Promise<Outcome | 'quarantined'> {
    // The rules engine's schema findings name fields and limits, never the values, which may be PHI.
    const checked = validateChartInput(value);
    if (!checked.chart) {
      for (const f of checked.findings) issues.push({ line, path: f.path, reason: f.message });
      return 'quarantined';
    }
    const chart = checked.chart;
    if (chart.agencyId !== fileAgency) {
      issues.push({
        line,
        path: 'agencyId',
        reason: `chart belongs to another agency than exports/${fileAgency}/`,
      });
      return 'quarantined';
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
      sourceObject: objectId,
      receivedAt: now,
      updatedAt: now,
      codingCompletedAt: chart.codingCompletedAt,
    };
    if (chart.documentationLockedAt) state.documentationLockedAt = chart.documentationLockedAt;
    const { created, state: stored } = await ports.charts.create(state);
    if (!created && stored.contentHash !== contentHash) {
      issues.push({
        line,
        path: 'version',
        reason: `version ${chart.version} was already received with other content`,
      });
      return 'conflict';
    }
    const latest = await ports.charts.advanceLatest(chartKey, chart.version);
    const subject = chartSubject(chartKey, chart.version);
    if (latest > chart.version) {
      await supersede(stored, latest);
      return created ? 'superseded' : 'duplicate';
    }
    // The receipt audit is recorded on a redelivery too: the first delivery may have died before it.
    await recordAudit(deps, {
      type: 'chart.received',
      agencyId: chart.agencyId,
      subject,
      actor: ACTOR,
      idempotencyKey: 'received',
      detail: {
        objectId,
        coderId: chart.coderId,
        contentHash,
      },
    });
    // A newer export replaces the older versions still on their way: they must not be billed too.
    for (const older of await ports.charts.versions(chartKey)) {
      if (older.version < chart.version) await supersede(older, chart.version);
    }
    // A redelivered file re-forwards charts still RECEIVED: the first delivery may have died before
    // sending. Validation treats a second message for the same version as a no-op.
    if (stored.status === 'RECEIVED')
      forward.push({ kind: 'chart', agencyId: chart.agencyId, chartKey, version: chart.version });
    return created ? 'accepted' : 'duplicate';
  }

  async function takeObject(source: SourceObject): Promise<void> {
    const { objectId, agencyId, startedAt: now, done } = await claimObject(deps, source, 'intake');
    if (done) return;

    const text = await ports.artifacts.getObjectText(source.bucket, source.key, source.versionId);
    const issues: IntakeIssue[] = [];
    const counts: IntakeCounts = { read: 0, accepted: 0, quarantined: 0, superseded: 0, duplicates: 0 };
    const forward: ChartMessage[] = [];
    const entries: CanonicalEntry[] =
      agencyId === 'unknown'
        ? [{ line: 0, error: 'object is not under exports/<agency>/' }]
        : readCanonical(text, basename(source.key));

    for (const entry of entries) {
      if ('error' in entry) {
        issues.push({ line: entry.line, reason: entry.error });
        counts.quarantined++;
        continue;
      }
      counts.read++;
      const outcome = await takeChart(entry.value, entry.line, objectId, agencyId, issues, forward);
      if (outcome === 'accepted') counts.accepted++;
      else if (outcome === 'duplicate') counts.duplicates++;
      else if (outcome === 'superseded') counts.superseded++;
      else counts.quarantined++;
    }

    await ports.queue.send('validate', forward);

    let quarantineReport: string | undefined;
    if (issues.length > 0) {
      quarantineReport = await quarantine(deps, {
        bucket: 'intake',
        source,
        objectId,
        agencyId,
        issues,
        auditType: 'object.quarantined',
        actor: ACTOR,
        detail: { quarantinedEntries: counts.quarantined },
      });
    }

    const receipt: IntakeReceipt = {
      schemaVersion: 1,
      objectId,
      source,
      agencyId,
      sha256: sha256Hex(text),
      bytes: Buffer.byteLength(text),
      receivedAt: now,
      counts,
    };
    if (quarantineReport) receipt.quarantineReport = quarantineReport;
    const receiptKey = `receipts/${agencyId}/${objectId}.json`;
    await ports.artifacts.putJson('artifacts', receiptKey, receipt);
    await ports.artifacts.putJson('audit', receiptKey, receipt);
    await ports.ledger.finish(objectId, { ...counts }, deps.clock.now().toISOString());
    await recordAudit(deps, {
      type: 'object.received',
      agencyId,
      subject: `object:${objectId}`,
      actor: ACTOR,
      idempotencyKey: 'received',
      detail: { receipt: receiptKey, ...counts },
    });
  }

  return {
    /** Handles one S3 event notification message (it may carry several records). */
    async handle(event: S3EventMessage): Promise<void> {
      for (const source of createdObjects(event, 'exports/')) await takeObject(source);
    },
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
