import {
  type Anchor,
  compareRank,
  type DxInline,
  type DxLink,
  type Entry,
  INACTIVE_CLAIM,
  INACTIVE_ENCOUNTER,
  INACTIVE_EPISODE,
  INACTIVE_OBSERVATION,
  INACTIVE_ORDER,
  INACTIVE_PROCEDURE,
  newAnchor,
  type Rank,
  REASON,
  rankOf,
} from './assembly-model.ts';
import type { FhirIssue, SharedDirectory } from './chart-vocabulary.ts';
import {
  hasCodeAnySystem,
  isActiveCondition,
  isHomeHealthClass,
  isHospiceTyped,
  isOasisObservation,
  pushTo,
  setPeriod,
} from './element-readers.ts';
import { PATIENT_REFERENCE_ELEMENT, referenceId, resourceTypeOf, routeResource } from './resources.ts';
import {
  cmp,
  codings,
  dateOf,
  list,
  positiveInt,
  type Rec,
  rec,
  recs,
  statusIn,
  str,
  systemKey,
  typeLabel,
} from './untrusted-json.ts';

/**
 * The reading and linking half of one patient's assembly: resources routed and deduplicated, the anchors
 * found (home health encounters, hospice episodes), and conditions, claims, observations, procedures and
 * orders linked to them. PatientAssembly (patient-assembly.ts) builds each anchor's chart from them.
 */
export abstract class PatientLinks {
  protected readonly issues: FhirIssue[] = [];
  protected readonly rejected = new Set<number>();
  protected readonly reasons = new Map<number, string>();
  protected readonly byType = new Map<string, Entry[]>();
  protected readonly byId = new Map<string, Map<string, Entry>>();
  protected readonly atOf: string[] = [];
  protected patient?: Entry;
  protected patientId?: string;
  protected anchors: Anchor[] = [];
  protected readonly anchorOfEncounter = new Map<number, Anchor>();
  protected readonly encounterAnchors = new Map<number, Anchor[]>();
  protected rejectedConditions = new Set<number>();
  protected readonly shared: SharedDirectory;

  constructor(
    protected readonly agencyId: unknown,
    protected readonly resources: readonly unknown[],
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

  // -- reading, routing, patient, duplicates ------------------------------------------------------

  protected at(i: number): string {
    return this.atOf[i] ?? `unknown#${i}`;
  }

  protected issue(e: { index: number; type: string }, path: string | undefined, reason: string): void {
    this.rejected.add(e.index);
    const issue: FhirIssue = { resourceType: typeLabel(e.type), reason, at: this.at(e.index) };
    if (path !== undefined) issue.path = path;
    this.issues.push(issue);
  }

  protected read(): void {
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

  protected of(type: string): Entry[] {
    return this.byType.get(type) ?? [];
  }

  /** A reference to a resource of this group. */
  protected resolve(ref: unknown, type: string): Entry | undefined {
    const id = referenceId(ref, type);
    return id === undefined ? undefined : this.byId.get(type)?.get(id);
  }

  // -- anchors --------------------------------------------------------------------------------------

  protected findAnchors(): void {
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

  protected anchorsOfEncounterRef(ref: unknown): Anchor[] {
    const e = this.resolve(ref, 'Encounter');
    return e ? (this.encounterAnchors.get(e.index) ?? []) : [];
  }

  // -- links ----------------------------------------------------------------------------------------

  protected linkConditions(): void {
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

  protected linkClaims(): void {
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

  protected linkObservationsAndProcedures(): void {
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
}
