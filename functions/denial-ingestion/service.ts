import type { SourceObject } from '#shared/aws/ports.ts';
import type { CarcTable } from '#shared/data/carc.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import { createdObjects } from '#shared/formats/s3-event.ts';
import { chartKeyOf, chartSubject, objectIdOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { DenialRecord } from '#shared/model/chart-state.ts';
import { DenialEntry, DenialFile } from '#shared/model/denial.ts';
import type { S3EventMessage } from '#shared/model/messages.ts';
import type { DenialMark } from '#shared/model/qa.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { claimObject } from '#shared/runtime/claim-object.ts';
import { quarantine } from '#shared/runtime/quarantine.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

const ACTOR = 'stage:denial-ingestion';

export interface DenialIssue {
  entry: number;
  path?: string;
  reason: string;
}

/**
 * Denial ingestion: reads a remittance file dropped under remittances/<agency>/ and moves each denied,
 * batched chart version to DENIED with its reason codes, so the denial traces back to the chart, its
 * coder and its batch. Entries that match nothing, or are malformed, are reported; the rest go on.
 * (X12 835 remittances arrive with a later issue; this reads the simple JSON denial file.)
 */
export function createDenialIngestionService(
  deps: StageDeps & { carc?: (date: string) => CarcTable | undefined },
) {
  const { ports } = deps;
  const carcFor = deps.carc ?? ((date: string) => loadCodeTables().carcFor(date)?.table);

  /** The reason codes (group-reason, e.g. CO-16) whose CARC counts against the coder (coder feedback yes). */
  function codingReasons(reasonCodes: readonly string[], date: string): string[] {
    const table = carcFor(date.slice(0, 10));
    return reasonCodes.filter(
      (code) => table?.lookup(code.split('-').pop() ?? code)?.coderFeedback === 'yes',
    );
  }

  async function applyEntry(
    entry: DenialEntry,
    index: number,
    agencyId: string,
    source: SourceObject,
    issues: DenialIssue[],
  ): Promise<'denied' | 'duplicate' | 'unmatched'> {
    if (!entry.chartId) {
      issues.push({
        entry: index,
        path: 'claimRef',
        reason: 'matching by claimRef alone arrives with X12 835 ingestion; give the chartId',
      });
      return 'unmatched';
    }
    const chartKey = await chartKeyOf(ports.keys, agencyId, entry.chartId);
    const denialId = sha256Hex(`${source.key}|${source.etag}|${index}`).slice(0, 16);
    const versions = await ports.charts.versions(chartKey);
    if (versions.length === 0) {
      issues.push({ entry: index, path: 'chartId', reason: 'no chart with this id has been received' });
      return 'unmatched';
    }
    // The denied claim is the billed version: the one named, else the newest one billed. A later
    // re-export (not billed) must not hide it.
    const already = versions.find((v) => v.status === 'DENIED' && v.denial?.denialId === denialId);
    const state =
      already ?? versions.find((v) => (entry.version ? v.version === entry.version : v.status === 'BATCHED'));
    if (!state) {
      issues.push({
        entry: index,
        path: entry.version ? 'version' : 'chartId',
        reason: entry.version
          ? `version ${entry.version} has not been received`
          : 'no version of this chart has been billed',
      });
      return 'unmatched';
    }
    const version = state.version;
    const denial: DenialRecord = {
      denialId,
      reasonCodes: entry.reasonCodes,
      remarkCodes: entry.remarkCodes,
      receivedAt: deps.clock.now().toISOString(),
      sourceObject: objectIdOf(source.bucket, source.key, source.etag),
    };
    if (entry.deniedAmount !== undefined) denial.deniedAmount = entry.deniedAmount;
    let recorded = already?.denial;
    if (!already) {
      const moved = await ports.charts.transition(chartKey, version, ['BATCHED'], 'DENIED', { denial });
      const current = moved.ok ? moved.state : moved.current;
      if (current?.status !== 'DENIED' || current.denial?.denialId !== denialId) {
        issues.push({
          entry: index,
          path: 'chartId',
          reason: `chart version ${version} is ${current?.status}, not billed`,
        });
        return 'unmatched';
      }
      recorded = current.denial;
    }
    // A coding-related denial counts against the coder (and the principal's category) in the coder
    // ledger: the sampling risk factors read it. Written once, dated as the stored denial.
    const coding = codingReasons(entry.reasonCodes, recorded?.receivedAt ?? denial.receivedAt);
    if (coding.length > 0) {
      const mark: DenialMark = {
        kind: 'denial',
        agencyId,
        coderId: state.coderId,
        chartKey,
        version,
        deniedAt: recorded?.receivedAt ?? denial.receivedAt,
        reasonCodes: coding,
      };
      // A chart QA corrected was billed with the reviewer's codes: the denial's category is that of the
      // billed principal, and it is marked so it does not count against the coder's own record.
      const billedPrincipal = state.qa?.correctedArtifactKey
        ? state.qa.correctedDiagnoses?.find((d) => d.sequence === 1)?.code
        : undefined;
      const category = billedPrincipal
        ? normaliseIcd10Code(billedPrincipal).slice(0, 3)
        : state.principalCategory;
      if (category) mark.category = category;
      if (state.qa?.correctedArtifactKey) mark.qaCorrected = true;
      await ports.coders.record(mark);
    }
    await recordAudit(deps, {
      type: 'chart.denied',
      agencyId,
      subject: chartSubject(chartKey, version),
      actor: ACTOR,
      idempotencyKey: `denied:${denialId}`,
      detail: {
        denialId,
        reasonCodes: entry.reasonCodes,
        remarkCodes: entry.remarkCodes,
        coderId: state.coderId,
        batchId: state.batchId,
      },
    });
    // The audit above is recorded on a redelivery too (a crash may have come between the two writes).
    return already ? 'duplicate' : 'denied';
  }

  async function takeObject(source: SourceObject): Promise<void> {
    const { objectId, agencyId: keyAgency, done } = await claimObject(deps, source, 'denial-ingestion');
    if (done) return;

    const issues: DenialIssue[] = [];
    const counts = { entries: 0, denied: 0, duplicates: 0, unmatched: 0, invalid: 0 };
    const text = await ports.artifacts.getObjectText(source.bucket, source.key, source.versionId);
    let file: DenialFile | undefined;
    try {
      const parsed = DenialFile.safeParse(JSON.parse(text));
      if (parsed.success) file = parsed.data;
      else
        for (const i of parsed.error.issues)
          issues.push({ entry: 0, path: i.path.join('.'), reason: i.message });
    } catch {
      issues.push({
        entry: 0,
        reason: 'file is not valid JSON (X12 835 ingestion arrives with a later issue)',
      });
    }
    if (file && file.agencyId !== keyAgency) {
      issues.push({
        entry: 0,
        path: 'agencyId',
        reason: `file names another agency than remittances/${keyAgency}/`,
      });
      file = undefined;
    }

    for (const [i, raw] of (file?.denials ?? []).entries()) {
      counts.entries++;
      const entry = DenialEntry.safeParse(raw);
      if (!entry.success) {
        counts.invalid++;
        for (const issue of entry.error.issues)
          issues.push({ entry: i + 1, path: issue.path.join('.'), reason: issue.message });
        continue;
      }
      const outcome = await applyEntry(entry.data, i + 1, keyAgency, source, issues);
      if (outcome === 'denied') counts.denied++;
      else if (outcome === 'duplicate') counts.duplicates++;
      else counts.unmatched++;
    }

    const reportKey =
      issues.length > 0
        ? await quarantine(deps, {
            bucket: 'denials',
            source,
            objectId,
            agencyId: keyAgency,
            issues,
            auditType: 'remittance.issues-reported',
            actor: ACTOR,
          })
        : undefined;
    await ports.ledger.finish(objectId, counts, deps.clock.now().toISOString());
    await recordAudit(deps, {
      type: 'remittance.received',
      agencyId: keyAgency,
      subject: `object:${objectId}`,
      actor: ACTOR,
      idempotencyKey: 'received',
      detail: { ...counts, sha256: sha256Hex(text), ...(reportKey ? { report: reportKey } : {}) },
    });
  }

  return {
    async handle(event: S3EventMessage): Promise<void> {
      for (const source of createdObjects(event, 'remittances/')) await takeObject(source);
    },
  };
}
