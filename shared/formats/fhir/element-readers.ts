import type { Anchor, Entry } from './assembly-model.ts';
import { CODETRAIL_EXTENSION as EXT, OASIS_ASSESSMENT_CODE, SNOMED_HOSPICE_CARE } from './resources.ts';
import {
  codeIn,
  codings,
  compact,
  dateOf,
  dateTimeOf,
  extensions,
  extText,
  hasCode,
  list,
  num,
  type Rec,
  rec,
  recs,
  str,
  systemKey,
} from './untrusted-json.ts';

/** Readers of single FHIR elements (names, identifiers, dates, codes) for one patient's assembly. */

// ---------------------------------------------------------------------------------------------------
// Element readers

export function pushTo<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const l = m.get(key);
  if (l) l.push(value);
  else m.set(key, [value]);
}

export function indexOfAt(at: string | undefined): number {
  const n = Number(at?.split('#')[1]);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

export function setPeriod(a: Anchor, period: Rec | undefined): void {
  const from = dateOf(period?.start);
  const through = dateOf(period?.end);
  if (from !== undefined) a.from = from;
  if (through !== undefined) a.through = through;
}

/** Encounter.class is HH (v3 ActCode "home health"): an R4 Coding, or an R5 list of CodeableConcept. */
export function isHomeHealthClass(cls: unknown): boolean {
  const isHh = (c: Rec) => c.code === 'HH' && (c.system === undefined || systemKey(c.system) === 'actCode');
  const coding = rec(cls);
  if (coding && isHh(coding)) return true;
  if (coding && codings(coding).some(isHh)) return true;
  return list(cls).some((cc) => codings(cc).some(isHh));
}

/** A type (CodeableConcept or list of them) that says hospice: SNOMED 385763009 or codetrail `hospice`. */
export function isHospiceTyped(type: unknown): boolean {
  const concepts = Array.isArray(type) ? type : [type];
  return concepts.some(
    (cc) => hasCode(cc, 'snomed', SNOMED_HOSPICE_CARE) || hasCode(cc, 'lineOfBusiness', 'hospice'),
  );
}

export function hasCodeAnySystem(cc: unknown, codes: readonly string[]): boolean {
  return codings(cc).some((c) => typeof c.code === 'string' && codes.includes(c.code));
}

/** clinicalStatus absent, or active / recurrence / relapse. */
export function isActiveCondition(status: unknown): boolean {
  const all = codings(status);
  if (all.length === 0) return true;
  return all.some((c) => c.code === 'active' || c.code === 'recurrence' || c.code === 'relapse');
}

export function isOasisObservation(r: Rec): boolean {
  if (codings(r.code).some((c) => systemKey(c.system) === 'oasisItem')) return true;
  return recs(r.component).some((comp) =>
    codings(comp.code).some((c) => systemKey(c.system) === 'oasisItem'),
  );
}

export function oasisItemCode(cc: unknown): string | undefined {
  const code = codeIn(cc, 'oasisItem')?.code;
  return code === OASIS_ASSESSMENT_CODE ? undefined : code;
}

/** valueCodeableConcept code (else its text), valueString, valueInteger, valueBoolean ('1'/'0'), valueQuantity. */
export function answerOf(r: Rec): string | undefined {
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

export function effectiveDate(r: Rec): string | undefined {
  return dateOf(r.effectiveDateTime) ?? dateOf(rec(r.effectivePeriod)?.start) ?? dateOf(r.effectiveInstant);
}

export function performedDate(r: Rec): string | undefined {
  return dateOf(r.performedDateTime) ?? dateOf(rec(r.performedPeriod)?.start);
}

/** ICD-10-CM first, then ICD-9-CM, then SNOMED CT, then any other code ('other'). Never dropped. */
export function diagnosisOf(concept: unknown, presentOnAdmission: string | undefined): Rec {
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

export function latestRecorded(diagnoses: { recorded?: string }[]): string | undefined {
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

export function instantOf(v: unknown): number {
  const s = dateTimeOf(v);
  const t = s === undefined ? Number.NaN : Date.parse(s);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/** The codetrail chart-id identifier, else the first identifier with a system, else any; else `<Type>/<id>`. */
export function chartIdOf(e: Entry): string | undefined {
  const ids = recs(e.r.identifier).filter((i) => str(i.value) !== undefined);
  const pick =
    ids.find((i) => systemKey(i.system) === 'chartId') ??
    ids.find((i) => str(i.system) !== undefined) ??
    ids[0];
  return str(pick?.value) ?? (e.id === undefined ? undefined : `${e.type}/${e.id}`);
}

/** meta.versionId when it is a positive integer string, else 1. */
export function versionOf(r: Rec): number {
  const v = rec(r.meta)?.versionId;
  if (typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  return 1;
}

/** official, else usual, else any name not marked old, else the first: text, else given + family. */
export function nameOf(names: unknown): string | undefined {
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

export function staffIdFromIdentifier(identifiers: unknown): string | undefined {
  const all = Array.isArray(identifiers)
    ? recs(identifiers)
    : rec(identifiers)
      ? [rec(identifiers) as Rec]
      : [];
  return str(all.find((i) => systemKey(i.system) === 'staffId')?.value);
}

/** Practitioner.identifier with the codetrail staff-id system, else the first one that is not an NPI. */
export function staffIdOf(practitioner: Rec | undefined): string | undefined {
  if (!practitioner) return undefined;
  const ids = recs(practitioner.identifier).filter((i) => str(i.value) !== undefined);
  const pick =
    ids.find((i) => systemKey(i.system) === 'staffId') ?? ids.find((i) => systemKey(i.system) !== 'npi');
  return str(pick?.value) ?? str(practitioner.id);
}

export function documentsOf(anchor: Rec): Rec[] | undefined {
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
