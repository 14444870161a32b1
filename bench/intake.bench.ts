// `npm run bench -- intake`: a generated export of BENCH_CHARTS charts (100,000 by default) as canonical
// NDJSON and as a FHIR R4 Bulk Data drop, taken in from the S3 emulator. For each format, four runs,
// each in a process of its own (so peak RSS is that run's), with the emulators in yet another:
//   baseline  the objects streamed from S3, split with node:readline, one JSON.parse per line
//   read      the same objects read by intake's record reader (byte offsets, size caps, JSON.parse)
//   check     intake's whole path but the writes: records and schema check (FHIR: also partitioning
//             by patient through S3, assembling the charts)
//   full      the intake service writing every chart (artifact, state, audit, validation message);
//             on BENCH_FULL_CHARTS charts (10,000 by default): its cost is the emulators' writes
// Targets: every intake run under 256 MB peak RSS; canonical read at least half the baseline's rate.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { applyEmulatorEnv } from '#cli/local/emulators.ts';
import { provision } from '#cli/local/provision.ts';
import { awsClients } from '#shared/aws/clients.ts';
import { homeHealthChart, hospiceChart } from '../test/support/charts.ts';
import { fhirFromChart } from '../test/support/fhir-from-chart.ts';
import { report, startExternalEmulators } from './support.ts';

const CHARTS = Number(process.env.BENCH_CHARTS ?? 100_000);
const FULL_CHARTS = Math.min(CHARTS, Number(process.env.BENCH_FULL_CHARTS ?? 10_000));
/** BENCH_FORMATS=canonical skips the FHIR drop (a gigabyte of canonical NDJSON is ~1.4 million charts). */
const FORMATS = (process.env.BENCH_FORMATS ?? 'canonical,fhir').split(',') as ('canonical' | 'fhir')[];
const RSS_TARGET_MB = 256;
/** V8's old-space cap for every measured process: what a 512 MB Lambda leaves the heap, with room to spare. */
const HEAP_MB = 192;
const PREFIX = 'bench-intake';

const dir = mkdtempSync(join(tmpdir(), 'codetrail-bench-intake-'));
const keyFile = join(dir, 'local.key');
writeFileSync(keyFile, '5e'.repeat(32));

function chartAt(i: number, agencyId: string) {
  const common = { agencyId, chartId: `B-${i}`, patient: { id: `P-${i}` }, coderId: `coder-${i % 40}` };
  return i % 4 === 3 ? hospiceChart(common) : homeHealthChart(common);
}

/** Writes the canonical file; returns its path. */
function writeCanonical(n: number, agencyId: string, name: string): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  for (let i = 0; i < n; i++) writeSync(fd, `${JSON.stringify(chartAt(i, agencyId))}\n`);
  closeSync(fd);
  return path;
}

/** Writes a FHIR drop, one NDJSON file per resource type; returns the files by resource type. */
function writeFhir(n: number, agencyId: string, name: string): Map<string, string> {
  const files = new Map<string, { path: string; fd: number }>();
  const shared = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (const resource of fhirFromChart(chartAt(i, agencyId))) {
      const type = resource.resourceType;
      if (type === 'Practitioner' || type === 'Organization') {
        if (shared.has(`${type}/${String(resource.id)}`)) continue;
        shared.add(`${type}/${String(resource.id)}`);
      }
      let file = files.get(type);
      if (!file) {
        const path = join(dir, `${name}-${type}.ndjson`);
        file = { path, fd: openSync(path, 'w') };
        files.set(type, file);
      }
      writeSync(file.fd, `${JSON.stringify(resource)}\n`);
    }
  }
  const out = new Map<string, string>();
  for (const [type, file] of files) {
    closeSync(file.fd);
    out.set(type, file.path);
  }
  return out;
}

const emulators = await startExternalEmulators();
try {
  applyEmulatorEnv(emulators.endpoints);
  const clients = awsClients();
  const { resources } = await provision(clients, {
    prefix: PREFIX,
    timeCompression: 1,
    localKeyFile: keyFile,
    agencies: ['bench-agency', 'bench-full', 'bench-fhir', 'bench-fhir-full'],
  });
  // Multipart, as an export job uploads a large file (and the emulator takes at most 11 MiB a request).
  const PART = 8 * 1024 * 1024;
  const upload = async (key: string, path: string) => {
    const size = statSync(path).size;
    const Bucket = resources.buckets.intake;
    if (size <= PART) {
      await clients.s3.send(new PutObjectCommand({ Bucket, Key: key, Body: readFileSync(path) }));
      return;
    }
    const { UploadId } = await clients.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
    const parts: { ETag?: string; PartNumber: number }[] = [];
    for (let at = 0, n = 1; at < size; at += PART, n++) {
      const body = createReadStream(path, { start: at, end: Math.min(size, at + PART) - 1 });
      const out = await clients.s3.send(
        new UploadPartCommand({
          Bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: body,
          ContentLength: Math.min(size, at + PART) - at,
        }),
      );
      parts.push({ ETag: out.ETag, PartNumber: n });
    }
    await clients.s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  };
  const uploadFhir = async (folder: string, files: Map<string, string>) => {
    const keys: string[] = [];
    for (const [type, path] of files) {
      keys.push(`${folder}${type}.ndjson`);
      await upload(`${folder}${type}.ndjson`, path);
    }
    const manifest = {
      transactionTime: new Date().toISOString(),
      request: 'https://emr.example/fhir/Group/bench/$export',
      requiresAccessToken: true,
      output: [...files.keys()].map((type) => ({ type, url: `https://emr.example/bulk/${type}.ndjson` })),
      error: [],
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await upload(`${folder}manifest.json`, join(dir, 'manifest.json'));
    return keys;
  };

  process.stdout.write(`intake bench: generating ${CHARTS} charts (full runs on ${FULL_CHARTS})...\n`);
  const canonicalPath = writeCanonical(CHARTS, 'bench-agency', 'charts.ndjson');
  await upload('exports/bench-agency/charts.ndjson', canonicalPath);
  const canonicalFull = writeCanonical(FULL_CHARTS, 'bench-full', 'full.ndjson');
  await upload('exports/bench-full/charts.ndjson', canonicalFull);
  const withFhir = FORMATS.includes('fhir');
  const fhirFiles = withFhir ? writeFhir(CHARTS, 'bench-fhir', 'fhir') : new Map<string, string>();
  const fhirKeys = withFhir ? await uploadFhir('exports/bench-fhir/drop/', fhirFiles) : [];
  if (withFhir)
    await uploadFhir('exports/bench-fhir-full/drop/', writeFhir(FULL_CHARTS, 'bench-fhir-full', 'fhir-full'));
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  const fhirBytes = [...fhirFiles.values()].reduce((s, p) => s + statSync(p).size, 0);
  process.stdout.write(
    `  canonical NDJSON ${mb(statSync(canonicalPath).size)} MB${withFhir ? `; FHIR drop ${mb(fhirBytes)} MB in ${fhirFiles.size} files` : ''}\n`,
  );

  // The worker is bundled the way the Lambda is (esbuild, ESM, SDK included) and run by plain node, so
  // its RSS is the handler's and not a TypeScript loader's. Its heap is capped as a 512 MB Lambda's would be.
  const worker = join(dir, 'intake-worker.mjs');
  await build({
    entryPoints: ['bench/intake-worker.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: worker,
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  type Result = { charts: number; seconds: number; maxRssMb: number; requests: Record<string, number> };
  const run = (job: Record<string, unknown>): Result => {
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, worker], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: {
        ...process.env,
        BENCH_JOB: JSON.stringify({ endpoints: emulators.endpoints, resources, ...job }),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
    const last = r.stdout.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last) as Result;
  };
  const rate = (r: Result) => r.charts / r.seconds;
  const describe = (r: Result) =>
    `${rate(r).toFixed(0)} charts/s (${r.charts} in ${r.seconds.toFixed(1)} s), peak RSS ${r.maxRssMb.toFixed(0)} MB`;
  let ok = true;

  for (const format of FORMATS) {
    const trigger =
      format === 'canonical' ? 'exports/bench-agency/charts.ndjson' : 'exports/bench-fhir/drop/manifest.json';
    const objects = format === 'canonical' ? [trigger] : fhirKeys;
    const baseline = run({ mode: 'baseline', format, trigger, objects, charts: CHARTS });
    const read = run({ mode: 'read', format, trigger, objects, charts: CHARTS });
    const check = run({ mode: 'check', format, trigger, objects, charts: CHARTS });
    const fullTrigger =
      format === 'canonical'
        ? 'exports/bench-full/charts.ndjson'
        : 'exports/bench-fhir-full/drop/manifest.json';
    const full = run({ mode: 'full', format, trigger: fullTrigger, objects: [], charts: FULL_CHARTS });
    const base = `readline + JSON.parse ${describe(baseline)}`;
    report(`intake ${format} read`, describe(read), base, rate(read) / rate(baseline));
    report(`intake ${format} read + check`, describe(check), base, rate(check) / rate(baseline));
    report(`intake ${format} full intake`, describe(full), base, rate(full) / rate(baseline));
    const requests = Object.entries(full.requests)
      .filter(([k]) => k.includes(':'))
      .map(([k, v]) => `${k} ${(v / full.charts).toFixed(2)}`)
      .join(', ');
    process.stdout.write(`  AWS requests per chart (full): ${requests}\n`);
    process.stdout.write(
      `  peak RSS vs baseline: read ${(read.maxRssMb / baseline.maxRssMb).toFixed(2)}x, read + check ${(check.maxRssMb / baseline.maxRssMb).toFixed(2)}x, full ${(full.maxRssMb / baseline.maxRssMb).toFixed(2)}x\n`,
    );
    for (const r of [read, check, full]) if (r.maxRssMb >= RSS_TARGET_MB) ok = false;
    if (format === 'canonical' && rate(read) < rate(baseline) / 2) ok = false;
  }
  process.stdout.write(
    ok
      ? `intake targets met: peak RSS under ${RSS_TARGET_MB} MB; canonical read at least half the baseline\n`
      : 'intake targets MISSED (see above)\n',
  );
  if (!ok) process.exitCode = 1;
} finally {
  emulators.stop();
}
