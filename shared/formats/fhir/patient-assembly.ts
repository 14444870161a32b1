import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import {
  type Anchor,
  DEFAULT_REASON,
  type Entry,
  INACTIVE_COVERAGE,
  ORDER_DISCIPLINES,
  REASON,
} from './assembly-model.ts';
import {
  type AssembledChart,
  type AssembleResult,
  levelOfCareDaysFrom,
  OASIS_RFA_ITEM,
  visitCodeOf,
} from './chart-vocabulary.ts';
import {
  answerOf,
  chartIdOf,
  diagnosisOf,
  documentsOf,
  effectiveDate,
  indexOfAt,
  instantOf,
  isHospiceTyped,
  latestRecorded,
  nameOf,
  oasisItemCode,
  payerTypeOf,
  performedDate,
  staffIdFromIdentifier,
  staffIdOf,
  versionOf,
} from './element-readers.ts';
import { PatientLinks } from './patient-links.ts';
import { CODETRAIL_EXTENSION as EXT, referenceId } from './resources.ts';
import {
  cmp,
  codeIn,
  codings,
  compact,
  dateOf,
  dateTimeOf,
  extensions,
  extNumber,
  extText,
  list,
  num,
  occurrencesOf,
  orNothing,
  positiveInt,
  type Rec,
  rec,
  recs,
  statusIn,
  str,
  systemKey,
} from './untrusted-json.ts';

/**
 * One patient's assembly: the links PatientLinks made, each anchor built into a chart, the rest counted.
 */
export class PatientAssembly extends PatientLinks {
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
