import type { AuditEvent } from '#shared/aws/ports.ts';
import { chartSubject, parseChartSubject } from '#shared/identity/identifiers.ts';
import { canonical } from './canonical.ts';
import { auditEventId, type ChainedEvent } from './chain.ts';
import { PERSON_SUBJECTS } from './person-events.ts';
import { parseTrailKey } from './segments.ts';
import type { TrailProblem } from './verify.ts';

/**
 * A chart's whole story, from its agency's audit trail: every event of each of its versions, of the
 * batches that billed it and of the files that brought it, each with who did it, when, and how far the
 * trail vouches for it. Pure: the caller reads the trail and the audit table.
 */

/** How far the trail vouches for one event. */
export type EventStanding =
  /** In a sealed segment the verification found nothing wrong with. */
  | { state: 'verified'; segment: number; seq: number }
  /** In a sealed segment, but the verification named a problem with it or its segment. */
  | { state: 'not-verified'; segment: number; seq: number; problems: string[] }
  /** In the audit table, not sealed yet (the sealer runs hourly): the chain will vouch for it then. */
  | { state: 'not-sealed-yet' }
  /** Sealed, and the audit table's copy is not what was sealed: changed behind the chain. */
  | { state: 'table-differs'; segment: number; seq: number }
  /** In the audit table, and refused by the chainer (`audit.message-refused`): never to be chained. */
  | { state: 'refused'; reason: string }
  /**
   * In the audit table, recorded before a seal that came an hour or more later, and not in the sealed
   * trail: deleted from it (the verification names a deleted event), or never chained (its message
   * waits in the audit queue's dead-letter queue).
   */
  | { state: 'missing-from-trail' };

const STANDING_LABEL: Record<EventStanding['state'], string> = {
  verified: 'verified',
  'not-verified': 'NOT VERIFIED',
  'not-sealed-yet': 'not sealed yet',
  'table-differs': 'TABLE COPY DIFFERS FROM SEALED',
  refused: 'REFUSED BY THE CHAINER',
  'missing-from-trail':
    'NOT IN THE SEALED TRAIL although recorded before an earlier seal: deleted from it, or never chained (see audit verify and the audit DLQ)',
};

/** An event's standing as a person reads it: `verified (segment 0, event 12)`, `not sealed yet`. */
export function standingText(standing: EventStanding): string {
  const where =
    'seq' in standing
      ? ` (segment ${standing.segment}, event ${standing.seq})`
      : standing.state === 'refused'
        ? `: ${standing.reason}`
        : '';
  return `${STANDING_LABEL[standing.state]}${where}`;
}

/**
 * Who did it, as a person reads it: the actor the event names, and for a person's own event (a chart
 * opened, a documentation request, which the person's command records itself) who AWS says sent it,
 * once the chainer has vouched for it.
 */
export function actorText(e: Pick<StoryEvent, 'subject' | 'actor' | 'sentBy'>): string {
  if (!PERSON_SUBJECT_NAMES.has(e.subject)) return e.actor;
  return e.sentBy ? `${e.actor} (sent by ${e.sentBy})` : `${e.actor} (sender not verified: not sealed)`;
}

const PERSON_SUBJECT_NAMES: ReadonlySet<string> = new Set(Object.values(PERSON_SUBJECTS));

export interface StoryEvent {
  eventId: string;
  type: string;
  subject: string;
  actor: string;
  /**
   * Who AWS says handed a sealed event to the chainer (its link's `sentBy`): for a person's own event
   * (a chart opened, a documentation request) the person, verified. Absent until sealed.
   */
  sentBy?: string;
  at: string;
  /** One line of what happened, from the event's detail (ids, codes, figures: never PHI). */
  summary: string;
  detail?: Record<string, unknown>;
  standing: EventStanding;
}

export interface ChartStory {
  agencyId: string;
  chartKey: string;
  versions: { version: number; events: StoryEvent[] }[];
  /** The batches that billed a version (`batch:<id>` events). */
  batches: { batchId: string; events: StoryEvent[] }[];
  /** The files that brought a version or an answer to it (`object:<id>` events). */
  sources: { objectId: string; events: StoryEvent[] }[];
  /** Payers' documentation requests about the chart, and what was sent (`codetrail adr`). */
  requests: StoryEvent[];
  /** Every time a person's command opened the chart's files, and why. */
  access: StoryEvent[];
  /**
   * Whether every event of the chart, its batches and its files is sealed and verified. People's own
   * events (requests, openings) are not counted: one logged a minute ago is not sealed until the hour.
   */
  verified: boolean;
}

/** A sealed event and the segment it was sealed in. */
export interface SealedEvent {
  segment: number;
  link: ChainedEvent;
}

/** Every event of an agency's sealed segments (`files`: trail keys to text), as the segments hold them. */
export function sealedEvents(files: ReadonlyMap<string, string>, agencyId: string): SealedEvent[] {
  const out: SealedEvent[] = [];
  for (const [key, text] of files) {
    const parsed = parseTrailKey(key);
    if (parsed?.kind !== 'segment' || parsed.agencyId !== agencyId) continue;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push({ segment: parsed.index, link: JSON.parse(line) as ChainedEvent });
      } catch {
        // A line that is not JSON: the verification names it; the story has nothing to show of it.
      }
    }
  }
  return out.sort((a, b) => a.link.seq - b.link.seq);
}

/**
 * When the agency's seal before its last was signed: every event chained before then was sealed by the
 * last seal at the latest. Undefined with fewer than two digests (nothing can be said to be overdue).
 */
export function sealedThrough(files: ReadonlyMap<string, string>, agencyId: string): string | undefined {
  const signed: { index: number; signedAt: string }[] = [];
  for (const [key, text] of files) {
    const parsed = parseTrailKey(key);
    if (parsed?.kind !== 'digest' || parsed.agencyId !== agencyId) continue;
    try {
      const { signedAt } = JSON.parse(text) as { signedAt?: unknown };
      if (typeof signedAt === 'string') signed.push({ index: parsed.index, signedAt });
    } catch {
      // A digest that is not JSON: the verification names it.
    }
  }
  signed.sort((a, b) => a.index - b.index);
  return signed.at(-2)?.signedAt;
}

/** The subjects a chart's events name beside its own: its batches and the files that brought it. */
export function relatedSubjects(events: readonly { detail?: Record<string, unknown> }[]): string[] {
  const out = new Set<string>();
  for (const { detail } of events) {
    if (typeof detail?.batchId === 'string') out.add(`batch:${detail.batchId}`);
    if (typeof detail?.objectId === 'string') out.add(`object:${detail.objectId}`);
  }
  return [...out].sort();
}

/** The versions of a chart its events name. */
export function versionsIn(events: readonly { subject: string }[], chartKey: string): number[] {
  const out = new Set<number>();
  for (const { subject } of events) {
    const named = parseChartSubject(subject);
    if (named?.chartKey === chartKey) out.add(named.version);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The audit table's events (`recorded`) against the sealed trail: those it holds that are not sealed
 * yet, and the ids of those whose table copy is not what was sealed (changed behind the chain).
 */
export function againstSealed(
  sealed: readonly SealedEvent[],
  recorded: readonly AuditEvent[],
): { unsealed: { eventId: string; event: AuditEvent }[]; differs: Set<string> } {
  const sealedById = new Map<string, Record<string, unknown>>();
  // The first copy of an id, should a tampered segment repeat one.
  for (const s of sealed) if (!sealedById.has(s.link.eventId)) sealedById.set(s.link.eventId, s.link.event);
  const unsealed: { eventId: string; event: AuditEvent }[] = [];
  const differs = new Set<string>();
  for (const event of recorded) {
    const eventId = auditEventId(event);
    const copy = sealedById.get(eventId);
    if (!copy) unsealed.push({ eventId, event });
    else if (canonical(copy) !== canonical(event)) differs.add(eventId);
  }
  return { unsealed, differs };
}

/**
 * The chart's story: its sealed events (with what the verification found: `problems`), and the events
 * the audit table holds (`recorded`) that are not sealed yet, or whose sealed copy they no longer match.
 */
export function chartStory(input: {
  agencyId: string;
  chartKey: string;
  sealed: readonly SealedEvent[];
  problems: readonly TrailProblem[];
  recorded: readonly AuditEvent[];
  /** The agency's `audit.message-refused` events: a recorded event one names was refused, never chained. */
  refusals?: readonly AuditEvent[];
  /**
   * When the seal before the agency's last one was signed (`sealedThrough`): an event recorded before it
   * has had a whole sealing period to be chained, and is missing if the trail does not hold it.
   */
  sealedThrough?: string;
}): ChartStory {
  const { agencyId, chartKey } = input;
  const ownSubject = (subject: string) => parseChartSubject(subject)?.chartKey === chartKey;
  const sealedOfChart = input.sealed.filter((s) => ownSubject(String(s.link.event.subject)));
  const recordedOfChart = input.recorded.filter((e) => ownSubject(e.subject));
  const related = new Set(relatedSubjects([...sealedOfChart.map((s) => s.link.event), ...recordedOfChart]));
  // A person's own report (a chart opened, a documentation request) names the chart in its detail.
  const wanted = (event: Pick<AuditEvent, 'subject' | 'detail'>) =>
    ownSubject(String(event.subject)) ||
    related.has(String(event.subject)) ||
    (PERSON_SUBJECT_NAMES.has(String(event.subject)) && event.detail?.chartKey === chartKey);

  const problemsBySegment = new Map<number, TrailProblem[]>();
  for (const p of input.problems)
    problemsBySegment.set(p.segment, [...(problemsBySegment.get(p.segment) ?? []), p]);
  const events = new Map<string, StoryEvent>();
  for (const { segment, link } of input.sealed) {
    const event = link.event as AuditEvent;
    if (!wanted(event)) continue;
    const problems = (problemsBySegment.get(segment) ?? [])
      .filter((p) => p.seq === undefined || p.seq === link.seq)
      .map((p) => `${p.kind}: ${p.detail}`);
    events.set(link.eventId, {
      ...storyFields(link.eventId, event, link.sentBy),
      standing:
        problems.length > 0
          ? { state: 'not-verified', segment, seq: link.seq, problems }
          : { state: 'verified', segment, seq: link.seq },
    });
  }
  const { unsealed, differs } = againstSealed(
    input.sealed,
    input.recorded.filter((e) => wanted(e)),
  );
  const refusedWhy = new Map<string, string>();
  for (const r of input.refusals ?? [])
    if (typeof r.detail?.eventId === 'string') refusedWhy.set(r.detail.eventId, String(r.detail.reason));
  for (const { eventId, event } of unsealed) {
    const reason = refusedWhy.get(eventId);
    const overdue = input.sealedThrough !== undefined && String(event.at) < input.sealedThrough;
    events.set(eventId, {
      ...storyFields(eventId, event),
      standing:
        reason !== undefined
          ? { state: 'refused', reason }
          : overdue
            ? { state: 'missing-from-trail' }
            : { state: 'not-sealed-yet' },
    });
  }
  for (const eventId of differs) {
    const sealed = events.get(eventId);
    if (sealed && 'seq' in sealed.standing)
      sealed.standing = {
        state: 'table-differs',
        segment: sealed.standing.segment,
        seq: sealed.standing.seq,
      };
  }

  const all = [...events.values()].sort(
    (a, b) => a.at.localeCompare(b.at) || a.type.localeCompare(b.type) || a.eventId.localeCompare(b.eventId),
  );
  const bySubject = (subject: string) => all.filter((e) => e.subject === subject);
  const own = all.filter((e) => !PERSON_SUBJECT_NAMES.has(e.subject));
  return {
    agencyId,
    chartKey,
    versions: versionsIn(all, chartKey).map((version) => ({
      version,
      events: bySubject(chartSubject(chartKey, version)),
    })),
    batches: [...related]
      .filter((s) => s.startsWith('batch:'))
      .map((subject) => ({ batchId: subject.slice('batch:'.length), events: bySubject(subject) })),
    sources: [...related]
      .filter((s) => s.startsWith('object:'))
      .map((subject) => ({ objectId: subject.slice('object:'.length), events: bySubject(subject) })),
    requests: bySubject(PERSON_SUBJECTS.adrs),
    access: bySubject(PERSON_SUBJECTS.access),
    verified: own.length > 0 && own.every((e) => e.standing.state === 'verified'),
  };
}

function storyFields(eventId: string, event: AuditEvent, sentBy?: unknown): Omit<StoryEvent, 'standing'> {
  const out: Omit<StoryEvent, 'standing'> = {
    eventId,
    type: String(event.type),
    subject: String(event.subject),
    actor: String(event.actor),
    ...(typeof sentBy === 'string' ? { sentBy } : {}),
    at: String(event.at),
    summary: summarize(event),
  };
  if (event.detail) out.detail = event.detail;
  return out;
}

type Detail = Record<string, unknown>;

const list = (value: unknown): string =>
  Array.isArray(value) && value.length > 0 ? value.map((v) => String(v)).join(' ') : 'none';
const short = (hash: unknown): string => (typeof hash === 'string' ? hash.slice(0, 12) : '?');
const findings = (d: Detail): string =>
  Array.isArray(d.findings) && d.findings.length > 0
    ? (d.findings as { ruleId?: unknown; severity?: unknown }[])
        .map((f) => `${String(f.ruleId)} (${String(f.severity)})`)
        .join(', ')
    : 'no findings';

/** `; grouped to HIPPS 1AA11 (PDGM CY2026, sample)`, for a home health chart that grouped. */
const grouped = (d: Detail): string => {
  const g = d.grouping as { hipps?: unknown; pdgmVersion?: unknown; sample?: unknown } | undefined;
  return g
    ? `; grouped to HIPPS ${String(g.hipps)} (PDGM ${String(g.pdgmVersion)}${g.sample ? ', sample' : ''})`
    : '';
};

/** `; tables icd10cm FY2026, codeFirst codetrail-starter (sample)`: what the findings were judged against. */
const judgedBy = (d: Detail): string =>
  Array.isArray(d.tables) && d.tables.length > 0
    ? `; tables ${(d.tables as { table?: unknown; version?: unknown; inForce?: unknown; sample?: unknown }[])
        .map(
          (t) =>
            `${String(t.table)} ${String(t.version)}${t.sample ? ' (sample)' : ''}${t.inForce === false ? ' (NOT IN FORCE)' : ''}`,
        )
        .join(', ')}`
    : '';

/** One line per kind of event a reviewer reads first; any other event says its scalar fields. */
const SUMMARIES: Record<string, (d: Detail) => string> = {
  'chart.received': (d) =>
    `received from file ${String(d.objectId)}, coded by ${String(d.coderId)} (content sha256 ${short(d.contentHash)})`,
  'chart.validated': (d) => `validated: ${findings(d)}${grouped(d)}${judgedBy(d)}`,
  'chart.rejected': (d) => `rejected by validation: ${findings(d)}${grouped(d)}${judgedBy(d)}`,
  'chart.query-opened': (d) => `clinician query opened: ${findings(d)}${grouped(d)}${judgedBy(d)}`,
  'chart.sampled': (d) =>
    `sampled for QA (${String(d.queue ?? 'qa-review')}): ${String(d.reason)}${Array.isArray(d.senior) ? `; senior: ${list(d.senior)}` : ''}`,
  'chart.not-sampled': (d) => `not sampled: ${String(d.reason)}`,
  'chart.batched': (d) =>
    `billed in batch ${String(d.batchId)} as claimRef ${String(d.claimRef)} (${String(d.claimKind ?? 'original')}, chart sha256 ${short(d.sha256)})`,
  'batch.handed-off': (d) =>
    `handed to billing: ${String(d.chartCount)} chart(s), manifest ${String(d.manifestKey)} sha256 ${String(d.manifestSha256)}`,
  'claim.paid': (d) =>
    `paid ${String(d.payment)} on claimRef ${String(d.claimRef)}; reasons ${list(d.reasonCodes)}`,
  'claim.reversed': (d) =>
    `payment reversed (${String(d.payment)}) on claimRef ${String(d.claimRef)}; reasons ${list(d.reasonCodes)}`,
  'chart.denied': (d) =>
    `denied on claimRef ${String(d.claimRef)}: ${list(d.reasonCodes)} (${String(d.family ?? 'other')}${d.coderRelated ? ', coder-related' : ''}); remarks ${list(d.remarkCodes)}`,
  'rework.opened': (d) => `rework opened for denial ${String(d.denialId)}: ${list(d.reasonCodes)}`,
  'chart.opened': (d) => `opened version ${String(d.version)} for ${String(d.purpose)}`,
  'adr.opened': (d) =>
    `documentation request ${String(d.adrId)} received ${String(d.received)}, due ${String(d.due)}${d.reference ? ` (payer's reference ${String(d.reference)})` : ''}`,
  'config.in-force': (d) => {
    const c = (d.changed ?? {}) as Record<string, unknown>;
    const tables = Array.isArray(d.tables) ? d.tables.length : 0;
    return `configuration and ${tables} code table version(s) in force (fingerprint ${short(d.fingerprint)}); changed sections: ${list(c.sections)}; tables added ${list(c.tablesAdded)}, replaced ${list(c.tablesReplaced)}, removed ${list(c.tablesRemoved)}; samples: ${list(d.sampleTables)}`;
  },
  'audit.message-refused': (d) =>
    `audit queue message refused: ${String(d.reason)} (sent by ${String(d.sentBy)}${d.eventId ? `, naming event ${String(d.eventId)}` : ''})`,
  'adr.closed': (d) =>
    `documentation request ${String(d.adrId)} answered ${String(d.sent)}: packet sha256 ${String(d.packetSha256)}`,
};

/** What one event says, in a line: by its kind, or its scalar fields. */
export function summarize(event: Pick<AuditEvent, 'type' | 'detail'>): string {
  const d = event.detail ?? {};
  const known = SUMMARIES[event.type];
  if (known) return known(d);
  if (event.type.startsWith('verdict.') && typeof d.reviewerId === 'string') {
    const corrections = Array.isArray(d.corrections) ? d.corrections.length : 0;
    return `QA ${event.type.slice('verdict.'.length)} by reviewer ${d.reviewerId}: ${corrections} correction(s)${d.status ? `, ${String(d.status)}` : ''}`;
  }
  const scalars = Object.entries(d)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k} ${String(v)}`);
  return scalars.join(', ') || event.type;
}
