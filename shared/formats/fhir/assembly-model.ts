import { ServiceOrder } from '#shared/model/chart.ts';
import { cmp, type Rec, rec, str } from './untrusted-json.ts';

/** What the assembly of one patient works with: dedupe ranks, entries, anchors, statuses, reasons. */

// ---------------------------------------------------------------------------------------------------
// Dedupe rank: a higher meta.versionId, then a later meta.lastUpdated, then the larger JSON text, wins.

export interface Rank {
  version: number;
  updated: string;
  r: Rec;
  index: number;
  /** The JSON text, computed only when two copies tie on version and lastUpdated. */
  text?: string;
}

export function rankOf(r: Rec, index: number): Rank {
  const meta = rec(r.meta);
  const v = meta?.versionId;
  const version = typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v) ? Number(v) : 0;
  return { version, updated: str(meta?.lastUpdated) ?? '', r, index };
}

export function textOf(rank: Rank): string {
  if (rank.text === undefined) {
    try {
      rank.text = JSON.stringify(rank.r) ?? '';
    } catch {
      rank.text = '';
    }
  }
  return rank.text;
}

export function compareRank(a: Rank, b: Rank): number {
  return (
    cmp(a.version, b.version) ||
    cmp(a.updated, b.updated) ||
    cmp(textOf(a), textOf(b)) ||
    cmp(b.index, a.index)
  );
}

// ---------------------------------------------------------------------------------------------------
// The assembly of one patient group

export interface Entry {
  index: number;
  type: string;
  id?: string;
  r: Rec;
  at: string;
}

export function newAnchor(entry: Entry, eocs: Entry[], hospice: boolean, eoc: Entry | undefined): Anchor {
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

export interface Anchor {
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

export interface DxLink {
  entry: Entry;
  rank?: number;
  /** Where it was listed: 0 Encounter.diagnosis, 1 EpisodeOfCare.diagnosis, 2 Claim.diagnosis, 3 encounter link, 4 unlinked. */
  source: number;
  position: number;
  onAdmission?: unknown;
}

export interface DxInline {
  claim: Entry;
  rank?: number;
  position: number;
  concept: unknown;
  onAdmission?: unknown;
}

export const INACTIVE_ENCOUNTER = ['planned', 'cancelled', 'entered-in-error'] as const;
export const INACTIVE_EPISODE = ['planned', 'waitlist', 'cancelled', 'entered-in-error'] as const;
export const INACTIVE_CLAIM = ['cancelled', 'entered-in-error'] as const;
export const INACTIVE_OBSERVATION = ['cancelled', 'entered-in-error'] as const;
export const INACTIVE_PROCEDURE = ['not-done', 'entered-in-error'] as const;
export const INACTIVE_COVERAGE = ['cancelled', 'entered-in-error'] as const;
export const INACTIVE_ORDER = ['draft', 'revoked', 'entered-in-error'] as const;
/** The disciplines a plan-of-care order may name (the chart's ServiceOrder). */
export const ORDER_DISCIPLINES: ReadonlySet<string> = new Set(ServiceOrder.shape.discipline.options);

export const REASON = {
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

export const DEFAULT_REASON: Readonly<Record<string, string>> = {
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
