import type { Batch } from '#shared/model/batch.ts';
import type { ChartState, ChartStatus } from '#shared/model/chart-state.ts';
import type { CodedRecord, CoderRecord, DenialMark, DisputeRecord, ReviewRecord } from '#shared/model/qa.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import type { BucketName, QueueName } from '#shared/topology.ts';

/**
 * The ports the stages' services work over. Domain and service code takes these small interfaces;
 * the AWS SDK lives only in the adapters beside this file.
 */

/** Chart version fields written once, outside the status transitions. */
export type OnceField =
  | 'reviewRequestedAt'
  | 'secondReviewRequestedAt'
  | 'secondReview'
  | 'dispute'
  | 'disputeRequestedAt'
  | 'disputeResolution'
  | 'turnaround'
  | 'overpayment';

export type TransitionResult =
  | { ok: true; state: ChartState }
  | { ok: false; current: ChartState | undefined };

/**
 * Fields a transition never writes from `changes`: the identity (in the keys, or deriving them), and the
 * two the transition itself owns (`updatedAt` is taken from `changes` only as the time to stamp).
 */
export const NOT_CHANGEABLE: ReadonlySet<string> = new Set([
  'chartKey',
  'version',
  'agencyId',
  'status',
  'updatedAt',
]);

/** Chart version fields a transition may remove: everything but the identity and the two it owns. */
export type RemovableField = Exclude<
  keyof ChartState,
  'chartKey' | 'version' | 'agencyId' | 'status' | 'updatedAt'
>;

export interface TransitionOptions {
  ifRemittanceCount?: number;
  /**
   * Fields the transition removes (an undefined change leaves a field as it is): a value worked out
   * from what the move replaces, such as a grouping of codes no longer billed. A field both removed and
   * given a value is refused, as DynamoDB refuses overlapping paths.
   */
  remove?: readonly RemovableField[];
}

export interface ChartStore {
  /** Creates a chart version if it does not exist yet; returns the stored one when it does. */
  create(state: ChartState): Promise<{ created: boolean; state: ChartState }>;
  get(chartKey: string, version: number): Promise<ChartState | undefined>;
  /**
   * One conditional write: moves the version from one of `from` to `to`, applying `changes`. With
   * `ifRemittanceCount`, only while the version's remittance summary still counts that many payer
   * answers (0: none yet): two deliveries applying answers to one claim cannot overwrite each other.
   */
  transition(
    chartKey: string,
    version: number,
    from: readonly ChartStatus[],
    to: ChartStatus,
    changes?: Partial<ChartState>,
    options?: TransitionOptions,
  ): Promise<TransitionResult>;
  /** Sets a field once (attribute_not_exists), whatever the status; false when it was already set. */
  markOnce<F extends OnceField>(
    chartKey: string,
    version: number,
    field: F,
    value: NonNullable<ChartState[F]>,
  ): Promise<boolean>;
  /** Records `version` as the newest seen for the chart if it is; returns the newest version known. */
  advanceLatest(chartKey: string, version: number): Promise<number>;
  latest(chartKey: string): Promise<number | undefined>;
  /** Every version of one chart, newest first. */
  versions(chartKey: string): Promise<ChartState[]>;
  /**
   * An agency's chart versions in one status, oldest update first (gsi1); with `updatedBefore` (an ISO
   * instant), only those last updated before it (a key condition: nothing newer is read).
   */
  byStatus(agencyId: string, status: ChartStatus, updatedBefore?: string): AsyncIterable<ChartState>;
  /** Every version of every chart of an agency (for summaries and reports); paginates internally. */
  list(agencyId?: string): AsyncIterable<ChartState>;
}

/** A batch by its agency and id: the agency is part of its key (`BATCH#<agency>#<batchId>`). */
export type BatchRef = Pick<Batch, 'agencyId' | 'batchId'>;

export interface BatchStore {
  create(batch: Batch): Promise<void>;
  get(batch: BatchRef): Promise<Batch | undefined>;
  /**
   * OPEN -> HANDING_OFF for one invocation; a claim older than `leaseExpiredBefore` may be taken over
   * (its holder crashed). False when another invocation holds it or it is handed off.
   */
  claim(batch: BatchRef, at: string, leaseExpiredBefore: string): Promise<boolean>;
  /** OPEN or HANDING_OFF -> HANDED_OFF, once. */
  handOff(
    batch: BatchRef,
    changes: { manifestKey: string; chartCount: number; handedOffAt: string },
  ): Promise<boolean>;
  /**
   * The billing team's answer, once: HANDED_OFF -> ACCEPTED, or -> REJECTED with a reason. True when
   * this call recorded it; false when the batch was not handed off (or was already answered).
   */
  settle(
    batch: BatchRef,
    answer: { status: 'ACCEPTED'; at: string } | { status: 'REJECTED'; at: string; reason: string },
  ): Promise<boolean>;
  list(): AsyncIterable<Batch>;
}

export interface SourceObject {
  bucket: string;
  key: string;
  /** ETag, or version id where the bucket is versioned: together with bucket and key, the object's identity. */
  etag: string;
  /** In a versioned bucket, the version the event announced: read that one, not whatever is latest. */
  versionId?: string;
  /** Bytes, as the event announced them. */
  size?: number;
  /** The content's ETag as the event announced it (a listing of the bucket gives this, not the version id). */
  eTag?: string;
}

/**
 * A source object as codetrail records it (ledger, receipts, quarantine reports): never by its key, which
 * an EMR export job may name after the patient, but by its object id, bucket, ETag or version and size.
 */
export interface RecordedSource {
  objectId: string;
  bucket: string;
  etag: string;
  versionId?: string;
  size?: number;
  /**
   * The object id a listing of the bucket gives (from the key and the content ETag, where `objectId` may
   * come from a version id): how `codetrail intake pending` tells a listed file has its receipt.
   */
  listingId?: string;
}

export type LedgerEntry = {
  objectId: string;
  status: 'PROCESSING' | 'DONE';
  stage: string;
  source: RecordedSource;
  startedAt: string;
  finishedAt?: string;
  counts?: Record<string, number>;
  /**
   * Which run holds the object: 0 for the first, one more at every continuation or takeover. Only the
   * holder of the current segment may checkpoint.
   */
  segment?: number;
  /** Until when the holder may work undisturbed; after it another run may take the object over. */
  leaseUntil?: string;
  /** Where the next run resumes (stage-specific, small: counts and positions, never PHI). */
  checkpoint?: Record<string, unknown>;
};

/** Which source objects a stage has taken in, so the same drop delivered twice creates nothing new. */
export interface ObjectLedger {
  /** Claims the object; `existing` is returned if it was claimed before. */
  begin(entry: LedgerEntry): Promise<{ claimed: boolean; existing?: LedgerEntry }>;
  finish(objectId: string, counts: Record<string, number>, finishedAt: string): Promise<void>;
  /**
   * Takes over a PROCESSING object whose lease has passed (its holder ran out of time or died):
   * moves it from `segment` to segment + 1 with a new lease. False when another run got there first.
   */
  takeOver(objectId: string, args: { segment: number; now: string; leaseUntil: string }): Promise<boolean>;
  /**
   * Records the holder's progress and moves its lease (without a checkpoint, only the lease); false when
   * the object was taken over meanwhile (stop working on it).
   */
  saveCheckpoint(
    objectId: string,
    args: { segment: number; checkpoint?: Record<string, unknown>; leaseUntil: string },
  ): Promise<boolean>;
  get(objectId: string): Promise<LedgerEntry | undefined>;
  list(): AsyncIterable<LedgerEntry>;
}

export interface ArtifactStore {
  /**
   * With `once`, the object is written only if the key holds none (S3's `If-None-Match: *`): a person's
   * note, which their role may add but never replace. One already there is left as it is and counts as
   * written: such keys hash what the object holds, so it is this write's (a resubmission, a retry).
   */
  putJson(bucket: BucketName, key: string, body: unknown, options?: { once?: boolean }): Promise<void>;
  putText(bucket: BucketName, key: string, body: string, contentType?: string): Promise<void>;
  /** Writes the bytes as they are: a dropped file goes up unchanged, so its receipt hash is the file's. */
  putBytes(bucket: BucketName, key: string, body: Uint8Array, contentType?: string): Promise<void>;
  getText(bucket: BucketName, key: string): Promise<string>;
  /** Reads a source object named by its real bucket name (S3 events carry real names). */
  getObjectText(bucket: string, key: string, versionId?: string): Promise<string>;
  /**
   * Streams a source object's bytes from `start` on (an S3 ranged GET), never holding it whole. With
   * `ifMatch` (an ETag) it fails with a PreconditionFailed error if the object has changed since.
   */
  openObject(
    bucket: string,
    key: string,
    options?: { versionId?: string; start?: number; ifMatch?: string },
  ): Promise<AsyncIterable<Uint8Array>>;
  /** Moves nothing: copies an object into quarantine alongside its error report. */
  copyObject(
    fromBucket: string,
    fromKey: string,
    toBucket: BucketName,
    toKey: string,
    versionId?: string,
  ): Promise<void>;
  list(bucket: BucketName, prefix: string): AsyncIterable<{ key: string; etag: string; size: number }>;
  /**
   * Sets an object's tags (the whole set): what a person's role may read is conditioned on them
   * (`s3:ExistingObjectTag`), e.g. a QA reviewer reads only the chart files sampled for review.
   */
  tagObject(bucket: BucketName, key: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** The real bucket name behind a logical one, to compare with S3 event records. */
  bucketName(bucket: BucketName): string;
}

/** The error of an `openObject` whose `ifMatch` no longer holds (S3's HTTP 412 PreconditionFailed). */
export function isPreconditionFailed(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}

export interface StageQueue {
  /** Sends every message, 10 per SendMessageBatch call, retrying entries that failed; throws if some still fail. */
  /** A human queue is one per agency: `agency` names whose (required there, and refused without it). */
  send(queue: QueueName, messages: readonly unknown[], agency?: string): Promise<void>;
}

export type AuditEvent = {
  /** e.g. chart.received, chart.validated, file.quarantined, verdict.applied, batch.handed-off */
  type: string;
  agencyId: string;
  /** The thing acted on: `chart:<chartKey>:v<n>`, `object:<objectId>`, `batch:<batchId>`. */
  subject: string;
  /** Who: the Lambda stage (`stage:<name>`), or the human (IAM principal or local user). */
  actor: string;
  at: string;
  /** Makes the event idempotent: the same key records once. */
  idempotencyKey: string;
  detail?: Record<string, unknown>;
};

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  /** A subject's events, oldest first; the subject's agency is part of its key. */
  list(agencyId: string, subject: string): Promise<AuditEvent[]>;
}

export interface KeyService {
  /** Keyed HMAC-SHA256 of the input, hex: the chartKey and other non-PHI identifiers come from it. */
  mac(input: string): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The coder ledger: per coder, the chart versions they coded that reached QA sampling, the QA reviews of
 * their charts and the coding-related denials traced to them; what probation, accuracy and the sampling
 * risk factors are computed from. Records are immutable and written once (a redelivery writes nothing).
 */
export interface CoderLedger {
  /** false when the record was already there. */
  record(record: CoderRecord): Promise<boolean>;
  /** The coder's first coded chart versions, oldest first. */
  firstCoded(agencyId: string, coderId: string, limit: number): Promise<CodedRecord[]>;
  /** Reviews of the coder's charts since `since` (ISO instant, inclusive; all when undefined). */
  reviews(agencyId: string, coderId: string, since?: string): AsyncIterable<ReviewRecord>;
  denials(agencyId: string, coderId: string, since: string): Promise<DenialMark[]>;
  /** Decided disputes of the coder's reviews since `since` (all when undefined). */
  disputes(agencyId: string, coderId: string, since?: string): Promise<DisputeRecord[]>;
  /** Coding-related denials of one principal-diagnosis category since `since`, across coders. */
  categoryDenials(agencyId: string, category: string, since: string): Promise<number>;
  probationEndedAt(agencyId: string, coderId: string): Promise<string | undefined>;
  /** Records the coder leaving probation once; false when already recorded. */
  endProbation(agencyId: string, coderId: string, at: string): Promise<boolean>;
  /** The agency's coders (everyone with a coded chart version). */
  coders(agencyId: string): AsyncIterable<string>;
}

/** The chart version a claim names. */
export interface ClaimTarget {
  agencyId: string;
  chartKey: string;
  version: number;
}

/**
 * What the payers said: which chart version each claimRef names, the billing system's own claim
 * numbers mapped to claimRefs, and the remittance records applied to chart versions (written once).
 */
export interface RemittanceLedger {
  /** Records the chart version a claimRef names (idempotent: the claimRef derives from it). */
  indexClaim(claimRef: string, target: ClaimTarget): Promise<void>;
  findClaim(claimRef: string): Promise<ClaimTarget | undefined>;
  /** A billing-supplied mapping entry; `aliasKey` is the keyed HMAC of the billing system's number. */
  putAlias(agencyId: string, aliasKey: string, claimRef: string): Promise<void>;
  aliasOf(agencyId: string, aliasKey: string): Promise<string | undefined>;
  /**
   * Records the claimRef a payer's claim number (its keyed HMAC, `icnKey`) first answered; a later
   * answer under the same number (a reversal, a correction) leaves it as it is.
   */
  indexPayerClaim(agencyId: string, icnKey: string, claimRef: string): Promise<void>;
  payerClaimOf(agencyId: string, icnKey: string): Promise<string | undefined>;
  /** Notes that the agency's mapping entries changed at `at` (ISO); the latest such time is kept. */
  noteMappingChange(agencyId: string, at: string): Promise<void>;
  /** When the agency's mapping entries last changed; undefined when no mapping file was ever taken. */
  mappingChangedAt(agencyId: string): Promise<string | undefined>;
  /** false when the record was already there. */
  record(record: RemittanceRecord): Promise<boolean>;
  /** One chart version's records, in the payer's order (their `sequence`). */
  forVersion(chartKey: string, version: number): Promise<RemittanceRecord[]>;
  /** An agency's records applied since `since` (all when undefined), oldest first. */
  list(agencyId: string, since?: string): AsyncIterable<RemittanceRecord>;
}

/**
 * A chart version waiting for a QA reviewer, with what the reviewer is shown: the review board. QA
 * sampling and QA result open an entry when they send a review request, and close it when the review is
 * answered (or the version is superseded). Reviewers list and read the board, never the chart states:
 * their roles read `REVIEWS#` partitions and the files sampled for review, nothing else of the table.
 */
export interface ReviewEntry {
  agencyId: string;
  chartKey: string;
  version: number;
  purpose: ReviewPurpose;
  /** The review queue the request went to. */
  queue: 'qa-review' | 'qa-review-senior';
  requestedAt: string;
  coderId: string;
  /** Staff who may not take it: the coder, the first reviewer. */
  notBy: string[];
  /** The chart file the reviewer reads (tagged for review). */
  artifactKey: string;
  /** Why it waits: the sampling reason, a blind second review, or the disputed corrections. */
  reason: string;
  /** What the reviewer is shown of the chart's state; a blind second review is shown none of the first. */
  shown: {
    status?: string;
    findings: unknown[];
    sampling?: unknown;
    grouping?: unknown;
    review?: unknown;
    dispute?: unknown;
  };
  /** When it was answered (or the version superseded): no longer pending. */
  closedAt?: string;
}

export type ReviewPurpose = 'review' | 'second-review' | 'dispute';
export type ReviewQueue = ReviewEntry['queue'];

/** Where an entry lives: one partition per agency and review queue, so each QA role reads its own alone. */
export type ReviewSlot = Pick<ReviewEntry, 'agencyId' | 'queue' | 'chartKey' | 'version' | 'purpose'>;

export interface ReviewBoard {
  /** Opens the entry once: a redelivery, or one after it was closed, changes nothing. */
  open(entry: ReviewEntry): Promise<void>;
  /** Closes the entry once; with none yet, leaves a closed stub, so a later `open` does nothing. */
  close(slot: ReviewSlot, at: string): Promise<void>;
  get(slot: ReviewSlot): Promise<ReviewEntry | undefined>;
  /** The entries of an agency's review queue still open, oldest request first. */
  pending(agencyId: string, queue: ReviewQueue): Promise<ReviewEntry[]>;
}

/**
 * The queue of a review of `purpose`: a first review is on the queue its sampling named (`firstReviews`),
 * a blind second review on the first reviewers', a dispute on the seniors'.
 */
export function queueOfPurpose(purpose: ReviewPurpose, firstReviews: ReviewQueue = 'qa-review'): ReviewQueue {
  if (purpose === 'review') return firstReviews;
  return purpose === 'dispute' ? 'qa-review-senior' : 'qa-review';
}

/** Everything a stage's service works over. */
/** One chart version that names a payer member id (the Medicare beneficiary id), by its keyed HMAC. */
export interface MemberEntry {
  agencyId: string;
  /** Keyed HMAC of the member id (`memberKeyOf`): never the id. */
  memberKey: string;
  chartKey: string;
  version: number;
  /** The chart's period of service: what a request's dates are matched against. */
  periodFrom: string;
  periodThrough: string;
}

/**
 * Which chart versions name a patient's payer member id: an audit request arrives with the Medicare
 * beneficiary id and dates of service, not a chartKey. Written by intake, read by `codetrail history`.
 */
export interface MemberIndex {
  /** Idempotent: the same chart version indexed again changes nothing. */
  add(entry: MemberEntry): Promise<void>;
  /** Every chart version of the agency indexed under the member key, oldest period first. */
  charts(agencyId: string, memberKey: string): Promise<MemberEntry[]>;
}

export interface Ports {
  charts: ChartStore;
  batches: BatchStore;
  ledger: ObjectLedger;
  artifacts: ArtifactStore;
  queue: StageQueue;
  audit: AuditLog;
  keys: KeyService;
  /** The sampling draws' key (QA sampling and QA result alone hold it). */
  samplingKeys: KeyService;
  coders: CoderLedger;
  remittances: RemittanceLedger;
  reviews: ReviewBoard;
  members: MemberIndex;
}
