import type { AuditEvent } from '#shared/aws/ports.ts';
import type { BundledTable } from '#shared/data/bundled-tables.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';
import type { Config } from '#shared/model/config.ts';
import { TRAIL_SUBJECTS } from '#shared/topology.ts';
import { canonicalHash } from './canonical.ts';

/**
 * What an agency's charts are judged by, as an audit event: the configuration the stack runs with
 * (sampling rates, staff, SLAs, billing and denial settings…) and the code tables it carries. A
 * deployment that changes either (a config edit, a `codetrail tables import`) is recorded the next time
 * the hourly job looks, with what changed, so an auditor can tell which rules and tables were in force
 * when a chart was validated, sampled or billed. Who deployed it, and when, CloudTrail keeps
 * (CloudFormation's UpdateStack).
 */

/** The audit subject of an agency's configuration events. */
export const CONFIG_SUBJECT = TRAIL_SUBJECTS.config;
export const CONFIG_EVENT_TYPE = 'config.in-force';

export interface InForce {
  /** SHA-256 of each top-level section of the configuration, as it concerns this agency. */
  configSections: Record<string, string>;
  tables: BundledTable[];
}

/**
 * The configuration as it concerns one agency: its own entry of `agencies` and the staff who may work
 * for it (another agency's holidays are not a change of this one's rules), every other section whole.
 */
export function configSectionsFor(config: Config, agencyId: string): Record<string, string> {
  const sections: Record<string, unknown> = {
    ...config,
    agencies: config.agencies.filter((a) => a.id === agencyId),
    staff: config.staff.filter((m) => m.agencies === undefined || m.agencies.includes(agencyId)),
  };
  return Object.fromEntries(
    Object.entries(sections)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, canonicalHash(value)]),
  );
}

const tableName = (t: BundledTable) => `${t.table} ${t.version}`;

/**
 * The event recording what is in force for an agency, if it is not what the agency's last such event
 * (`previous`) recorded: undefined when nothing changed. Its idempotency key is what is in force and
 * the event it follows, so a change back to an earlier configuration is recorded again, and two runs
 * that see the same change record it once.
 */
export function configInForceEvent(args: {
  agencyId: string;
  inForce: InForce;
  previous: AuditEvent | undefined;
  actor: string;
  at: string;
}): AuditEvent | undefined {
  const { agencyId, inForce, previous } = args;
  const fingerprint = canonicalHash(inForce);
  const before = previous?.detail as (InForce & { fingerprint?: string }) | undefined;
  if (before?.fingerprint === fingerprint) return undefined;
  const beforeSections = before?.configSections ?? {};
  const beforeTables = new Map((before?.tables ?? []).map((t) => [tableName(t), t.sha256]));
  const nowTables = new Set(inForce.tables.map(tableName));
  const changed = {
    sections: [...new Set([...Object.keys(beforeSections), ...Object.keys(inForce.configSections)])]
      .filter((name) => beforeSections[name] !== inForce.configSections[name])
      .sort(),
    tablesAdded: inForce.tables.filter((t) => !beforeTables.has(tableName(t))).map(tableName),
    tablesReplaced: inForce.tables
      .filter((t) => beforeTables.has(tableName(t)) && beforeTables.get(tableName(t)) !== t.sha256)
      .map(tableName),
    tablesRemoved: [...beforeTables.keys()].filter((name) => !nowTables.has(name)),
  };
  const previousKey = previous ? previous.idempotencyKey : 'first';
  return {
    type: CONFIG_EVENT_TYPE,
    agencyId,
    subject: CONFIG_SUBJECT,
    actor: args.actor,
    at: args.at,
    idempotencyKey: sha256Hex(`${fingerprint}|${previousKey}`).slice(0, 24),
    detail: {
      fingerprint,
      ...inForce,
      // Everything is new in the first; after that, what differs from the one before.
      changed,
      sampleTables: inForce.tables.filter((t) => t.sample).map(tableName),
    },
  };
}

/** The newest of an agency's configuration events, if any. */
export function latestConfigEvent(events: readonly AuditEvent[]): AuditEvent | undefined {
  return events
    .filter((e) => e.type === CONFIG_EVENT_TYPE)
    .reduce<AuditEvent | undefined>((last, e) => (!last || e.at >= last.at ? e : last), undefined);
}
