import * as z from 'zod';

/** The billing contract version the manifest and the coded-batches message follow (docs/billing-contract.md). */
export const BILLING_CONTRACT = 'codetrail.billing/2';

export const BatchMember = z.object({
  chartKey: z.string(),
  version: z.int().min(1),
  claimRef: z.string().max(20).describe('Goes into CLM01; the 835 echoes it in CLP01'),
  coderId: z.string(),
  lineOfBusiness: z.string(),
  payerType: z.string(),
  periodFrom: z.string().optional(),
  periodThrough: z.string().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('SHA-256 of the chart artifact to bill, as stored'),
  diagnoses: z
    .array(z.object({ sequence: z.int(), code: z.string() }))
    .describe('The ICD-10-CM codes billed, QA corrections applied'),
  hipps: z.string().optional().describe('Home health: the HIPPS code of the PDGM grouping (0023 line)'),
  findings: z
    .object({ warn: z.int().min(0), ruleIds: z.array(z.string()) })
    .describe('What validation recorded and let through (warn findings): rule ids only'),
  claimFrequency: z
    .enum(['1', '7'])
    .describe(
      'The bill type frequency billing uses (CLM05-3): 1 a new claim (0329 home health uses its own final-claim code 9), 7 the replacement of a claim already billed (void/replace)',
    ),
  replaces: z
    .object({ version: z.int().min(1), claimRef: z.string().max(20), batchId: z.string().optional() })
    .optional()
    .describe('The billed version this claim replaces: void/replace it, do not send a second claim'),
  flags: z
    .array(z.enum(['review-choice-no-affirmed-pre-claim-review']))
    .default([])
    .describe('What billing must look at before submitting the claim'),
  turnaround: z
    .object({
      codingBusinessHours: z.number().optional(),
      codingSla: z.object({ class: z.string(), limit: z.string(), met: z.boolean() }).optional(),
      qaBusinessHours: z.number().optional(),
      toBatchBusinessHours: z.number().optional(),
    })
    .optional(),
  artifactKey: z.string().describe('The chart to bill: the QA-corrected one when QA corrected the codes'),
  qaCorrected: z.boolean().optional().describe('QA corrected the codes: artifactKey is the corrected chart'),
});
export type BatchMember = z.infer<typeof BatchMember>;

/**
 * A batch as the table keeps it: written OPEN first, claimed (HANDING_OFF, with a lease) by the one
 * invocation that sends it to billing, HANDED_OFF once its manifest and message are out.
 */
export const Batch = z.object({
  batchId: z.string(),
  agencyId: z.string(),
  payerType: z.string().optional(),
  lineOfBusiness: z.string().optional(),
  billType: z.string().optional().describe('0329 home health period claims; 081x hospice'),
  status: z.enum(['OPEN', 'HANDING_OFF', 'HANDED_OFF', 'ACCEPTED', 'REJECTED']),
  acceptedAt: z.string().optional(),
  rejectedAt: z.string().optional(),
  rejectionReason: z.string().max(500).optional(),
  claimedAt: z.string().optional(),
  createdAt: z.string(),
  handedOffAt: z.string().optional(),
  candidates: z.array(z.object({ chartKey: z.string(), version: z.int() })),
  manifestKey: z.string().optional(),
  chartCount: z.int().optional(),
});
export type Batch = z.infer<typeof Batch>;

/** The batch manifest artifact billing reads: claimRef goes into CLM01 so the 835's CLP01 matches it. */
export const BatchManifest = z.object({
  schemaVersion: z.literal(2),
  contract: z.literal(BILLING_CONTRACT),
  batchId: z.string(),
  agencyId: z.string(),
  payerType: z.string(),
  lineOfBusiness: z.string(),
  billType: z.string(),
  createdAt: z.string(),
  chartCount: z.int().min(1),
  members: z.array(BatchMember),
  membersSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('SHA-256 of JSON.stringify(members): the whole batch in one hash'),
});
export type BatchManifest = z.infer<typeof BatchManifest>;
