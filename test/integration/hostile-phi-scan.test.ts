import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSummary, renderSummary } from '#cli/lib/summary.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { BUCKETS, type BucketName } from '#shared/topology.ts';
import { type CapturedLogs, captureLogs } from '../support/capture-logs.ts';
import { homeHealthChart } from '../support/charts.ts';
import { fhirFromChart } from '../support/fhir-from-chart.ts';
import { testConfig } from '../support/test-agencies.ts';

/**
 * Hostile input, planted with PHI where it should not be (file names, bad lines, bad segments, a file
 * of the wrong type, chart fields), run through the whole local pipeline; then every place codetrail
 * writes is scanned for the planted values: DynamoDB keys and items, S3 keys and the objects codetrail
 * writes, every queue message codetrail sends, and the run summary. The chart artifacts (the chart as
 * received) and the dropped files themselves (and their quarantine copies) hold PHI by design; so does
 * intake's scratch space (`work/`: a FHIR drop's resources by partition) and the keys a continued run
 * saves (`keys/`), beside the files in the intake bucket that names them by those keys. Everything else records a
 * file by object id and SHA-256 only.
 */
const NAME = 'Quincy Zetascan';
const BIRTH = '1941-03-04';
const PATIENT_ID = 'SCANPT5521';
const CHART_ID = 'SCANCHART7731';
const FILE = `Zetascan_Quincy_DOB_${BIRTH}`;
const MARKERS = ['Zetascan', 'Quincy', BIRTH, PATIENT_ID, CHART_ID];

let pipeline: LocalPipeline;
let logs: CapturedLogs | undefined;
const sent: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-scan-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'ab'.repeat(32));
  pipeline = await startLocalPipeline({
    config: testConfig({ local: { timeCompression: 1000 } }),
    keyFile,
    prefix: 'scan',
  });
  // Every message body codetrail sends (S3's own event notifications, which carry the key whatever
  // codetrail does, are the notifier's stand-in and left out).
  (pipeline.clients.sqs.middlewareStack as { add: (mw: unknown, o: unknown) => void }).add(
    (next: (a: unknown) => Promise<unknown>) => async (args: { input: Record<string, unknown> }) => {
      const entries = (args.input.Entries as { MessageBody?: string }[] | undefined) ?? [];
      const bodies = [args.input.MessageBody as string | undefined, ...entries.map((e) => e.MessageBody)];
      for (const b of bodies) if (b && !b.includes('"eventSource":"aws:s3"')) sent.push(b);
      return next(args);
    },
    { step: 'initialize', name: 'test-record-sent' },
  );

  const patient = { id: PATIENT_ID, name: NAME, birthDate: BIRTH, sex: 'F' as const };
  const good = homeHealthChart({ chartId: CHART_ID, patient });
  const art = pipeline.ports.artifacts;
  // A good chart and a bad line in a patient-named export.
  await art.putText(
    'intake',
    `exports/test-agency/${FILE}.ndjson`,
    `${JSON.stringify(good)}\n${NAME} ${BIRTH} MRN ${PATIENT_ID}\n${JSON.stringify({ ...good, chartId: `${CHART_ID}-2`, diagnoses: 'none' })}\n`,
  );
  // A file that is no JSON at all, and one outside any agency's folder (refused whole, unread).
  await art.putText('intake', `exports/test-agency/${FILE}-b.json`, `${NAME} DOB ${BIRTH}`);
  await art.putText('intake', `exports/${FILE}-c.json`, JSON.stringify(good));
  // A remittance that is no 835, one with free text in its segments, and a CSV with a bad line.
  await art.putText('denials', `remittances/test-agency/${FILE}.835`, `${NAME} ${BIRTH} ${PATIENT_ID}`);
  await art.putText(
    'denials',
    `remittances/test-agency/${FILE}-2.835`,
    `ISA*00*${NAME}~GS*HP*A*B*1*2*${PATIENT_ID}*X~ST*837*${PATIENT_ID}~CLP*${CHART_ID}*1*100*0~NM1*QC*1*ZETASCAN*QUINCY~SE*3*${PATIENT_ID}~`,
  );
  await art.putText(
    'denials',
    `remittances/test-agency/${FILE}.csv`,
    `claim_ref,status,charge,paid\n${PATIENT_ID},denied,100,0\n${NAME},${BIRTH},x,y\n`,
  );
  // A FHIR drop in a folder named after the patient, one of its files with a line of free text.
  const folder = `exports/test-agency/${FILE}-fhir/`;
  const byType = new Map<string, string[]>();
  for (const resource of fhirFromChart(homeHealthChart({ chartId: `${CHART_ID}-F`, patient }))) {
    const type = String(resource.resourceType);
    byType.set(type, [...(byType.get(type) ?? []), JSON.stringify(resource)]);
  }
  byType.set('Condition', [...(byType.get('Condition') ?? []), `${NAME} ${BIRTH}`]);
  for (const [type, lines] of byType)
    await art.putText('intake', `${folder}${type}.ndjson`, lines.join('\n'));
  await art.putText('intake', `${folder}.done`, '');
  logs = captureLogs();
  try {
    await pipeline.runUntilQuiet();
  } finally {
    logs.stop();
  }
}, 120_000);

afterAll(async () => {
  logs?.stop();
  await pipeline?.stop();
});

const planted = (text: string) => MARKERS.filter((m) => text.includes(m));

describe('PHI planted where it should not be', () => {
  it('reaches no DynamoDB key or item', async () => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await pipeline.clients.dynamo.send(
        new ScanCommand({ TableName: pipeline.resources.table, ExclusiveStartKey: start }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    expect(items.length).toBeGreaterThan(5);
    for (const item of items) {
      const keys = [item.pk, item.sk, item.gsi1pk, item.gsi1sk].map(String).join(' ');
      expect(planted(keys), keys).toEqual([]);
      expect(planted(JSON.stringify(item)), JSON.stringify(item).slice(0, 300)).toEqual([]);
    }
  });

  it('reaches no S3 key codetrail writes, and no object but the chart artifacts and the files themselves', async () => {
    let scanned = 0;
    for (const bucket of BUCKETS as readonly BucketName[]) {
      for await (const o of pipeline.ports.artifacts.list(bucket, '')) {
        const dropped = /^(exports|remittances)\//.test(o.key);
        if (!dropped) expect(planted(o.key), `${bucket}/${o.key}`).toEqual([]);
        // The chart as received, the dropped files and their quarantine copies hold PHI by design, and so
        // does intake's scratch space (a FHIR drop's resources by partition) and a continued run's saved
        // keys (keys/), in the bucket that holds the files and names them by those keys (their S3 keys are scanned).
        const scratch = bucket === 'intake' && (o.key.startsWith('work/') || o.key.startsWith('keys/'));
        if (dropped || scratch || o.key.startsWith('charts/') || o.key.endsWith('/source')) continue;
        const text = await pipeline.ports.artifacts.getText(bucket, o.key);
        scanned++;
        expect(planted(text), `${bucket}/${o.key}: ${text.slice(0, 300)}`).toEqual([]);
      }
    }
    expect(scanned).toBeGreaterThan(3);
  });

  it('reaches no log line or metric of the run', () => {
    expect(logs?.records().length).toBeGreaterThan(3);
    expect(planted(logs?.text() ?? ''), (logs?.text() ?? '').slice(0, 300)).toEqual([]);
  });

  it('reaches no queue message codetrail sends', () => {
    expect(sent.length).toBeGreaterThan(2);
    for (const body of sent) expect(planted(body), body.slice(0, 300)).toEqual([]);
  });

  it('reaches neither the run summary nor its printed tables, nor a dead letter', async () => {
    const deadLetters = await pipeline.deadLetters();
    const summary = await collectSummary(pipeline.ports, {
      verdicts: { submitted: 0, awaitingReview: 0, invalid: [] },
      deadLetters,
    });
    expect(summary.quarantine.length).toBeGreaterThanOrEqual(3);
    expect(planted(`${JSON.stringify(summary)}\n${renderSummary(summary)}`)).toEqual([]);
  });
});
