import { createHash } from 'node:crypto';
import { basename, posix } from 'node:path';
import { isPreconditionFailed } from '#shared/aws/ports.ts';
import {
  assembleCharts,
  type SharedDirectory,
  sharedDirectory,
} from '#shared/formats/fhir/assemble-charts.ts';
import { dropPartType } from '#shared/formats/fhir/resource-types.ts';
import { CHART_RESOURCE_TYPES, routeResource, safeTypeName } from '#shared/formats/fhir/resources.ts';
import { type ReadPosition, readRecords } from '#shared/formats/record-reader.ts';
import { listingIdOf } from '#shared/identity/identifiers.ts';
import { hashObject } from '#shared/runtime/hash-object.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { INTAKE_WORK_PREFIX } from '#shared/topology.ts';
import { FORWARD_EVERY } from './canonical-file.ts';
import { finishObject } from './finish-object.ts';
import type { ObjectRun } from './object-run.ts';
import { placeAssembly, type Spilled } from './place-assembly.ts';
import { NOT_UNDER_AGENCY, oversize } from './refusal.ts';
import { tap } from './stream-tools.ts';
import type { ChartSource, ChartTaker } from './take-chart.ts';
import { Tally, type TallyState } from './tally.ts';

/**
 * FHIR R4 Bulk Data drops. An export job writes a folder exports/<agency>/<drop>/ of NDJSON files, one
 * resource per line, named after their FHIR R4 resource type (Patient.ndjson, Condition.2.ndjson,
 * Observation_0001.ndjson), and last its
 * Bulk Data manifest (manifest.json) or an empty `.done` marker. The marker's arrival starts the drop:
 *
 * 1. partition: every file is streamed line by line and each resource is written, by a hash of its
 *    patient, to one of N partition files under work/<agency>/<objectId>/ in the intake bucket (N from
 *    the drop's size, so a partition fits in memory; Practitioner and Organization go to a shared one);
 * 2. assemble: partition by partition, a patient's resources are grouped and assembled into charts
 *    (docs/fhir-mapping.md), which go through the same chart intake as canonical files;
 * 3. the files read over several runs are hashed, and the receipt lists every file with its hash.
 *
 * Every phase checkpoints in the object ledger and continues in a new run when Lambda time runs short.
 */

/** How a key takes part in a FHIR drop: its trigger, one of its files, or not at all (a canonical file). */
export function bulkDropRole(key: string): 'trigger' | 'part' | 'file' {
  const segments = key.split('/');
  // exports/<agency>/<drop>/<file>: a drop is a folder of its own.
  if (segments.length < 4) return 'file';
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name === 'manifest.json' || name === '.done') return 'trigger';
  return dropPartType(name) ? 'part' : 'file';
}

/**
 * One file of a drop, as the checkpoint (in the ledger) keeps it: by object id, never by key. Its key is
 * in the drop's saved keys (`source-keys.ts`), at the same index.
 */
interface DropFile {
  /** The file's object id (bucket, key and ETag), as the receipt and the quarantine report name it. */
  id: string;
  etag: string;
  size: number;
  /** The type the manifest names, or the file name's (a `.done` drop). */
  resourceType: string;
  /** How many resources the manifest says the file holds (`output[].count`), when it says. */
  expected?: number;
  sha256?: string;
  lines: number;
}

interface DropCheckpoint {
  format: 'fhir-bulk';
  phase: 'partition' | 'assemble' | 'finish';
  files: DropFile[];
  partitions: number;
  /** Partition phase: the file being read and where. */
  fileIndex: number;
  position?: ReadPosition;
  /** Partition files written and committed, by the run (segment) that wrote them. */
  flushes: Record<string, number>;
  /** Assemble phase: the partition being assembled and how many of its patients are done. */
  partition: number;
  patientsDone: number;
  resources: Record<string, number>;
  unused: Record<string, number>;
  tally: TallyState;
  [key: string]: unknown;
}

const SHARED = 'shared';
const CHANGED_WHILE_READ =
  'the file was replaced while the drop was being read: no chart was taken from the drop; drop the export again';
const CHANGED_AFTER_READ = 'the file was replaced after it was read: its hash is not recorded';
/** Resources held before they are written out to their partitions, a file per partition. */
const FLUSH_BYTES = 8 * 1024 * 1024;
/** Records between looks at the clock while partitioning. */
const LOOK_EVERY = 5000;
/** Files one drop may hold: their list rides in the checkpoint, which DynamoDB caps at 400 KB. */
export const MAX_DROP_FILES = 1000;

async function inParallel(tasks: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<unknown>)();
  };
  // A worker with no task left ends at once.
  await Promise.all(Array.from({ length: limit }, worker));
}

export async function takeBulkDrop(deps: StageDeps, run: ObjectRun, takeChart: ChartTaker): Promise<void> {
  const { ports, config } = deps;
  const dropPrefix = `${posix.dirname(run.source.key)}/`;
  const workPrefix = `${INTAKE_WORK_PREFIX}${run.agencyId}/${run.objectId}/`;
  if (run.agencyId === 'unknown') {
    const tally = new Tally();
    tally.unreadable({ reason: NOT_UNDER_AGENCY });
    const trigger = await hashObject(ports, run.source);
    await finishObject(deps, run, tally, {
      format: 'fhir-bulk',
      sha256: trigger.sha256,
      bytes: trigger.bytes,
    });
    return;
  }
  // Anything but a checkpoint of this reader (none yet, or an unreadable one) starts from the plan.
  const resumed = run.checkpoint?.format === 'fhir-bulk' && run.checkpoint.tally;
  const { cp, fileKeys } = resumed
    ? { cp: run.checkpoint as DropCheckpoint, fileKeys: (await run.savedKeys()).files ?? [] }
    : await plan(deps, run, dropPrefix);
  const tally = new Tally(cp.tally);
  const sendForward = () => ports.queue.send('validate', tally.forward.splice(0));
  const pause = async () => {
    await sendForward();
    await run.continueLater(cp);
  };
  const checkpointIfDue = async () => {
    if (!run.progressDue()) return;
    await sendForward();
    await run.saveProgress(cp);
  };

  // 1. Partition.
  let flushSeq = cp.flushes[String(run.segment)] ?? 0;
  const buffers = new Map<string, string[]>();
  let buffered = 0;
  const flush = async () => {
    if (buffered === 0) return;
    const writes = [...buffers].map(
      ([partition, lines]) =>
        () =>
          ports.artifacts.putText(
            'intake',
            `${workPrefix}p-${partition}/s${run.segment}-${flushSeq}.ndjson`,
            `${lines.join('\n')}\n`,
            'application/x-ndjson',
          ),
    );
    await inParallel(writes, config.intake.concurrency);
    buffers.clear();
    buffered = 0;
    flushSeq++;
    cp.flushes[String(run.segment)] = flushSeq;
  };
  // The resource's own text goes into the spilled line as it came: no second serialisation.
  const spill = (
    partition: string,
    patient: string | undefined,
    file: number,
    line: number,
    text: string,
  ) => {
    const entry = `{${patient === undefined ? '' : `"p":${JSON.stringify(patient)},`}"f":${file},"l":${line},"r":${text}}`;
    let lines = buffers.get(partition);
    if (!lines) {
      lines = [];
      buffers.set(partition, lines);
    }
    lines.push(entry);
    buffered += entry.length;
  };

  while (cp.phase === 'partition' && cp.fileIndex < cp.files.length) {
    const index = cp.fileIndex;
    const file = cp.files[index] as DropFile;
    const unread = unreadReason(file, config.intake.maxObjectBytes);
    if (!unread) {
      const hash = cp.position ? undefined : createHash('sha256');
      let stream: AsyncIterable<Uint8Array>;
      try {
        // Pinned to the ETag the drop was planned with: a resumed read must not splice two versions.
        stream = await ports.artifacts.openObject(run.source.bucket, fileKeys[index] as string, {
          start: cp.position?.offset ?? 0,
          ifMatch: file.etag,
        });
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err;
        // Charts assembled from it would mix two exports: the drop is set aside whole, before any chart.
        tally.unreadable({ file: file.id, reason: CHANGED_WHILE_READ });
        // Stryker disable next-line StringLiteral: no code compares a phase with 'finish', only with the other two
        cp.phase = 'finish';
        break;
      }
      let stopped = false;
      let sinceLook = 0;
      for await (const record of readRecords(
        tap(stream, (chunk) => hash?.update(chunk)),
        {
          // Bulk Data files are NDJSON whatever their name says.
          fileName: 'resources.ndjson',
          keepText: true,
          maxRecordBytes: config.intake.maxRecordBytes,
          ...(cp.position ? { from: cp.position } : {}),
        },
      )) {
        // An empty file of a drop is no error: it has no resources of its type.
        if ('error' in record && record.error === 'file holds no charts') continue;
        file.lines++;
        if ('error' in record) tally.unreadable({ file: file.id, line: record.line, reason: record.error });
        else {
          const route = routeResource(record.value);
          if (route.kind === 'invalid')
            tally.unreadable({ file: file.id, line: record.line, reason: route.reason });
          else {
            const type = String((record.value as { resourceType: unknown }).resourceType);
            cp.resources[type] = (cp.resources[type] ?? 0) + 1;
            const text = record.text ?? JSON.stringify(record.value);
            if (route.kind === 'shared') spill(SHARED, undefined, index, record.line, text);
            else
              spill(
                String(partitionOf(route.patientId, cp.partitions)),
                route.patientId,
                index,
                record.line,
                text,
              );
          }
        }
        // Time and progress are looked at every so many records even when little is buffered (a file of
        // lines that route nowhere must still pause in time).
        if (buffered < FLUSH_BYTES && ++sinceLook < LOOK_EVERY) continue;
        sinceLook = 0;
        if (buffered < FLUSH_BYTES && !run.shouldPause() && !run.progressDue()) continue;
        await flush();
        cp.position = { offset: record.end, line: record.nextLine, mode: 'lines' };
        if (run.shouldPause()) {
          stopped = true;
          break;
        }
        await checkpointIfDue();
      }
      if (stopped) return pause();
      await flush();
      if (hash) file.sha256 = hash.digest('hex');
      // A file cut short on its way (or padded) shows here before any chart is missed.
      if (file.expected !== undefined && file.expected !== file.lines)
        tally.issue({
          file: file.id,
          reason: `the manifest counts ${file.expected} resources, the file holds ${file.lines}`,
        });
    } else {
      tally.issue({ file: file.id, reason: unread });
      const key = `${file.resourceType}: not read`;
      cp.unused[key] = (cp.unused[key] ?? 0) + 1;
    }
    cp.fileIndex++;
    delete cp.position;
    if (run.shouldPause()) return pause();
    await checkpointIfDue();
  }
  if (cp.phase === 'partition') {
    cp.phase = 'assemble';
    cp.partition = 0;
    cp.patientsDone = 0;
  }

  // 2. Assemble, partition by partition.
  if (cp.phase === 'assemble') {
    const shared = sharedDirectory((await readPartition(deps, run, cp, workPrefix, SHARED)).map((e) => e.r));
    while (cp.partition < cp.partitions) {
      const paused = await assemblePartition(deps, run, cp, tally, takeChart, shared, workPrefix);
      if (paused) return pause();
      cp.partition++;
      cp.patientsDone = 0;
      await checkpointIfDue();
    }
    // Stryker disable next-line StringLiteral: no code compares a phase with 'finish', only with the other two
    cp.phase = 'finish';
  }

  // 3. Hash what was read over several runs (saved first, so a run that times out hashing does not
  // assemble again), then the receipt.
  const unhashed = cp.files.filter((f) => !f.sha256 && !oversize(f.size, config.intake.maxObjectBytes));
  if (unhashed.length > 0) {
    await sendForward();
    await run.saveProgress(cp);
  }
  for (const file of unhashed) {
    const source = {
      bucket: run.source.bucket,
      key: fileKeys[cp.files.indexOf(file)] as string,
      etag: file.etag,
    };
    try {
      file.sha256 = (await hashObject(ports, source, true)).sha256;
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      tally.issue({ file: file.id, reason: CHANGED_AFTER_READ });
    }
  }
  const trigger = await hashObject(ports, run.source);
  await finishObject(deps, run, tally, {
    format: 'fhir-bulk',
    sha256: trigger.sha256,
    bytes: trigger.bytes,
    files: cp.files.map((f) => ({
      objectId: f.id,
      resourceType: f.resourceType,
      bytes: f.size,
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
      lines: f.lines,
    })),
    resources: cp.resources,
    unused: cp.unused,
  });

  async function assemblePartition(
    deps: StageDeps,
    run: ObjectRun,
    cp: DropCheckpoint,
    tally: Tally,
    takeChart: ChartTaker,
    shared: SharedDirectory,
    workPrefix: string,
  ): Promise<boolean> {
    // Only committed partition files are read, so a crashed run's leftovers never count twice; a resource
    // the export itself holds twice is the assembler's to judge (the higher meta.versionId wins).
    const byPatient = new Map<string | undefined, Spilled[]>();
    for (const entry of await readPartition(deps, run, cp, workPrefix, String(cp.partition))) {
      let resources = byPatient.get(entry.p);
      if (!resources) {
        resources = [];
        byPatient.set(entry.p, resources);
      }
      resources.push(entry);
    }
    const patients = [...byPatient.keys()].sort();
    const fileIds = cp.files.map((f) => f.id);
    let group: { value: unknown; source: ChartSource }[] = [];
    const takeGroup = async () => {
      const results = await Promise.all(group.map((g) => takeChart(g.value, g.source)));
      for (const result of results) tally.chart(result);
      group = [];
      if (tally.forward.length >= FORWARD_EVERY) await sendForward();
    };
    for (let i = cp.patientsDone; i < patients.length; i++) {
      const entries = byPatient.get(patients[i]) as Spilled[];
      const assembled = assembleCharts({
        agencyId: run.agencyId,
        resources: entries.map((e) => e.r),
        shared,
      });
      const place = { partition: cp.partition, patient: i, entries, fileIds };
      for (const chart of placeAssembly(assembled, place, tally, cp.unused)) {
        group.push({
          value: chart.value,
          source: { objectId: run.objectId, agencyId: run.agencyId, record: chart.record, at: chart.at },
        });
      }
      if (group.length < deps.config.intake.concurrency && i + 1 < patients.length) continue;
      await takeGroup();
      cp.patientsDone = i + 1;
      if (run.shouldPause()) return true;
      await checkpointIfDue();
    }
    await takeGroup();
    return false;
  }
}

/** FNV-1a: a stable, well-spread hash, so a patient lands in the same partition in every run. */
export function partitionOf(patientId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < patientId.length; i++) {
    h ^= patientId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** Reads one partition's committed files: only those written by runs whose checkpoint recorded them. */
async function readPartition(
  deps: StageDeps,
  run: ObjectRun,
  cp: DropCheckpoint,
  workPrefix: string,
  partition: string,
): Promise<Spilled[]> {
  const files: { key: string; segment: number; seq: number }[] = [];
  for await (const object of deps.ports.artifacts.list('intake', `${workPrefix}p-${partition}/`)) {
    const match = /\/s(\d+)-(\d+)\.ndjson$/.exec(object.key);
    if (!match) continue;
    const segment = Number(match[1]);
    const seq = Number(match[2]);
    if (seq < (cp.flushes[String(segment)] ?? 0)) files.push({ key: object.key, segment, seq });
  }
  // In the order they were written (S3 lists s0-10 before s0-2).
  files.sort((a, b) => a.segment - b.segment || a.seq - b.seq);
  const out: Spilled[] = [];
  for (const file of files) {
    const text = await deps.ports.artifacts.getObjectText(run.source.bucket, file.key);
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as Spilled);
  }
  return out;
}

/**
 * The drop's files, from its manifest or (for a `.done` marker) by listing its folder; and its partitions.
 * Their keys are saved for the runs that continue the drop before any checkpoint can name a file.
 */
async function plan(
  deps: StageDeps,
  run: ObjectRun,
  dropPrefix: string,
): Promise<{ cp: DropCheckpoint; fileKeys: string[] }> {
  const { ports, config } = deps;
  const tally = new Tally();
  const inFolder = new Map<string, { etag: string; size: number }>();
  for await (const object of ports.artifacts.list('intake', dropPrefix))
    inFolder.set(object.key, { etag: object.etag, size: object.size });
  const files: DropFile[] = [];
  const fileKeys: string[] = [];
  const addFile = (key: string, resourceType: string, expected?: number, output?: number) => {
    const found = inFolder.get(key);
    if (!found) {
      // Named by its place in the manifest: the file name is the export job's, and may be a patient's.
      tally.issue({ reason: `output ${output} of the manifest (${resourceType}) is not in the drop` });
      return;
    }
    if (fileKeys.includes(key)) return;
    fileKeys.push(key);
    files.push({
      id: listingIdOf(run.source.bucket, key, found.etag),
      etag: found.etag,
      size: found.size,
      resourceType,
      // Left out of the checkpoint when the manifest gives no count: the ledger stores no undefined.
      expected,
      lines: 0,
    });
  };
  if (basename(run.source.key) === 'manifest.json') {
    const manifest = parseManifest(await ports.artifacts.getObjectText(run.source.bucket, run.source.key));
    if (typeof manifest === 'string') tally.unreadable({ reason: manifest });
    else
      for (const [i, output] of manifest.entries())
        addFile(`${dropPrefix}${output.name}`, output.type, output.count, i + 1);
  } else {
    for (const key of [...inFolder.keys()].sort()) {
      const type = dropPartType(basename(key));
      if (type && key.slice(dropPrefix.length).indexOf('/') === -1) addFile(key, type);
    }
  }
  if (files.length > MAX_DROP_FILES) {
    tally.unreadable({
      reason: `the drop has ${files.length} files; at most ${MAX_DROP_FILES} are read in one drop`,
    });
    files.length = 0;
    fileKeys.length = 0;
  }
  await run.saveKeys({ key: run.source.key, files: fileKeys });
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const cp: DropCheckpoint = {
    format: 'fhir-bulk',
    phase: 'partition',
    files,
    partitions: Math.max(1, Math.ceil(totalBytes / config.intake.partitionBytes)),
    fileIndex: 0,
    flushes: {},
    partition: 0,
    patientsDone: 0,
    resources: {},
    unused: {},
    tally: tally.state,
  };
  return { cp, fileKeys };
}

/** Why a file of the drop is not read, if it is not: a resource type codetrail does not read, or its size. */
function unreadReason(file: DropFile, maxObjectBytes: number | undefined): string | undefined {
  if (!(CHART_RESOURCE_TYPES as readonly string[]).includes(file.resourceType))
    return `resource type ${file.resourceType} is not read by codetrail`;
  return oversize(file.size, maxObjectBytes);
}

/**
 * The files a Bulk Data manifest lists (`output[]`: type and url; the file is the url's last segment,
 * found in the drop's folder), or why it cannot be read.
 */
export function parseManifest(text: string): { type: string; name: string; count?: number }[] | string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return 'manifest is not valid JSON';
  }
  const output = (manifest as { output?: unknown })?.output;
  if (!Array.isArray(output)) return 'manifest has no output array';
  const files: { type: string; name: string; count?: number }[] = [];
  for (const entry of output) {
    const { type, url, count } = (entry ?? {}) as { type?: unknown; url?: unknown; count?: unknown };
    if (typeof type !== 'string' || typeof url !== 'string')
      return 'manifest output entries need type and url';
    const name = url.replace(/\?.*/s, '').split('/').pop();
    if (!name) return 'manifest output url names no file';
    // The type lands in reports and receipts: only a name shaped like a FHIR type, never other text.
    const safe = safeTypeName(type);
    files.push(Number.isInteger(count) ? { type: safe, name, count: count as number } : { type: safe, name });
  }
  return files;
}
