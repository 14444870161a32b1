import { compareRank, type Rank, rankOf } from './assembly-model.ts';
import { resourceTypeOf } from './resources.ts';
import { type Rec, rec } from './untrusted-json.ts';

/** The assembler's public vocabulary: its result types, the visit code table, the shared directory. */

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
