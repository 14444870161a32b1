import * as z from 'zod';
import { CLAIM_REF } from '#shared/identity/identifiers.ts';
import { ChartTurnaround } from './chart-state.ts';

/** The billing contract version the manifest and the coded-batches message follow (docs/billing-contract.md). */
export const BILLING_CONTRACT = 'codetrail.billing/3';

export const BatchMember = z.object({
  chartKey: z.string(),
  version: z.int().min(1),
  claimRef: z.string().regex(CLAIM_REF).describe('Goes into CLM01; the 835 echoes it in CLP01'),
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
  hipps: z
    .string()
    .optional()
    .describe(
      'Home health: the HIPPS code of the PDGM grouping (0023 line), only when a complete PDGM table grouped it',
    ),
  sampleHipps: z
    .string()
    .optional()
    .describe(
      "Home health: the HIPPS a sample PDGM table grouped the period to. Never the claim's HIPPS: group the claim with the agency's grouper (the member is flagged hipps-from-sample-pdgm)",
    ),
  findings: z
    .object({ warn: z.int().min(0), ruleIds: z.array(z.string()) })
    .describe('What validation recorded and let through (warn findings): rule ids only'),
  claimKind: z
    .enum(['original', 'replacement'])
    .describe(
      'replacement: this chart was billed before; send a replacement of that claim, never a second claim',
    ),
  frequencyCode: z
    .enum(['7', '9'])
    .optional()
    .describe(
      'The bill type frequency (CLM05-3) when codetrail knows it: 9 a home health period claim (TOB 0329), 7 a replacement; absent for an original hospice claim, whose 1-4 billing sets',
    ),
  replaces: z
    .object({ version: z.int().min(1), claimRef: z.string().max(20), batchId: z.string().optional() })
    .optional()
    .describe('The billed version this claim replaces: void/replace it, do not send a second claim'),
  flags: z
    .array(z.enum(['review-choice-no-affirmed-pre-claim-review', 'hipps-from-sample-pdgm']))
    .default([])
    .describe('What billing must look at before submitting the claim'),
  turnaround: ChartTurnaround.optional(),
  artifactKey: z.string().describe('The chart to bill: the QA-corrected one when QA corrected the codes'),
  qaCorrected: z.boolean().optional().describe('QA corrected the codes: artifactKey is the corrected chart'),
});
export type BatchMember = z.infer<typeof BatchMember>;

/**
 * A batch as the table keeps it: written OPEN first, claimed (HANDING_OFF, with a lease) by the one
 * invocation that sends it to billing, HANDED_OFF once its manifest and message are out.
 */
/** Batch ids are made by billing handoff: b<yyyymmdd>-<12 hex>. */
export const BATCH_ID = /^b\d{8}-[0-9a-f]{12}$/;

export const Batch = z.object({
  batchId: z.string(),
  agencyId: z.string(),
  payerType: z.string().optional(),
  lineOfBusiness: z.string().optional(),
  billType: z.string().optional().describe('0329 home health period claims; 081x hospice'),
  status: z.enum(['OPEN', 'HANDING_OFF', 'HANDED_OFF', 'ACCEPTED', 'REJECTED']),
  acceptedAt: z.string().optional(),
  rejectedAt: z.string().optional(),
  rejectionReason: z
    .string()
    .max(500)
    .optional()
    .describe("Key of the billing team's reason in the artifacts bucket (free text may hold PHI)"),
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
  batchId: z.string().regex(BATCH_ID),
  agencyId: z.string(),
  payerType: z.string(),
  lineOfBusiness: z.string(),
  billType: z.string(),
  createdAt: z.string(),
  chartCount: z.int().min(1),
  flags: z
    .array(z.enum(['sample-hipps']))
    .default([])
    .describe(
      "sample-hipps: a member carries a HIPPS from a sample PDGM table (sampleHipps), not one to bill: group those claims with the agency's grouper",
    ),
  members: z.array(BatchMember),
  membersSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe(
      'The whole batch in one hash: SHA-256 of the lines <claimRef>:<sha256> of the members, in order, joined by newlines (UTF-8, no trailing newline)',
    ),
});
export type BatchManifest = z.infer<typeof BatchManifest>;
