import { createIntakeService } from '#functions/intake/service.ts';
import type { ArtifactStore, Ports, StageQueue } from '#shared/aws/ports.ts';
import { objectIdOf } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ConfigInput } from '#shared/model/config.ts';
import { IntakeContinuation } from '#shared/model/messages.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';
import { homeHealthChart } from './charts.ts';
import { fhirFromChart } from './fhir-from-chart.ts';
import { memoryPorts, movableClock, s3Event } from './memory-ports.ts';
import { testConfig } from './test-agencies.ts';

/** The agency the intake tests drop their files for. */
export const AGENCY = 'test-agency';
/** The instant the intake tests start at. */
export const START = '2026-11-23T12:00:00.000Z';

/** One openObject call: which object, from which byte, pinned to which ETag or version. */
export interface Read {
  key: string;
  start?: number;
  ifMatch?: string;
  versionId?: string;
}

/**
 * Intake over in-memory ports, as its Lambda has them (`portsFor('intake')`), with a clock a test moves
 * and a record of what the service asked of S3 and SQS: the reads (a file read twice shows), the lists,
 * the text objects written with their content type, and each send to a queue.
 *
 * Listing is in key order, as S3's ListObjectsV2 gives it (the in-memory store lists in insertion order).
 */
export function intake(config: ConfigInput = {}) {
  // One clock for the service and the chart store, as a Lambda's stage and its DynamoDB adapter share one.
  const clock = movableClock(START);
  const mem = memoryPorts({ clock });
  const stagePorts = mem.portsFor('intake');
  const reads: Read[] = [];
  const lists: string[] = [];
  const texts: { key: string; contentType: string | undefined }[] = [];
  const sends: { queue: string; count: number }[] = [];
  const store = stagePorts.artifacts;
  const artifacts: ArtifactStore = {
    ...store,
    putJson: (bucket, key, body) => store.putJson(bucket, key, body),
    putText: (bucket, key, body, contentType) => {
      texts.push({ key, contentType });
      return store.putText(bucket, key, body, contentType);
    },
    getText: (bucket, key) => store.getText(bucket, key),
    getObjectText: (bucket, key, versionId) => store.getObjectText(bucket, key, versionId),
    openObject: (bucket, key, options = {}) => {
      reads.push({ key, ...options });
      return store.openObject(bucket, key, options);
    },
    copyObject: (...args) => store.copyObject(...args),
    async *list(bucket, prefix) {
      lists.push(prefix);
      const found = [];
      for await (const object of store.list(bucket, prefix)) found.push(object);
      yield* found.sort((a, b) => (a.key < b.key ? -1 : 1));
    },
  };
  const queue: StageQueue = {
    async send(q, messages, agency) {
      if (messages.length > 0) sends.push({ queue: q, count: messages.length });
      await stagePorts.queue.send(q, messages, agency);
    },
  };
  const ports: Ports = { ...stagePorts, artifacts, queue };
  const deps = { ports, config: testConfig(config), clock };
  const service = createIntakeService(deps);
  const objectId = (key: string, etag = 'e1') => objectIdOf('test-intake', key, etag);
  const receipt = (key: string, etag = 'e1') => {
    const body = mem.objects.get(`test-artifacts/receipts/${AGENCY}/${objectId(key, etag)}.json`);
    return body ? IntakeReceipt.parse(JSON.parse(body)) : undefined;
  };
  return {
    mem,
    ports,
    deps,
    service,
    reads,
    lists,
    texts,
    sends,
    objectId,
    /**
     * A drop file's object id, as receipts and reports name it: from its key and the ETag a listing gave
     * (the memory store's ETag is the body's length), by default the body it holds now.
     */
    fileId(key: string, body = mem.objects.get(`test-intake/${key}`) ?? '') {
      return objectIdOf('test-intake', key, String(body.length));
    },
    receipt,
    /** The quarantine report a receipt names, parsed. */
    report(r: IntakeReceipt | undefined) {
      return JSON.parse(mem.objects.get(`test-intake/${r?.quarantineReport}`) ?? '{}');
    },
    /** Moves the clock to `iso`, so leases pass. */
    later: clock.set,
    /** Moves the clock on by `ms`. */
    advance: clock.advance,
    drop(key: string, body: string, etag = 'e1', invocation?: { remainingMs(): number }) {
      mem.put('intake', key, body);
      return service.handle(s3Event('test-intake', key, etag), invocation);
    },
    /** Runs every continuation waiting on the intake queue, each with its own invocation. */
    async continueAll(invocation?: () => { remainingMs(): number }) {
      for (let round = 0; round < 1000; round++) {
        const next = mem.take('intake');
        if (next.length === 0) return round;
        for (const m of next) await service.handle(IntakeContinuation.parse(m), invocation?.());
      }
      throw new Error('intake never finished');
    },
  };
}

export type IntakeHarness = ReturnType<typeof intake>;

/** NDJSON of `n` clean home health charts HH-0 … HH-(n-1). */
export const ndjson = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: `HH-${i}` })),
  ).join('\n');

/** An invocation that has time for `calls` looks at the clock, then runs short. */
export function shortOfTime(calls: number) {
  let left = calls;
  return { remainingMs: () => (left-- > 0 ? 600_000 : 1_000) };
}

/** A FHIR Bulk Data drop of the given charts: one NDJSON file per resource type, shuffled, ids deduped. */
export function bulkFiles(charts: ChartInput[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const chart of charts) {
    for (const resource of fhirFromChart(chart)) {
      const id = `${resource.resourceType}/${String(resource.id)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const name = `${resource.resourceType}.ndjson`;
      files.set(name, [...(files.get(name) ?? []), JSON.stringify(resource)]);
    }
  }
  // Resources come in no particular order: put each file's lines in reverse.
  for (const lines of files.values()) lines.reverse();
  return files;
}

/** Puts a drop's files in its folder (without a trigger: nothing starts). */
export function putDrop(t: IntakeHarness, folder: string, files: Map<string, string[]>) {
  for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
}

/** A clean home health chart of its own patient, P-<id>. */
export const chartOf = (id: string, overrides: Partial<ChartInput> = {}) =>
  homeHealthChart({ agencyId: AGENCY, chartId: id, patient: { id: `P-${id}` }, ...overrides });

/** Puts a drop's files in its folder, then its manifest, which lists them in the map's order. */
export function dropWithManifest(
  t: IntakeHarness,
  folder: string,
  files: Map<string, string[]>,
  invocation?: { remainingMs(): number },
) {
  putDrop(t, folder, files);
  const output = [...files.keys()].map((name) => ({
    type: name.split(/[._]/)[0],
    url: `https://emr.example/bulk/files/${name}`,
  }));
  return t.drop(`${folder}manifest.json`, JSON.stringify({ output }), 'e1', invocation);
}

/** Puts a drop's files in its folder, then its `.done` marker. */
export function dropWithMarker(
  t: IntakeHarness,
  folder: string,
  files: Map<string, string[]>,
  invocation?: { remainingMs(): number },
) {
  putDrop(t, folder, files);
  return t.drop(`${folder}.done`, '', 'e1', invocation);
}
