import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADR_ID,
  ADR_REFERENCE,
  type Adr,
  adrClosedEvent,
  adrIdOf,
  adrOpenedEvent,
  adrRegister,
  daysLeft,
} from '#shared/audit-trail/adr-register.ts';
import { filedAs, PERSON_SUBJECTS } from '#shared/audit-trail/person-events.ts';
import { againstSealed, sealedEvents } from '#shared/audit-trail/story.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { localDayOf } from '#shared/billing/business-time.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { isoDay } from '../lib/calendar-day.ts';
import { readStackTrail } from '../lib/stack-trail.ts';
import { table } from '../lib/summary.ts';
import { agencyOf, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';
import { PACKET_FILES } from './audit-packet.ts';
import { type HistoryLookup, resolveChart } from './history.ts';

/** Medicare's usual time to answer an additional documentation request, when the letter gives none. */
export const DEFAULT_ADR_DAYS = 45;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The agency's register: each event as the Object-Locked trail sealed it, and the audit table's for what
 * is not sealed yet. A person's write to the table cannot be made conditional, so a table copy that is
 * not what was sealed (or is not a register event at all) is counted, never believed.
 */
async function register(target: Target, agencyId: string): Promise<{ adrs: Adr[]; changed: number }> {
  const subject = PERSON_SUBJECTS.adrs;
  const files = await readStackTrail(target.ports.artifacts, [agencyId]);
  const sealed = sealedEvents(files, agencyId).filter((s) => s.link.event.subject === subject);
  const table = await actAs(agencyRole(PERSON_ROLES.compliance, agencyId), () =>
    target.ports.audit.list(agencyId, subject),
  );
  const filed = table.filter((e) => filedAs(agencyId, subject, e));
  const { unsealed, differs } = againstSealed(sealed, filed);
  const events = [...sealed.map((s) => s.link.event as AuditEvent), ...unsealed.map((u) => u.event)];
  const changed = table.length - filed.length + differs.size;
  return { adrs: adrRegister(events), changed };
}

function changedWarning(changed: number): string[] {
  return changed > 0
    ? [
        `WARNING: ${changed} audit-table item(s) of the register are not what was sealed: the sealed ones are shown (codetrail audit verify)`,
      ]
    : [];
}

/**
 * `codetrail adr open CHART --received D [--due D] [--reference R]`: logs a payer's additional
 * documentation request against a chart, as an audit event of the agency's register (by the compliance
 * role). Logging the same request again (same chart, day and reference) logs it once.
 */
export async function runAdrOpen(
  target: Target,
  lookup: HistoryLookup,
  opts: { received: string; due?: string; reference?: string; now?: Date },
): Promise<string> {
  const received = isoDay(opts.received, '--received');
  const due = opts.due === undefined ? addDays(received, DEFAULT_ADR_DAYS) : isoDay(opts.due, '--due');
  if (due < received) throw new Error('--due: before --received');
  if (opts.reference !== undefined && !ADR_REFERENCE.test(opts.reference))
    throw new Error("--reference: the payer's reference in letters, digits and dashes (at most 40)");
  // Sealed for years and printed: never a patient's or a claim's identifier by mistake.
  if (opts.reference !== undefined && looksLikePatientOrClaimId(opts.reference))
    throw new Error(
      "--reference: looks like a beneficiary id or a claim number; give the request letter's own reference",
    );
  const { agencyId, chartKey } = await resolveChart(target, lookup);
  const compliance = agencyRole(PERSON_ROLES.compliance, agencyId);
  const versions = await actAs(compliance, () => target.ports.charts.versions(chartKey));
  if (versions.length === 0) throw new Error(`${agencyId} has no chart version of that chart`);
  const adrId = adrIdOf(chartKey, received, opts.reference);
  const known = (await register(target, agencyId)).adrs.find((a) => a.adrId === adrId);
  if (known) return `${adrId} is logged already (${known.closed ? 'answered' : `due ${known.due}`})`;
  const adr = { adrId, chartKey, received, due, ...(opts.reference ? { reference: opts.reference } : {}) };
  await actAs(compliance, () =>
    target.ports.audit.record(
      adrOpenedEvent({ agencyId, adr, actor: target.actor, at: (opts.now ?? new Date()).toISOString() }),
    ),
  );
  return `${adrId}: documentation request for ${chartKey} received ${received}, due ${due}`;
}

/**
 * Today's date where the person is (`--time-zone`, else this machine's zone): a payer's due date is a
 * calendar day at the agency, and at 8 p.m. in Chicago it is already tomorrow in UTC.
 */
export function todayIn(timeZone: string | undefined, now: Date): string {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error('--time-zone: not an IANA time zone (e.g. America/New_York)');
  }
  return localDayOf(now.getTime(), zone);
}

/**
 * `codetrail adr list [--all]`: the agency's open documentation requests, soonest due first, with the
 * days left (negative: overdue); with `--all`, the answered ones too, with what was sent.
 */
export async function runAdrList(
  target: Target,
  opts: { agency?: string; all?: boolean; json?: boolean; timeZone?: string; now?: Date },
): Promise<string> {
  const agencyId = agencyOf(target, opts.agency);
  const today = todayIn(opts.timeZone, opts.now ?? new Date());
  const { adrs: all, changed } = await register(target, agencyId);
  const shown = opts.all ? all : all.filter((a) => !a.closed);
  if (opts.json) return JSON.stringify(shown, null, 2);
  const warning = changedWarning(changed);
  if (shown.length === 0)
    return [
      ...warning,
      opts.all
        ? `No documentation request is logged for ${agencyId}.`
        : `No open documentation request for ${agencyId}.`,
    ].join('\n');
  const listed = table(
    ['adr', 'chartKey', 'received', 'due', 'days left', 'reference', 'answered'],
    shown.map((a) => {
      const left = daysLeft(a.due, today);
      return [
        a.adrId,
        a.chartKey,
        a.received,
        a.due,
        a.closed ? '' : left < 0 ? `OVERDUE ${-left}` : String(left),
        a.reference ?? '',
        a.closed ? `${a.closed.sent}, packet ${a.closed.packetSha256.slice(0, 12)}` : '',
      ];
    }),
  );
  return [...warning, listed].join('\n');
}

/**
 * `codetrail adr close ADR --packet DIR [--sent D]`: records that the request was answered, with the
 * SHA-256 of the packet sent (its manifest.json's; every file the manifest lists is checked first, and
 * the packet must be of the request's chart), or `--packet-sha256` when the folder is not at hand.
 */
export async function runAdrClose(
  target: Target,
  adrId: string,
  opts: { agency?: string; packet?: string; packetSha256?: string; sent?: string; now?: Date },
): Promise<string> {
  if (!ADR_ID.test(adrId)) throw new Error('not a documentation request id (adr- and 12 hex digits)');
  if ((opts.packet === undefined) === (opts.packetSha256 === undefined))
    throw new Error('name what was sent once: --packet DIR or --packet-sha256 HEX');
  const agencyId = agencyOf(target, opts.agency);
  const now = opts.now ?? new Date();
  const sent = opts.sent === undefined ? now.toISOString().slice(0, 10) : isoDay(opts.sent, '--sent');
  const adr = (await register(target, agencyId)).adrs.find((a) => a.adrId === adrId);
  if (!adr) throw new Error(`${adrId}: ${agencyId} has no such documentation request (codetrail adr list)`);
  if (adr.closed) throw new Error(`${adrId}: answered already on ${adr.closed.sent}`);
  if (sent < adr.received) throw new Error('--sent: before the request was received');
  const packetSha256 =
    opts.packet === undefined
      ? checkedSha256(opts.packetSha256 ?? '')
      : checkedPacket(opts.packet, adr.chartKey);
  await actAs(agencyRole(PERSON_ROLES.compliance, agencyId), () =>
    target.ports.audit.record(
      adrClosedEvent({ agencyId, adr, sent, packetSha256, actor: target.actor, at: now.toISOString() }),
    ),
  );
  return `${adrId}: answered ${sent} with packet sha256 ${packetSha256}`;
}

/** An MBI (11 characters, digits and letters, from 1-9) or a run of nine or more digits (an ICN, an SSN). */
export function looksLikePatientOrClaimId(reference: string): boolean {
  const plain = reference.replace(/-/g, '').toUpperCase();
  return /^[1-9][A-Z0-9]{10}$/.test(plain) && /[A-Z]/.test(plain) ? true : /\d{9,}/.test(plain);
}

function checkedSha256(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new Error('--packet-sha256: not a SHA-256 (64 hex digits)');
  return value;
}

/** The packet's SHA-256 (its manifest's), once every file it lists is checked and it is the chart's. */
function checkedPacket(dir: string, chartKey: string): string {
  const path = join(dir, PACKET_FILES.manifest);
  if (!existsSync(path))
    throw new Error(`--packet: no ${PACKET_FILES.manifest} there (codetrail audit packet)`);
  const text = readFileSync(path, 'utf8');
  let manifest: { packet?: unknown; files?: Record<string, unknown> };
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new Error(`--packet: ${PACKET_FILES.manifest} is not JSON`);
  }
  if (manifest.packet !== `audit packet of ${chartKey}`)
    throw new Error("--packet: not a packet of the request's chart");
  for (const [name, sha] of Object.entries(manifest.files ?? {})) {
    const file = join(dir, name);
    if (name.includes('..') || !existsSync(file) || sha256Hex(readFileSync(file)) !== sha)
      throw new Error(`--packet: ${name} is missing or changed since the packet was written`);
  }
  return sha256Hex(text);
}
