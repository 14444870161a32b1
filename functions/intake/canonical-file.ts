import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { type ReadPosition, readRecords, type SourceRecord } from '#shared/formats/record-reader.ts';
import { hashObject } from '#shared/runtime/hash-object.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { finishObject } from './finish-object.ts';
import type { ObjectRun } from './object-run.ts';
import { NOT_UNDER_AGENCY, refusalOf } from './refusal.ts';
import { tap } from './stream-tools.ts';
import type { ChartTaker } from './take-chart.ts';
import { emptyTally, Tally, type TallyState } from './tally.ts';

/** Messages for validation are sent once this many are waiting (10 SendMessageBatch calls). */
export const FORWARD_EVERY = 100;

interface CanonicalCheckpoint {
  format: 'canonical';
  /** Where the next run resumes reading; absent before the first record. */
  position?: ReadPosition;
  /** Every record was read; only the object's hash is left to compute. */
  recordsDone?: boolean;
  tally: TallyState;
  [key: string]: unknown;
}

/**
 * Takes in a canonical export file (JSON, a JSON array or NDJSON), streamed record by record and charts
 * taken `concurrency` at a time. When Lambda time runs short it stops after a group, with everything
 * before it durable, and continues in a new run from the saved byte offset.
 */
export async function takeCanonicalFile(
  deps: StageDeps,
  run: ObjectRun,
  takeChart: ChartTaker,
): Promise<void> {
  const { ports, config } = deps;
  const { source } = run;
  // Anything but a checkpoint of this reader (none yet, or an unreadable one) starts from the top.
  const saved = run.checkpoint?.format === 'canonical' ? (run.checkpoint as CanonicalCheckpoint) : undefined;
  const cp: CanonicalCheckpoint = saved?.tally ? saved : { format: 'canonical', tally: emptyTally() };
  const tally = new Tally(cp.tally);
  const sendForward = () => ports.queue.send('validate', tally.forward.splice(0));

  const refusal = refusalOf(run, config.intake.maxObjectBytes);
  if (refusal) {
    // The report names the file by its object id; its key (an EMR file name) is not repeated here.
    tally.unreadable({ reason: refusal });
    // A file refused for its size is not read at all, not even to hash it.
    const whole = refusal === NOT_UNDER_AGENCY ? await hashObject(ports, source) : undefined;
    await finishObject(deps, run, tally, {
      format: 'canonical',
      sha256: whole?.sha256,
      bytes: whole?.bytes ?? source.size ?? 0,
    });
    return;
  }

  // Read from the first byte in one run, the hash comes for free; otherwise it takes a pass of its own.
  const hash = cp.position || cp.recordsDone ? undefined : createHash('sha256');
  let bytes = 0;
  if (!cp.recordsDone) {
    const stream = await ports.artifacts.openObject(source.bucket, source.key, {
      ...(source.versionId ? { versionId: source.versionId } : {}),
      start: cp.position?.offset ?? 0,
    });
    let mode = cp.position?.mode;
    let group: SourceRecord[] = [];
    // NDJSON records are told apart by line; JSON values also by byte offset (a minified array is one line).
    const where = (r: SourceRecord) =>
      mode === 'lines' ? { line: r.line } : { line: r.line, byte: r.offset };
    // Each record's count, taken concurrently and then added up in the file's order.
    const take = async (r: SourceRecord): Promise<() => void> => {
      if ('error' in r) return () => tally.unreadable({ ...where(r), reason: r.error });
      const result = await takeChart(r.value, {
        objectId: run.objectId,
        agencyId: run.agencyId,
        // The byte offset makes the label unique even where records share a line.
        record: `line ${r.line}, byte ${r.offset}`,
        at: where(r),
      });
      return () => tally.chart(result);
    };
    const takeGroup = async () => {
      for (const count of await Promise.all(group.map(take))) count();
      const last = group[group.length - 1];
      if (last && mode) cp.position = { offset: last.end, line: last.nextLine, mode };
      group = [];
      if (tally.forward.length >= FORWARD_EVERY) await sendForward();
    };
    const records = readRecords(
      tap(stream, (chunk) => {
        hash?.update(chunk);
        bytes += chunk.length;
      }),
      {
        fileName: basename(source.key),
        maxRecordBytes: config.intake.maxRecordBytes,
        ...(cp.position ? { from: cp.position } : {}),
        onMode: (m) => {
          mode = m;
        },
      },
    );
    for await (const record of records) {
      group.push(record);
      if (group.length < config.intake.concurrency) continue;
      await takeGroup();
      if (run.shouldPause()) {
        await sendForward();
        await run.continueLater(cp);
        return;
      }
      if (run.progressDue()) {
        await sendForward();
        await run.saveProgress(cp);
      }
    }
    await takeGroup();
    cp.recordsDone = true;
    // Saved before a hash pass of its own, so a run that times out hashing does not read the records again.
    if (!hash) {
      await sendForward();
      await run.saveProgress(cp);
    }
  }
  const whole = hash ? { sha256: hash.digest('hex'), bytes } : await hashObject(ports, source);
  await finishObject(deps, run, tally, { format: 'canonical', sha256: whole.sha256, bytes: whole.bytes });
}
