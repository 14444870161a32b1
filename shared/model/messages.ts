import * as z from 'zod';
import { CLAIM_REF } from '#shared/identity/identifiers.ts';
import { AGENCY_ID } from '#shared/topology.ts';
import { BATCH_ID, BILLING_CONTRACT } from './batch.ts';
import { Correction } from './qa.ts';

/**
 * An agency id, as the configuration allows it: part of keys, prefixes and queue names (a message naming
 * anything else is refused before it can reach one).
 */
const agencyId = z.string().regex(AGENCY_ID);

/**
 * Queue message contracts. Messages carry identifiers and versions, never PHI: the chart itself stays
 * in the artifacts bucket and its state in the table. Published as JSON Schema in docs/.
 */

/** What one Lambda stage hands the next: intake -> validation -> qa-sampling -> billing-handoff. */
export const ChartMessage = z.object({
  kind: z.literal('chart'),
  agencyId,
  chartKey: z.string(),
  version: z.int().min(1),
});
export type ChartMessage = z.infer<typeof ChartMessage>;

/**
 * On qa-review / qa-review-senior: a chart waiting for a QA reviewer. `review`: a sampled chart's first
 * review; `second-review`: a blind second review for reviewer agreement (by someone other than
 * `notBy`); `dispute`: the coder disputes corrections, for a senior reviewer to decide.
 */
export const ReviewRequest = z.object({
  kind: z.literal('review-request'),
  purpose: z.enum(['review', 'second-review', 'dispute']).default('review'),
  notBy: z.array(z.string()).optional().describe('Staff who may not take it: the coder, the first reviewer'),
  agencyId,
  chartKey: z.string(),
  version: z.int().min(1),
  coderId: z.string(),
  artifactKey: z.string(),
  reason: z.string(),
  requestedAt: z.string(),
});
export type ReviewRequest = z.infer<typeof ReviewRequest>;

/**
 * On qa-result: a reviewer's verdict on a sampled chart version. `agree`: the coding stands. `corrected`:
 * the corrections, each classified by error category, severity and direction; the chart goes on to
 * billing with the corrected codes. `rejected`: the chart goes back to the coder (corrections, if any,
 * say why).
 */
export const Verdict = z
  .object({
    kind: z.literal('verdict'),
    agencyId,
    chartKey: z.string(),
    version: z.int().min(1),
    reviewerId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/),
    round: z
      .enum(['first', 'second'])
      .default('first')
      .describe('second: a blind second review, for reviewer agreement only (the chart has moved on)'),
    outcome: z.enum(['agree', 'corrected', 'rejected']),
    corrections: z.array(Correction).max(50).default([]),
    noteKey: z
      .string()
      .optional()
      .describe(
        "Key of the reviewer's note in the artifacts bucket: free text may hold PHI, so it stays there",
      ),
    submittedBy: z
      .string()
      .max(256)
      .optional()
      .describe('Who submitted the verdict: the IAM principal in AWS, local:<user> locally'),
    reviewedAt: z.iso.datetime({ offset: true }),
  })
  .refine((v) => v.outcome !== 'corrected' || v.corrections.length > 0, {
    message: 'a corrected verdict needs at least one correction',
    path: ['corrections'],
  })
  .refine((v) => v.outcome !== 'agree' || v.corrections.length === 0, {
    message: 'an agree verdict has no corrections',
    path: ['corrections'],
  });
export type Verdict = z.infer<typeof Verdict>;

const staffId = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/);

/** On qa-result: the coder disputes some of a review's corrections (by their index in the verdict). */
export const Dispute = z.object({
  kind: z.literal('dispute'),
  agencyId,
  chartKey: z.string(),
  version: z.int().min(1),
  coderId: staffId,
  corrections: z.array(z.int().min(0)).min(1).max(50).describe('Indexes of the disputed corrections'),
  noteKey: z.string().optional().describe("Key of the coder's argument in the artifacts bucket"),
  submittedBy: z.string().max(256).optional(),
  disputedAt: z.iso.datetime({ offset: true }),
});
export type Dispute = z.infer<typeof Dispute>;

/** On qa-result: a senior reviewer's decision on a dispute. Overturned corrections no longer count. */
export const DisputeResolution = z.object({
  kind: z.literal('dispute-resolution'),
  agencyId,
  chartKey: z.string(),
  version: z.int().min(1),
  reviewerId: staffId,
  outcome: z.enum(['upheld', 'overturned']),
  noteKey: z.string().optional(),
  submittedBy: z.string().max(256).optional(),
  resolvedAt: z.iso.datetime({ offset: true }),
});
export type DisputeResolution = z.infer<typeof DisputeResolution>;

/** Everything the qa-result queue carries. */
export const QaResultMessage = z.union([Verdict, Dispute, DisputeResolution]);
export type QaResultMessage = z.infer<typeof QaResultMessage>;

/** On coded-batches: a batch of coded charts ready for the billing team. */
export const BatchReady = z.object({
  kind: z.literal('batch-ready'),
  contract: z.literal(BILLING_CONTRACT),
  agencyId,
  batchId: z.string(),
  payerType: z.string(),
  lineOfBusiness: z.string(),
  billType: z.string(),
  chartCount: z.int().min(1),
  flagged: z.int().min(0).describe('Members with a flag billing must look at'),
  manifestKey: z.string().describe('Key of the batch manifest (JSON) in the artifacts bucket'),
  manifestSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('SHA-256 of the manifest file as stored'),
  csvKey: z.string().describe('Key of the same batch as CSV, one row per member'),
  csvSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type BatchReady = z.infer<typeof BatchReady>;

/**
 * The checks `codetrail billing pull` runs on a coded batch before it writes anything, named as the
 * billing-reply stage records a refusal: a fixed reason, never text from the files.
 */
export const BATCH_CHECKS = [
  'message-contract',
  'batch-id',
  'manifest-sha256',
  'csv-sha256',
  'manifest-contract',
  'manifest-batch',
  'claim-ref-twice',
  'members-sha256',
  'chart-unreadable',
  'chart-sha256',
  'unreadable',
] as const;
export type BatchCheck = (typeof BATCH_CHECKS)[number];

const batchId = z.string().regex(BATCH_ID);

/**
 * On billing-reply: what the billing team did with a coded batch, for the billing-reply stage to record
 * under the identity SQS saw send it. `batch-pulled`: downloaded, every hash checked; `batch-refused`:
 * a check failed (nothing written; the message went back); `batch-accepted`: the billing team has it;
 * `batch-rejected`: refused, its charts back to billing handoff, the reason (free text, possibly PHI)
 * under `billing-notes/<agency>/<batchId>/` of the artifacts bucket, named by its key only.
 */
export const BillingReply = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('batch-pulled'),
    agencyId,
    batchId,
    manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
    messageId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,100}$/)
      .describe('The coded-batches message the batch came in: a pull is recorded once per message'),
  }),
  z.strictObject({
    kind: z.literal('batch-refused'),
    agencyId,
    batchId,
    check: z.enum(BATCH_CHECKS),
    claimRef: z.string().regex(CLAIM_REF).optional().describe('The member whose chart file failed'),
  }),
  z.strictObject({ kind: z.literal('batch-accepted'), agencyId, batchId }),
  z.strictObject({
    kind: z.literal('batch-rejected'),
    agencyId,
    batchId,
    reasonKey: z
      .string()
      .regex(/^billing-notes\/[a-z0-9][a-z0-9-]*\/b\d{8}-[0-9a-f]{12}\/[0-9a-f]{12}\.json$/)
      .describe("Key of the billing team's reason in the artifacts bucket"),
  }),
]);
export type BillingReply = z.infer<typeof BillingReply>;

/**
 * On intake: a large file's run ran short of Lambda time, saved its place in the object ledger and asks
 * for a fresh run to go on from there.
 */
export const IntakeContinuation = z.object({
  kind: z.literal('intake-continue'),
  agencyId,
  objectId: z.string(),
  segment: z.int().min(1).describe('The run this message starts; informational, the ledger decides'),
});
export type IntakeContinuation = z.infer<typeof IntakeContinuation>;

/** The subset of an S3 event notification that intake and denial ingestion read. */
export const S3EventMessage = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({
            key: z.string(),
            size: z.number().optional(),
            eTag: z.string().optional(),
            versionId: z.string().optional(),
          }),
        }),
      }),
    )
    .default([]),
  Event: z.string().optional().describe('s3:TestEvent when a notification is first configured'),
});
export type S3EventMessage = z.infer<typeof S3EventMessage>;
