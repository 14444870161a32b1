import { createHmac } from 'node:crypto';
import type {
  ArtifactStore,
  AuditEvent,
  AuditLog,
  BatchStore,
  Clock,
  KeyService,
  LedgerEntry,
  MemberEntry,
  MemberIndex,
  ObjectLedger,
  Ports,
  ReviewBoard,
  ReviewEntry,
  ReviewSlot,
  StageQueue,
} from '#shared/aws/ports.ts';
import type { Batch } from '#shared/model/batch.ts';
import { type BucketName, isHumanQueue, type QueueName, type StageName, stage } from '#shared/topology.ts';
import { memoryChartStore } from './memory-chart-store.ts';
import { memoryCoderLedger } from './memory-coder-ledger.ts';
import { memoryRemittanceLedger } from './memory-remittance-ledger.ts';

const clone = <T>(v: T): T => structuredClone(v);

/** A batch's key, as its partition names it: agency and id. */
const batchKey = (b: { agencyId: string; batchId: string }) => `${b.agencyId}#${b.batchId}`;

/**
 * In-memory ports with the same semantics as the adapters: for fast, pure tests of the services. `clock`
 * stamps chart transitions, as the stack's clock does for DynamoChartStore (the wall clock by default).
 */
export function memoryPorts(options: { clock?: Clock } = {}) {
  const batches = new Map<string, Batch>();
  const ledger = new Map<string, LedgerEntry>();
  const objects = new Map<string, string>();
  /** Each object's tags, by `<bucket>/<key>`. */
  const objectTags = new Map<string, Record<string, string>>();
  const sent: { queue: QueueName; body: unknown; agency?: string }[] = [];
  const events = new Map<string, AuditEvent>();
  const chartStore = memoryChartStore(options.clock);

  const batchStore: BatchStore = {
    async create(batch) {
      if (!batches.has(batchKey(batch))) batches.set(batchKey(batch), clone(batch));
    },
    async get(ref) {
      const b = batches.get(batchKey(ref));
      return b && clone(b);
    },
    async claim(ref, at, leaseExpiredBefore) {
      const b = batches.get(batchKey(ref));
      const free =
        b?.status === 'OPEN' || (b?.status === 'HANDING_OFF' && (b.claimedAt ?? '') < leaseExpiredBefore);
      if (!b || !free) return false;
      batches.set(batchKey(ref), { ...b, status: 'HANDING_OFF', claimedAt: at });
      return true;
    },
    async handOff(ref, changes) {
      const b = batches.get(batchKey(ref));
      if (b?.status !== 'OPEN' && b?.status !== 'HANDING_OFF') return false;
      batches.set(batchKey(ref), { ...b, ...changes, status: 'HANDED_OFF' });
      return true;
    },
    async settle(ref, answer) {
      const b = batches.get(batchKey(ref));
      if (b?.status !== 'HANDED_OFF') return false;
      batches.set(
        batchKey(ref),
        answer.status === 'REJECTED'
          ? { ...b, status: 'REJECTED', rejectedAt: answer.at, rejectionReason: answer.reason }
          : { ...b, status: 'ACCEPTED', acceptedAt: answer.at },
      );
      return true;
    },
    async *list() {
      for (const b of batches.values()) yield clone(b);
    },
  };

  const objectLedger: ObjectLedger = {
    async begin(entry) {
      const existing = ledger.get(entry.objectId);
      if (existing) return { claimed: false, existing: clone(existing) };
      ledger.set(entry.objectId, clone(entry));
      return { claimed: true };
    },
    async finish(objectId, counts, finishedAt) {
      const e = ledger.get(objectId);
      if (e) ledger.set(objectId, { ...e, status: 'DONE', counts, finishedAt });
    },
    async takeOver(objectId, { segment, now, leaseUntil }) {
      const e = ledger.get(objectId);
      if (e?.status !== 'PROCESSING' || (e.segment ?? 0) !== segment) return false;
      if (e.leaseUntil && e.leaseUntil > now) return false;
      ledger.set(objectId, { ...e, segment: segment + 1, leaseUntil });
      return true;
    },
    async saveCheckpoint(objectId, { segment, checkpoint, leaseUntil }) {
      const e = ledger.get(objectId);
      if (e?.status !== 'PROCESSING' || (e.segment ?? 0) !== segment) return false;
      ledger.set(
        objectId,
        checkpoint ? { ...e, checkpoint: clone(checkpoint), leaseUntil } : { ...e, leaseUntil },
      );
      return true;
    },
    async get(id) {
      return ledger.get(id) && clone(ledger.get(id));
    },
    async *list() {
      yield* ledger.values();
    },
  };

  const names = (b: BucketName) => `test-${b}`;
  const artifacts: ArtifactStore = {
    async putJson(bucket, k, body, options) {
      const name = `${names(bucket)}/${k}`;
      if (options?.once && objects.has(name)) return; // written once: the one there stays
      objects.set(name, JSON.stringify(body));
    },
    async putText(bucket, k, body) {
      objects.set(`${names(bucket)}/${k}`, body);
    },
    // The in-memory store keeps text: bytes are read as UTF-8, which is all the unit tests put.
    async putBytes(bucket, k, body) {
      objects.set(`${names(bucket)}/${k}`, Buffer.from(body).toString('utf8'));
    },
    async getText(bucket, k) {
      return this.getObjectText(names(bucket), k);
    },
    async getObjectText(bucket, k, _versionId) {
      const v = objects.get(`${bucket}/${k}`);
      if (v === undefined) throw Object.assign(new Error(`NoSuchKey ${bucket}/${k}`), { name: 'NoSuchKey' });
      return v;
    },
    async openObject(bucket, k, options = {}) {
      const text = await this.getObjectText(bucket, k);
      // The same ETag list() gives: the length, enough to tell a changed object in tests.
      if (options.ifMatch !== undefined && options.ifMatch !== String(text.length))
        throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed' });
      const bytes = Buffer.from(text);
      const start = options.start ?? 0;
      // Small chunks, so tests see lines and values cut across chunk boundaries.
      return (async function* () {
        for (let at = start; at < bytes.length; at += 64)
          yield bytes.subarray(at, Math.min(at + 64, bytes.length));
      })();
    },
    async copyObject(fromBucket, fromKey, toBucket, toKey) {
      objects.set(`${names(toBucket)}/${toKey}`, await this.getObjectText(fromBucket, fromKey));
    },
    async *list(bucket, prefix) {
      for (const [k, v] of objects) {
        const p = `${names(bucket)}/${prefix}`;
        if (k.startsWith(p))
          yield { key: k.slice(names(bucket).length + 1), etag: String(v.length), size: v.length };
      }
    },
    async tagObject(bucket, k, tags) {
      if (!objects.has(`${names(bucket)}/${k}`))
        throw Object.assign(new Error(`NoSuchKey ${k}`), { name: 'NoSuchKey' });
      objectTags.set(`${names(bucket)}/${k}`, { ...tags });
    },
    bucketName: names,
  };

  const queue: StageQueue = {
    async send(q, messages, agency) {
      // As the adapter: a human queue is one per agency, and a message for one must name it.
      if (isHumanQueue(q) && agency === undefined)
        throw new Error(`queue ${q} is one per agency: name the agency`);
      // And to that agency's own queue: a message of another agency there would reach its people.
      for (const body of messages) {
        const of = (body as { agencyId?: unknown } | null)?.agencyId;
        if (isHumanQueue(q) && of !== undefined && of !== agency)
          throw new Error(`a message of ${String(of)} sent to ${agency}'s ${q} queue`);
      }
      for (const body of messages) sent.push({ queue: q, body: clone(body), ...(agency ? { agency } : {}) });
    },
  };

  const audit: AuditLog = {
    async record(event) {
      const id = `${event.type}|${event.subject}|${event.idempotencyKey}`;
      if (!events.has(id)) events.set(id, clone(event));
    },
    async list(agencyId, subject) {
      return [...events.values()]
        .filter((e) => e.agencyId === agencyId && e.subject === subject)
        .sort((a, b) => a.at.localeCompare(b.at));
    },
  };

  const keys: KeyService = {
    async mac(input) {
      return createHmac('sha256', 'test-key').update(input).digest('hex');
    },
  };

  const ports: Ports = {
    charts: chartStore,
    batches: batchStore,
    ledger: objectLedger,
    artifacts,
    queue,
    audit,
    keys,
    samplingKeys: keys,
    coders: memoryCoderLedger(),
    remittances: memoryRemittanceLedger(),
    reviews: memoryReviewBoard(),
    members: memoryMemberIndex(),
  };
  return {
    ports,
    sent,
    /**
     * The ports as one stage's Lambda has them: sending to a queue outside the stage's topology
     * `sendsTo` throws, as it does in AWS (no queue URL, no sqs:SendMessage on it).
     */
    portsFor(stageName: StageName): Ports {
      const allowed = new Set<string>(stage(stageName).sendsTo);
      return {
        ...ports,
        queue: {
          async send(q, messages, agency) {
            if (!allowed.has(q))
              throw new Error(`stage ${stageName} may not send to queue ${q} (topology sendsTo)`);
            await queue.send(q, messages, agency);
          },
        },
      };
    },
    /** Messages sent to one queue, taken off the record (as a consumer would). */
    take(q: QueueName): unknown[] {
      const out: unknown[] = [];
      for (let i = sent.length - 1; i >= 0; i--) {
        if (sent[i]?.queue === q) out.unshift(sent.splice(i, 1)[0]?.body);
      }
      return out;
    },
    events: () => [...events.values()],
    objects,
    objectTags,
    put(bucket: BucketName, k: string, body: string) {
      objects.set(`${names(bucket)}/${k}`, body);
    },
  };
}

export function fixedClock(iso = '2026-11-23T12:00:00.000Z'): Clock {
  return { now: () => new Date(iso) };
}

/** A clock a test moves: to an instant (`set`) or on by some milliseconds (`advance`). */
export interface MovableClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

export function movableClock(iso: string): MovableClock {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    set(to) {
      now = Date.parse(to);
    },
    advance(ms) {
      now += ms;
    },
  };
}

export function s3Event(bucket: string, key: string, eTag = 'etag-1') {
  return {
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, eTag } } }],
  };
}

/** The review board in memory, with the adapter's semantics: opened once, closed once, pending in request order. */
export function memoryReviewBoard(): ReviewBoard {
  const entries = new Map<string, ReviewEntry>();
  const key = (s: ReviewSlot) => `${s.agencyId}|${s.queue}|${s.chartKey}|${s.version}|${s.purpose}`;
  return {
    async open(entry) {
      if (!entries.has(key(entry))) entries.set(key(entry), structuredClone(entry));
    },
    async close(slot, at) {
      const entry = entries.get(key(slot));
      if (!entry) entries.set(key(slot), { ...slot, closedAt: at } as ReviewEntry);
      else if (entry.closedAt === undefined) entry.closedAt = at;
    },
    async get(slot) {
      const entry = entries.get(key(slot));
      return entry && structuredClone(entry);
    },
    async pending(agencyId, queue) {
      return [...entries.values()]
        .filter((e) => e.agencyId === agencyId && e.queue === queue && e.closedAt === undefined)
        .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))
        .map((e) => structuredClone(e));
    },
  };
}

/** The member index in memory: one entry per agency, member and chart version, oldest period first. */
export function memoryMemberIndex(): MemberIndex {
  const entries = new Map<string, MemberEntry>();
  return {
    async add(entry) {
      entries.set(`${entry.agencyId}#${entry.memberKey}#${entry.chartKey}#${entry.version}`, { ...entry });
    },
    async charts(agencyId, memberKey) {
      return [...entries.values()]
        .filter((e) => e.agencyId === agencyId && e.memberKey === memberKey)
        .sort(
          (a, b) =>
            a.periodFrom.localeCompare(b.periodFrom) ||
            a.chartKey.localeCompare(b.chartKey) ||
            a.version - b.version,
        )
        .map((e) => ({ ...e }));
    },
  };
}
