// One measured run of `npm run bench -- intake`, in a process of its own so its peak RSS is its own:
// reads the job from BENCH_JOB, prints one JSON line { charts, seconds, maxRssMb, requests }.
//   baseline: the objects streamed from S3, split with node:readline, one JSON.parse per line
//   read:     the same objects read by intake's record reader (offsets, size caps, one JSON.parse each)
//   check:    intake's whole path without the writes (records, schema check; FHIR: partition, assemble)
//   full:     the intake service itself, writing every chart (artifact, state, audit, messages)
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { takeCanonicalFile } from '#functions/intake/canonical-file.ts';
import { takeBulkDrop } from '#functions/intake/fhir-drop.ts';
import type { ObjectRun } from '#functions/intake/object-run.ts';
import { createIntakeService } from '#functions/intake/service.ts';
import type { SourceKeys } from '#functions/intake/source-keys.ts';
import type { ChartTaker } from '#functions/intake/take-chart.ts';
import { awsClients, requestCounts } from '#shared/aws/clients.ts';
import type { SourceObject } from '#shared/aws/ports.ts';
import { systemClock } from '#shared/aws/ports.ts';
import { buildPorts } from '#shared/aws/ports-from-env.ts';
import type { Resources } from '#shared/aws/resources.ts';
import { DEFAULT_MAX_RECORD_BYTES, readRecordBatches } from '#shared/formats/record-reader.ts';
import { recordedSource } from '#shared/identity/identifiers.ts';
import { parseConfig } from '#shared/model/config.ts';
import { validateChartInput } from '#shared/rules/index.ts';

interface Job {
  mode: 'baseline' | 'read' | 'check' | 'full';
  endpoints: { dynamodb: string; sqs: string; s3: string };
  resources: Resources;
  /** The object intake is triggered by (the file, or the FHIR drop's manifest) and every object read. */
  trigger: string;
  objects: string[];
  format: 'canonical' | 'fhir';
  charts: number;
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
// The emulators' endpoints, as the local runtime sets them (cli/local/emulators.ts, not bundled here).
Object.assign(process.env, {
  AWS_ENDPOINT_URL_DYNAMODB: job.endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: job.endpoints.sqs,
  AWS_ENDPOINT_URL_S3: job.endpoints.s3,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
const clients = awsClients();
const { resources } = job;
const ports = buildPorts(clients, resources);
// The agencies the benchmark's files are dropped for: a stack quarantines charts of any other.
const agencies = ['bench-agency', 'bench-full', 'bench-fhir', 'bench-fhir-full'].map((id) => ({ id }));
const deps = { ports, config: parseConfig({ agencies }), clock: systemClock };
const bucket = resources.buckets.intake;
const head = async (key: string) => {
  for await (const o of ports.artifacts.list('intake', key)) if (o.key === key) return o;
  throw new Error(`${key} is not in the bucket`);
};
const triggerObject = await head(job.trigger);
const source: SourceObject = { bucket, key: job.trigger, etag: triggerObject.etag, size: triggerObject.size };
for (const k of Object.keys(requestCounts)) delete requestCounts[k];

const started = performance.now();
let charts = job.charts;
if (job.mode === 'baseline') {
  let lines = 0;
  for (const key of job.objects) {
    const body = Readable.from(await ports.artifacts.openObject(bucket, key));
    for await (const line of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (!line) continue;
      JSON.parse(line);
      lines++;
    }
  }
  if (job.format === 'canonical') charts = lines;
} else if (job.mode === 'read') {
  let records = 0;
  for (const key of job.objects) {
    const stream = await ports.artifacts.openObject(bucket, key);
    const fileName = job.format === 'canonical' ? key : 'resources.ndjson';
    for await (const batch of readRecordBatches(stream, {
      fileName,
      maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
    }))
      records += batch.length;
  }
  if (job.format === 'canonical') charts = records;
} else if (job.mode === 'check') {
  // Intake's own work per chart, without the writes: the schema check every chart goes through.
  let seen = 0;
  const checkOnly: ChartTaker = async (value) => {
    seen++;
    const checked = validateChartInput(value);
    return checked.chart ? { outcome: 'accepted' } : { outcome: 'quarantined', issues: [] };
  };
  const recorded = recordedSource(source);
  const { objectId } = recorded;
  await ports.ledger.begin({
    objectId,
    status: 'PROCESSING',
    stage: 'intake',
    source: recorded,
    startedAt: '',
    segment: 0,
  });
  let keys: SourceKeys | undefined;
  const run: ObjectRun = {
    objectId,
    agencyId: source.key.split('/')[1] ?? 'unknown',
    source,
    recorded,
    saveKeys: async (k) => {
      keys = k;
    },
    savedKeys: async () => keys ?? { key: source.key },
    segment: 0,
    startedAt: new Date().toISOString(),
    checkpoint: undefined,
    shouldPause: () => false,
    progressDue: () => false,
    saveProgress: async () => undefined,
    continueLater: async () => {
      throw new Error('never short of time here');
    },
    release: async () => undefined,
  };
  if (job.format === 'canonical') await takeCanonicalFile(deps, run, checkOnly);
  else await takeBulkDrop(deps, run, checkOnly);
  charts = seen;
} else {
  await createIntakeService(deps).handle({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: source.key, eTag: source.etag, size: source.size } },
      },
    ],
  });
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    charts,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    requests: { ...requestCounts },
  })}\n`,
);
