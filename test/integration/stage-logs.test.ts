import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DeleteObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '#cli/local/lambda-context.ts';
import { S3Notifier } from '#cli/local/s3-notifier.ts';
import { SqsEventSource } from '#cli/local/sqs-event-source.ts';
import { handler as auditChainer } from '#functions/audit-chainer/handler.ts';
import { handler as billingHandoff } from '#functions/billing-handoff/handler.ts';
import { handler as billingReply } from '#functions/billing-reply/handler.ts';
import { handler as denialIngestion } from '#functions/denial-ingestion/handler.ts';
import { handler as intake } from '#functions/intake/handler.ts';
import { handler as qaResult } from '#functions/qa-result/handler.ts';
import { handler as qaSampling } from '#functions/qa-sampling/handler.ts';
import { handler as validation } from '#functions/validation/handler.ts';
import { REFUSED_MESSAGES_SUBJECT } from '#shared/audit-trail/chainer.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import type { Verdict } from '#shared/model/messages.ts';
import { PhiFreeError, RetryLater } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { metrics } from '#shared/runtime/metrics.ts';
import { batchHandler, recordHandler, type SqsLambdaHandler } from '#shared/runtime/sqs-handler.ts';
import { ENV, type QueueName, STAGES, type StageName, stage } from '#shared/topology.ts';
import {
  type CapturedLogs,
  captureLogs,
  type OutputRecord,
  withCapturedLogs,
} from '../support/capture-logs.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { useLocalStack } from '../support/emulators.ts';
import { expectNoPhiIn } from '../support/expect-no-phi.ts';
import { fhirFromChart } from '../support/fhir-from-chart.ts';
import { s3Event } from '../support/memory-ports.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';
import { build835 } from '../support/x12-835.ts';

// What every stage's Lambda handler writes (Powertools logger items, EMF metrics, anything on the console)
// on success and on each failure path, run through its real entry (middy, Powertools batch, logger and
// metrics) on the emulators, scanned for the PHI markers of the test data. The input is named and filled
// after a patient on purpose: file names, keys, message bodies and chart content all carry markers.

const AGENCY = 'test-agency';
const TIME_COMPRESSION = 100_000;
/** A file named after its patient, as EMR exports often are. */
const PATIENT_FILE = 'Zulu_Yankee_1940-01-01';
/** Not JSON, and JSON.parse quotes the start of it in its message. */
const NOT_JSON = `${PATIENT_FILE} Test Patient-One`;

const HANDLERS: Record<StageName, SqsLambdaHandler> = {
  intake,
  validation,
  'qa-sampling': qaSampling,
  'qa-result': qaResult,
  'billing-handoff': billingHandoff,
  'billing-reply': billingReply,
  'denial-ingestion': denialIngestion,
  'audit-chainer': auditChainer as SqsLambdaHandler,
};
const STAGE_NAMES = STAGES.map((s) => s.name);

const stack = useLocalStack({ prefix: 'logs', timeCompression: TIME_COMPRESSION });
let notifier: S3Notifier;
let sources: Map<StageName, SqsEventSource>;

beforeAll(() => {
  // Removed again by useLocalStack's afterAll, with the rest of the environment it set.
  process.env[ENV.config] = JSON.stringify(
    parseConfig({
      agencies: [{ id: AGENCY }],
      // coder-qa's charts go to QA; everything else straight to billing.
      sampling: { ...SAMPLE_NOTHING, secondReviewRate: 0, coderRates: { 'coder-qa': 1 } },
      // Every run believes its time is up after one group of charts: files go in several runs.
      intake: { concurrency: 2, reserveSeconds: 100_000 },
    }),
  );
  notifier = new S3Notifier(stack.ports.artifacts, stack.ports.queue);
  sources = new Map(
    STAGES.map((s) => [
      s.name,
      new SqsEventSource(
        stack.clients.sqs,
        s,
        stack.resources.queueUrls[s.queue] ?? '',
        HANDLERS[s.name],
        TIME_COMPRESSION,
      ),
    ]),
  );
});

/**
 * Announces new objects and feeds the stages named from their queues, as Lambda's event source mapping
 * does, until a pass handles nothing. Every delivery must succeed: this is the success path.
 */
async function settle(only: readonly StageName[] = STAGE_NAMES): Promise<void> {
  for (let pass = 0; pass < 500; pass++) {
    let handled = await notifier.scan();
    for (const name of only) {
      const result = await sources.get(name)?.pollOnce();
      expect(result, `${name} on the success path`).toMatchObject({ failed: 0, crashed: false });
      handled += result?.received ?? 0;
    }
    if (handled === 0) return;
  }
  throw new Error('the stages did not settle');
}

/** settle() as a failure test's set-up: its output is scanned too. */
async function settleScanned(only: readonly StageName[]): Promise<void> {
  const { logs } = await withCapturedLogs(() => settle(only));
  expectNoPhiIn(logs.text(), `${only.join(', ')} output while setting up`);
}

/**
 * Takes every message off a queue, as a consumer would, and returns the bodies of those about one chart
 * (whatever earlier tests left on the queue is taken too, and dropped).
 */
async function takeFor(queue: QueueName, chartId: string): Promise<string[]> {
  const chartKey = await chartKeyOf(stack.ports.keys, AGENCY, chartId);
  return (await takeAll(queue)).filter(
    (body) => (JSON.parse(body) as { chartKey?: string }).chartKey === chartKey,
  );
}

/** Takes every message off a queue, as a consumer would, and returns the bodies. */
async function takeAll(queue: QueueName): Promise<string[]> {
  const url = stack.resources.queueUrls[queue];
  const bodies: string[] = [];
  for (;;) {
    const got = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) return bodies;
    bodies.push(...messages.map((m) => m.Body ?? ''));
    await stack.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

function sqsRecord(messageId: string, body: string, queue: QueueName): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
      // The audit queue is FIFO: a record carries its message group (the agency), as Lambda's do.
      ...(stage('audit-chainer').queue === queue
        ? { MessageGroupId: AGENCY, MessageDeduplicationId: messageId, SequenceNumber: '1' }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

/** One invocation of a stage's real handler with these bodies: the failed message ids and the output. */
async function invoke(name: StageName, bodies: readonly string[]) {
  const spec = stage(name);
  const event = { Records: bodies.map((body, i) => sqsRecord(`${name}-${i}`, body, spec.queue)) };
  const context = lambdaContext(`codetrail-${name}`, spec.timeoutSeconds, spec.memoryMb);
  const { result, logs } = await withCapturedLogs(() => HANDLERS[name](event, context));
  return { failed: result.batchItemFailures.map((f) => f.itemIdentifier), logs };
}

/** An S3 event notification as the SQS message body the queue delivers. */
const s3EventBody = (bucket: string, key: string): string => JSON.stringify(s3Event(bucket, key));

async function stateOf(chartId: string, version = 1): Promise<ChartState | undefined> {
  return stack.ports.charts.get(await chartKeyOf(stack.ports.keys, AGENCY, chartId), version);
}

async function deleteChartFile(chartId: string): Promise<void> {
  const key = (await stateOf(chartId))?.artifactKey;
  expect(key).toBeTruthy();
  await stack.clients.s3.send(
    new DeleteObjectCommand({ Bucket: stack.resources.buckets.artifacts, Key: key }),
  );
}

const ndjson = (charts: ChartInput[]) => charts.map((c) => JSON.stringify(c)).join('\n');

/**
 * Metric dimensions are a closed set: the service and the stage (metrics.ts: never a chart or an
 * agency), with known values. A chart or file identifier as a dimension fails here before any PHI scan
 * could miss it.
 */
function expectDimensionsPhiFree(documents: OutputRecord[]): void {
  const allowed: Record<string, readonly string[]> = {
    service: ['codetrail'],
    stage: STAGE_NAMES,
  };
  for (const doc of documents) {
    const aws = doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] };
    const dimensions = aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flat());
    expect(dimensions.length).toBeGreaterThan(0);
    for (const dimension of dimensions) {
      expect(Object.keys(allowed), 'a metric dimension').toContain(dimension);
      expect(allowed[dimension], `the ${dimension} dimension`).toContain(doc[dimension]);
    }
  }
}

/**
 * The output of a failed delivery: PHI-free, with the failure logged by its error's name (and an AWS
 * error's code and status), never its message.
 */
function expectFailureLogged(logs: CapturedLogs, name: StageName, errorName: string): void {
  expectNoPhiIn(logs.text(), `${name} output`);
  const failures = logs.logItems().filter((i) => i.message === 'record failed');
  expect(failures).toEqual([expect.objectContaining({ level: 'ERROR', stage: name })]);
  expect(failures[0]?.error).toMatchObject({ name: errorName });
  expect(failures[0]?.error).not.toHaveProperty('message');
  const documents = logs.metricDocuments();
  expect(documents).toContainEqual(expect.objectContaining({ stage: name, RecordsFailed: 1 }));
  expectDimensionsPhiFree(documents);
}

describe('the log capture', () => {
  it('sees what the logger, the metrics and the console write, and nothing once stopped', () => {
    const marker = `probe-${Math.random().toString(36).slice(2)}`;
    const logs = captureLogs();
    try {
      logger.info('probe', { marker: `${marker}-info` });
      logger.debug('probe', { marker: `${marker}-debug` });
      metrics.addDimension('probe', `${marker}-metrics`);
      metrics.addMetric('Probe', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      console.log(`${marker}-console`);
      console.error(`${marker}-console-error`);
      process.stderr.write(`${marker}-stderr\n`);
    } finally {
      logs.stop();
    }
    logger.info('after', { marker: `${marker}-after` });
    const text = logs.text();
    for (const where of ['info', 'debug', 'metrics', 'console', 'console-error', 'stderr'])
      expect(text).toContain(`${marker}-${where}`);
    expect(text).not.toContain(`${marker}-after`);
    expect(logs.logItems()).toContainEqual(expect.objectContaining({ level: 'DEBUG', message: 'probe' }));
    expect(logs.metricDocuments()).toContainEqual(expect.objectContaining({ Probe: 1 }));
    expect(() => expectNoPhiIn('', 'an empty capture')).toThrow('nothing was captured');
  });
});

describe('every stage on the success path', () => {
  it('logs no PHI from intake to denial ingestion, and dimensions its metrics by stage only', async () => {
    const folder = `exports/${AGENCY}/${PATIENT_FILE}/`;
    const byType = new Map<string, string[]>();
    const logs = captureLogs();
    try {
      const charts = [
        homeHealthChart({ payer: { type: 'medicare', name: 'Medicare', memberId: 'SYN-MBR-SECRET' } }),
        homeHealthChart({ chartId: 'HH-1001-QA', coderId: 'coder-qa', patient: { id: 'P-1-QA' } }),
        hospiceChart(),
      ];
      // A bad line is quarantined, not a failure: it is on the success path.
      const lines = [ndjson(charts), '{"chartId": "HH-1001-BAD", "patient": {"name": "Test Patient-Zulu"'];
      await stack.ports.artifacts.putText(
        'intake',
        `exports/${AGENCY}/${PATIENT_FILE}.ndjson`,
        lines.join('\n'),
      );
      // A FHIR drop in a folder named after its patient: each file is announced before the marker.
      const fhir = homeHealthChart({
        chartId: 'HH-1001-FHIR',
        patient: { id: 'P-1-FHIR', name: 'Test Patient-Zulu' },
      });
      for (const r of fhirFromChart(fhir))
        byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), JSON.stringify(r)]);
      for (const [type, rows] of byType)
        await stack.ports.artifacts.putText('intake', `${folder}${type}.ndjson`, rows.join('\n'));
      await settle();
      expect(await stateOf('HH-1001-FHIR')).toBeUndefined();
      await stack.ports.artifacts.putText('intake', `${folder}.done`, '');
      await settle();
      for (const id of ['HH-1001', 'HS-2001', 'HH-1001-FHIR'])
        expect((await stateOf(id))?.status).toBe('BATCHED');
      expect((await stateOf('HH-1001-QA'))?.status).toBe('SAMPLED');

      const verdict: Verdict = {
        kind: 'verdict',
        agencyId: AGENCY,
        chartKey: (await stateOf('HH-1001-QA'))?.chartKey ?? '',
        version: 1,
        reviewerId: 'qa-1',
        round: 'first',
        outcome: 'agree',
        corrections: [],
        reviewedAt: '2026-11-03T10:00:00Z',
      };
      await stack.ports.queue.send('qa-result', [verdict]);
      await settle();
      expect((await stateOf('HH-1001-QA'))?.status).toBe('BATCHED');
      // The billing team acknowledges a batch, through billing-reply.
      const batchId = (await stateOf('HH-1001'))?.batchId ?? '';
      await stack.ports.queue.send('billing-reply', [{ kind: 'batch-accepted', agencyId: AGENCY, batchId }]);
      await settle();
      expect((await stack.ports.batches.get({ agencyId: AGENCY, batchId }))?.status).toBe('ACCEPTED');

      const claimRef = async (id: string) => (await stateOf(id))?.claimRef ?? '';
      const era = build835({
        claims: [
          { pcn: await claimRef('HH-1001'), status: '1', charge: 2000, paid: 1800, cas: [['CO', '45', 200]] },
          {
            pcn: await claimRef('HH-1001-QA'),
            status: '4',
            charge: 2100,
            paid: 0,
            cas: [['CO', '146', 2100]],
          },
          { pcn: await claimRef('HS-2001'), status: '1', charge: 900, paid: 900 },
          { pcn: 'CT0000000000000Z', status: '1', charge: 100, paid: 100 },
        ],
      });
      await stack.ports.artifacts.putText('denials', `remittances/${AGENCY}/${PATIENT_FILE}.835`, era);
      await settle();
      expect((await stateOf('HH-1001'))?.status).toBe('PAID');
      expect((await stateOf('HH-1001-QA'))?.status).toBe('DENIED');
    } finally {
      logs.stop();
    }

    expectNoPhiIn(logs.text(), 'the pipeline output');
    const documents = logs.metricDocuments();
    for (const name of STAGE_NAMES)
      expect(documents, name).toContainEqual(
        expect.objectContaining({ stage: name, RecordsProcessed: expect.any(Number) }),
      );
    expect(documents.filter((d) => 'RecordsFailed' in d)).toEqual([]);
    expectDimensionsPhiFree(documents);
    // Intake told of each drop file waiting for its marker, and of runs continued: by object id, never key.
    const items = logs.logItems();
    const waiting = items.filter((i) => String(i.message).startsWith('file of a FHIR drop'));
    expect(waiting).toHaveLength(byType.size);
    for (const item of waiting) expect(item.objectId).toMatch(/^ob[0-9a-f]{30}$/);
    expect(items).toContainEqual(
      expect.objectContaining({
        message: 'object continues in a new run',
        objectId: expect.stringMatching(/^ob/),
      }),
    );
  });
});

describe('every stage on its failure paths', () => {
  it.each(STAGE_NAMES.filter((n) => n !== 'audit-chainer'))(
    '%s: a body that is not JSON (JSON.parse quotes it)',
    async (name) => {
      const { failed, logs } = await invoke(name, [NOT_JSON]);
      expect(failed).toEqual([`${name}-0`]);
      expectFailureLogged(logs, name, 'SyntaxError');
    },
  );

  it('audit-chainer: a body that is not JSON is set aside at once, recorded as refused, its text never quoted', async () => {
    const { failed, logs } = await invoke('audit-chainer', [NOT_JSON]);
    // Taken: failed, it would come back until the DLQ, holding up the agency's chain behind it.
    expect(failed).toEqual([]);
    expectNoPhiIn(logs.text(), 'audit-chainer output');
    expect(logs.logItems().filter((i) => i.message === 'audit event not chained')).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        error: expect.objectContaining({ message: 'the message is not JSON' }),
      }),
    ]);
    const refused = await stack.ports.audit.list(AGENCY, REFUSED_MESSAGES_SUBJECT);
    expect(refused).toEqual([
      expect.objectContaining({
        type: 'audit.message-refused',
        actor: 'stage:audit-chainer',
        idempotencyKey: 'audit-chainer-0',
        detail: { reason: 'the message is not JSON', sentBy: 'sender:local' },
      }),
    ]);
    expectNoPhiIn(JSON.stringify(refused), 'the refusal');
  });

  const hostileChart = JSON.stringify({
    kind: 'chart',
    agencyId: AGENCY,
    chartKey: PATIENT_FILE,
    version: 1,
  });
  it.each([
    // Each body fails the stage's schema, with PHI in its values.
    [
      'intake',
      {
        Records: [{ eventName: 'Put', s3: { bucket: { name: 'Test Patient-One' }, object: { key: 1940 } } }],
      },
    ],
    ['validation', { kind: 'chart', agencyId: AGENCY, chartKey: 'Test Patient-One', version: '1940-01-01' }],
    ['qa-sampling', { kind: 'chart', agencyId: 'Test Patient-One', chartKey: PATIENT_FILE }],
    [
      'qa-result',
      {
        kind: 'verdict',
        agencyId: AGENCY,
        chartKey: PATIENT_FILE,
        version: 1,
        reviewerId: 'Test Patient-One',
        outcome: 'agree',
      },
    ],
    ['billing-reply', { kind: 'batch-rejected', batchId: PATIENT_FILE, reasonKey: 'Test Patient-One' }],
    [
      'denial-ingestion',
      { Records: [{ eventName: PATIENT_FILE, s3: { object: { key: 'Test Patient-One' } } }] },
    ],
  ] as const)('%s: a body failing the schema (zod)', async (name, body) => {
    const { failed, logs } = await invoke(name, [JSON.stringify(body)]);
    expect(failed).toEqual([`${name}-0`]);
    expectFailureLogged(logs, name, 'ZodError');
  });

  it.each(['validation', 'qa-sampling'] as const)(
    '%s: an unknown chart, by a chartKey named after the patient (UnknownChartError quotes it)',
    async (name) => {
      const { failed, logs } = await invoke(name, [hostileChart]);
      expect(failed).toEqual([`${name}-0`]);
      expectFailureLogged(logs, name, 'UnknownChartError');
    },
  );

  it('intake: an S3 event for a patient-named file that is gone', async () => {
    const key = `exports/${AGENCY}/${PATIENT_FILE}-gone.ndjson`;
    const { failed, logs } = await invoke('intake', [s3EventBody(stack.resources.buckets.intake, key)]);
    expect(failed).toEqual(['intake-0']);
    expectFailureLogged(logs, 'intake', 'NoSuchKey');
  });

  it('intake: a continuation for an object the ledger lacks (its message quotes the id)', async () => {
    const body = JSON.stringify({
      kind: 'intake-continue',
      agencyId: AGENCY,
      objectId: PATIENT_FILE,
      segment: 1,
    });
    const { failed, logs } = await invoke('intake', [body]);
    expect(failed).toEqual(['intake-0']);
    expectFailureLogged(logs, 'intake', 'Error');
  });

  it('denial-ingestion: an S3 event for a patient-named remittance that is gone', async () => {
    const key = `remittances/${AGENCY}/${PATIENT_FILE}-gone.835`;
    const { failed, logs } = await invoke('denial-ingestion', [
      s3EventBody(stack.resources.buckets.denials, key),
    ]);
    expect(failed).toEqual(['denial-ingestion-0']);
    expectFailureLogged(logs, 'denial-ingestion', 'NoSuchKey');
  });

  it('validation: a chart whose file is gone from S3', async () => {
    await stack.ports.artifacts.putText(
      'intake',
      `exports/${AGENCY}/${PATIENT_FILE}-nofile.ndjson`,
      ndjson([homeHealthChart({ chartId: 'HH-1001-NOFILE', patient: { id: 'P-1-NOFILE' } })]),
    );
    await settleScanned(['intake']);
    const bodies = await takeFor('validate', 'HH-1001-NOFILE');
    expect(bodies).toHaveLength(1);
    await deleteChartFile('HH-1001-NOFILE');
    const { failed, logs } = await invoke('validation', bodies);
    expect(failed).toEqual(['validation-0']);
    expectFailureLogged(logs, 'validation', 'NoSuchKey');
  });

  it('qa-result: a verdict on an unknown chart is set aside, with nothing but metrics written', async () => {
    const body = JSON.stringify({
      kind: 'verdict',
      agencyId: AGENCY,
      chartKey: PATIENT_FILE,
      version: 1,
      reviewerId: 'qa-1',
      outcome: 'agree',
      reviewedAt: '2026-11-03T10:00:00Z',
    });
    const { failed, logs } = await invoke('qa-result', [body]);
    expect(failed).toEqual([]);
    expectNoPhiIn(logs.text(), 'qa-result output');
    expect(logs.metricDocuments()).toContainEqual(
      expect.objectContaining({ stage: 'qa-result', RecordsProcessed: 1 }),
    );
    expectDimensionsPhiFree(logs.metricDocuments());
  });

  it('billing-handoff: a message failing the schema, and a chart whose file is gone from S3', async () => {
    await stack.ports.artifacts.putText(
      'intake',
      `exports/${AGENCY}/${PATIENT_FILE}-nobill.ndjson`,
      ndjson([homeHealthChart({ chartId: 'HH-1001-NOBILL', patient: { id: 'P-1-NOBILL' } })]),
    );
    await settleScanned(['intake', 'validation', 'qa-sampling']);
    const bodies = await takeFor('billing', 'HH-1001-NOBILL');
    expect(bodies).toHaveLength(1);
    await deleteChartFile('HH-1001-NOBILL');
    const { failed, logs } = await invoke('billing-handoff', [
      ...bodies,
      JSON.stringify({ kind: 'chart', agencyId: AGENCY, chartKey: PATIENT_FILE, version: '1940-01-01' }),
    ]);
    expect(failed.sort()).toEqual(['billing-handoff-0', 'billing-handoff-1']);
    expect((await stateOf('HH-1001-NOBILL'))?.status).toBe('READY_FOR_BILLING');
    expectNoPhiIn(logs.text(), 'billing-handoff output');
    expect(logs.logItems()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'records to retry', stage: 'billing-handoff' }),
    );
    expect(logs.metricDocuments()).toContainEqual(
      expect.objectContaining({ stage: 'billing-handoff', RecordsFailed: 2 }),
    );
    expectDimensionsPhiFree(logs.metricDocuments());
  });
});

describe('the handler wrapper', () => {
  const run = (handler: SqsLambdaHandler, bodies: string[]) =>
    withCapturedLogs(() =>
      handler(
        { Records: bodies.map((body, i) => sqsRecord(`m-${i}`, body, 'validate')) },
        lambdaContext('codetrail-test', 60, 128),
      ),
    );

  it('logs an S3 error naming a patient-named key by its code and HTTP status', async () => {
    const key = `exports/${AGENCY}/${PATIENT_FILE}.ndjson`;
    const handler = recordHandler('validation', async () => {
      throw new NoSuchKey({
        message: `The specified key does not exist: ${key}`,
        $metadata: { httpStatusCode: 404 },
      });
    });
    const { result, logs } = await run(handler, ['{}']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expectNoPhiIn(logs.text(), 'wrapper output');
    expect(logs.logItems()).toContainEqual(
      expect.objectContaining({
        message: 'record failed',
        error: { name: 'NoSuchKey', httpStatusCode: 404 },
      }),
    );
  });

  it('defers a RetryLater record: failed for SQS to bring back, counted as deferred and logged as info', async () => {
    const handler = recordHandler('intake', async () => {
      throw new RetryLater('ob0123 is held by a live run: retried after its lease');
    });
    const { result, logs } = await run(handler, ['{}']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(logs.logItems()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'record deferred',
        error: { name: 'RetryLater', message: 'ob0123 is held by a live run: retried after its lease' },
      }),
    );
    expect(logs.logItems().filter((i) => i.message === 'record failed')).toEqual([]);
    const documents = logs.metricDocuments();
    expect(documents).toContainEqual(expect.objectContaining({ stage: 'intake', RecordsDeferred: 1 }));
    expect(documents.filter((d) => 'RecordsFailed' in d)).toEqual([]);
  });

  it("logs a PhiFreeError's message, which codetrail wrote from its own ids", async () => {
    const handler = recordHandler('intake', async () => {
      throw new PhiFreeError('object ob0123 could not be finished');
    });
    const { logs } = await run(handler, ['{}']);
    expect(logs.logItems()).toContainEqual(
      expect.objectContaining({
        error: { name: 'PhiFreeError', message: 'object ob0123 could not be finished' },
      }),
    );
  });

  it('counts messages deferred to another live invocation apart from failures, and retries both', async () => {
    const handler = batchHandler('billing-handoff', async () => ({ failed: ['m-0'], deferred: ['m-1'] }));
    const { result, logs } = await run(handler, ['{}', '{}', '{}']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    const [doc] = logs.metricDocuments();
    expect(doc).toMatchObject({ RecordsFailed: 1, RecordsDeferred: 1, RecordsProcessed: 1 });
  });

  it('fails every message of a batch whose handler throws, logging the error by its name', async () => {
    const handler = batchHandler('billing-handoff', async () => {
      throw new Error(`could not read exports/${AGENCY}/${PATIENT_FILE}.ndjson`);
    });
    const { result, logs } = await run(handler, ['{}', '{}']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expectNoPhiIn(logs.text(), 'wrapper output');
    expect(logs.logItems()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'batch failed', error: { name: 'Error' } }),
    );
  });
});
