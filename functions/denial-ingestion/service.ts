import type { SourceObject } from '#shared/aws/ports.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import type { ReasonTables } from '#shared/denials/classify.ts';
import { createdObjects } from '#shared/formats/s3-event.ts';
import { objectIdOf, recordedSource, sha256Hex } from '#shared/identity/identifiers.ts';
import type { S3EventMessage } from '#shared/model/messages.ts';
import type { RemittancePayment } from '#shared/model/remittance.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { claimObject } from '#shared/runtime/claim-object.ts';
import { hashObject, readObject } from '#shared/runtime/hash-object.ts';
import { keyedSerial } from '#shared/runtime/keyed-serial.ts';
import { MAX_REPORTED_ISSUES, quarantine } from '#shared/runtime/quarantine.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import {
  type ApplyResult,
  type ClaimToApply,
  createClaimApplier,
  type Resolution,
  type UnmatchedClaim,
} from './apply-claim.ts';
import { takeClaimMapping } from './claim-mapping.ts';
import {
  type FileEvent,
  formatOf,
  type RemittanceFormat,
  type RemittanceIssue,
  read835File,
  readCsvFile,
  readJsonFile,
} from './remittance-files.ts';

const ACTOR = 'stage:denial-ingestion';
const STAGE = 'denial-ingestion';
/** Claims applied at once; one claim's answers (a reversal, then its correction) in file order. */
const CLAIM_CONCURRENCY = 8;
/** An 835 up to this size is read once, as text; a larger one is streamed (twice: hashed, then read). */
const READ_WHOLE_BYTES = 16 * 1024 * 1024;

export type { RemittanceIssue } from './remittance-files.ts';

/**
 * Denial ingestion: reads a remittance dropped under remittances/<agency>/ (an X12 835, streamed; a CSV
 * denial export; the simple JSON denial file; or a billing mapping file under mappings/) and applies
 * each claim to the chart version its claimRef names: PAID, DENIED (traced to coder, category, rule,
 * with rework and coder feedback when it is a coding or documentation matter) or ADJUSTED (a
 * reversal). Claims that match nothing go to the file's exception report; bad records are reported;
 * the rest go on. Each payer answer is recorded once, so the same file dropped twice counts once.
 */
export function createDenialIngestionService(deps: StageDeps & { tables?: (date: string) => ReasonTables }) {
  const { ports } = deps;
  const tablesFor =
    deps.tables ??
    ((date: string): ReasonTables => {
      const tables = loadCodeTables();
      // An undated answer asks by the instant its file was first taken in: the tables of that day.
      const day = date.slice(0, 10);
      return {
        carcFamilies: deps.config.denials.carcFamilies,
        rarcFamilies: deps.config.denials.rarcFamilies,
        carc: tables.carcFor(day)?.table,
        rarc: tables.rarcFor(day)?.table,
      };
    });

  async function applyAll(
    events: AsyncIterable<FileEvent> | Iterable<FileEvent>,
    applier: ReturnType<typeof createClaimApplier>,
  ) {
    const counts = {
      claims: 0,
      paid: 0,
      denied: 0,
      codingDenied: 0,
      reversed: 0,
      informational: 0,
      duplicates: 0,
      unmatched: 0,
      issues: 0,
    };
    const issues: RemittanceIssue[] = [];
    const unmatched: UnmatchedClaim[] = [];
    const payers = new Set<string>();
    const unknownCodes = new Set<string>();
    const note = (issue: RemittanceIssue) => {
      counts.issues++;
      keepFirst(issues, issue);
    };
    const noteUnmatched = (u: UnmatchedClaim) => {
      counts.unmatched++;
      keepFirst(unmatched, u);
    };
    const runner = keyedSerial(CLAIM_CONCURRENCY);
    const pending: { item: ClaimToApply; resolution: Promise<Resolution> }[] = [];
    /** Waits for the oldest pending lookup and applies its claim (or notes it unmatched); false when none is pending. */
    const handOn = async (): Promise<boolean> => {
      const next = pending.shift();
      if (!next) return false;
      const resolution = await next.resolution;
      if ('unmatched' in resolution) {
        noteUnmatched(resolution.unmatched);
        return true;
      }
      const { item } = next;
      const { target, claimRef } = resolution;
      await runner.submit(`${target.chartKey}:${target.version}`, async () => {
        const result: ApplyResult = await applier.apply(item, target, claimRef);
        for (const code of result.unknownCodes) unknownCodes.add(code);
        if (result.outcome === 'unmatched') noteUnmatched(result.unmatched);
        else if (result.outcome === 'duplicate') counts.duplicates++;
        else {
          // paid, denied, reversed or informational: each its own count.
          counts[result.outcome]++;
          // Only a denial is ever coder-related (apply-claim sets it from the denied disposition).
          if (result.coderRelated) counts.codingDenied++;
        }
      });
      return true;
    };
    try {
      for await (const e of events) {
        switch (e.kind) {
          case 'issue':
            note(e.issue);
            break;
          case 'payment':
            rememberPayer(payers, e.payment);
            break;
          case 'claim': {
            counts.claims++;
            // Matched a few at a time (reads only), handed on in file order: one chart is one key, so its
            // answers are applied in the order the file gives them, whichever way CLP01 named it.
            const resolution = applier.resolve(e.item);
            // Handled here until handOn awaits it: a lookup failing meanwhile must fail the file (which is
            // retried), not crash the process as an unhandled rejection.
            resolution.catch(() => {});
            pending.push({ item: e.item, resolution });
            if (pending.length >= CLAIM_CONCURRENCY) await handOn();
          }
        }
      }
      // The rest, in file order.
      while (await handOn());
      await runner.drain();
    } catch (error) {
      // Nothing is left writing once the delivery has failed: the lookups settle, the applies finish.
      await Promise.allSettled(pending.map((p) => p.resolution));
      await runner.drain().catch(() => {});
      throw error;
    }
    return { counts, issues, unmatched, payers: [...payers], unknownCodes: [...unknownCodes].sort() };
  }

  async function takeObject(source: SourceObject): Promise<void> {
    const claim = await claimObject(deps, source, STAGE);
    if (claim.done) return;
    const { objectId, agencyId } = claim;
    const format = formatOf(source.key);

    if (/^remittances\/[^/]+\/mappings\//.test(source.key)) {
      const text = await ports.artifacts.getObjectText(source.bucket, source.key, source.versionId);
      const { mapped, issues } = await takeClaimMapping(deps, text, agencyId);
      // After the entries are written: a remittance first taken in before this time is read again.
      if (mapped > 0) await ports.remittances.noteMappingChange(agencyId, deps.clock.now().toISOString());
      const report =
        issues.length > 0
          ? await report_(source, objectId, agencyId, issues, [], { issues: issues.length, unmatched: 0 })
          : undefined;
      // The audit event before DONE: a crash between the two redoes both, never loses the event.
      await recordAudit(deps, {
        type: 'claim-mapping.received',
        agencyId,
        subject: `object:${objectId}`,
        actor: ACTOR,
        idempotencyKey: 'received',
        detail: { mapped, issues: issues.length, sha256: sha256Hex(text), ...(report ? { report } : {}) },
      });
      await ports.ledger.finish(objectId, { mapped, issues: issues.length }, deps.clock.now().toISOString());
      return;
    }

    // The content first: the same bytes already taken in under another key are a duplicate file,
    // recorded and skipped (every answer in it is written once anyway; this saves applying them again).
    const { sha256, events } = await readContent(source, format, agencyId);
    // This read's start: every claim lookup below comes after it.
    const readAt = deps.clock.now().toISOString();
    const content = await claimContent(source, agencyId, sha256);
    if (content.duplicateOf) {
      await recordAudit(deps, {
        type: 'remittance.duplicate-file',
        agencyId,
        subject: `object:${objectId}`,
        actor: ACTOR,
        idempotencyKey: 'duplicate-file',
        detail: { duplicateOf: content.duplicateOf, sha256 },
      });
      await ports.ledger.finish(objectId, { duplicateFile: 1 }, deps.clock.now().toISOString());
      return;
    }

    // When these bytes were first taken in, under any key, the same on every retry and every resent
    // copy: undated answers sort by it.
    const applier = createClaimApplier(deps, { agencyId, objectId, fileAt: content.firstAt, tablesFor });
    const { counts, issues, unmatched, payers, unknownCodes } = await applyAll(events, applier);
    // Kept with the content: a copy dropped again after a mapping file arrived is read again.
    await ports.ledger.finish(
      content.contentId,
      { unmatched: counts.unmatched, readAtMs: Date.parse(readAt) },
      deps.clock.now().toISOString(),
    );

    const report =
      issues.length > 0 || unmatched.length > 0
        ? await report_(source, objectId, agencyId, issues, unmatched, counts)
        : undefined;
    await recordAudit(deps, {
      type: 'remittance.received',
      agencyId,
      subject: `object:${objectId}`,
      actor: ACTOR,
      idempotencyKey: 'received',
      detail: {
        format,
        ...counts,
        payers,
        // Reason and remark codes the tables do not know (classified other): codes, never PHI.
        ...(unknownCodes.length > 0 ? { unknownCodes } : {}),
        sha256,
        ...(report ? { report } : {}),
      },
    });
    // After the audit event: a crash between the two redoes both, never loses the event.
    await ports.ledger.finish(objectId, counts, deps.clock.now().toISOString());
  }

  /**
   * Claims the file's content (its SHA-256) in the object ledger. The same bytes taken in completely
   * under another key make this a duplicate file, unless the first copy left claims unmatched and a
   * billing mapping file has come since it started (they may match now). A first copy still under way
   * elsewhere (or one that died) does not either: this one goes on, and applies nothing twice.
   */
  async function claimContent(
    source: SourceObject,
    agencyId: string,
    sha256: string,
  ): Promise<{ contentId: string; firstAt: string; duplicateOf?: string }> {
    const contentId = `rc${sha256.slice(0, 30)}`;
    const startedAt = deps.clock.now().toISOString();
    // Claimed now, or the entry of the copy that claimed these bytes first.
    const { existing: first } = await ports.ledger.begin({
      objectId: contentId,
      status: 'PROCESSING',
      stage: `${STAGE}:content`,
      source: recordedSource(source),
      startedAt,
    });
    const firstAt = first?.startedAt ?? startedAt;
    if (first?.status !== 'DONE') return { contentId, firstAt };
    // Counts without `unmatched` (a copy finished before they were kept): read again, to be safe.
    const counts = first.counts ?? {};
    if ((counts.unmatched ?? 1) > 0) {
      // Compared with the start of the last complete read: its lookups came after that.
      const readAt = counts.readAtMs ?? 0;
      const mappedAt = await ports.remittances.mappingChangedAt(agencyId);
      if (mappedAt && Date.parse(mappedAt) >= readAt) return { contentId, firstAt };
    }
    const same = first.source.objectId === objectIdOf(source.bucket, source.key, source.etag);
    return same ? { contentId, firstAt } : { contentId, firstAt, duplicateOf: first.source.objectId };
  }

  /**
   * The file's content (its SHA-256) and its events (read as they are iterated). An 835 is hashed as its
   * bytes: one that fits in memory is read once, its S3 chunks kept and parsed one by one as if
   * streamed; a larger one (or one of unknown size) is hashed, then streamed again.
   */
  async function readContent(
    source: SourceObject,
    format: RemittanceFormat,
    agencyId: string,
  ): Promise<{ sha256: string; events: AsyncIterable<FileEvent> | Iterable<FileEvent> }> {
    if (format !== 'x12-835') {
      const text = await ports.artifacts.getObjectText(source.bucket, source.key, source.versionId);
      return {
        sha256: sha256Hex(text),
        events: format === 'csv' ? readCsvFile(text) : readJsonFile(deps, text, agencyId),
      };
    }
    if (source.size === undefined || source.size > READ_WHOLE_BYTES) {
      const { sha256 } = await hashObject(ports, source);
      return { sha256, events: read835File(deps, source) };
    }
    const { sha256, chunks } = await readObject(ports, source);
    return { sha256, events: read835File(deps, source, chunks) };
  }

  function report_(
    source: SourceObject,
    objectId: string,
    agencyId: string,
    issues: RemittanceIssue[],
    unmatched: UnmatchedClaim[],
    /** All of them: the lists hold the first MAX_REPORTED_ISSUES of each. */
    counts: { issues: number; unmatched: number },
  ): Promise<string> {
    // The exception report: unmatched claims for billing to resolve (CLP01 and amounts: it sits with the
    // file itself in the denials bucket), and the records that could not be read.
    return quarantine(deps, {
      bucket: 'denials',
      source,
      objectId,
      agencyId,
      issues: [...issues, ...unmatched.map((u) => ({ ...u, kind: 'unmatched-claim' }))],
      issueCount: counts.issues + counts.unmatched,
      auditType: 'remittance.issues-reported',
      actor: ACTOR,
      detail: { unmatched: counts.unmatched },
    });
  }

  return {
    async handle(event: S3EventMessage): Promise<void> {
      for (const source of createdObjects(event, 'remittances/')) await takeObject(source);
    },
  };
}

/**
 * Adds `item` while `list` holds fewer than MAX_REPORTED_ISSUES, the most a report lists: a file with
 * any number of bad records or unmatched claims keeps only these in memory.
 */
export function keepFirst<T>(list: T[], item: T): void {
  if (list.length < MAX_REPORTED_ISSUES) list.push(item);
}

function rememberPayer(payers: Set<string>, payment: RemittancePayment): void {
  const payer = payment.payerId ?? payment.payerName;
  if (payer) payers.add(payer);
}
