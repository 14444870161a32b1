import { createDenialIngestionService } from '#functions/denial-ingestion/service.ts';
import type { AuditEvent, ClaimTarget } from '#shared/aws/ports.ts';
import type { ReasonTables } from '#shared/denials/classify.ts';
import { chartKeyOf, claimRefOf, objectIdOf } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { S3EventMessage } from '#shared/model/messages.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import { memoryPorts, movableClock } from './memory-ports.ts';
import { testConfig } from './test-agencies.ts';

/**
 * Denial ingestion over in-memory ports, with billed chart versions seeded as billing handoff leaves
 * them (BATCHED, a claimRef, the claimRef indexed): the remittance side of the pipeline on its own.
 */

export const AGENCY = 'test-agency';
export const DENIALS_BUCKET = 'test-denials';
export const START = '2026-11-23T12:00:00.000Z';

/** What an S3 event says of the object besides its key (the ETag `r1` unless given). */
export interface S3Object {
  etag?: string;
  size?: number;
  versionId?: string;
}

export interface BilledClaim extends ClaimTarget {
  claimRef: string;
}

export function denialHarness(
  options: { config?: Record<string, unknown>; tables?: (date: string) => ReasonTables } = {},
) {
  const clock = movableClock(START);
  const mem = memoryPorts({ clock });
  const config = testConfig(options.config ?? {});
  const ports = mem.portsFor('denial-ingestion');
  const service = createDenialIngestionService({
    ports,
    config,
    clock,
    ...(options.tables ? { tables: options.tables } : {}),
  });

  /** A chart version billing handed off: BATCHED with its claimRef, indexed for CLP01 lookups. */
  async function billed(
    chartId: string,
    over: Partial<ChartState> = {},
    agencyId = AGENCY,
  ): Promise<BilledClaim> {
    const chartKey = await chartKeyOf(mem.ports.keys, agencyId, chartId);
    const version = over.version ?? 1;
    const claimRef = claimRefOf(chartKey, version);
    await mem.ports.charts.create({
      chartKey,
      version,
      agencyId,
      status: 'BATCHED',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      coderId: 'coder-a',
      contentHash: 'c'.repeat(64),
      artifactKey: `charts/${agencyId}/${chartKey}/v${version}/chart.json`,
      sourceObject: 'obexport',
      receivedAt: '2026-11-02T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:00.000Z',
      batchId: 'batch-1',
      claimRef,
      batchedAt: '2026-11-20T10:00:00.000Z',
      principalCategory: 'I69',
      ...over,
    });
    await mem.ports.remittances.indexClaim(claimRef, { agencyId, chartKey, version });
    return { agencyId, chartKey, version, claimRef };
  }

  /** Puts a file in the denials bucket and delivers its S3 event to the service. */
  async function drop(key: string, body: string, object: S3Object = {}) {
    mem.put('denials', key, body);
    await deliver(key, object);
  }

  /** Delivers the S3 event of a file already in the bucket (a redelivery, a retry). */
  function deliver(key: string, object: S3Object = {}) {
    const s3Object = {
      key,
      eTag: object.etag ?? 'r1',
      ...(object.size === undefined ? {} : { size: object.size }),
      ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
    };
    return service.handle(
      S3EventMessage.parse({
        Records: [
          { eventName: 'ObjectCreated:Put', s3: { bucket: { name: DENIALS_BUCKET }, object: s3Object } },
        ],
      }),
    );
  }

  const objectId = (key: string, etag = 'r1') => objectIdOf(DENIALS_BUCKET, key, etag);

  /** The exception report of a file, parsed; undefined when none was written. */
  function report(key: string, etag = 'r1'): ExceptionReport | undefined {
    const text = mem.objects.get(`${DENIALS_BUCKET}/quarantine/${AGENCY}/${objectId(key, etag)}/report.json`);
    return text === undefined ? undefined : (JSON.parse(text) as ExceptionReport);
  }

  const events = (type: string): AuditEvent[] => mem.events().filter((e) => e.type === type);

  return {
    mem,
    ports,
    config,
    clock,
    service,
    setNow: clock.set,
    billed,
    drop,
    deliver,
    objectId,
    report,
    events,
    /** The `remittance.received` details, in the order the files were taken in. */
    received: () => events('remittance.received').map((e) => e.detail),
    chart: (c: ClaimTarget) => mem.ports.charts.get(c.chartKey, c.version),
    records: (c: ClaimTarget): Promise<RemittanceRecord[]> =>
      mem.ports.remittances.forVersion(c.chartKey, c.version),
    marks: (coderId = 'coder-a') => mem.ports.coders.denials(AGENCY, coderId, '2000-01-01T00:00:00Z'),
  };
}

export type DenialHarness = ReturnType<typeof denialHarness>;

export interface ExceptionReport {
  schemaVersion: number;
  objectId: string;
  issueCount: number;
  issues: Record<string, unknown>[];
}

/** A CSV denial export: the header, then one line per claim. */
export function csv(header: string, ...lines: string[]): string {
  return [header, ...lines].join('\n');
}

/** A port's method as a function type (never when `K` is not a method). */
type Method<T, K extends keyof T> = T[K] extends (...a: infer A) => infer R ? (...a: A) => R : never;

/**
 * Replaces one method of a port with `wrap(original, ...args)` (the original bound to the port): for
 * faults and races the in-memory stores cannot produce on their own.
 */
export function interpose<T extends object, K extends keyof T>(
  port: T,
  method: K,
  wrap: (original: Method<T, K>, ...args: Parameters<Method<T, K>>) => ReturnType<Method<T, K>>,
): void {
  const original = (port[method] as (...a: unknown[]) => unknown).bind(port) as Method<T, K>;
  (port as Record<K, unknown>)[method] = (...args: Parameters<Method<T, K>>) => wrap(original, ...args);
}

/** Makes a port's method throw once, the first time `when` holds. */
export function failOnce<T extends object, K extends keyof T>(
  port: T,
  method: K,
  when: (...args: Parameters<Method<T, K>>) => boolean,
  message: string,
): void {
  let failed = false;
  interpose(port, method, (original, ...args) => {
    if (!failed && when(...args)) {
      failed = true;
      return Promise.reject(new Error(message)) as ReturnType<Method<T, K>>;
    }
    return original(...args) as ReturnType<Method<T, K>>;
  });
}
