import type { AuditEvent } from '#shared/aws/ports.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import { PERSON_SUBJECTS } from './person-events.ts';

/**
 * An agency's additional documentation requests (ADRs): a payer (a MAC, RAC, UPIC) asks for the records
 * behind a claim, by a date. The register is the audit trail itself: `adr.opened` and `adr.closed` events
 * under the agency's `adrs` subject, chained and sealed like every other, so when a request came, when it
 * was due and what was sent (the packet's SHA-256) can be shown and cannot be changed afterwards.
 */

export const ADR_ID = /^adr-[0-9a-f]{12}$/;
/** A payer's reference for the request (its letter's or case's number): letters, digits, dashes. */
export const ADR_REFERENCE = /^[A-Za-z0-9-]{1,40}$/;

export interface Adr {
  adrId: string;
  chartKey: string;
  received: string;
  due: string;
  reference?: string;
  openedBy: string;
  openedAt: string;
  closed?: { sent: string; packetSha256: string; by: string; at: string };
}

/** One request's id: the chart, the day it came and the payer's reference, so logging it twice logs it once. */
export function adrIdOf(chartKey: string, received: string, reference?: string): string {
  return `adr-${sha256Hex(`${chartKey}|${received}|${reference ?? ''}`).slice(0, 12)}`;
}

export function adrOpenedEvent(args: {
  agencyId: string;
  adr: Pick<Adr, 'adrId' | 'chartKey' | 'received' | 'due' | 'reference'>;
  actor: string;
  at: string;
}): AuditEvent {
  const { adrId, chartKey, received, due, reference } = args.adr;
  return {
    type: 'adr.opened',
    agencyId: args.agencyId,
    subject: PERSON_SUBJECTS.adrs,
    actor: args.actor,
    at: args.at,
    idempotencyKey: adrId,
    detail: { adrId, chartKey, received, due, ...(reference ? { reference } : {}) },
  };
}

export function adrClosedEvent(args: {
  agencyId: string;
  adr: Pick<Adr, 'adrId' | 'chartKey'>;
  sent: string;
  packetSha256: string;
  actor: string;
  at: string;
}): AuditEvent {
  return {
    type: 'adr.closed',
    agencyId: args.agencyId,
    subject: PERSON_SUBJECTS.adrs,
    actor: args.actor,
    at: args.at,
    // Closed once: a second close of the same request is the same event.
    idempotencyKey: args.adr.adrId,
    detail: {
      adrId: args.adr.adrId,
      chartKey: args.adr.chartKey,
      sent: args.sent,
      packetSha256: args.packetSha256,
    },
  };
}

/** The register from its events: each request opened, and closed where it was; by due date. */
export function adrRegister(events: readonly AuditEvent[]): Adr[] {
  const byId = new Map<string, Adr>();
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  for (const e of events.filter((x) => x.type === 'adr.opened')) {
    const d = e.detail ?? {};
    const adr: Adr = {
      adrId: str(d.adrId),
      chartKey: str(d.chartKey),
      received: str(d.received),
      due: str(d.due),
      openedBy: e.actor,
      openedAt: e.at,
    };
    if (typeof d.reference === 'string') adr.reference = d.reference;
    byId.set(adr.adrId, adr);
  }
  for (const e of events.filter((x) => x.type === 'adr.closed')) {
    const d = e.detail ?? {};
    const adr = byId.get(str(d.adrId));
    if (adr) adr.closed = { sent: str(d.sent), packetSha256: str(d.packetSha256), by: e.actor, at: e.at };
  }
  return [...byId.values()].sort((a, b) => a.due.localeCompare(b.due) || a.adrId.localeCompare(b.adrId));
}

/** Calendar days from `today` to `due` (both YYYY-MM-DD): negative once the due date has passed. */
export function daysLeft(due: string, today: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}
