import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import { ServiceOrder } from '#shared/model/chart.ts';
import {
  CODETRAIL_SYSTEM,
  CODETRAIL_EXTENSION as EXT,
  OASIS_ASSESSMENT_CODE,
  PATIENT_REFERENCE_ELEMENT,
  referenceId,
  resourceTypeOf,
  routeResource,
  SNOMED_HOSPICE_CARE,
  SYSTEM,
  SYSTEM_OID,
  safeTypeName,
} from './resources.ts';

/**
 * FHIR R4 -> canonical charts, for the resources of ONE patient (any order) plus a directory of shared
 * resources (Practitioner, Organization, PractitionerRole). Pure and total: no I/O, no clock, and it
 * never throws, whatever it is given. The mapping, field by field, is docs/fhir-mapping.md.
 *
 * Output values are ChartInput-shaped objects that intake validates with validateChartInput: a chart
 * missing a required field (no coder, no codingCompletedAt) is still returned, without the field, and
 * validation quarantines it with a field path. Issues and unused keys never hold a value from the
 * input: only resource types, element paths, fixed reasons and `<Type>#<index>` positions.
 */

export interface SharedDirectory {
  /** Keyed by resource id. */
  practitioners: Map<string, unknown>;
  organizations: Map<string, unknown>;
  practitionerRoles?: Map<string, unknown>;
}

/** A resource the assembler could not take: one issue per resource. No PHI in any field. */
export interface FhirIssue {
  /** The resource type when it has the form of a type name, else `unknown`. */
  resourceType: string;
  /** The element at fault, e.g. `Encounter.subject`. */
  path?: string;
  reason: string;
  /** `<Type>#<i>`: the resource's index in the `resources` argument (added for tracing; not PHI). */
  at?: string;
}

export interface AssembledChart {
  /** `<Type>#<i>`: the anchor resource's index in the `resources` argument, never its id. */
  anchor: string;
  /** ChartInput-shaped, validated later by validateChartInput; may be invalid. */
  value: Record<string, unknown>;
  /** `<Type>#<i>` of every resource that fed this chart, the anchor first, then by index. */
  sources: string[];
}

export interface AssembleResult {
  charts: AssembledChart[];
  issues: FhirIssue[];
  /** Resources that fed no chart, counted by `<Type>: <reason>`. */
  unused: Record<string, number>;
}

export type Discipline = 'SN' | 'PT' | 'OT' | 'SLP' | 'MSS' | 'AIDE' | 'PHYSICIAN' | 'OTHER';

/**
 * HCPCS visit codes -> revenue code and discipline, for visit lines built from Procedures (and to fill
 * in a Claim line's discipline, or its revenue code when the line has none).
 *
 * Derived from the project's research reference hh_hospice_hcpcs_revenue_reference.csv (hand-written
 * from MAC pages and CR summaries; HCPCS Level II codes and descriptors are CMS public-domain material).
 * The CSV gives revenue code families (042x ...); codetrail uses subcategory 1, the NUBC "visit charge"
 * (0421, 0431, 0441, 0551, 0561, 0571). Hospice-only G9473-G9479 have no revenue code in the reference
 * (discipline OTHER), and the Q5001-Q5010 site-of-service codes take the revenue code of a level of care
 * or of the first billable visit: those need the revenue-code extension. Retired G0154/G0163/G0164 are
 * not mapped.
 */
export const VISIT_HCPCS: Readonly<Record<string, { revenueCode?: string; discipline?: Discipline }>> = {
  G0151: { revenueCode: '0421', discipline: 'PT' },
  G0157: { revenueCode: '0421', discipline: 'PT' },
  G0159: { revenueCode: '0421', discipline: 'PT' },
  G2168: { revenueCode: '0421', discipline: 'PT' },
  G0152: { revenueCode: '0431', discipline: 'OT' },
  G0158: { revenueCode: '0431', discipline: 'OT' },
  G0160: { revenueCode: '0431', discipline: 'OT' },
  G2169: { revenueCode: '0431', discipline: 'OT' },
  G0153: { revenueCode: '0441', discipline: 'SLP' },
  G0161: { revenueCode: '0441', discipline: 'SLP' },
  G0299: { revenueCode: '0551', discipline: 'SN' },
  G0300: { revenueCode: '0551', discipline: 'SN' },
  G0162: { revenueCode: '0551', discipline: 'SN' },
  G0493: { revenueCode: '0551', discipline: 'SN' },
  G0494: { revenueCode: '0551', discipline: 'SN' },
  G0495: { revenueCode: '0551', discipline: 'SN' },
  G0496: { revenueCode: '0551', discipline: 'SN' },
  G0155: { revenueCode: '0561', discipline: 'MSS' },
  G0156: { revenueCode: '0571', discipline: 'AIDE' },
  G9473: { discipline: 'OTHER' },
  G9474: { discipline: 'OTHER' },
  G9475: { discipline: 'OTHER' },
  G9476: { discipline: 'OTHER' },
  G9477: { discipline: 'OTHER' },
  G9478: { discipline: 'OTHER' },
  G9479: { discipline: 'OTHER' },
  Q5001: {},
  Q5002: {},
  Q5003: {},
  Q5004: {},
  Q5005: {},
  Q5006: {},
  Q5007: {},
  Q5008: {},
  Q5009: {},
  Q5010: {},
};

/** The table entry of a HCPCS code (own keys only). */
export function visitCodeOf(hcpcs: unknown): { revenueCode?: string; discipline?: Discipline } | undefined {
  return typeof hcpcs === 'string' && Object.hasOwn(VISIT_HCPCS, hcpcs) ? VISIT_HCPCS[hcpcs] : undefined;
}

export interface LevelOfCareDays {
  routine: number;
  continuous: number;
  respite: number;
  generalInpatient: number;
}

/**
 * Hospice level-of-care days from visit lines: units of 0651 (routine home care, days), one day per 0652
 * line (continuous home care: each day on its own line, units are hours), units of 0655 (inpatient
 * respite, days) and 0656 (general inpatient, days).
 */
export function levelOfCareDaysFrom(visits: readonly unknown[]): LevelOfCareDays {
  const days: LevelOfCareDays = { routine: 0, continuous: 0, respite: 0, generalInpatient: 0 };
  for (const v of visits) {
    const line = rec(v);
    if (!line) continue;
    const units = typeof line.units === 'number' && Number.isFinite(line.units) ? line.units : 0;
    switch (line.revenueCode) {
      case '0651':
        days.routine += units;
        break;
      case '0652':
        days.continuous += 1;
        break;
      case '0655':
        days.respite += units;
        break;
      case '0656':
        days.generalInpatient += units;
        break;
    }
  }
  return days;
}

/** The OASIS item that is Chart.oasis.reasonForAssessment rather than an entry of items. */
export const OASIS_RFA_ITEM = /^M0100(?:_|$)/;

/** Collects Practitioner, Organization and PractitionerRole resources by id. Never throws. */
export function sharedDirectory(resources: Iterable<unknown>): SharedDirectory {
  const dir: SharedDirectory = {
    practitioners: new Map(),
    organizations: new Map(),
    practitionerRoles: new Map(),
  };
  const ranks = new Map<string, Rank>();
  try {
    let i = 0;
    for (const r of resources) {
      const index = i++;
      const type = resourceTypeOf(r);
      const map =
        type === 'Practitioner'
          ? dir.practitioners
          : type === 'Organization'
            ? dir.organizations
            : type === 'PractitionerRole'
              ? dir.practitionerRoles
              : undefined;
      const id = rec(r)?.id;
      if (!map || typeof id !== 'string' || id.length === 0) continue;
      const rank = rankOf(rec(r) as Rec, index);
      const key = `${type}/${id}`;
      const held = ranks.get(key);
      if (held && compareRank(held, rank) >= 0) continue;
      ranks.set(key, rank);
      map.set(id, r);
    }
  } catch {
    // An iterable that throws part-way: keep what was read.
  }
  return dir;
}

/**
 * Assembles the charts of one patient. Deterministic: charts come sorted by period start, then anchor
 * resource id, then index. Every resource ends up in exactly one place: among the `sources` of at least
 * one chart, counted once in `unused`, or as one issue.
 */
export function assembleCharts(args: {
  agencyId: string;
  resources: readonly unknown[];
  shared: SharedDirectory;
}): AssembleResult {
  let resources: readonly unknown[] = [];
  try {
    resources = Array.isArray(args?.resources) ? args.resources : [];
    return new Assembly(args?.agencyId, resources, args?.shared).run();
  } catch {
    // Not expected: each chart is already assembled under its own guard. Report, never throw.
    const issues: FhirIssue[] = [];
    for (let i = 0; i < resources.length; i++) {
      let type = 'unknown';
      try {
        type = typeLabel(resourceTypeOf(resources[i]));
      } catch {
        // keep 'unknown'
      }
      issues.push({
        resourceType: type,
        reason: 'the patient group could not be assembled',
        at: `${type}#${i}`,
      });
    }
    return { charts: [], issues, unused: {} };
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading untrusted JSON

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function recs(v: unknown): Rec[] {
  const out: Rec[] = [];
  for (const x of list(v)) {
    const r = rec(x);
    if (r) out.push(r);
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

/** A FHIR date or dateTime -> the calendar date as written (no time-zone shift); other text as-is. */
function dateOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}(?:T|$)/.test(s) ? s.slice(0, 10) : s;
}

/** A FHIR dateTime -> an instant; a bare date becomes midnight UTC of that date; other text as-is. */
function dateTimeOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type SystemKey = keyof typeof SYSTEM | keyof typeof CODETRAIL_SYSTEM;

const SYSTEM_KEYS: ReadonlyMap<string, SystemKey> = (() => {
  const m = new Map<string, SystemKey>();
  for (const [k, uri] of Object.entries(SYSTEM)) m.set(normalizeSystem(uri), k as SystemKey);
  for (const [k, uri] of Object.entries(CODETRAIL_SYSTEM)) m.set(normalizeSystem(uri), k as SystemKey);
  for (const [k, oid] of Object.entries(SYSTEM_OID)) m.set(`urn:oid:${oid}`, k as SystemKey);
  return m;
})();

/** http and https, and a trailing slash, name the same system. */
function normalizeSystem(s: string): string {
  return s.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

function systemKey(system: unknown): SystemKey | undefined {
  return typeof system === 'string' && system.length <= 512
    ? SYSTEM_KEYS.get(normalizeSystem(system))
    : undefined;
}

function codings(cc: unknown): Rec[] {
  return recs(rec(cc)?.coding);
}

/** The first code in `cc` from one of the systems, in the order of `systems`. */
function codeIn(
  cc: unknown,
  ...systems: SystemKey[]
): { code: string; key: SystemKey; coding: Rec } | undefined {
  const all = codings(cc);
  for (const key of systems) {
    for (const c of all) {
      const code = str(c.code);
      if (code !== undefined && systemKey(c.system) === key) return { code, key, coding: c };
    }
  }
  return undefined;
}

function hasCode(cc: unknown, key: SystemKey, code: string): boolean {
  return codings(cc).some((c) => c.code === code && systemKey(c.system) === key);
}

function extensions(r: Rec | undefined, url: string): Rec[] {
  return recs(r?.extension).filter((e) => e.url === url);
}

/** valueCode / valueString / valueDate / valueDateTime of the first extension with `url`. */
function extText(r: Rec | undefined, url: string): string | undefined {
  for (const e of extensions(r, url)) {
    const v = str(e.valueCode) ?? str(e.valueString) ?? str(e.valueDate) ?? str(e.valueDateTime);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** valuePositiveInt / valueUnsignedInt / valueInteger of the first extension with `url`. */
function extNumber(r: Rec | undefined, url: string): number | undefined {
  for (const e of extensions(r, url)) {
    const v = num(e.valuePositiveInt) ?? num(e.valueUnsignedInt) ?? num(e.valueInteger);
    if (v !== undefined) return v;
  }
  return undefined;
}

function statusIn(r: Rec, statuses: readonly string[]): boolean {
  return typeof r.status === 'string' && statuses.includes(r.status);
}

/** Drops undefined values so the chart value is plain JSON. */
/** An object that says nothing is left out altogether. */
/**
 * The claim's occurrence codes: Claim.supportingInfo entries coded in the NUBC occurrence code system,
 * dated by timingDate (else timingPeriod.start). None found: undefined, the export does not carry them.
 */
function occurrencesOf(claim: Rec | undefined): Rec[] | undefined {
  const found: Rec[] = [];
  for (const info of recs(claim?.supportingInfo)) {
    const code = codeIn(info.code, 'occurrence')?.code;
    if (code === undefined) continue;
    found.push(compact({ code, date: dateOf(info.timingDate) ?? dateOf(rec(info.timingPeriod)?.start) }));
  }
  return found.length > 0 ? found : undefined;
}

function orNothing(o: Rec): Rec | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

function compact(o: Rec): Rec {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function typeLabel(type: string | undefined): string {
  return type === undefined ? 'unknown' : safeTypeName(type) === type ? type : 'unknown';
}

// ---------------------------------------------------------------------------------------------------
// Dedupe rank: a higher meta.versionId, then a later meta.lastUpdated, then the larger JSON text, wins.

interface Rank {
  version: number;
  updated: string;
  r: Rec;
  index: number;
  /** The JSON text, computed only when two copies tie on version and lastUpdated. */
  text?: string;
}

function rankOf(r: Rec, index: number): Rank {
  const meta = rec(r.meta);
  const v = meta?.versionId;
  const version = typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v) ? Number(v) : 0;
  return { version, updated: str(meta?.lastUpdated) ?? '', r, index };
}

function textOf(rank: Rank): string {
  if (rank.text === undefined) {
    try {
      rank.text = JSON.stringify(rank.r) ?? '';
    } catch {
      rank.text = '';
    }
  }
  return rank.text;
}

function compareRank(a: Rank, b: Rank): number {
  return (
    cmp(a.version, b.version) ||
    cmp(a.updated, b.updated) ||
    cmp(textOf(a), textOf(b)) ||
    cmp(b.index, a.index)
  );
}

// ---------------------------------------------------------------------------------------------------
// The assembly of one patient group

interface Entry {
  index: number;
  type: string;
  id?: string;
  r: Rec;
  at: string;
}

function newAnchor(entry: Entry, eocs: Entry[], hospice: boolean, eoc: Entry | undefined): Anchor {
  const anchor: Anchor = {
    entry,
    eocs,
    hospice,
    encounters: [],
    conditions: new Map(),
    claimDx: [],
    observations: [],
    procedures: [],
    claims: [],
    orders: [],
  };
  if (eoc) anchor.eoc = eoc;
  return anchor;
}

interface Anchor {
  entry: Entry;
  /** The EpisodeOfCare that governs the chart: the anchor itself for an EpisodeOfCare anchor. */
  eoc?: Entry;
  /** Every EpisodeOfCare an Encounter anchor references (all of them feed the chart). */
  eocs: Entry[];
  hospice: boolean;
  from?: string;
  through?: string;
  /** Non-anchor Encounters whose partOf chain leads to (or from) this anchor. */
  encounters: Entry[];
  conditions: Map<number, DxLink>;
  claimDx: DxInline[];
  observations: Entry[];
  procedures: Entry[];
  claims: Entry[];
  /** ServiceRequests (plan-of-care orders) linked to the anchor's encounters. */
  orders: Entry[];
}

interface DxLink {
  entry: Entry;
  rank?: number;
  /** Where it was listed: 0 Encounter.diagnosis, 1 EpisodeOfCare.diagnosis, 2 Claim.diagnosis, 3 encounter link, 4 unlinked. */
  source: number;
  position: number;
  onAdmission?: unknown;
}

interface DxInline {
  claim: Entry;
  rank?: number;
  position: number;
  concept: unknown;
  onAdmission?: unknown;
}

const INACTIVE_ENCOUNTER = ['planned', 'cancelled', 'entered-in-error'] as const;
const INACTIVE_EPISODE = ['planned', 'waitlist', 'cancelled', 'entered-in-error'] as const;
const INACTIVE_CLAIM = ['cancelled', 'entered-in-error'] as const;
const INACTIVE_OBSERVATION = ['cancelled', 'entered-in-error'] as const;
const INACTIVE_PROCEDURE = ['not-done', 'entered-in-error'] as const;
const INACTIVE_COVERAGE = ['cancelled', 'entered-in-error'] as const;
const INACTIVE_ORDER = ['draft', 'revoked', 'entered-in-error'] as const;
/** The disciplines a plan-of-care order may name (the chart's ServiceOrder). */
const ORDER_DISCIPLINES: ReadonlySet<string> = new Set(ServiceOrder.shape.discipline.options);

const REASON = {
  otherPatient: 'belongs to another patient than the rest of this group',
  duplicate: 'duplicate id (another copy of the resource was used)',
  chartFailed: 'its chart could not be assembled',
  encounterNotHh: 'not a home health period (class is not HH)',
  encounterInactive: 'planned, cancelled or entered in error',
  episodeInactive: 'planned, waitlisted, cancelled or entered in error',
  episodeUnreferenced: 'not referenced by a period and not typed hospice',
  conditionRejected: 'entered in error or refuted',
  conditionElsewhere: 'linked only to encounters, episodes or claims that are not chart periods',
  conditionSeveral: 'not linked to a period and the patient has several periods',
  conditionNoPeriod: 'not linked to a period and the patient has no period',
  conditionInactive: 'not linked to a period and not active',
  observationInactive: 'cancelled or entered in error',
  observationNotOasis: 'not an OASIS item (no codetrail oasis-item code)',
  observationUnlinked: 'not linked to a period encounter',
  procedureInactive: 'not done or entered in error',
  procedureUnlinked: 'not linked to a period encounter',
  procedureHasClaim: 'the period has a Claim (visits come from Claim.item)',
  procedureNoHcpcs: 'no HCPCS code',
  procedureNoRevenue:
    'no revenue code for its HCPCS code (not in the visit table, no revenue-code extension)',
  claimInactive: 'cancelled or entered in error',
  claimNotClaim: 'not a claim (use is preauthorization or predetermination)',
  claimNotInstitutional: 'not an institutional claim',
  claimUnlinked: 'not linked to a period (by Claim.item.encounter, else billablePeriod)',
  claimSeveral: 'its billablePeriod matches several periods',
  coverageInactive: 'cancelled or entered in error',
  orderInactive: 'draft, revoked or entered in error',
  orderUnlinked: 'not linked to a period encounter',
  orderNoDiscipline:
    'no home health discipline (no visit-discipline extension or visit HCPCS code naming SN, PT, OT, SLP, MSS or AIDE)',
  coverageNotSelected: 'not the payer of any period',
  patientNoPeriod: 'the patient has no home health or hospice period',
  sharedUnreferenced: 'not referenced by any chart',
  unlinked: 'not linked to any chart',
} as const;

const DEFAULT_REASON: Readonly<Record<string, string>> = {
  Patient: REASON.patientNoPeriod,
  Encounter: REASON.encounterNotHh,
  EpisodeOfCare: REASON.episodeUnreferenced,
  Condition: REASON.conditionElsewhere,
  Observation: REASON.observationUnlinked,
  Procedure: REASON.procedureUnlinked,
  Claim: REASON.claimUnlinked,
  Coverage: REASON.coverageNotSelected,
  ServiceRequest: REASON.orderUnlinked,
  Practitioner: REASON.sharedUnreferenced,
  Organization: REASON.sharedUnreferenced,
  PractitionerRole: REASON.sharedUnreferenced,
};

class Assembly {
  private readonly issues: FhirIssue[] = [];
  private readonly rejected = new Set<number>();
  private readonly reasons = new Map<number, string>();
  private readonly byType = new Map<string, Entry[]>();
  private readonly byId = new Map<string, Map<string, Entry>>();
  private readonly atOf: string[] = [];
  private patient?: Entry;
  private patientId?: string;
  private anchors: Anchor[] = [];
  private readonly anchorOfEncounter = new Map<number, Anchor>();
  private readonly encounterAnchors = new Map<number, Anchor[]>();
  private rejectedConditions = new Set<number>();
  private readonly shared: SharedDirectory;

  constructor(
    private readonly agencyId: unknown,
    private readonly resources: readonly unknown[],
    shared: unknown,
  ) {
    const s = rec(shared);
    const map = (v: unknown): Map<string, unknown> => (v instanceof Map ? v : new Map());
    this.shared = {
      practitioners: map(s?.practitioners),
      organizations: map(s?.organizations),
      practitionerRoles: map(s?.practitionerRoles),
    };
  }

  run(): AssembleResult {
    this.read();
    this.findAnchors();
    this.linkConditions();
    this.linkClaims();
    this.linkObservationsAndProcedures();
    const charts: AssembledChart[] = [];
    const usedBy = new Map<number, true>();
    for (const anchor of this.anchors) {
      const used = new Set<number>();
      try {
        const value = this.chart(anchor, used);
        used.add(anchor.entry.index);
        const sources = [...used].filter((i) => i !== anchor.entry.index).sort((a, b) => a - b);
        for (const i of used) usedBy.set(i, true);
        charts.push({
          anchor: anchor.entry.at,
          value,
          sources: [anchor.entry.at, ...sources.map((i) => this.at(i))],
        });
      } catch {
        this.issue(anchor.entry, undefined, REASON.chartFailed);
        for (const i of used) if (!this.reasons.has(i)) this.reasons.set(i, REASON.chartFailed);
      }
    }
    const unused: Record<string, number> = {};
    for (const entries of this.byType.values()) {
      for (const e of entries) {
        if (usedBy.has(e.index) || this.rejected.has(e.index)) continue;
        const key = `${e.type}: ${this.reasons.get(e.index) ?? DEFAULT_REASON[e.type] ?? REASON.unlinked}`;
        unused[key] = (unused[key] ?? 0) + 1;
      }
    }
    for (const [i, reason] of this.reasons) {
      // Duplicates were taken out of byType: count them here.
      if (reason !== REASON.duplicate || usedBy.has(i) || this.rejected.has(i)) continue;
      const key = `${this.atOf[i]?.split('#')[0] ?? 'unknown'}: ${reason}`;
      unused[key] = (unused[key] ?? 0) + 1;
    }
    const sortedUnused: Record<string, number> = {};
    for (const k of Object.keys(unused).sort()) sortedUnused[k] = unused[k] ?? 0;
    this.issues.sort((a, b) => cmp(indexOfAt(a.at), indexOfAt(b.at)));
    return { charts, issues: this.issues, unused: sortedUnused };
  }

  // -- reading, routing, patient, duplicates ------------------------------------------------------

  private at(i: number): string {
    return this.atOf[i] ?? `unknown#${i}`;
  }

  private issue(e: { index: number; type: string }, path: string | undefined, reason: string): void {
    this.rejected.add(e.index);
    const issue: FhirIssue = { resourceType: typeLabel(e.type), reason, at: this.at(e.index) };
    if (path !== undefined) issue.path = path;
    this.issues.push(issue);
  }

  private read(): void {
    const routed: { entry: Entry; patientId?: string }[] = [];
    for (let i = 0; i < this.resources.length; i++) {
      const value = this.resources[i];
      const type = resourceTypeOf(value);
      const label = typeLabel(type);
      this.atOf[i] = `${label}#${i}`;
      const route = routeResource(value);
      if (route.kind === 'invalid') {
        const path =
          type !== undefined && route.reason.startsWith(`${type}.`) ? route.reason.split(':')[0] : undefined;
        this.issue({ index: i, type: label }, path, route.reason);
        continue;
      }
      const r = value as Rec;
      const id = str(r.id);
      const entry: Entry = { index: i, type: type as string, r, at: `${label}#${i}` };
      if (id !== undefined) entry.id = id;
      routed.push(route.kind === 'patient' ? { entry, patientId: route.patientId } : { entry });
    }

    // The group's patient: the Patient resource's id; if there is not exactly one, the id most
    // resources name (ties: the smaller). Resources naming another patient are issues.
    const patientIds = new Set<string>();
    const counts = new Map<string, number>();
    for (const { entry, patientId } of routed) {
      if (patientId === undefined) continue;
      if (entry.type === 'Patient') patientIds.add(patientId);
      counts.set(patientId, (counts.get(patientId) ?? 0) + 1);
    }
    let chosen: string | undefined;
    if (patientIds.size === 1) chosen = [...patientIds][0];
    else {
      for (const [id, n] of counts) {
        const best = chosen === undefined ? undefined : (counts.get(chosen) ?? 0);
        if (best === undefined || n > best || (n === best && id < (chosen as string))) chosen = id;
      }
    }
    this.patientId = chosen;

    const best = new Map<string, { entry: Entry; rank: Rank }>();
    const accepted: Entry[] = [];
    for (const { entry, patientId } of routed) {
      if (patientId !== undefined && patientId !== chosen) {
        const element = PATIENT_REFERENCE_ELEMENT[entry.type as keyof typeof PATIENT_REFERENCE_ELEMENT];
        this.issue(entry, element ? `${entry.type}.${element}` : `${entry.type}.id`, REASON.otherPatient);
        continue;
      }
      if (entry.id === undefined) {
        accepted.push(entry);
        continue;
      }
      const key = `${entry.type}/${entry.id}`;
      const rank = rankOf(entry.r, entry.index);
      const held = best.get(key);
      if (!held) {
        best.set(key, { entry, rank });
      } else if (compareRank(rank, held.rank) > 0) {
        this.reasons.set(held.entry.index, REASON.duplicate);
        best.set(key, { entry, rank });
      } else {
        this.reasons.set(entry.index, REASON.duplicate);
      }
    }
    for (const { entry } of best.values()) accepted.push(entry);
    accepted.sort((a, b) => a.index - b.index);
    for (const e of accepted) {
      pushTo(this.byType, e.type, e);
      if (e.id !== undefined) {
        const m = this.byId.get(e.type) ?? new Map<string, Entry>();
        this.byId.set(e.type, m);
        m.set(e.id, e);
      }
    }
    this.patient = this.of('Patient')[0];
  }

  private of(type: string): Entry[] {
    return this.byType.get(type) ?? [];
  }

  /** A reference to a resource of this group. */
  private resolve(ref: unknown, type: string): Entry | undefined {
    const id = referenceId(ref, type);
    return id === undefined ? undefined : this.byId.get(type)?.get(id);
  }

  // -- anchors --------------------------------------------------------------------------------------

  private findAnchors(): void {
    const encounters = this.of('Encounter');
    const parent = new Map<number, Entry>();
    for (const e of encounters) {
      const p = this.resolve(e.r.partOf, 'Encounter');
      if (p && p.index !== e.index) parent.set(e.index, p);
    }
    const candidates = new Set<number>();
    for (const e of encounters) {
      if (!isHomeHealthClass(e.r.class)) continue;
      if (statusIn(e.r, INACTIVE_ENCOUNTER)) this.reasons.set(e.index, REASON.encounterInactive);
      else candidates.add(e.index);
    }
    // An HH Encounter that other HH Encounters are partOf is the stay they split into periods.
    const stays = new Set<number>();
    for (const i of candidates) {
      const p = parent.get(i);
      if (p && candidates.has(p.index)) stays.add(p.index);
    }
    const anchors: Anchor[] = [];
    const referenced = new Set<number>();
    for (const e of encounters) {
      if (!candidates.has(e.index) || stays.has(e.index)) continue;
      const eocs: Entry[] = [];
      for (const ref of list(e.r.episodeOfCare)) {
        const eoc = this.resolve(ref, 'EpisodeOfCare');
        if (eoc && !eocs.includes(eoc)) eocs.push(eoc);
      }
      for (const eoc of eocs) referenced.add(eoc.index);
      const hospiceEoc = eocs.find((x) => isHospiceTyped(x.r.type));
      const period = rec(e.r.period);
      const anchor = newAnchor(
        e,
        eocs,
        isHospiceTyped(e.r.type) || hospiceEoc !== undefined,
        hospiceEoc ?? eocs[0],
      );
      setPeriod(anchor, period);
      anchors.push(anchor);
      this.anchorOfEncounter.set(e.index, anchor);
    }
    for (const eoc of this.of('EpisodeOfCare')) {
      if (referenced.has(eoc.index)) continue;
      if (statusIn(eoc.r, INACTIVE_EPISODE)) {
        this.reasons.set(eoc.index, REASON.episodeInactive);
        continue;
      }
      if (!isHospiceTyped(eoc.r.type)) continue;
      const anchor = newAnchor(eoc, [eoc], true, eoc);
      setPeriod(anchor, rec(eoc.r.period));
      anchors.push(anchor);
    }
    anchors.sort(
      (a, b) =>
        cmp(a.from ?? '\uffff', b.from ?? '\uffff') ||
        cmp(a.entry.id ?? '', b.entry.id ?? '') ||
        a.entry.index - b.entry.index,
    );
    this.anchors = anchors;

    // Which anchors an Encounter stands for: itself; a stay's periods; else its partOf parent's.
    const below = new Map<number, Anchor[]>();
    for (const a of anchors) {
      if (a.entry.type !== 'Encounter') continue;
      const seen = new Set<number>([a.entry.index]);
      for (let p = parent.get(a.entry.index); p && !seen.has(p.index); p = parent.get(p.index)) {
        seen.add(p.index);
        pushTo(below, p.index, a);
      }
    }
    for (const e of encounters) {
      const own = this.anchorOfEncounter.get(e.index);
      if (own) {
        this.encounterAnchors.set(e.index, [own]);
        continue;
      }
      let found: Anchor[] = below.get(e.index) ?? [];
      const seen = new Set<number>([e.index]);
      for (
        let p = parent.get(e.index);
        found.length === 0 && p && !seen.has(p.index);
        p = parent.get(p.index)
      ) {
        seen.add(p.index);
        const a = this.anchorOfEncounter.get(p.index);
        found = a ? [a] : (below.get(p.index) ?? []);
      }
      this.encounterAnchors.set(e.index, found);
      for (const a of found) a.encounters.push(e);
    }
  }

  private anchorsOfEncounterRef(ref: unknown): Anchor[] {
    const e = this.resolve(ref, 'Encounter');
    return e ? (this.encounterAnchors.get(e.index) ?? []) : [];
  }

  // -- links ----------------------------------------------------------------------------------------

  private linkConditions(): void {
    const rejected = new Set<number>();
    for (const c of this.of('Condition')) {
      if (hasCodeAnySystem(c.r.verificationStatus, ['entered-in-error', 'refuted'])) {
        rejected.add(c.index);
        this.reasons.set(c.index, REASON.conditionRejected);
      }
    }
    const linked = new Set<number>();
    const add = (a: Anchor, cond: Entry, link: Omit<DxLink, 'entry'>): void => {
      if (rejected.has(cond.index)) return;
      const held = a.conditions.get(cond.index);
      if (!held) {
        a.conditions.set(cond.index, { entry: cond, ...link });
        return;
      }
      if (held.rank === undefined && link.rank !== undefined) held.rank = link.rank;
      if (held.onAdmission === undefined && link.onAdmission !== undefined)
        held.onAdmission = link.onAdmission;
      if (link.source < held.source || (link.source === held.source && link.position < held.position)) {
        held.source = link.source;
        held.position = link.position;
      }
    };
    // Listed in an Encounter's or EpisodeOfCare's diagnosis (of any encounter/episode: a link either way).
    for (const type of ['Encounter', 'EpisodeOfCare']) {
      for (const holder of this.of(type)) {
        recs(holder.r.diagnosis).forEach((d, position) => {
          const cond = this.resolve(d.condition, 'Condition');
          if (!cond) return;
          linked.add(cond.index);
          const rank = positiveInt(d.rank);
          const targets =
            type === 'Encounter'
              ? (this.encounterAnchors.get(holder.index) ?? [])
              : this.anchors.filter((a) => a.eocs.includes(holder));
          for (const a of targets) {
            // Encounter.diagnosis counts as the anchor's own list only on the anchor itself.
            const own = type === 'Encounter' ? a.entry === holder : true;
            const source = type === 'Encounter' ? (own ? 0 : 3) : 1;
            add(a, cond, rank === undefined ? { source, position } : { source, position, rank });
          }
        });
      }
    }
    for (const claim of this.of('Claim')) {
      for (const d of recs(claim.r.diagnosis)) {
        const cond = this.resolve(d.diagnosisReference, 'Condition');
        if (cond) linked.add(cond.index);
      }
    }
    for (const c of this.of('Condition')) {
      if (c.r.encounter === undefined || c.r.encounter === null) continue;
      linked.add(c.index);
      for (const a of this.anchorsOfEncounterRef(c.r.encounter)) add(a, c, { source: 3, position: 0 });
    }
    for (const c of this.of('Condition')) {
      if (linked.has(c.index) || rejected.has(c.index)) continue;
      if (this.anchors.length === 0) this.reasons.set(c.index, REASON.conditionNoPeriod);
      else if (this.anchors.length > 1) this.reasons.set(c.index, REASON.conditionSeveral);
      else if (!isActiveCondition(c.r.clinicalStatus)) this.reasons.set(c.index, REASON.conditionInactive);
      else add(this.anchors[0] as Anchor, c, { source: 4, position: 0 });
    }
    this.rejectedConditions = rejected;
  }

  private linkClaims(): void {
    for (const claim of this.of('Claim')) {
      const r = claim.r;
      if (statusIn(r, INACTIVE_CLAIM)) {
        this.reasons.set(claim.index, REASON.claimInactive);
        continue;
      }
      if (r.use === 'preauthorization' || r.use === 'predetermination') {
        this.reasons.set(claim.index, REASON.claimNotClaim);
        continue;
      }
      if (codings(r.type).some((c) => systemKey(c.system) === 'claimType' && c.code !== 'institutional')) {
        this.reasons.set(claim.index, REASON.claimNotInstitutional);
        continue;
      }
      const targets = new Set<Anchor>();
      let itemEncounters = false;
      for (const item of recs(r.item)) {
        for (const ref of list(item.encounter)) {
          itemEncounters = true;
          for (const a of this.anchorsOfEncounterRef(ref)) targets.add(a);
        }
      }
      let linked = [...targets];
      if (!itemEncounters) {
        const bp = rec(r.billablePeriod);
        const start = dateOf(bp?.start);
        const end = dateOf(bp?.end) ?? start;
        if (start !== undefined && end !== undefined) {
          const within = this.anchors.filter(
            (a) => a.from !== undefined && a.through !== undefined && a.from <= start && end <= a.through,
          );
          const exact = within.filter((a) => a.from === start && a.through === end);
          linked = within.length <= 1 ? within : exact.length === 1 ? exact : [];
          if (within.length > 1 && exact.length !== 1) this.reasons.set(claim.index, REASON.claimSeveral);
        }
      }
      for (const a of linked) {
        a.claims.push(claim);
        recs(r.diagnosis).forEach((d, position) => {
          const rank = positiveInt(d.sequence);
          const cond = this.resolve(d.diagnosisReference, 'Condition');
          if (cond) {
            if (this.rejectedConditions.has(cond.index)) return;
            const held = a.conditions.get(cond.index);
            if (held) {
              if (held.rank === undefined && rank !== undefined) held.rank = rank;
              if (held.onAdmission === undefined && d.onAdmission !== undefined)
                held.onAdmission = d.onAdmission;
              if (held.source > 2) {
                held.source = 2;
                held.position = position;
              }
            } else {
              const link: DxLink = { entry: cond, source: 2, position };
              if (rank !== undefined) link.rank = rank;
              if (d.onAdmission !== undefined) link.onAdmission = d.onAdmission;
              a.conditions.set(cond.index, link);
            }
          } else if (d.diagnosisCodeableConcept !== undefined) {
            const inline: DxInline = { claim, position, concept: d.diagnosisCodeableConcept };
            if (rank !== undefined) inline.rank = rank;
            if (d.onAdmission !== undefined) inline.onAdmission = d.onAdmission;
            a.claimDx.push(inline);
          }
        });
      }
    }
  }

  private linkObservationsAndProcedures(): void {
    for (const o of this.of('Observation')) {
      if (statusIn(o.r, INACTIVE_OBSERVATION)) {
        this.reasons.set(o.index, REASON.observationInactive);
        continue;
      }
      if (!isOasisObservation(o.r)) {
        this.reasons.set(o.index, REASON.observationNotOasis);
        continue;
      }
      for (const a of this.anchorsOfEncounterRef(o.r.encounter)) a.observations.push(o);
    }
    for (const p of this.of('Procedure')) {
      if (statusIn(p.r, INACTIVE_PROCEDURE)) {
        this.reasons.set(p.index, REASON.procedureInactive);
        continue;
      }
      for (const a of this.anchorsOfEncounterRef(p.r.encounter)) a.procedures.push(p);
    }
    for (const o of this.of('ServiceRequest')) {
      if (statusIn(o.r, INACTIVE_ORDER)) {
        this.reasons.set(o.index, REASON.orderInactive);
        continue;
      }
      for (const a of this.anchorsOfEncounterRef(o.r.encounter)) a.orders.push(o);
    }
  }

  // -- one chart ----------------------------------------------------------------------------------

  private chart(a: Anchor, used: Set<number>): Rec {
    const anchor = a.entry.r;
    used.add(a.entry.index);
    for (const e of a.eocs) used.add(e.index);
    for (const e of a.encounters) used.add(e.index);
    const eoc = a.eoc?.r;

    const claims = [...a.claims].sort(
      (x, y) =>
        cmp(instantOf(x.r.created), instantOf(y.r.created)) ||
        cmp(x.id ?? '', y.id ?? '') ||
        x.index - y.index,
    );
    for (const c of claims) used.add(c.index);
    const primaryClaim = claims[claims.length - 1];

    const diagnoses = this.diagnoses(a, used);
    if (claims.length > 0) for (const p of a.procedures) this.reasons.set(p.index, REASON.procedureHasClaim);
    const visits = claims.length > 0 ? this.claimVisits(a, claims) : this.procedureVisits(a, used);
    const lineOfBusiness = a.hospice ? 'hospice' : 'home_health';

    const value: Rec = {
      schemaVersion: 1,
      agencyId: this.agencyId,
      chartId: chartIdOf(a.entry),
      version: versionOf(anchor),
      lineOfBusiness,
      patient: this.patientValue(used),
      payer: this.payer(a, primaryClaim, used),
      period: compact({ from: a.from, through: a.through }),
      admission: compact({
        date:
          dateOf(extText(anchor, EXT.admissionDate)) ??
          dateOf(extText(eoc, EXT.admissionDate)) ??
          (a.hospice ? undefined : dateOf(rec(eoc?.period)?.start)),
        source: extText(anchor, EXT.admissionSource) ?? extText(eoc, EXT.admissionSource),
        timing: extText(anchor, EXT.admissionTiming) ?? extText(eoc, EXT.admissionTiming),
      }),
      notices: orNothing(
        compact({
          admissionSubmittedDate:
            dateOf(extText(anchor, EXT.noticeOfAdmissionDate)) ??
            dateOf(extText(eoc, EXT.noticeOfAdmissionDate)),
          electionFiledDate:
            dateOf(extText(eoc, EXT.noticeOfElectionDate)) ??
            dateOf(extText(anchor, EXT.noticeOfElectionDate)),
        }),
      ),
      occurrences: occurrencesOf(primaryClaim?.r),
      orders: this.orders(a, diagnoses, used),
      documentationLockedAt: dateTimeOf(extText(anchor, EXT.documentationLockedAt)),
      priority: extText(anchor, EXT.codingPriority),
      preClaimReview: orNothing(
        compact({
          decision: extText(anchor, EXT.preClaimReviewDecision),
          utn: extText(anchor, EXT.preClaimReviewUtn),
        }),
      ),
      codingCompletedAt:
        dateTimeOf(extText(anchor, EXT.codingCompletedAt)) ??
        dateTimeOf(primaryClaim?.r.created) ??
        latestRecorded(diagnoses),
      coderId:
        this.coder(primaryClaim?.r.enterer, used) ??
        this.coder(diagnoses.find((d) => d.condition)?.condition?.r.recorder, used),
      diagnoses: diagnoses.map((d) => d.value),
      oasis: this.oasis(a, used),
      visits,
      hospice: a.hospice ? this.hospice(a, visits) : undefined,
      documents: documentsOf(anchor),
    };
    return compact(value);
  }

  private patientValue(used: Set<number>): Rec {
    const p = this.patient;
    if (!p) return compact({ id: this.patientId });
    used.add(p.index);
    const r = p.r;
    const mrn = recs(r.identifier).find((i) =>
      codings(i.type).some(
        (c) => c.code === 'MR' && (c.system === undefined || systemKey(c.system) === 'identifierType'),
      ),
    );
    const gender = r.gender;
    return compact({
      id: str(mrn?.value) ?? p.id,
      name: nameOf(r.name),
      birthDate: str(r.birthDate),
      sex:
        gender === 'female'
          ? 'F'
          : gender === 'male'
            ? 'M'
            : gender === 'other' || gender === 'unknown'
              ? 'U'
              : undefined,
    });
  }

  private payer(a: Anchor, claim: Entry | undefined, used: Set<number>): Rec {
    let coverage: Entry | undefined;
    let unresolved: Rec | undefined;
    if (claim) {
      const insurance = recs(claim.r.insurance).sort(
        (x, y) =>
          cmp(x.focal === true ? 0 : 1, y.focal === true ? 0 : 1) ||
          cmp(
            positiveInt(x.sequence) ?? Number.MAX_SAFE_INTEGER,
            positiveInt(y.sequence) ?? Number.MAX_SAFE_INTEGER,
          ),
      );
      for (const ins of insurance) {
        const c = this.resolve(ins.coverage, 'Coverage');
        if (c && !statusIn(c.r, INACTIVE_COVERAGE)) {
          coverage = c;
          break;
        }
        unresolved ??= rec(ins.coverage);
      }
    }
    if (!coverage) {
      const start = a.from;
      const candidates = this.of('Coverage').filter((c) => {
        if (statusIn(c.r, INACTIVE_COVERAGE)) {
          this.reasons.set(c.index, REASON.coverageInactive);
          return false;
        }
        const period = rec(c.r.period);
        const from = dateOf(period?.start);
        const to = dateOf(period?.end);
        if (start === undefined) return from === undefined && to === undefined;
        return (from === undefined || from <= start) && (to === undefined || start <= to);
      });
      candidates.sort(
        (x, y) =>
          cmp(num(x.r.order) ?? Number.MAX_SAFE_INTEGER, num(y.r.order) ?? Number.MAX_SAFE_INTEGER) ||
          cmp(x.id ?? '', y.id ?? '') ||
          x.index - y.index,
      );
      coverage = candidates[0];
    }
    if (!coverage) {
      return compact({ type: 'other', name: str(unresolved?.display) });
    }
    used.add(coverage.index);
    const r = coverage.r;
    const sopt = codeIn(r.type, 'sopt')?.code;
    let name: string | undefined;
    for (const payor of recs(r.payor)) {
      const org = this.lookup('Organization', payor, used);
      name = str(org?.name) ?? str(payor.display);
      if (name !== undefined) break;
    }
    const memberId =
      str(r.subscriberId) ??
      str(
        recs(r.identifier).find((i) =>
          codings(i.type).some(
            (c) => c.code === 'MB' && (c.system === undefined || systemKey(c.system) === 'identifierType'),
          ),
        )?.value,
      );
    return compact({ type: payerTypeOf(sopt), name, memberId });
  }

  /** A shared resource by reference: one of this group's first, else the shared directory. */
  private lookup(
    type: 'Practitioner' | 'Organization' | 'PractitionerRole',
    ref: unknown,
    used: Set<number>,
  ): Rec | undefined {
    const local = this.resolve(ref, type);
    if (local) {
      used.add(local.index);
      return local.r;
    }
    const id = referenceId(ref, type);
    if (id === undefined) return undefined;
    const map =
      type === 'Practitioner'
        ? this.shared.practitioners
        : type === 'Organization'
          ? this.shared.organizations
          : this.shared.practitionerRoles;
    return rec(map?.get(id));
  }

  /** The coder's staff id from a reference to a Practitioner or PractitionerRole. */
  private coder(ref: unknown, used: Set<number>): string | undefined {
    const r = rec(ref);
    if (!r) return undefined;
    const practitionerId = referenceId(r, 'Practitioner');
    if (practitionerId !== undefined) {
      return staffIdOf(this.lookup('Practitioner', r, used)) ?? practitionerId;
    }
    const role = this.lookup('PractitionerRole', r, used);
    if (role) {
      const p = rec(role.practitioner);
      const pid = referenceId(p, 'Practitioner');
      if (pid !== undefined) return staffIdOf(this.lookup('Practitioner', p, used)) ?? pid;
      return staffIdFromIdentifier(p?.identifier);
    }
    return staffIdFromIdentifier(r.identifier);
  }

  private diagnoses(a: Anchor, used: Set<number>): { value: Rec; condition?: Entry; recorded?: string }[] {
    interface Row {
      rank?: number;
      source: number;
      position: number;
      id: string;
      index: number;
      value: Rec;
      condition?: Entry;
      recorded?: string;
    }
    const rows: Row[] = [];
    for (const link of a.conditions.values()) {
      const c = link.entry;
      used.add(c.index);
      const poa =
        extText(c.r, EXT.presentOnAdmission) ??
        codings(link.onAdmission)
          .map((x) => str(x.code))
          .find(Boolean);
      const row: Row = {
        source: link.source,
        position: link.position,
        id: c.id ?? '',
        index: c.index,
        value: diagnosisOf(c.r.code, poa),
        condition: c,
      };
      if (link.rank !== undefined) row.rank = link.rank;
      const recorded = str(c.r.recordedDate);
      if (recorded !== undefined) row.recorded = recorded;
      rows.push(row);
    }
    for (const d of a.claimDx) {
      const poa = codings(d.onAdmission)
        .map((x) => str(x.code))
        .find(Boolean);
      const row: Row = {
        source: 2,
        position: d.position,
        id: d.claim.id ?? '',
        index: d.claim.index,
        value: diagnosisOf(d.concept, poa),
      };
      if (d.rank !== undefined) row.rank = d.rank;
      rows.push(row);
    }
    const order = (x: Row, y: Row) =>
      cmp(x.source, y.source) || cmp(x.position, y.position) || cmp(x.id, y.id) || x.index - y.index;
    const ranked = rows
      .filter((r) => r.rank !== undefined)
      .sort((x, y) => cmp(x.rank ?? 0, y.rank ?? 0) || order(x, y));
    const unranked = rows.filter((r) => r.rank === undefined).sort(order);
    let next = ranked.reduce((m, r) => Math.max(m, r.rank ?? 0), 0);
    const out: { value: Rec; condition?: Entry; recorded?: string }[] = [];
    for (const r of ranked)
      out.push({ value: { sequence: r.rank, ...r.value }, condition: r.condition, recorded: r.recorded });
    for (const r of unranked)
      out.push({ value: { sequence: ++next, ...r.value }, condition: r.condition, recorded: r.recorded });
    return out;
  }

  private oasis(a: Anchor, used: Set<number>): Rec | undefined {
    if (a.observations.length === 0) return undefined;
    const obs = [...a.observations].sort(
      (x, y) =>
        cmp(effectiveDate(x.r) ?? '', effectiveDate(y.r) ?? '') ||
        cmp(x.id ?? '', y.id ?? '') ||
        x.index - y.index,
    );
    const items = new Map<string, string>();
    let assessmentDate: string | undefined;
    let reason: string | undefined;
    for (const o of obs) {
      used.add(o.index);
      assessmentDate = effectiveDate(o.r) ?? assessmentDate;
      const pairs: [string, string][] = [];
      const own = oasisItemCode(o.r.code);
      if (own !== undefined) {
        const v = answerOf(o.r);
        if (v !== undefined) pairs.push([own, v]);
      }
      for (const comp of recs(o.r.component)) {
        const code = oasisItemCode(comp.code);
        const v = code === undefined ? undefined : answerOf(comp);
        if (code !== undefined && v !== undefined) pairs.push([code, v]);
      }
      for (const [code, v] of pairs) {
        if (OASIS_RFA_ITEM.test(code)) reason = v;
        else items.set(code, v);
      }
    }
    return compact({ assessmentDate, reasonForAssessment: reason, items: Object.fromEntries(items) });
  }

  private claimVisits(a: Anchor, claims: Entry[]): Rec[] {
    const visits: Rec[] = [];
    for (const claim of claims) {
      const items = recs(claim.r.item)
        .map((item, position) => ({ item, position }))
        .sort(
          (x, y) =>
            cmp(
              num(x.item.sequence) ?? Number.MAX_SAFE_INTEGER,
              num(y.item.sequence) ?? Number.MAX_SAFE_INTEGER,
            ) || x.position - y.position,
        );
      for (const { item } of items) {
        const refs = list(item.encounter);
        if (refs.length > 0) {
          const targets = refs.flatMap((ref) => this.anchorsOfEncounterRef(ref));
          if (targets.length > 0 && !targets.includes(a)) continue;
        }
        const revenue =
          codeIn(item.revenue, 'revenue')?.code ??
          codings(item.revenue)
            .map((c) => str(c.code))
            .find(Boolean);
        const hcpcs = codeIn(item.productOrService, 'hcpcs', 'hipps', 'cpt')?.code;
        if (revenue === undefined && hcpcs === undefined) continue;
        const table = visitCodeOf(hcpcs);
        const quantity = rec(item.quantity);
        visits.push(
          compact({
            date: dateOf(item.servicedDate) ?? dateOf(rec(item.servicedPeriod)?.start),
            revenueCode: revenue ?? table?.revenueCode,
            hcpcs,
            units: quantity === undefined || quantity.value === undefined ? 1 : quantity.value,
            discipline: extText(item, EXT.discipline) ?? table?.discipline,
          }),
        );
      }
    }
    return visits;
  }

  /**
   * The plan-of-care orders: each ServiceRequest's discipline (the visit-discipline extension, else the
   * discipline of its visit HCPCS code) and the sequences of the chart's diagnoses it addresses
   * (reasonReference to a Condition of the chart, reasonCode matching a coded diagnosis). No order
   * linked: absent, the export does not carry orders.
   */
  private orders(
    a: Anchor,
    diagnoses: readonly { value: Rec; condition?: Entry }[],
    used: Set<number>,
  ): Rec[] | undefined {
    if (a.orders.length === 0) return undefined;
    const byCondition = new Map<number, number>();
    const byCode = new Map<string, number[]>();
    for (const d of diagnoses) {
      const sequence = d.value.sequence as number;
      if (d.condition) byCondition.set(d.condition.index, sequence);
      const code = typeof d.value.code === 'string' ? normaliseIcd10Code(d.value.code) : undefined;
      if (code) byCode.set(code, [...(byCode.get(code) ?? []), sequence]);
    }
    const sorted = [...a.orders].sort(
      (x, y) =>
        cmp(str(x.r.authoredOn) ?? '', str(y.r.authoredOn) ?? '') ||
        cmp(x.id ?? '', y.id ?? '') ||
        x.index - y.index,
    );
    const orders: Rec[] = [];
    for (const o of sorted) {
      const discipline =
        extText(o.r, EXT.discipline) ?? visitCodeOf(codeIn(o.r.code, 'hcpcs')?.code)?.discipline;
      if (discipline === undefined || !ORDER_DISCIPLINES.has(discipline)) {
        this.reasons.set(o.index, REASON.orderNoDiscipline);
        continue;
      }
      used.add(o.index);
      const sequences = new Set<number>();
      for (const ref of recs(o.r.reasonReference)) {
        const condition = this.resolve(ref, 'Condition');
        const sequence = condition ? byCondition.get(condition.index) : undefined;
        if (sequence !== undefined) sequences.add(sequence);
      }
      for (const concept of recs(o.r.reasonCode)) {
        const code = codeIn(concept, 'icd10cm')?.code;
        for (const sequence of code ? (byCode.get(normaliseIcd10Code(code)) ?? []) : [])
          sequences.add(sequence);
      }
      orders.push({ discipline, diagnoses: [...sequences].sort((x, y) => x - y) });
    }
    return orders.length > 0 ? orders : undefined;
  }

  private procedureVisits(a: Anchor, used: Set<number>): Rec[] {
    const procedures = [...a.procedures].sort(
      (x, y) =>
        cmp(performedDate(x.r) ?? '', performedDate(y.r) ?? '') ||
        cmp(x.id ?? '', y.id ?? '') ||
        x.index - y.index,
    );
    const visits: Rec[] = [];
    for (const p of procedures) {
      const hcpcs = codeIn(p.r.code, 'hcpcs', 'hipps')?.code;
      if (hcpcs === undefined) {
        this.reasons.set(p.index, REASON.procedureNoHcpcs);
        continue;
      }
      const table = visitCodeOf(hcpcs);
      const revenue = extText(p.r, EXT.revenueCode) ?? table?.revenueCode;
      if (revenue === undefined) {
        this.reasons.set(p.index, REASON.procedureNoRevenue);
        continue;
      }
      used.add(p.index);
      visits.push(
        compact({
          date: performedDate(p.r),
          revenueCode: revenue,
          hcpcs,
          units: extNumber(p.r, EXT.serviceUnits) ?? 1,
          discipline: extText(p.r, EXT.discipline) ?? table?.discipline,
        }),
      );
    }
    return visits;
  }

  private hospice(a: Anchor, visits: Rec[]): Rec {
    const anchor = a.entry.r;
    const hospiceEoc = a.eocs.find((e) => isHospiceTyped(e.r.type));
    const source = hospiceEoc?.r ?? a.eoc?.r ?? anchor;
    const period = rec(source.period);
    const text = (url: string) => dateOf(extText(source, url) ?? extText(anchor, url));
    const locExt = extensions(anchor, EXT.levelOfCareDays)[0] ?? extensions(source, EXT.levelOfCareDays)[0];
    let levelOfCareDays: Rec;
    if (locExt) {
      levelOfCareDays = compact({
        routine: extNumber(locExt, 'routine'),
        continuous: extNumber(locExt, 'continuous'),
        respite: extNumber(locExt, 'respite'),
        generalInpatient: extNumber(locExt, 'generalInpatient'),
      });
    } else {
      levelOfCareDays = { ...levelOfCareDaysFrom(visits) };
    }
    return compact({
      benefitPeriod: compact({
        number: extNumber(source, EXT.benefitPeriodNumber) ?? extNumber(anchor, EXT.benefitPeriodNumber),
        from: dateOf(period?.start),
        through: dateOf(period?.end),
      }),
      electionDate: text(EXT.electionDate),
      ctiDate: text(EXT.ctiDate),
      faceToFaceDate: text(EXT.faceToFaceDate),
      levelOfCareDays,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Element readers

function pushTo<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const l = m.get(key);
  if (l) l.push(value);
  else m.set(key, [value]);
}

function indexOfAt(at: string | undefined): number {
  const n = Number(at?.split('#')[1]);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

function setPeriod(a: Anchor, period: Rec | undefined): void {
  const from = dateOf(period?.start);
  const through = dateOf(period?.end);
  if (from !== undefined) a.from = from;
  if (through !== undefined) a.through = through;
}

/** Encounter.class is HH (v3 ActCode "home health"): an R4 Coding, or an R5 list of CodeableConcept. */
function isHomeHealthClass(cls: unknown): boolean {
  const isHh = (c: Rec) => c.code === 'HH' && (c.system === undefined || systemKey(c.system) === 'actCode');
  const coding = rec(cls);
  if (coding && isHh(coding)) return true;
  if (coding && codings(coding).some(isHh)) return true;
  return list(cls).some((cc) => codings(cc).some(isHh));
}

/** A type (CodeableConcept or list of them) that says hospice: SNOMED 385763009 or codetrail `hospice`. */
function isHospiceTyped(type: unknown): boolean {
  const concepts = Array.isArray(type) ? type : [type];
  return concepts.some(
    (cc) => hasCode(cc, 'snomed', SNOMED_HOSPICE_CARE) || hasCode(cc, 'lineOfBusiness', 'hospice'),
  );
}

function hasCodeAnySystem(cc: unknown, codes: readonly string[]): boolean {
  return codings(cc).some((c) => typeof c.code === 'string' && codes.includes(c.code));
}

/** clinicalStatus absent, or active / recurrence / relapse. */
function isActiveCondition(status: unknown): boolean {
  const all = codings(status);
  if (all.length === 0) return true;
  return all.some((c) => c.code === 'active' || c.code === 'recurrence' || c.code === 'relapse');
}

function isOasisObservation(r: Rec): boolean {
  if (codings(r.code).some((c) => systemKey(c.system) === 'oasisItem')) return true;
  return recs(r.component).some((comp) =>
    codings(comp.code).some((c) => systemKey(c.system) === 'oasisItem'),
  );
}

function oasisItemCode(cc: unknown): string | undefined {
  const code = codeIn(cc, 'oasisItem')?.code;
  return code === OASIS_ASSESSMENT_CODE ? undefined : code;
}

/** valueCodeableConcept code (else its text), valueString, valueInteger, valueBoolean ('1'/'0'), valueQuantity. */
function answerOf(r: Rec): string | undefined {
  const cc = rec(r.valueCodeableConcept);
  if (cc)
    return (
      codings(cc)
        .map((c) => str(c.code))
        .find(Boolean) ?? str(cc.text)
    );
  if (typeof r.valueString === 'string') return r.valueString;
  if (typeof r.valueInteger === 'number' && Number.isFinite(r.valueInteger)) return String(r.valueInteger);
  if (typeof r.valueBoolean === 'boolean') return r.valueBoolean ? '1' : '0';
  const q = num(rec(r.valueQuantity)?.value);
  return q === undefined ? undefined : String(q);
}

function effectiveDate(r: Rec): string | undefined {
  return dateOf(r.effectiveDateTime) ?? dateOf(rec(r.effectivePeriod)?.start) ?? dateOf(r.effectiveInstant);
}

function performedDate(r: Rec): string | undefined {
  return dateOf(r.performedDateTime) ?? dateOf(rec(r.performedPeriod)?.start);
}

/** ICD-10-CM first, then ICD-9-CM, then SNOMED CT, then any other code ('other'). Never dropped. */
function diagnosisOf(concept: unknown, presentOnAdmission: string | undefined): Rec {
  const picked = codeIn(concept, 'icd10cm', 'icd9cm', 'snomed');
  const system =
    picked?.key === 'icd10cm'
      ? 'ICD-10-CM'
      : picked?.key === 'icd9cm'
        ? 'ICD-9-CM'
        : picked?.key === 'snomed'
          ? 'SNOMED-CT'
          : 'other';
  const coding = picked?.coding ?? codings(concept).find((c) => str(c.code) !== undefined);
  const poa =
    presentOnAdmission !== undefined && presentOnAdmission.length === 1
      ? presentOnAdmission.toUpperCase()
      : presentOnAdmission;
  return compact({
    code: str(coding?.code),
    system,
    description: str(rec(concept)?.text) ?? str(coding?.display),
    presentOnAdmission: poa,
  });
}

function latestRecorded(diagnoses: { recorded?: string }[]): string | undefined {
  let best: string | undefined;
  let bestAt = Number.NEGATIVE_INFINITY;
  for (const d of diagnoses) {
    const v = dateTimeOf(d.recorded);
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (Number.isFinite(t) && t > bestAt) {
      bestAt = t;
      best = v;
    }
  }
  return best;
}

function instantOf(v: unknown): number {
  const s = dateTimeOf(v);
  const t = s === undefined ? Number.NaN : Date.parse(s);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/** The codetrail chart-id identifier, else the first identifier with a system, else any; else `<Type>/<id>`. */
function chartIdOf(e: Entry): string | undefined {
  const ids = recs(e.r.identifier).filter((i) => str(i.value) !== undefined);
  const pick =
    ids.find((i) => systemKey(i.system) === 'chartId') ??
    ids.find((i) => str(i.system) !== undefined) ??
    ids[0];
  return str(pick?.value) ?? (e.id === undefined ? undefined : `${e.type}/${e.id}`);
}

/** meta.versionId when it is a positive integer string, else 1. */
function versionOf(r: Rec): number {
  const v = rec(r.meta)?.versionId;
  if (typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  return 1;
}

/** official, else usual, else any name not marked old, else the first: text, else given + family. */
function nameOf(names: unknown): string | undefined {
  const all = recs(names);
  const pick =
    all.find((n) => n.use === 'official') ??
    all.find((n) => n.use === 'usual') ??
    all.find((n) => n.use !== 'old') ??
    all[0];
  if (!pick) return undefined;
  const text = str(pick.text);
  if (text !== undefined) return text;
  const parts = [...list(pick.given).filter((g): g is string => typeof g === 'string' && g.length > 0)];
  const family = str(pick.family);
  if (family !== undefined) parts.push(family);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * Source of Payment Typology: 1 and 12x/13x Medicare (fee for service, Medicare hospice), 11x Medicare
 * Advantage (managed care), 2x Medicaid, 5x private insurance and 6x BCBS commercial, else other.
 */
export function payerTypeOf(
  sopt: string | undefined,
): 'medicare' | 'medicare_advantage' | 'medicaid' | 'commercial' | 'other' {
  if (sopt === undefined) return 'other';
  if (sopt === '1' || sopt.startsWith('12') || sopt.startsWith('13')) return 'medicare';
  if (sopt.startsWith('11')) return 'medicare_advantage';
  if (sopt.startsWith('2')) return 'medicaid';
  if (sopt.startsWith('5') || sopt.startsWith('6')) return 'commercial';
  return 'other';
}

function staffIdFromIdentifier(identifiers: unknown): string | undefined {
  const all = Array.isArray(identifiers)
    ? recs(identifiers)
    : rec(identifiers)
      ? [rec(identifiers) as Rec]
      : [];
  return str(all.find((i) => systemKey(i.system) === 'staffId')?.value);
}

/** Practitioner.identifier with the codetrail staff-id system, else the first one that is not an NPI. */
function staffIdOf(practitioner: Rec | undefined): string | undefined {
  if (!practitioner) return undefined;
  const ids = recs(practitioner.identifier).filter((i) => str(i.value) !== undefined);
  const pick =
    ids.find((i) => systemKey(i.system) === 'staffId') ?? ids.find((i) => systemKey(i.system) !== 'npi');
  return str(pick?.value) ?? str(practitioner.id);
}

function documentsOf(anchor: Rec): Rec[] | undefined {
  const docs = extensions(anchor, EXT.chartDocument).map((e) => {
    const signed = extensions(e, 'signed')[0]?.valueBoolean;
    return compact({
      type: extText(e, 'type'),
      date: dateOf(extText(e, 'date')),
      signed: typeof signed === 'boolean' ? signed : undefined,
      reference: extText(e, 'reference'),
    });
  });
  return docs.length > 0 ? docs : undefined;
}
