import * as z from 'zod';
import { Correction } from '#shared/model/qa.ts';
import { AGENCY_ID } from '#shared/topology.ts';

/** The agency an entry is of: an id, as the configuration allows it. */
const agencyId = z.string().regex(AGENCY_ID, 'an agency id: lower-case letters, digits and dashes');

/**
 * What a QA reviewer writes locally: verdicts keyed by the EMR chart id they see in the chart. The CLI
 * turns the chart id into the chartKey before anything goes on a queue.
 */
export const VerdictFileEntry = z.object({
  agencyId,
  chartId: z.string().min(1).max(128),
  version: z.int().min(1),
  reviewerId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/),
  round: z.enum(['first', 'second']).default('first').describe('second: a blind second review'),
  outcome: z.enum(['agree', 'corrected', 'rejected']),
  corrections: z.array(Correction).max(50).default([]),
  note: z.string().max(2000).optional(),
  reviewedAt: z.iso.datetime({ offset: true }).optional(),
});
export type VerdictFileEntry = z.infer<typeof VerdictFileEntry>;

export type EntryParse<T> = {
  entries: { entry: T; index: number }[];
  issues: { index: number; path?: string; reason: string }[];
};
export type VerdictParse = EntryParse<VerdictFileEntry>;

/** A file of one entry or an array of them: each entry checked on its own, issues reported by index. */
export function parseEntryFile<T>(text: string, schema: z.ZodType<T>): EntryParse<T> {
  const result: EntryParse<T> = { entries: [], issues: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    result.issues.push({ index: 0, reason: 'file is not valid JSON' });
    return result;
  }
  const list = Array.isArray(raw) ? raw : [raw];
  list.forEach((item, i) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) result.entries.push({ entry: parsed.data, index: i + 1 });
    else
      for (const issue of parsed.error.issues)
        result.issues.push({ index: i + 1, path: issue.path.join('.'), reason: issue.message });
  });
  return result;
}

export function parseVerdictFile(text: string): VerdictParse {
  return parseEntryFile(text, VerdictFileEntry);
}

const staffId = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/);

/** A coder's dispute of corrections of a QA review, by the EMR chart id the coder sees. */
export const DisputeFileEntry = z.object({
  agencyId,
  chartId: z.string().min(1).max(128),
  version: z.int().min(1),
  coderId: staffId,
  corrections: z.array(z.int().min(0)).min(1).describe('Indexes of the disputed corrections (from 0)'),
  note: z.string().max(2000).optional(),
  disputedAt: z.iso.datetime({ offset: true }).optional(),
});
export type DisputeFileEntry = z.infer<typeof DisputeFileEntry>;

/** A senior reviewer's decision on a dispute. */
export const ResolutionFileEntry = z.object({
  agencyId,
  chartId: z.string().min(1).max(128),
  version: z.int().min(1),
  reviewerId: staffId,
  outcome: z.enum(['upheld', 'overturned']),
  note: z.string().max(2000).optional(),
  resolvedAt: z.iso.datetime({ offset: true }).optional(),
});
export type ResolutionFileEntry = z.infer<typeof ResolutionFileEntry>;
