import * as z from 'zod';
import { Correction } from './qa.ts';

/**
 * Queue message contracts. Messages carry identifiers and versions, never PHI: the chart itself stays
 * in the artifacts bucket and its state in the table. Published as JSON Schema in docs/.
 */

/** What one Lambda stage hands the next: intake -> validation -> qa-sampling -> billing-handoff. */
export const ChartMessage = z.object({
  kind: z.literal('chart'),
  agencyId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
});
export type ChartMessage = z.infer<typeof ChartMessage>;

/** On qa-review / qa-review-senior: a sampled chart waiting for a QA reviewer. */
export const ReviewRequest = z.object({
  kind: z.literal('review-request'),
  agencyId: z.string(),
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
    agencyId: z.string(),
    chartKey: z.string(),
    version: z.int().min(1),
    reviewerId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/),
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
    reviewedAt: z.string(),
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

/** On coded-batches: a batch of coded charts ready for the billing team. */
export const BatchReady = z.object({
  kind: z.literal('batch-ready'),
  agencyId: z.string(),
  batchId: z.string(),
  chartCount: z.int().min(1),
  manifestKey: z.string().describe('Key of the batch manifest in the artifacts bucket'),
  createdAt: z.string(),
});
export type BatchReady = z.infer<typeof BatchReady>;

/**
 * On intake: a large file's run ran short of Lambda time, saved its place in the object ledger and asks
 * for a fresh run to go on from there.
 */
export const IntakeContinuation = z.object({
  kind: z.literal('intake-continue'),
  agencyId: z.string(),
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
