import type { LedgerEntry, RecordedSource, SourceObject } from '#shared/aws/ports.ts';
import { agencyFromKey, recordedSource } from '#shared/identity/identifiers.ts';
import type { IntakeContinuation } from '#shared/model/messages.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { PhiFreeError, RetryLater } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { stage } from '#shared/topology.ts';
import { loadSourceKeys, type SourceKeys, saveSourceKeys } from './source-keys.ts';
import { INTAKE_ACTOR } from './take-chart.ts';

/** What intake knows of the Lambda invocation it runs in. */
export interface Invocation {
  remainingMs(): number;
}

/** The object is another live run's: this message is retried, not dropped. Names the object id only. */
export class ObjectHeld extends RetryLater {
  override name = 'ObjectHeld';
}

/** Thrown when another run took the object over meanwhile: this run stops, the other one goes on. */
export class ObjectTakenOver extends PhiFreeError {
  override name = 'ObjectTakenOver';
}

/**
 * One run (segment) of intake over one object, holding the object's lease in the ledger. A run saves its
 * checkpoint now and then (so a crash loses little) and, when Lambda time runs short, saves it, lets go
 * of the lease and sends itself a continuation message: a file of any size finishes, a run at a time.
 */
export interface ObjectRun {
  objectId: string;
  agencyId: string;
  /** The object, key included, to read it: never recorded as it is (see `recorded`). */
  source: SourceObject;
  /** The object as the ledger, receipt and reports record it: without its key. */
  recorded: RecordedSource;
  /** 0 for the first run; the receipt counts runs as segment + 1. */
  segment: number;
  startedAt: string;
  /** Where the previous run stopped; undefined on the first. */
  checkpoint: Record<string, unknown> | undefined;
  /** True when this run should stop and continue in a new message. */
  shouldPause(): boolean;
  /** True when it is time to save progress (every checkpointEverySeconds). */
  progressDue(): boolean;
  /**
   * Saves progress, keeping the lease; throws ObjectTakenOver when the object is no longer this run's.
   * Everything before the checkpoint must be durable first (messages for validation sent).
   */
  saveProgress(checkpoint: Record<string, unknown>): Promise<void>;
  /** After a failure: lets the lease go at the last saved checkpoint, so the retried message resumes at once. */
  release(): Promise<void>;
  /** Saves the checkpoint, lets the lease go and asks for the next run (saving the key for it first). */
  continueLater(checkpoint: Record<string, unknown>): Promise<void>;
  /** Keeps the object's key (and a FHIR drop's file keys) for the runs that continue it. */
  saveKeys(keys: SourceKeys): Promise<void>;
  /** The keys an earlier run of this object saved. */
  savedKeys(): Promise<SourceKeys>;
}

/**
 * Starts a run for an S3 event (a new object) or a continuation. Returns undefined when there is nothing
 * to do (the object is done; a duplicate delivery is audited). Throws ObjectHeld when another live run
 * holds it or has just taken it over: the message comes again after its visibility timeout.
 */
export async function startObjectRun(
  deps: StageDeps,
  message: { source: SourceObject } | IntakeContinuation,
  invocation: Invocation,
): Promise<ObjectRun | undefined> {
  const { ledger } = deps.ports;
  const now = deps.clock.now();
  const startedAt = now.toISOString();
  // The stage's clock, for the leases and for when progress is due.
  const millis = () => deps.clock.now().getTime();
  // A lease outlives the longest run by a minute, so only a run that really died is taken over.
  const leaseMs = stage('intake').timeoutSeconds * 1000 + 60_000;
  const leaseUntil = () => new Date(millis() + leaseMs).toISOString();
  let entry: LedgerEntry | undefined;
  /** The object's key and file keys, once saved or loaded by this run. */
  let keys: SourceKeys | undefined;
  let source: SourceObject | undefined;

  if ('source' in message) {
    source = message.source;
    const recorded = recordedSource(source);
    const { objectId } = recorded;
    const claim = await ledger.begin({
      objectId,
      status: 'PROCESSING',
      stage: 'intake',
      source: recorded,
      startedAt,
      segment: 0,
      leaseUntil: leaseUntil(),
    });
    if (claim.claimed) return run(recorded, source, 0, undefined);
    entry = claim.existing;
    if (entry?.status === 'DONE') {
      await recordAudit(deps, {
        type: 'object.duplicate-delivery',
        agencyId: agencyFromKey(source.key) ?? 'unknown',
        subject: `object:${objectId}`,
        actor: INTAKE_ACTOR,
        idempotencyKey: `duplicate:${startedAt}`,
      });
      return undefined;
    }
  } else {
    entry = await ledger.get(message.objectId);
    if (!entry) throw new Error(`continuation for ${message.objectId}, which the ledger does not hold`);
    if (entry.status === 'DONE') return undefined;
  }
  if (!entry) return undefined;
  // PROCESSING: leave it to a live holder; take it over from its checkpoint once its lease has passed.
  // Left to a holder, this message is failed rather than dropped: if the holder dies (and this message
  // was the one SQS would have brought back), nothing else would finish the object. Its retry comes a
  // visibility timeout later (six stage timeouts), after the lease (one timeout and a minute), and finds
  // the object done or takes it over.
  if (entry.leaseUntil && entry.leaseUntil > startedAt) {
    logger.info('object held by another run', { objectId: entry.objectId, segment: entry.segment });
    throw new ObjectHeld(`${entry.objectId} is held by a live run: retried after its lease`);
  }
  const segment = entry.segment ?? 0;
  const took = await ledger.takeOver(entry.objectId, { segment, now: startedAt, leaseUntil: leaseUntil() });
  if (!took)
    throw new ObjectHeld(`${entry.objectId} was just taken over by another run: retried after its lease`);
  if (!source) {
    // A continuation names the object by id only: its key waits where the run before saved it.
    keys = await loadSourceKeys(deps.ports, (message as IntakeContinuation).agencyId, entry.objectId);
    const { objectId: _id, listingId: _listed, ...located } = entry.source;
    source = { ...located, key: keys.key };
  }
  return run(entry.source, source, segment + 1, entry.checkpoint, entry.startedAt);

  function run(
    recorded: RecordedSource,
    source: SourceObject,
    mySegment: number,
    saved: Record<string, unknown> | undefined,
    firstStartedAt = startedAt,
  ): ObjectRun {
    const { objectId } = recorded;
    const { reserveSeconds, checkpointEverySeconds } = deps.config.intake;
    let lastSave = millis();
    const save = async (cp: Record<string, unknown>, until: string) => {
      const ok = await ledger.saveCheckpoint(objectId, {
        segment: mySegment,
        checkpoint: cp,
        leaseUntil: until,
      });
      if (!ok) throw new ObjectTakenOver(`${objectId} was taken over by a later run`);
      lastSave = millis();
    };
    const agencyId = agencyFromKey(source.key) ?? 'unknown';
    const saveKeys = async (k: SourceKeys) => {
      await saveSourceKeys(deps.ports, agencyId, objectId, k);
      keys = k;
    };
    return {
      objectId,
      agencyId,
      source,
      recorded,
      segment: mySegment,
      startedAt: firstStartedAt,
      checkpoint: saved,
      shouldPause: () => invocation.remainingMs() < reserveSeconds * 1000,
      progressDue: () => millis() - lastSave >= checkpointEverySeconds * 1000,
      async saveProgress(cp) {
        await save(cp, leaseUntil());
      },
      async release() {
        // The lease alone: the checkpoint stays the last one saved (none, if none was).
        await ledger.saveCheckpoint(objectId, {
          segment: mySegment,
          leaseUntil: deps.clock.now().toISOString(),
        });
      },
      saveKeys,
      async savedKeys() {
        keys ??= await loadSourceKeys(deps.ports, agencyId, objectId);
        return keys;
      },
      async continueLater(cp) {
        // The continuation message names the object by id only: the run it starts finds the key here.
        // Written at every continuation, so the key's expiry counts from the newest message.
        await saveKeys(keys ?? { key: source.key });
        // The lease is let go at once, so the continuation can start as soon as it is delivered.
        await save(cp, deps.clock.now().toISOString());
        const next: IntakeContinuation = {
          kind: 'intake-continue',
          agencyId,
          objectId,
          segment: mySegment + 1,
        };
        await deps.ports.queue.send('intake', [next]);
        logger.info('object continues in a new run', { objectId, segment: mySegment + 1 });
      },
    };
  }
}
