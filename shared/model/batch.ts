import * as z from 'zod';

export const BatchMember = z.object({
  chartKey: z.string(),
  version: z.int().min(1),
  claimRef: z.string().max(20),
  coderId: z.string(),
  lineOfBusiness: z.string(),
  payerType: z.string(),
  periodFrom: z.string().optional(),
  periodThrough: z.string().optional(),
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
  status: z.enum(['OPEN', 'HANDING_OFF', 'HANDED_OFF']),
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
  schemaVersion: z.literal(1),
  batchId: z.string(),
  agencyId: z.string(),
  createdAt: z.string(),
  members: z.array(BatchMember),
});
export type BatchManifest = z.infer<typeof BatchManifest>;
