import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendToChain, auditEventId, type ChainedEvent, emptyHead } from '#shared/audit-trail/chain.ts';
import type { ChainLinks } from '#shared/audit-trail/chainer.ts';
import type { SealedChain, TrailObjects } from '#shared/audit-trail/sealer.ts';
import { type DigestFile, sealSegment } from '#shared/audit-trail/segments.ts';
import { LocalAuditSigner } from '#shared/audit-trail/signer.ts';

/** A signer with a fresh local key, made once per test file. */
export function testSigner(): LocalAuditSigner {
  return new LocalAuditSigner(join(mkdtempSync(join(tmpdir(), 'codetrail-signer-')), 'audit-signing.pem'));
}

/** A synthetic audit event: identifiers only, as codetrail's are. */
export function syntheticEvent(agencyId: string, n: number) {
  return {
    eventId: `ev-${agencyId}-${n}`,
    event: {
      type: n % 3 === 0 ? 'chart.validated' : n % 3 === 1 ? 'verdict.applied' : 'batch.handed-off',
      agencyId,
      subject: `chart:${agencyId}.ck${String(n).padStart(6, '0')}:v1`,
      actor: n % 2 === 0 ? 'stage:validation' : 'staff:qa-7',
      at: new Date(Date.UTC(2026, 11, 1) + n * 60_000).toISOString(),
      idempotencyKey: `k${n}`,
      detail: { findings: n % 5, ruleIds: [`HH-${n % 7}`], draw: (n % 97) / 97 },
    },
    // Who AWS says sent it to the chainer; a link from before that was kept has none.
    ...(n % 4 === 3 ? {} : { sentBy: n % 2 === 0 ? 'sender:AROASTAGE:codetrail-validation' : 'staff:qa-7' }),
  };
}

/**
 * A trail of `perAgency` events for each agency, sealed in segments of `segmentSize`, as the audit
 * bucket would hold it: key to text.
 */
export async function buildTrail(
  signer: LocalAuditSigner,
  agencies: readonly string[],
  perAgency: number,
  segmentSize: number,
): Promise<{ files: Map<string, string> }> {
  const files = new Map<string, string>();
  for (const agencyId of agencies) {
    const events = Array.from({ length: perAgency }, (_, n) => syntheticEvent(agencyId, n));
    const { chained } = appendToChain(agencyId, emptyHead(), events);
    let previous: DigestFile | undefined;
    for (let i = 0; i < chained.length; i += segmentSize) {
      const sealed = await sealSegment(
        agencyId,
        chained.slice(i, i + segmentSize),
        previous,
        signer,
        '2026-12-07T12:00:00.000Z',
      );
      files.set(sealed.key, sealed.text);
      files.set(sealed.digestKey, `${JSON.stringify(sealed.digest)}\n`);
      previous = sealed.digest;
    }
  }
  return { files };
}

/**
 * The chain's store in memory, as the audit table keeps it: every write conditional. `stopAfter` makes
 * the next claim or link throw once after it is written (a chainer that stopped half-way).
 */
export class MemoryChainLinks implements ChainLinks {
  /** The audit table's events, by agency, subject and id: the first recorded stands. */
  readonly events = new Map<string, Record<string, unknown>>();
  readonly links = new Map<string, ChainedEvent>();
  readonly claims = new Map<string, number>();
  /** Throw once, after the next write of this kind went through. */
  stopAfter: 'claim' | 'add' | undefined;

  private stop(kind: 'claim' | 'add'): void {
    if (this.stopAfter !== kind) return;
    this.stopAfter = undefined;
    throw new Error(`stopped after ${kind}`);
  }

  chain(agencyId: string): ChainedEvent[] {
    return [...this.links.values()].filter((l) => l.agencyId === agencyId).sort((a, b) => a.seq - b.seq);
  }

  /** Records an event as a stage does (only if absent), and returns the message that names it. */
  record(event: {
    agencyId: string;
    subject: string;
    type: string;
    idempotencyKey: string;
    [k: string]: unknown;
  }) {
    const eventId = auditEventId(event);
    const key = `${event.agencyId}#${event.subject}#${eventId}`;
    if (!this.events.has(key)) this.events.set(key, { ...event });
    return { agencyId: event.agencyId, subject: event.subject, eventId };
  }

  async recorded(agencyId: string, subject: string, eventId: string) {
    return this.events.get(`${agencyId}#${subject}#${eventId}`);
  }

  async last(agencyId: string) {
    return this.chain(agencyId).at(-1);
  }

  async at(agencyId: string, seq: number) {
    return this.links.get(`${agencyId}#${seq}`);
  }

  async claim(agencyId: string, eventId: string, seq: number, replacing?: number) {
    const key = `${agencyId}#${eventId}`;
    const held = this.claims.get(key);
    if (replacing === undefined ? held === undefined : held === replacing) {
      this.claims.set(key, seq);
      this.stop('claim');
      return seq;
    }
    return held as number;
  }

  async add(link: ChainedEvent) {
    const key = `${link.agencyId}#${link.seq}`;
    if (this.links.has(key))
      throw Object.assign(new Error('taken'), { name: 'ConditionalCheckFailedException' });
    this.links.set(key, link);
    this.stop('add');
  }
}

/** The sealer's view of a MemoryChainLinks, and where sealing stopped: conditional as the table's. */
export class MemorySealedChain implements SealedChain {
  readonly heads = new Map<string, DigestFile>();
  constructor(private readonly store: MemoryChainLinks) {}

  async links(agencyId: string, fromSeq: number, limit: number) {
    return this.store
      .chain(agencyId)
      .filter((l) => l.seq >= fromSeq)
      .slice(0, limit);
  }

  async lastDigest(agencyId: string) {
    return this.heads.get(agencyId);
  }

  async sealed(agencyId: string, digest: DigestFile, previous: DigestFile | undefined) {
    if (this.heads.get(agencyId)?.index !== previous?.index)
      throw Object.assign(new Error('moved'), { name: 'ConditionalCheckFailedException' });
    this.heads.set(agencyId, digest);
  }
}

/** The audit bucket in memory: written once, never replaced. */
export class MemoryTrailObjects implements TrailObjects {
  readonly files = new Map<string, string>();
  writes = 0;
  /** Throw once, after the next write whose key ends so went through. */
  stopAfter: '.ndjson' | '.json' | undefined;

  async writeOnce(key: string, text: string) {
    if (this.files.has(key)) return false;
    this.files.set(key, text);
    this.writes += 1;
    if (this.stopAfter && key.endsWith(this.stopAfter)) {
      this.stopAfter = undefined;
      throw new Error('stopped after a write');
    }
    return true;
  }

  async read(key: string) {
    return this.files.get(key);
  }
}
