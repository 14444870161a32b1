import { createHash } from 'node:crypto';
import { levelOfCareDaysFrom, visitCodeOf } from '#shared/formats/fhir/assemble-charts.ts';
import {
  CODETRAIL_SYSTEM,
  CODETRAIL_EXTENSION as EXT,
  type Extension,
  FHIR_ID,
  OASIS_ASSESSMENT_CODE,
  type Reference,
  type Resource,
  SNOMED_HOSPICE_CARE,
  SYSTEM,
} from '#shared/formats/fhir/resources.ts';
import type { ChartInput } from '#shared/model/chart.ts';

/**
 * The inverse of assembleCharts: the FHIR R4 resources one canonical chart becomes, so tests and the
 * benchmark can write Bulk Data exports. Synthetic charts only.
 *
 * Per chart: Patient, Practitioner (the coder), Coverage, EpisodeOfCare (hospice always; home health
 * when the chart has an admission date), the anchor Encounter (class HH), one Condition per diagnosis,
 * one OASIS assessment Observation with one component per item, and the visits as one Claim (default)
 * or as Procedures (`visits: 'procedure'`).
 *
 * Ids: Patient.id is the chart's patient id and Practitioner.id its coder id when they are FHIR ids (else
 * `h` + a SHA-256 prefix, with the original kept in an identifier), so charts of one patient share the
 * Patient and charts of one coder share the Practitioner: the caller dedupes by id. Every other id is
 * `<idPrefix><role>`; the default prefix hashes (agencyId, chartId, version). A caller-chosen prefix must
 * keep ids within FHIR's 64 characters of [A-Za-z0-9.-].
 *
 * Not carried (see docs/fhir-mapping.md): a home health chart's hospice block; in procedure mode, visit
 * lines without a HCPCS code, visit order other than by date, and the coder when there is no diagnosis.
 * Written only when they differ from what the assembler derives: level-of-care days, a visit line's
 * discipline, a Procedure's revenue code and units.
 */
export interface FhirFromChartOptions {
  idPrefix?: string;
  visits?: 'claim' | 'procedure';
}

export function fhirFromChart(
  chart: ChartInput,
  opts: FhirFromChartOptions = {},
): { resourceType: string; [k: string]: unknown }[] {
  const p = opts.idPrefix ?? `c${sha(`${chart.agencyId}|${chart.chartId}|${chart.version}`).slice(0, 12)}-`;
  const procedureMode = opts.visits === 'procedure';
  const hospice = chart.lineOfBusiness === 'hospice';
  const out: Resource[] = [];

  const patientId = fhirId(chart.patient.id);
  const patientRef: Reference = { reference: `Patient/${patientId}` };
  out.push(
    omitUndefined({
      resourceType: 'Patient',
      id: patientId,
      identifier:
        patientId === chart.patient.id
          ? undefined
          : [{ type: { coding: [{ system: SYSTEM.identifierType, code: 'MR' }] }, value: chart.patient.id }],
      name: chart.patient.name === undefined ? undefined : [{ text: chart.patient.name }],
      gender: chart.patient.sex === undefined ? undefined : GENDER[chart.patient.sex],
      birthDate: chart.patient.birthDate,
    }),
  );

  const coderRef: Reference = { reference: `Practitioner/${fhirId(chart.coderId)}` };
  out.push({
    resourceType: 'Practitioner',
    id: fhirId(chart.coderId),
    identifier: [{ system: CODETRAIL_SYSTEM.staffId, value: chart.coderId }],
  });

  const coverageRef: Reference = { reference: `Coverage/${p}cov` };
  out.push(
    omitUndefined({
      resourceType: 'Coverage',
      id: `${p}cov`,
      status: 'active',
      type: { coding: [{ system: SYSTEM.sopt, code: SOPT[chart.payer.type] }] },
      subscriberId: chart.payer.memberId,
      beneficiary: patientRef,
      period: { start: chart.period.from, end: chart.period.through },
      payor: chart.payer.name === undefined ? undefined : [{ display: chart.payer.name }],
    }),
  );

  const admission = chart.admission ?? {};
  let eocRef: Reference | undefined;
  if (hospice || admission.date !== undefined) {
    eocRef = { reference: `EpisodeOfCare/${p}eoc` };
    const bp = chart.hospice?.benefitPeriod;
    const ext: Extension[] = [];
    if (hospice) {
      if (bp?.number !== undefined) ext.push({ url: EXT.benefitPeriodNumber, valuePositiveInt: bp.number });
      pushDate(ext, EXT.electionDate, chart.hospice?.electionDate);
      pushDate(ext, EXT.noticeOfElectionDate, chart.notices?.electionFiledDate);
      pushDate(ext, EXT.ctiDate, chart.hospice?.ctiDate);
      pushDate(ext, EXT.faceToFaceDate, chart.hospice?.faceToFaceDate);
    }
    const period = hospice ? { start: bp?.from, end: bp?.through } : { start: admission.date };
    out.push(
      omitUndefined({
        resourceType: 'EpisodeOfCare',
        id: `${p}eoc`,
        extension: ext.length > 0 ? ext : undefined,
        status: 'active',
        type: hospice ? [{ coding: [{ system: SYSTEM.snomed, code: SNOMED_HOSPICE_CARE }] }] : undefined,
        patient: patientRef,
        period: omitUndefined(period),
      }),
    );
  }

  // Visit lines as they will be emitted (procedure mode drops lines without a HCPCS code).
  const visits = (chart.visits ?? []).filter((v) => !procedureMode || v.hcpcs !== undefined);

  const encounterId = `${p}enc`;
  const encounterRef: Reference = { reference: `Encounter/${encounterId}` };
  const ext: Extension[] = [];
  if (procedureMode) pushDateTime(ext, EXT.codingCompletedAt, chart.codingCompletedAt);
  pushDateTime(ext, EXT.documentationLockedAt, chart.documentationLockedAt);
  if (chart.priority !== undefined) ext.push({ url: EXT.codingPriority, valueCode: chart.priority });
  if (chart.preClaimReview) {
    ext.push({ url: EXT.preClaimReviewDecision, valueCode: chart.preClaimReview.decision });
    if (chart.preClaimReview.utn)
      ext.push({ url: EXT.preClaimReviewUtn, valueString: chart.preClaimReview.utn });
  }
  if (hospice) pushDate(ext, EXT.admissionDate, admission.date);
  pushDate(ext, EXT.noticeOfAdmissionDate, chart.notices?.admissionSubmittedDate);
  if (admission.source !== undefined) ext.push({ url: EXT.admissionSource, valueCode: admission.source });
  if (admission.timing !== undefined) ext.push({ url: EXT.admissionTiming, valueCode: admission.timing });
  if (hospice && chart.hospice) {
    const loc = {
      routine: 0,
      continuous: 0,
      respite: 0,
      generalInpatient: 0,
      ...chart.hospice.levelOfCareDays,
    };
    const derived = levelOfCareDaysFrom(visits);
    if (Object.entries(loc).some(([k, n]) => derived[k as keyof typeof derived] !== n)) {
      ext.push({
        url: EXT.levelOfCareDays,
        extension: Object.entries(loc).map(([k, n]) => ({ url: k, valueUnsignedInt: n })),
      });
    }
  }
  for (const d of chart.documents ?? []) {
    const sub: Extension[] = [{ url: 'type', valueCode: d.type }];
    pushDate(sub, 'date', d.date);
    if (d.signed !== undefined) sub.push({ url: 'signed', valueBoolean: d.signed });
    if (d.reference !== undefined) sub.push({ url: 'reference', valueString: d.reference });
    ext.push({ url: EXT.chartDocument, extension: sub });
  }

  const diagnoses = chart.diagnoses ?? [];
  const conditionId = (i: number) => `${p}dx${pad(i)}`;
  out.push(
    omitUndefined({
      resourceType: 'Encounter',
      id: encounterId,
      meta: { versionId: String(chart.version) },
      extension: ext.length > 0 ? ext : undefined,
      identifier: [{ system: CODETRAIL_SYSTEM.chartId, value: chart.chartId }],
      status: 'finished',
      class: { system: SYSTEM.actCode, code: 'HH' },
      subject: patientRef,
      episodeOfCare: eocRef ? [eocRef] : undefined,
      period: { start: chart.period.from, end: chart.period.through },
      diagnosis:
        diagnoses.length > 0
          ? diagnoses.map((d, i) => ({
              condition: { reference: `Condition/${conditionId(i)}` },
              rank: d.sequence,
            }))
          : undefined,
    }),
  );

  const principal = diagnoses.reduce<number | undefined>(
    (best, d, i) => (best === undefined || d.sequence < (diagnoses[best]?.sequence ?? 0) ? i : best),
    undefined,
  );
  diagnoses.forEach((d, i) => {
    const system = DX_SYSTEM[d.system ?? 'ICD-10-CM'];
    out.push(
      omitUndefined({
        resourceType: 'Condition',
        id: conditionId(i),
        extension:
          d.presentOnAdmission === undefined
            ? undefined
            : [{ url: EXT.presentOnAdmission, valueCode: d.presentOnAdmission }],
        code: omitUndefined({ coding: [omitUndefined({ system, code: d.code })], text: d.description }),
        subject: patientRef,
        recorder: procedureMode && i === principal ? coderRef : undefined,
      }),
    );
  });

  // Plan-of-care orders: one ServiceRequest each, its discipline in the extension, its diagnoses as
  // references to their Conditions.
  (chart.orders ?? []).forEach((order, i) => {
    const reasons = (order.diagnoses ?? [])
      .map((sequence) => diagnoses.findIndex((d) => d.sequence === sequence))
      .filter((index) => index >= 0)
      .map((index) => ({ reference: `Condition/${conditionId(index)}` }));
    out.push(
      omitUndefined({
        resourceType: 'ServiceRequest',
        id: `${p}order${pad(i)}`,
        extension: [{ url: EXT.discipline, valueCode: order.discipline }],
        status: 'active',
        intent: 'order',
        subject: patientRef,
        encounter: encounterRef,
        reasonReference: reasons.length > 0 ? reasons : undefined,
      }),
    );
  });

  if (chart.oasis) {
    const o = chart.oasis;
    const item = (code: string, value: string) => ({
      code: { coding: [{ system: CODETRAIL_SYSTEM.oasisItem, code }] },
      valueString: value,
    });
    const components = [
      ...(o.reasonForAssessment === undefined ? [] : [item('M0100', o.reasonForAssessment)]),
      ...Object.entries(o.items ?? {}).map(([k, v]) => item(k, v)),
    ];
    out.push(
      omitUndefined({
        resourceType: 'Observation',
        id: `${p}oasis`,
        status: 'final',
        code: { coding: [{ system: CODETRAIL_SYSTEM.oasisItem, code: OASIS_ASSESSMENT_CODE }] },
        subject: patientRef,
        encounter: encounterRef,
        effectiveDateTime: o.assessmentDate,
        component: components.length > 0 ? components : undefined,
      }),
    );
  }

  if (procedureMode) {
    visits.forEach((v, i) => {
      const table = visitCodeOf(v.hcpcs);
      const vext: Extension[] = [];
      if (v.units !== 1) vext.push({ url: EXT.serviceUnits, valueUnsignedInt: v.units });
      if (v.revenueCode !== table?.revenueCode) vext.push({ url: EXT.revenueCode, valueCode: v.revenueCode });
      if (v.discipline !== undefined && v.discipline !== table?.discipline) {
        vext.push({ url: EXT.discipline, valueCode: v.discipline });
      }
      out.push(
        omitUndefined({
          resourceType: 'Procedure',
          id: `${p}v${pad(i)}`,
          extension: vext.length > 0 ? vext : undefined,
          status: 'completed',
          code: { coding: [{ system: SYSTEM.hcpcs, code: v.hcpcs }] },
          subject: patientRef,
          encounter: encounterRef,
          performedDateTime: v.date,
        }),
      );
    });
  } else {
    out.push(
      omitUndefined({
        resourceType: 'Claim',
        id: `${p}claim`,
        status: 'active',
        type: { coding: [{ system: SYSTEM.claimType, code: 'institutional' }] },
        use: 'claim',
        patient: patientRef,
        billablePeriod: { start: chart.period.from, end: chart.period.through },
        created: chart.codingCompletedAt,
        enterer: coderRef,
        insurance: [{ sequence: 1, focal: true, coverage: coverageRef }],
        supportingInfo: chart.occurrences?.map((o, i) => ({
          sequence: i + 1,
          category: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/claiminformationcategory', code: 'info' },
            ],
          },
          code: { coding: [{ system: SYSTEM.occurrence, code: o.code }] },
          timingDate: o.date,
        })),
        item: visits.map((v, i) => {
          const table = visitCodeOf(v.hcpcs);
          return omitUndefined({
            extension:
              v.discipline !== undefined && v.discipline !== table?.discipline
                ? [{ url: EXT.discipline, valueCode: v.discipline }]
                : undefined,
            sequence: i + 1,
            encounter: [encounterRef],
            revenue: { coding: [{ system: SYSTEM.revenue, code: v.revenueCode }] },
            productOrService:
              v.hcpcs === undefined
                ? undefined
                : {
                    coding: [
                      { system: v.revenueCode === '0023' ? SYSTEM.hipps : SYSTEM.hcpcs, code: v.hcpcs },
                    ],
                  },
            servicedDate: v.date,
            quantity: { value: v.units },
          });
        }),
      }),
    );
  }
  return out;
}

const GENDER = { F: 'female', M: 'male', U: 'unknown' } as const;

/** Source of Payment Typology code written for each payer type (read back by payerTypeOf). */
const SOPT = { medicare: '1', medicare_advantage: '11', medicaid: '2', commercial: '5', other: '9' } as const;

const DX_SYSTEM = {
  'ICD-10-CM': SYSTEM.icd10cm,
  'ICD-9-CM': SYSTEM.icd9cm,
  'SNOMED-CT': SYSTEM.snomed,
  other: undefined,
} as const;

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The value itself when it is a FHIR id, else `h` + 40 hex digits of its SHA-256. */
export function fhirId(raw: string): string {
  return FHIR_ID.test(raw) ? raw : `h${sha(raw).slice(0, 40)}`;
}

function pad(i: number): string {
  return String(i).padStart(4, '0');
}

function pushDate(ext: Extension[], url: string, date: string | undefined): void {
  if (date !== undefined) ext.push({ url, valueDate: date });
}

function pushDateTime(ext: Extension[], url: string, dateTime: string | undefined): void {
  if (dateTime !== undefined) ext.push({ url, valueDateTime: dateTime });
}

function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
