import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { STAGE_METRICS, type StageName } from '#shared/topology.ts';
import { RetryLater, summarizeError } from './error-summary.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';

export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

function parseBody(record: SQSRecord): unknown {
  return JSON.parse(record.body);
}

function wrap(base: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>) {
  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics)) as unknown as SqsLambdaHandler;
}

/**
 * A stage whose records are independent: each one succeeds or fails on its own, and only the failed
 * ones are reported in batchItemFailures for SQS to deliver again (then to the DLQ after maxReceiveCount).
 * Powertools' BatchProcessor does the partial-response bookkeeping.
 */
export function recordHandler(
  stage: StageName,
  handle: (body: unknown, record: SQSRecord, context: Context) => Promise<void>,
) {
  const processor = new BatchProcessor(EventType.SQS);
  let current: Context | undefined;
  const perRecord = async (record: SQSRecord) => {
    try {
      await handle(parseBody(record), record, current as Context);
      metrics.addMetric('RecordsProcessed', MetricUnit.Count, 1);
    } catch (error) {
      if (error instanceof RetryLater) {
        // Another live run's work: the message comes again after its visibility timeout.
        metrics.addMetric(STAGE_METRICS.recordsDeferred, MetricUnit.Count, 1);
        logger.info('record deferred', { stage, messageId: record.messageId, error: summarizeError(error) });
        throw error;
      }
      metrics.addMetric(STAGE_METRICS.recordsFailed, MetricUnit.Count, 1);
      // The error's summary (its name; a message only for PhiFreeError): see error-summary.ts.
      logger.error('record failed', { stage, messageId: record.messageId, error: summarizeError(error) });
      throw error;
    }
  };
  const handler = wrap(async (event, context) => {
    metrics.addDimension('stage', stage);
    current = context;
    return processPartialResponse(event, perRecord, processor, { context, throwOnFullBatchFailure: false });
  });
  return handler;
}

/**
 * A stage that works on the whole delivered batch at once (billing handoff groups charts into batches).
 * `handle` returns the message ids that failed, and those it deferred to another live invocation's work
 * (both come again; only failures count as RecordsFailed, which pages someone).
 */
export function batchHandler(
  stage: StageName,
  handle: (
    items: { messageId: string; body: unknown }[],
  ) => Promise<{ failed: string[]; deferred: string[] }>,
) {
  return wrap(async (event) => {
    metrics.addDimension('stage', stage);
    const items: { messageId: string; body: unknown }[] = [];
    const failed: string[] = [];
    for (const record of event.Records) {
      try {
        items.push({ messageId: record.messageId, body: parseBody(record) });
      } catch (error) {
        failed.push(record.messageId);
        logger.error('record failed', { stage, messageId: record.messageId, error: summarizeError(error) });
      }
    }
    const deferred: string[] = [];
    try {
      const outcome = await handle(items);
      failed.push(...outcome.failed);
      deferred.push(...outcome.deferred);
    } catch (error) {
      // Every message comes again, as when a handler throws; but thrown, the error would reach the
      // Lambda runtime, which logs its message and stack (a parser's message can quote a chart).
      logger.error('batch failed', { stage, error: summarizeError(error) });
      failed.push(...items.map((item) => item.messageId));
    }
    return batchOutcome(stage, event.Records.length, failed, deferred);
  });
}

/**
 * What a batch came to, counted and logged by message id: the records taken, those failed (RecordsFailed,
 * which pages someone) and those deferred; both come again, as batchItemFailures.
 */
function batchOutcome(
  stage: StageName,
  received: number,
  failed: readonly string[],
  deferred: readonly string[] = [],
): SQSBatchResponse {
  metrics.addMetric('RecordsProcessed', MetricUnit.Count, received - failed.length - deferred.length);
  if (failed.length) {
    metrics.addMetric(STAGE_METRICS.recordsFailed, MetricUnit.Count, failed.length);
    logger.warn('records to retry', { stage, messageIds: failed });
  }
  if (deferred.length) {
    metrics.addMetric(STAGE_METRICS.recordsDeferred, MetricUnit.Count, deferred.length);
    logger.info('records deferred', { stage, messageIds: deferred });
  }
  return { batchItemFailures: [...failed, ...deferred].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** One record of a FIFO message group as the stage gets it: its body parsed (undefined if it would not), who sent it. */
export interface FifoItem {
  messageId: string;
  /** The parsed body; undefined when it is not JSON (`unreadable`). */
  body: unknown;
  unreadable: boolean;
  /** The SQS SenderId: the AWS identity that sent the message, which the sender cannot forge. */
  sender: string | undefined;
}

/**
 * A stage fed by a FIFO queue, whose records must be taken in order within each message group (the
 * audit chainer: one group per agency). Each group's records go to `handle` in order, a body that will
 * not parse marked as such (the stage decides what becomes of it: nothing is dropped here); `handle`
 * returns how many it took, from the first. The rest of that group (from a record it could not take) is
 * failed, so SQS delivers them again in the same order and nothing after a failure is taken before it.
 */
export function fifoGroupHandler(
  stage: StageName,
  handle: (group: string, items: FifoItem[]) => Promise<number>,
) {
  return wrap(async (event) => {
    metrics.addDimension('stage', stage);
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? '';
      const records = groups.get(group);
      if (records) records.push(record);
      else groups.set(group, [record]);
    }
    const failed: string[] = [];
    for (const [group, records] of groups) {
      const items = records.map((record): FifoItem => {
        const sender = record.attributes.SenderId;
        try {
          return { messageId: record.messageId, body: parseBody(record), unreadable: false, sender };
        } catch {
          return { messageId: record.messageId, body: undefined, unreadable: true, sender };
        }
      });
      let taken = 0;
      try {
        taken = await handle(group, items);
      } catch (error) {
        logger.error('group failed', { stage, error: summarizeError(error) });
      }
      failed.push(...records.slice(taken).map((r) => r.messageId));
    }
    return batchOutcome(stage, event.Records.length, failed);
  });
}
