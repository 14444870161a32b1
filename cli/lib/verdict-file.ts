import * as z from 'zod';
import { Correction } from '#shared/model/qa.ts';

/**
 * What a QA reviewer writes locally: verdicts keyed by the EMR chart id they see in the chart. The CLI
 * turns the chart id into the chartKey before anything goes on a queue.
 */
export const VerdictFileEntry = z.object({
  agencyId: z.string().min(1),
  chartId: z.string().min(1).max(128),
  version: z.int().min(1),
  reviewerId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/),
  outcome: z.enum(['agree', 'corrected', 'rejected']),
  corrections: z.array(Correction).max(50).default([]),
  note: z.string().max(2000).optional(),
  reviewedAt: z.string().optional(),
});
export type VerdictFileEntry = z.infer<typeof VerdictFileEntry>;

export type VerdictParse = {
  entries: { entry: VerdictFileEntry; index: number }[];
  issues: { index: number; path?: string; reason: string }[];
};

export function parseVerdictFile(text: string): VerdictParse {
  const result: VerdictParse = { entries: [], issues: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    result.issues.push({ index: 0, reason: 'file is not valid JSON' });
    return result;
  }
  const list = Array.isArray(raw) ? raw : [raw];
  list.forEach((item, i) => {
    const parsed = VerdictFileEntry.safeParse(item);
    if (parsed.success) result.entries.push({ entry: parsed.data, index: i + 1 });
    else
      for (const issue of parsed.error.issues)
        result.issues.push({ index: i + 1, path: issue.path.join('.'), reason: issue.message });
  });
  return result;
}
