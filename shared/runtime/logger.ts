import { Logger } from '@aws-lambda-powertools/logger';
import { summarizeError } from './error-summary.ts';

/**
 * One logger per process. What it may carry is PHI-free by construction: stage names, chartKeys,
 * versions, object ids, counts and error names. Never a chart, a file's content or name, or an EMR id.
 *
 * An Error anywhere in a log item is written as its summary (name, AWS code and status), not as
 * Powertools would write it (message, stack, every own property): a parser's or S3's message can quote
 * a file name or chart content, and a stray `logger.error('…', err)` must not undo that.
 */
export const logger = new Logger({
  serviceName: 'codetrail',
  jsonReplacerFn: (_key, value) => (value instanceof Error ? summarizeError(value) : value),
});
