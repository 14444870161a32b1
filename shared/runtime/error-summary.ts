/**
 * An error whose message codetrail wrote from identifiers it derived itself (objectIds, chartKeys read
 * from its own table, versions, queue and status names): the one kind of message the logs may show.
 *
 * A class, not a convention, because which errors qualify is a judgement made where the error is
 * thrown. Most of codetrail's own errors do not qualify even when they look harmless:
 * UnknownChartError, say, quotes the chartKey of the message it was given, and a message's body is
 * whatever its sender put there. Every other error (JSON.parse and zod quote the input; S3 and file
 * errors can name a key, and file names often carry patient names) is logged by its name only.
 */
export class PhiFreeError extends Error {
  override name = 'PhiFreeError';
}

/**
 * A record deferred on purpose: the work is another live run's, so the message is to come again later
 * (after its visibility timeout) rather than be dropped. Counted as deferred, not failed, so it pages
 * nobody; it still dead-letters, and alarms, if it never gets done.
 */
export class RetryLater extends PhiFreeError {
  override name = 'RetryLater';
}

/** What the logs may say about an error: nothing that came from input. */
export interface ErrorSummary {
  name: string;
  /** PhiFreeError only. */
  message?: string;
  /** A Node system error's or an AWS service error's code, when it has the shape of one. */
  code?: string;
  /** An AWS SDK error's HTTP status. */
  httpStatusCode?: number;
}

// Class names and AWS error codes are words run together (SQS's older codes dotted:
// AWS.SimpleQueueService.NonExistentQueue), Node's codes upper case with underscores (ENOENT,
// ERR_INVALID_ARG_TYPE). A file name (Zulu_Yankee_1940-01-01.ndjson) or free text is neither.
const IDENTIFIER = /^(?:[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$/;

function identifierOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 64 && IDENTIFIER.test(value) ? value : undefined;
}

/** An error, or anything thrown, summarized for the logs: its name, and a message only when PhiFreeError. */
export function summarizeError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { name: 'NonError' };
  const summary: ErrorSummary = { name: identifierOrUndefined(error.name) ?? 'Error' };
  if (error instanceof PhiFreeError) summary.message = error.message.slice(0, 500);
  const fields = error as { code?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const code = identifierOrUndefined(fields.code) ?? identifierOrUndefined(fields.Code);
  if (code) summary.code = code;
  const status = fields.$metadata?.httpStatusCode;
  if (typeof status === 'number') summary.httpStatusCode = status;
  return summary;
}
