/**
 * The small part of FHIR R4 that intake reads from a Bulk Data export (NDJSON, one resource per line),
 * and which patient a parsed line belongs to. Pure: no I/O, no AWS.
 *
 * The types are deliberately loose (every element optional): a line of an export is untrusted input,
 * and the assembler (assemble-charts.ts) reads it defensively rather than trusting these shapes. They
 * document what is read, and type the resources test/support/fhir-from-chart.ts writes.
 *
 * Values in a resource (ids, names, codes, dates) are PHI. Nothing here puts one into a reason: reasons
 * name resource types and element paths only. The mapping is documented in docs/fhir-mapping.md.
 */

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
}

export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Period {
  start?: string;
  end?: string;
}

export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}

export interface Extension {
  url: string;
  extension?: Extension[];
  valueString?: string;
  valueCode?: string;
  valueDate?: string;
  valueDateTime?: string;
  valueInteger?: number;
  valuePositiveInt?: number;
  valueUnsignedInt?: number;
  valueBoolean?: boolean;
  valueCoding?: Coding;
  valueCodeableConcept?: CodeableConcept;
}

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  profile?: string[];
}

/** Any resource: what every line of an export has in common. */
export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  extension?: Extension[];
  [element: string]: unknown;
}

export interface HumanName {
  use?: string;
  text?: string;
  family?: string;
  given?: string[];
}

export interface Patient extends Resource {
  resourceType: 'Patient';
  identifier?: Identifier[];
  name?: HumanName[];
  gender?: string;
  birthDate?: string;
}

export interface DiagnosisLink {
  condition?: Reference;
  use?: CodeableConcept;
  rank?: number;
}

export interface EpisodeOfCare extends Resource {
  resourceType: 'EpisodeOfCare';
  identifier?: Identifier[];
  status?: string;
  type?: CodeableConcept[];
  diagnosis?: DiagnosisLink[];
  patient?: Reference;
  period?: Period;
}

export interface Encounter extends Resource {
  resourceType: 'Encounter';
  identifier?: Identifier[];
  status?: string;
  /** R4: a Coding. (R5 made it a list of CodeableConcept; the assembler accepts both.) */
  class?: Coding;
  type?: CodeableConcept[];
  subject?: Reference;
  episodeOfCare?: Reference[];
  period?: Period;
  diagnosis?: DiagnosisLink[];
  partOf?: Reference;
}

export interface Condition extends Resource {
  resourceType: 'Condition';
  verificationStatus?: CodeableConcept;
  clinicalStatus?: CodeableConcept;
  code?: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  recordedDate?: string;
  recorder?: Reference;
}

export interface ObservationComponent {
  code?: CodeableConcept;
  valueCodeableConcept?: CodeableConcept;
  valueString?: string;
  valueInteger?: number;
  valueBoolean?: boolean;
  valueQuantity?: Quantity;
}

export interface Observation extends Resource, ObservationComponent {
  resourceType: 'Observation';
  status?: string;
  subject?: Reference;
  encounter?: Reference;
  effectiveDateTime?: string;
  effectivePeriod?: Period;
  component?: ObservationComponent[];
}

export interface Procedure extends Resource {
  resourceType: 'Procedure';
  status?: string;
  code?: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  performedDateTime?: string;
  performedPeriod?: Period;
}

/** A plan-of-care order: one discipline, the diagnoses it addresses (reasonReference / reasonCode). */
export interface ServiceRequest extends Resource {
  resourceType: 'ServiceRequest';
  status?: string;
  intent?: string;
  code?: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  authoredOn?: string;
  reasonCode?: CodeableConcept[];
  reasonReference?: Reference[];
  extension?: Extension[];
}

export interface ClaimItem {
  sequence?: number;
  revenue?: CodeableConcept;
  productOrService?: CodeableConcept;
  servicedDate?: string;
  servicedPeriod?: Period;
  quantity?: Quantity;
  encounter?: Reference[];
  extension?: Extension[];
}

export interface Claim extends Resource {
  resourceType: 'Claim';
  status?: string;
  type?: CodeableConcept;
  use?: string;
  patient?: Reference;
  billablePeriod?: Period;
  created?: string;
  enterer?: Reference;
  provider?: Reference;
  priority?: CodeableConcept;
  diagnosis?: {
    sequence?: number;
    diagnosisCodeableConcept?: CodeableConcept;
    diagnosisReference?: Reference;
    onAdmission?: CodeableConcept;
  }[];
  insurance?: { sequence?: number; focal?: boolean; coverage?: Reference }[];
  /** Occurrence codes ride here: `code` in SYSTEM.occurrence, the date in `timingDate`. */
  supportingInfo?: {
    sequence?: number;
    category?: CodeableConcept;
    code?: CodeableConcept;
    timingDate?: string;
    timingPeriod?: Period;
  }[];
  item?: ClaimItem[];
}

export interface Coverage extends Resource {
  resourceType: 'Coverage';
  status?: string;
  type?: CodeableConcept;
  subscriberId?: string;
  beneficiary?: Reference;
  period?: Period;
  payor?: Reference[];
  order?: number;
}

export interface Practitioner extends Resource {
  resourceType: 'Practitioner';
  identifier?: Identifier[];
}

export interface Organization extends Resource {
  resourceType: 'Organization';
  name?: string;
}

export interface PractitionerRole extends Resource {
  resourceType: 'PractitionerRole';
  practitioner?: Reference;
}

/** The resource types intake reads from a Bulk Data drop; every other type is reported, not read. */
export const CHART_RESOURCE_TYPES = [
  'Patient',
  'EpisodeOfCare',
  'Encounter',
  'Condition',
  'Procedure',
  'Observation',
  'Claim',
  'Coverage',
  'ServiceRequest',
  'Practitioner',
  'Organization',
  'PractitionerRole',
] as const;
export type ChartResourceType = (typeof CHART_RESOURCE_TYPES)[number];

/** Not about one patient: looked up by id from any chart (the shared directory). */
export const SHARED_RESOURCE_TYPES = ['Practitioner', 'Organization', 'PractitionerRole'] as const;
export type SharedResourceType = (typeof SHARED_RESOURCE_TYPES)[number];

/** The element of each patient-scoped type that names its patient. Patient itself uses its own id. */
export const PATIENT_REFERENCE_ELEMENT = {
  EpisodeOfCare: 'patient',
  Encounter: 'subject',
  Condition: 'subject',
  Procedure: 'subject',
  Observation: 'subject',
  Claim: 'patient',
  Coverage: 'beneficiary',
  ServiceRequest: 'subject',
} as const;
type PatientScopedType = keyof typeof PATIENT_REFERENCE_ELEMENT;

/** Code systems and identifier systems read (and written by test/support/fhir-from-chart.ts). */
export const SYSTEM = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  icd9cm: 'http://hl7.org/fhir/sid/icd-9-cm',
  snomed: 'http://snomed.info/sct',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  sopt: 'https://nahdo.org/sopt',
  hcpcs: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  hipps: 'https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/ProspMedicareFeeSvcPmtGen/HIPPSCodes',
  cpt: 'http://www.ama-assn.org/go/cpt',
  revenue: 'https://www.nubc.org/CodeSystem/RevenueCodes',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  claimType: 'http://terminology.hl7.org/CodeSystem/claim-type',
  /** NUBC occurrence codes (UB-04 form locators 31-34), HL7 table 0350. */
  occurrence: 'http://terminology.hl7.org/CodeSystem/v2-0350',
} as const;

/** OIDs some EMRs send instead of the canonical URIs (`urn:oid:<oid>`). */
export const SYSTEM_OID = {
  icd10cm: '2.16.840.1.113883.6.90',
  icd9cm: '2.16.840.1.113883.6.103',
  snomed: '2.16.840.1.113883.6.96',
  hcpcs: '2.16.840.1.113883.6.285',
  cpt: '2.16.840.1.113883.6.12',
  occurrence: '2.16.840.1.113883.6.301.7',
} as const;

/** SNOMED CT 385763009 "Hospice care (regime/therapy)": an EpisodeOfCare or Encounter type that means hospice. */
export const SNOMED_HOSPICE_CARE = '385763009';

const CODETRAIL = 'https://codetrail.dev/fhir';

/** codetrail's own code systems, identifier systems and extensions (docs/fhir-mapping.md lists them). */
export const CODETRAIL_SYSTEM = {
  /** Codes `home_health` and `hospice`: an EpisodeOfCare or Encounter type naming the line of business. */
  lineOfBusiness: `${CODETRAIL}/CodeSystem/line-of-business`,
  /** OASIS item ids as codes (M1800, M1033_HOSP_RISK_HSTRY_FALLS, GG0130A1); `assessment` = the whole assessment. */
  oasisItem: `${CODETRAIL}/CodeSystem/oasis-item`,
  /** Identifier system of the EMR chart id on the anchor (Encounter or EpisodeOfCare). */
  chartId: `${CODETRAIL}/sid/chart-id`,
  /** Identifier system of a coder's staff id on Practitioner. */
  staffId: `${CODETRAIL}/sid/staff-id`,
} as const;

/** The code, in CODETRAIL_SYSTEM.oasisItem, of an Observation that is a whole assessment (items in components). */
export const OASIS_ASSESSMENT_CODE = 'assessment';

const SD = `${CODETRAIL}/StructureDefinition`;

export const CODETRAIL_EXTENSION = {
  /** Anchor: valueDateTime, Chart.codingCompletedAt. */
  codingCompletedAt: `${SD}/coding-completed-at`,
  /** Anchor: valueDateTime, Chart.documentationLockedAt. */
  documentationLockedAt: `${SD}/documentation-locked-at`,
  /** Encounter or EpisodeOfCare anchor: valueCode routine | expedited (the coding SLA it is held to). */
  codingPriority: `${SD}/coding-priority`,
  /** Anchor: valueCode affirmed | non-affirmed | pending | not-submitted (Review Choice pre-claim review). */
  preClaimReviewDecision: `${SD}/pre-claim-review-decision`,
  /** Anchor: valueString, the Unique Tracking Number of the pre-claim review decision. */
  preClaimReviewUtn: `${SD}/pre-claim-review-utn`,
  /** Anchor (else its EpisodeOfCare): valueDate, Chart.admission.date (overrides EpisodeOfCare.period.start). */
  admissionDate: `${SD}/admission-date`,
  /** Anchor (else its EpisodeOfCare): valueCode community | institutional. */
  admissionSource: `${SD}/admission-source`,
  /** Anchor (else its EpisodeOfCare): valueCode early | late. */
  admissionTiming: `${SD}/admission-timing`,
  /** Hospice EpisodeOfCare (else anchor): valuePositiveInt, benefit period number. */
  benefitPeriodNumber: `${SD}/hospice-benefit-period-number`,
  /** Hospice EpisodeOfCare (else anchor): valueDate. */
  electionDate: `${SD}/hospice-election-date`,
  /** Anchor (else its EpisodeOfCare): valueDate, home health Notice of Admission submitted (Chart.notices). */
  noticeOfAdmissionDate: `${SD}/notice-of-admission-date`,
  /** Hospice EpisodeOfCare (else anchor): valueDate, Notice of Election filed (Chart.notices). */
  noticeOfElectionDate: `${SD}/hospice-notice-of-election-date`,
  /** Hospice EpisodeOfCare (else anchor): valueDate, certification of terminal illness signed. */
  ctiDate: `${SD}/hospice-cti-date`,
  /** Hospice EpisodeOfCare (else anchor): valueDate. */
  faceToFaceDate: `${SD}/hospice-face-to-face-date`,
  /** Anchor (else EpisodeOfCare): complex; sub-extensions routine, continuous, respite, generalInpatient (valueUnsignedInt). */
  levelOfCareDays: `${SD}/hospice-level-of-care-days`,
  /** Anchor, repeatable: complex; sub-extensions type (valueCode), date (valueDate), signed (valueBoolean), reference (valueString). */
  chartDocument: `${SD}/chart-document`,
  /** Condition: valueCode Y | N | U | W | 1, present on admission. */
  presentOnAdmission: `${SD}/present-on-admission`,
  /** Procedure: valueUnsignedInt, units of the visit line (default 1). */
  serviceUnits: `${SD}/service-units`,
  /** Procedure: valueCode, four-digit revenue code (overrides the HCPCS table). */
  revenueCode: `${SD}/revenue-code`,
  /** Procedure, Claim.item or ServiceRequest: valueCode SN | PT | OT | SLP | MSS | AIDE | PHYSICIAN | OTHER (overrides the HCPCS table). */
  discipline: `${SD}/visit-discipline`,
} as const;

export type RouteResult =
  | { kind: 'patient'; patientId: string }
  | { kind: 'shared' }
  | { kind: 'invalid'; reason: string };

/** A FHIR id: 1-64 of A-Z a-z 0-9 - . (R4 `id` datatype). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A resource type name: the only input text a reason may repeat (it is not PHI). */
const TYPE_NAME = /^[A-Z][A-Za-z]{0,63}$/;

const CHART_TYPES: ReadonlySet<string> = new Set(CHART_RESOURCE_TYPES);
const SHARED_TYPES: ReadonlySet<string> = new Set(SHARED_RESOURCE_TYPES);

/**
 * Which patient a parsed NDJSON line belongs to. Never throws.
 *
 * - Patient: its own `id`.
 * - EpisodeOfCare.patient, Encounter.subject, Condition.subject, Procedure.subject, Observation.subject,
 *   Claim.patient, Coverage.beneficiary: the id of a Patient reference, see {@link referenceId}.
 * - Practitioner, Organization, PractitionerRole: shared (the shared directory).
 * - Anything else is invalid, with a reason that names at most the resource type and an element path.
 */
export function routeResource(value: unknown): RouteResult {
  try {
    const type = resourceTypeOf(value);
    if (type === undefined) return { kind: 'invalid', reason: 'not a FHIR resource' };
    if (!CHART_TYPES.has(type))
      return { kind: 'invalid', reason: `unknown resource type ${safeTypeName(type)}` };
    if (SHARED_TYPES.has(type)) return { kind: 'shared' };
    const resource = value as Record<string, unknown>;
    if (type === 'Patient') {
      const id = resource.id;
      return typeof id === 'string' && FHIR_ID.test(id)
        ? { kind: 'patient', patientId: id }
        : { kind: 'invalid', reason: 'Patient.id: missing or not a FHIR id' };
    }
    const element = PATIENT_REFERENCE_ELEMENT[type as PatientScopedType];
    const ref = resource[element];
    if (ref === undefined || ref === null) {
      return { kind: 'invalid', reason: `${type}.${element}: missing` };
    }
    const patientId = referenceId(ref, 'Patient');
    return patientId === undefined
      ? { kind: 'invalid', reason: `${type}.${element}: not a Patient reference (Patient/<id>)` }
      : { kind: 'patient', patientId };
  } catch {
    return { kind: 'invalid', reason: 'not a FHIR resource' };
  }
}

/** The resourceType of a value that looks like a resource (a plain object with a non-empty string type). */
export function resourceTypeOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const type = (value as Record<string, unknown>).resourceType;
  return typeof type === 'string' && type.length > 0 ? type : undefined;
}

/** A type name as it may appear in a reason or issue: the name itself when it has the form of one. */
export function safeTypeName(type: unknown): string {
  return typeof type === 'string' && TYPE_NAME.test(type) ? type : '(not a type name)';
}

const RELATIVE_OR_ABSOLUTE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/[^?#]*\/)?([A-Z][A-Za-z]{0,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const URN_UUID = /^urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/**
 * The id a Reference points to, when it points to a resource of `type`:
 *
 * - `<Type>/<id>`, optionally followed by `/_history/<version>` (the Bulk Data form);
 * - an absolute URL ending in `/<Type>/<id>` (the server base is ignored);
 * - `urn:uuid:<uuid>`, taken as `<Type>/<uuid>` (transaction Bundles such as Synthea's give each resource
 *   the id of its `urn:uuid` fullUrl), unless Reference.type names another type.
 *
 * Contained (`#x`), logical (identifier-only) and other-typed references give undefined.
 */
export function referenceId(ref: unknown, type: string): string | undefined {
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return undefined;
  const r = ref as Record<string, unknown>;
  const text = r.reference;
  if (typeof text !== 'string' || text.length > 2048) return undefined;
  const declared = r.type;
  if (typeof declared === 'string' && declared !== type) return undefined;
  const urn = URN_UUID.exec(text);
  if (urn) return urn[1];
  const m = RELATIVE_OR_ABSOLUTE.exec(text);
  return m && m[1] === type ? m[2] : undefined;
}
