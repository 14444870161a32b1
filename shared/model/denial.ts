import * as z from 'zod';

/**
 * The simple JSON denial file (remittances/<agency>/*.json) a billing team can drop before X12 835
 * ingestion lands: one entry per denied claim, keyed by the EMR chart id or by claimRef.
 */
export const DenialEntry = z
  .object({
    chartId: z.string().min(1).max(128).optional(),
    claimRef: z.string().min(1).max(20).optional(),
    version: z.int().min(1).optional().describe('Defaults to the latest batched version'),
    reasonCodes: z.array(z.string().regex(/^(CO|PR|OA|PI)-[A-Z0-9]{1,5}$/)).min(1),
    remarkCodes: z.array(z.string().max(8)).default([]),
    deniedAmount: z.number().nonnegative().optional(),
  })
  .refine((d) => d.chartId || d.claimRef, { message: 'an entry needs a chartId or a claimRef' });
export type DenialEntry = z.infer<typeof DenialEntry>;

export const DenialFile = z.object({
  agencyId: z.string(),
  payer: z.string().max(200).optional(),
  denials: z.array(z.unknown()).min(1).describe('Each entry is checked on its own; a bad one is reported'),
});
export type DenialFile = z.infer<typeof DenialFile>;
