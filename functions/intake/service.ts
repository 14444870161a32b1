import type { SourceObject } from '#shared/aws/ports.ts';
import { createdObjects } from '#shared/formats/s3-event.ts';
import { objectIdOf } from '#shared/identity/identifiers.ts';
import { IntakeContinuation, S3EventMessage } from '#shared/model/messages.ts';
import { logger } from '#shared/runtime/logger.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { takeCanonicalFile } from './canonical-file.ts';
import { bulkDropRole, takeBulkDrop } from './fhir-drop.ts';
import { type Invocation, ObjectTakenOver, startObjectRun } from './object-run.ts';
import { createChartTaker } from './take-chart.ts';

/** Without a Lambda context (tests, scripts) a run never runs short of time. */
// Stryker disable next-line ArrowFunction: undefined < n is false as Infinity < n is: no run ever pauses
const UNHURRIED: Invocation = { remainingMs: () => Number.POSITIVE_INFINITY };

/**
 * Intake: takes in what EMR export jobs drop under exports/<agency>/ — canonical JSON/NDJSON files, and
 * FHIR R4 Bulk Data drops (a folder of NDJSON files, read together once its manifest or `.done` marker
 * arrives) — stores each chart version as an artifact with its state, and hands it to validation. Files
 * are streamed; a long one continues over several runs. Bad records are quarantined with a report while
 * the rest goes on, and the same object delivered twice creates nothing new.
 */
export function createIntakeService(deps: StageDeps) {
  const takeChart = createChartTaker(deps);

  async function takeObject(message: { source: SourceObject } | IntakeContinuation, invocation: Invocation) {
    const run = await startObjectRun(deps, message, invocation);
    if (!run) return;
    try {
      if (bulkDropRole(run.source.key) === 'trigger') await takeBulkDrop(deps, run, takeChart);
      else await takeCanonicalFile(deps, run, takeChart);
    } catch (error) {
      if (error instanceof ObjectTakenOver) {
        logger.info('object taken over by a later run', { objectId: run.objectId });
        return;
      }
      // Let the lease go, so the retried message resumes from the last checkpoint without waiting.
      await run.release().catch(() => undefined);
      throw error;
    }
  }

  return {
    /** Handles one message of the intake queue: an S3 event notification or a continuation. */
    async handle(body: unknown, invocation: Invocation = UNHURRIED): Promise<void> {
      const continuation = IntakeContinuation.safeParse(body);
      if (continuation.success) return takeObject(continuation.data, invocation);
      for (const source of createdObjects(S3EventMessage.parse(body), 'exports/')) {
        // A file of a FHIR drop is read with the others when the drop's manifest or marker arrives;
        // `codetrail intake pending` lists the files still waiting.
        if (bulkDropRole(source.key) === 'part') {
          // The object id, never the key: a file or folder name can carry a patient's name.
          logger.info('file of a FHIR drop: read when its manifest or .done marker arrives', {
            objectId: objectIdOf(source.bucket, source.key, source.etag),
          });
          continue;
        }
        await takeObject({ source }, invocation);
      }
    },
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
