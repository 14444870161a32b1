import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AssembleResult,
  assembleCharts,
  payerTypeOf,
  type SharedDirectory,
  sharedDirectory,
  visitCodeOf,
} from '#shared/formats/fhir/assemble-charts.ts';
import {
  CHART_RESOURCE_TYPES,
  CODETRAIL_SYSTEM,
  CODETRAIL_EXTENSION as EXT,
  SHARED_RESOURCE_TYPES,
  SNOMED_HOSPICE_CARE,
  SYSTEM,
} from '#shared/formats/fhir/resources.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import { validateChartInput } from '#shared/rules/schema-findings.ts';
import { homeHealthChart, hospiceChart } from '../support/charts.ts';
import { fhirFromChart } from '../support/fhir-from-chart.ts';

// Synthetic patients only. Builders for the smallest resources each rule needs.

const PID = 'SYN-P1';
const ref = (type: string, id: string) => ({ reference: `${type}/${id}` });
const subject = ref('Patient', PID);
const patient = {
  resourceType: 'Patient',
  id: PID,
  name: [{ use: 'official', given: ['Test'], family: 'Patient-Alpha' }],
  gender: 'male',
  birthDate: '1938-05-05',
};

function encounter(id: string, from: string, through: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'HH' },
    subject,
    period: { start: from, end: through },
    ...extra,
  };
}

function condition(id: string, code: string, system: string | undefined = SYSTEM.icd10cm, extra = {}) {
  return { resourceType: 'Condition', id, code: { coding: [{ system, code }] }, subject, ...extra };
}

const hospiceType = [{ coding: [{ system: SYSTEM.snomed, code: SNOMED_HOSPICE_CARE }] }];

function run(resources: unknown[], shared: SharedDirectory = sharedDirectory([])): AssembleResult {
  return assembleCharts({ agencyId: 'test-agency', resources, shared });
}

function only(result: AssembleResult): Record<string, unknown> {
  expect(result.charts).toHaveLength(1);
  return result.charts[0]?.value ?? {};
}

function roundTrip(chart: ChartInput, opts: Parameters<typeof fhirFromChart>[1] = {}): Chart | undefined {
  const resources = fhirFromChart(chart, opts);
  const shared = new Set<string>(SHARED_RESOURCE_TYPES);
  const result = run(
    resources.filter((r) => !shared.has(r.resourceType)),
    sharedDirectory(resources),
  );
  expect(result.issues).toEqual([]);
  expect(result.unused).toEqual({});
  return validateChartInput(only(result)).chart;
}

describe('assembleCharts: round trip through fhirFromChart', () => {
  it.each([
    ['home health', homeHealthChart()],
    ['hospice', hospiceChart()],
  ])('gives back the %s sample chart, visits from a Claim', (_, chart) => {
    const expected = validateChartInput(chart).chart;
    expect(expected).toBeDefined();
    expect(roundTrip(chart)).toEqual(expected);
  });

  it.each([
    ['home health', homeHealthChart()],
    ['hospice', hospiceChart()],
  ])('gives back the %s sample chart, visits from Procedures', (_, chart) => {
    expect(roundTrip(chart, { visits: 'procedure' })).toEqual(validateChartInput(chart).chart);
  });

  it('carries what the sample charts leave out: POA, descriptions, member id, election, F2F, LOC days', () => {
    const chart = hospiceChart({
      patient: { id: 'not a fhir id / SYN', name: 'Test Patient-Three', sex: 'U' },
      payer: { type: 'medicare_advantage', name: 'Synthetic MA Plan', memberId: 'SYN-MBR-9' },
      admission: { date: '2026-09-15' },
      coderId: 'coder_with_underscore',
      diagnoses: [
        {
          sequence: 1,
          code: 'C34.90',
          system: 'ICD-10-CM',
          description: 'lung cancer',
          presentOnAdmission: 'Y',
        },
        { sequence: 2, code: '254637007', system: 'SNOMED-CT' },
        { sequence: 3, code: 'XYZ', system: 'other' },
      ],
      hospice: {
        benefitPeriod: { number: 3, from: '2026-09-15', through: '2026-11-13' },
        electionDate: '2026-03-01',
        ctiDate: '2026-09-10',
        faceToFaceDate: '2026-09-01',
        levelOfCareDays: { routine: 20, continuous: 2, respite: 5, generalInpatient: 4 },
      },
      visits: [
        { date: '2026-10-01', revenueCode: '0651', hcpcs: 'Q5001', units: 20 },
        { date: '2026-10-21', revenueCode: '0551', hcpcs: 'G0299', units: 2, discipline: 'OTHER' },
        { date: '2026-10-22', revenueCode: '0657', units: 1, discipline: 'PHYSICIAN' },
      ],
      documentationLockedAt: '2026-11-01T09:00:00-05:00',
      documents: [
        { type: 'election_statement', reference: 'SYN-DOC-7' },
        { type: 'cti', signed: false },
      ],
    });
    expect(roundTrip(chart)).toEqual(validateChartInput(chart).chart);
  });

  it('carries the claim occurrence codes (Claim.supportingInfo in the NUBC occurrence system), and none when the claim has none', () => {
    const chart = homeHealthChart({
      admission: { date: '2026-09-01' },
      occurrences: [
        { code: '61', date: '2026-08-28' },
        { code: '50', date: '2026-09-01' },
      ],
    });
    expect(roundTrip(chart)).toEqual(validateChartInput(chart).chart);
    expect(roundTrip(homeHealthChart())?.occurrences).toBeUndefined();
  });

  it('carries the coding priority and the Review Choice pre-claim review decision', () => {
    const chart = homeHealthChart({
      priority: 'expedited',
      preClaimReview: { decision: 'affirmed', utn: 'UTN0001' },
    });
    expect(roundTrip(chart)).toEqual(validateChartInput(chart).chart);
  });

  it('carries the plan-of-care orders (ServiceRequest: discipline, diagnoses by reference or code)', () => {
    const chart = homeHealthChart({
      orders: [
        { discipline: 'PT', diagnoses: [1] },
        { discipline: 'SN', diagnoses: [1, 2] },
        { discipline: 'AIDE', diagnoses: [] },
      ],
    });
    expect(roundTrip(chart)).toEqual(validateChartInput(chart).chart);
    expect(roundTrip(homeHealthChart())?.orders).toBeUndefined();
  });

  it('reads an order by its HCPCS code and reasonCode, and reports one it cannot place', () => {
    const enc = encounter('e1', '2026-10-01', '2026-10-30');
    const order = (id: string, extra: Record<string, unknown>) => ({
      resourceType: 'ServiceRequest',
      id,
      status: 'active',
      intent: 'order',
      subject,
      encounter: { reference: 'Encounter/e1' },
      ...extra,
    });
    const result = run([
      patient,
      enc,
      condition('c1', 'I50.22', SYSTEM.icd10cm, { encounter: { reference: 'Encounter/e1' } }),
      order('o1', {
        code: { coding: [{ system: SYSTEM.hcpcs, code: 'G0151' }] },
        reasonCode: [{ coding: [{ system: SYSTEM.icd10cm, code: 'I50.22' }] }],
      }),
      order('o2', { code: { text: 'physical therapy' } }),
      order('o3', { status: 'revoked', extension: [{ url: EXT.discipline, valueCode: 'SN' }] }),
    ]);
    expect(only(result).orders).toEqual([{ discipline: 'PT', diagnoses: [1] }]);
    expect(result.unused).toEqual({
      'ServiceRequest: draft, revoked or entered in error': 1,
      'ServiceRequest: no home health discipline (no visit-discipline extension or visit HCPCS code naming SN, PT, OT, SLP, MSS or AIDE)': 1,
    });
  });

  it('gives one chart per period of a patient, sorted by period start whatever the input order', () => {
    const first = homeHealthChart({ chartId: 'HH-A', period: { from: '2026-10-01', through: '2026-10-30' } });
    const second = homeHealthChart({
      chartId: 'HH-B',
      version: 3,
      period: { from: '2026-10-31', through: '2026-11-29' },
      admission: { date: '2026-10-01', source: 'community', timing: 'late' },
      visits: [{ date: '2026-11-03', revenueCode: '0421', hcpcs: 'G0151', units: 3, discipline: 'PT' }],
    });
    const resources = [...fhirFromChart(second), ...fhirFromChart(first)];
    const unique = [...new Map(resources.map((r) => [`${r.resourceType}/${String(r.id)}`, r])).values()];
    const result = run(unique, sharedDirectory(unique));
    expect(result.charts.map((c) => c.value.chartId)).toEqual(['HH-A', 'HH-B']);
    expect(result.charts.map((c) => validateChartInput(c.value).chart)).toEqual([
      validateChartInput(first).chart,
      validateChartInput(second).chart,
    ]);
    // Anchors are positions in the input, never ids.
    for (const c of result.charts) expect(c.anchor).toMatch(/^Encounter#\d+$/);
    expect(result.issues).toEqual([]);
    // Each chart brought its own EpisodeOfCare, Coverage and Claim; both share the Patient and Practitioner.
    expect(result.unused).toEqual({});
    expect(result.charts[0]?.sources.filter((s) => result.charts[1]?.sources.includes(s))).toEqual([
      expect.stringMatching(/^Patient#/),
      expect.stringMatching(/^Practitioner#/),
    ]);
  });
});

describe('assembleCharts: anchors and line of business', () => {
  it('anchors one home health period on each HH Encounter', () => {
    const value = only(
      run([patient, encounter('e1', '2026-10-01T09:00:00-05:00', '2026-10-30T17:00:00-05:00')]),
    );
    expect(value).toMatchObject({
      agencyId: 'test-agency',
      chartId: 'Encounter/e1',
      version: 1,
      lineOfBusiness: 'home_health',
      patient: { id: PID, name: 'Test Patient-Alpha', birthDate: '1938-05-05', sex: 'M' },
      payer: { type: 'other' },
      period: { from: '2026-10-01', through: '2026-10-30' },
    });
    expect(value.patient).toEqual({ id: PID, name: 'Test Patient-Alpha', birthDate: '1938-05-05', sex: 'M' });
  });

  it('prefers the codetrail chart-id identifier, then one with a system', () => {
    const ids = [
      { value: 'NO-SYSTEM' },
      { system: 'http://example.org/ehr/encounter', value: 'EHR-7' },
      { system: CODETRAIL_SYSTEM.chartId, value: 'HH-77' },
    ];
    expect(only(run([encounter('e1', '2026-10-01', '2026-10-30', { identifier: ids })])).chartId).toBe(
      'HH-77',
    );
    expect(
      only(run([encounter('e1', '2026-10-01', '2026-10-30', { identifier: ids.slice(0, 2) })])).chartId,
    ).toBe('EHR-7');
  });

  it('takes the version from meta.versionId when it is a positive integer', () => {
    const v = (versionId: unknown) =>
      only(run([encounter('e1', '2026-10-01', '2026-10-30', { meta: { versionId } })])).version;
    expect(v('7')).toBe(7);
    expect(v('0')).toBe(1);
    expect(v('W/"3"')).toBe(1);
    expect(v(4)).toBe(1);
    expect(v(undefined)).toBe(1);
  });

  it('is hospice when the Encounter or its EpisodeOfCare is typed hospice', () => {
    const eoc = {
      resourceType: 'EpisodeOfCare',
      id: 'eoc1',
      status: 'active',
      type: hospiceType,
      patient: subject,
      period: { start: '2026-09-15', end: '2026-12-13' },
      extension: [{ url: EXT.benefitPeriodNumber, valuePositiveInt: 1 }],
    };
    const viaEoc = only(
      run([
        eoc,
        encounter('e1', '2026-10-01', '2026-10-31', { episodeOfCare: [ref('EpisodeOfCare', 'eoc1')] }),
      ]),
    );
    expect(viaEoc.lineOfBusiness).toBe('hospice');
    expect(viaEoc.period).toEqual({ from: '2026-10-01', through: '2026-10-31' });
    expect(viaEoc.hospice).toMatchObject({
      benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' },
    });
    // The hospice EpisodeOfCare's start is the benefit period's, not an admission date.
    expect(viaEoc.admission).toEqual({});

    const typed = encounter('e1', '2026-10-01', '2026-10-31', {
      type: [{ coding: [{ system: CODETRAIL_SYSTEM.lineOfBusiness, code: 'hospice' }] }],
    });
    expect(only(run([typed])).lineOfBusiness).toBe('hospice');
  });

  it('anchors a hospice benefit period on an EpisodeOfCare no HH Encounter references', () => {
    const eoc = {
      resourceType: 'EpisodeOfCare',
      id: 'eoc1',
      status: 'finished',
      identifier: [{ system: CODETRAIL_SYSTEM.chartId, value: 'HS-9' }],
      type: hospiceType,
      patient: subject,
      period: { start: '2026-09-15', end: '2026-12-13' },
      extension: [
        { url: EXT.benefitPeriodNumber, valuePositiveInt: 2 },
        { url: EXT.ctiDate, valueDate: '2026-09-14' },
      ],
    };
    const claim = {
      resourceType: 'Claim',
      id: 'cl1',
      status: 'active',
      use: 'claim',
      patient: subject,
      billablePeriod: { start: '2026-10-01', end: '2026-10-31' },
      created: '2026-11-03T12:00:00Z',
      item: [
        {
          sequence: 1,
          revenue: { coding: [{ system: SYSTEM.revenue, code: '0651' }] },
          productOrService: { coding: [{ system: SYSTEM.hcpcs, code: 'Q5001' }] },
          servicedDate: '2026-10-01',
          quantity: { value: 26 },
        },
        {
          sequence: 2,
          revenue: { coding: [{ system: SYSTEM.revenue, code: '0656' }] },
          productOrService: { coding: [{ system: SYSTEM.hcpcs, code: 'Q5006' }] },
          servicedDate: '2026-10-27',
          quantity: { value: 5 },
        },
      ],
    };
    const result = run([patient, eoc, claim]);
    const value = only(result);
    expect(result.charts[0]?.anchor).toBe('EpisodeOfCare#1');
    expect(value).toMatchObject({
      chartId: 'HS-9',
      lineOfBusiness: 'hospice',
      period: { from: '2026-09-15', through: '2026-12-13' },
      codingCompletedAt: '2026-11-03T12:00:00Z',
      hospice: {
        benefitPeriod: { number: 2, from: '2026-09-15', through: '2026-12-13' },
        ctiDate: '2026-09-14',
        levelOfCareDays: { routine: 26, continuous: 0, respite: 0, generalInpatient: 5 },
      },
    });
    expect(value.visits).toHaveLength(2);
  });

  it('does not anchor cancelled or planned HH Encounters, nor non-HH ones', () => {
    const result = run([
      patient,
      encounter('e1', '2026-10-01', '2026-10-30', { status: 'cancelled' }),
      encounter('e2', '2026-11-01', '2026-11-30', { status: 'planned' }),
      encounter('e3', '2026-10-05', '2026-10-05', { class: { system: SYSTEM.actCode, code: 'AMB' } }),
    ]);
    expect(result.charts).toEqual([]);
    expect(result.unused).toEqual({
      'Encounter: not a home health period (class is not HH)': 1,
      'Encounter: planned, cancelled or entered in error': 2,
      'Patient: the patient has no home health or hospice period': 1,
    });
  });

  // The PACIO Re-assessment Timepoints IG (CC0; HL7/fhir-pacio-rt input/fsh/examples) models a home
  // health stay as one HH Encounter with period Encounters partOf it, and links the diagnosis to the
  // stay. Shape re-created here with synthetic ids.
  it('treats an HH Encounter split into partOf period Encounters as the stay, not a period', () => {
    const stay = encounter('stay', '2021-04-07T15:00:00-05:00', '2021-08-24T10:30:00-05:00', {
      diagnosis: [{ condition: ref('Condition', 'dx1'), use: { coding: [{ code: 'AD' }] } }],
    });
    const p1 = encounter('tp1', '2021-04-07', '2021-06-01', { partOf: ref('Encounter', 'stay') });
    const p2 = encounter('tp2', '2021-06-02', '2021-08-03', { partOf: ref('Encounter', 'stay') });
    const dx = condition('dx1', 'I69.30', SYSTEM.icd10cm, { encounter: ref('Encounter', 'stay') });
    const result = run([patient, p2, stay, dx, p1]);
    expect(result.charts.map((c) => c.anchor)).toEqual(['Encounter#4', 'Encounter#1']);
    for (const c of result.charts) {
      expect(c.value.diagnoses).toEqual([{ sequence: 1, code: 'I69.30', system: 'ICD-10-CM' }]);
      expect(c.sources).toContain('Encounter#2');
    }
    expect(result.unused).toEqual({});
  });
});

describe('assembleCharts: diagnoses', () => {
  it('sequences by Encounter.diagnosis.rank, then EpisodeOfCare rank, then Claim sequence; unranked last', () => {
    const eoc = {
      resourceType: 'EpisodeOfCare',
      id: 'eoc1',
      status: 'active',
      patient: subject,
      period: { start: '2026-10-01' },
      diagnosis: [{ condition: ref('Condition', 'c-eoc'), rank: 4 }, { condition: ref('Condition', 'c-b') }],
    };
    const enc = encounter('e1', '2026-10-01', '2026-10-30', {
      episodeOfCare: [ref('EpisodeOfCare', 'eoc1')],
      diagnosis: [
        { condition: ref('Condition', 'c-2'), rank: 2 },
        { condition: ref('Condition', 'c-1'), rank: 1 },
        { condition: ref('Condition', 'c-a') },
      ],
    });
    const claim = {
      resourceType: 'Claim',
      id: 'cl1',
      use: 'claim',
      patient: subject,
      billablePeriod: { start: '2026-10-01', end: '2026-10-30' },
      diagnosis: [
        { sequence: 3, diagnosisReference: ref('Condition', 'c-claim') },
        { sequence: 9, diagnosisReference: ref('Condition', 'c-1') },
      ],
    };
    const value = only(
      run([
        patient,
        claim,
        condition('c-b', 'E11.9'),
        condition('c-a', 'I10'),
        condition('c-claim', 'N18.30'),
        condition('c-eoc', 'Z79.4'),
        condition('c-1', 'I69.351'),
        condition('c-2', 'I50.22'),
        condition('c-enc', 'M62.81', SYSTEM.icd10cm, { encounter: ref('Encounter', 'e1') }),
        enc,
        eoc,
      ]),
    );
    expect(
      (value.diagnoses as { sequence: number; code: string }[]).map((d) => [d.sequence, d.code]),
    ).toEqual([
      [1, 'I69.351'],
      [2, 'I50.22'],
      [3, 'N18.30'],
      [4, 'Z79.4'],
      [5, 'I10'], // unranked, listed on the Encounter
      [6, 'E11.9'], // unranked, listed on the EpisodeOfCare
      [7, 'M62.81'], // unranked, linked by Condition.encounter
    ]);
  });

  it('keeps duplicate ranks and gaps for the rules to report', () => {
    const enc = encounter('e1', '2026-10-01', '2026-10-30', {
      diagnosis: [
        { condition: ref('Condition', 'a'), rank: 2 },
        { condition: ref('Condition', 'b'), rank: 2 },
      ],
    });
    const value = only(run([enc, condition('a', 'I10'), condition('b', 'E11.9')]));
    expect((value.diagnoses as { sequence: number }[]).map((d) => d.sequence)).toEqual([2, 2]);
  });

  it('prefers the ICD-10-CM coding, then ICD-9-CM, then SNOMED CT, and keeps SNOMED-only and ICD-9-only', () => {
    const multi = {
      resourceType: 'Condition',
      id: 'm',
      subject,
      encounter: ref('Encounter', 'e1'),
      code: {
        coding: [
          { system: SYSTEM.snomed, code: '230690007', display: 'Stroke' },
          {
            system: 'urn:oid:2.16.840.1.113883.6.90',
            code: 'I63.9',
            display: 'Cerebral infarction, unspecified',
          },
        ],
      },
    };
    const snomedOnly = condition('s', '44054006', SYSTEM.snomed, { encounter: ref('Encounter', 'e1') });
    const icd9Only = condition('n', '250.00', SYSTEM.icd9cm, { encounter: ref('Encounter', 'e1') });
    const both = {
      ...condition('b', '401.9', SYSTEM.icd9cm, { encounter: ref('Encounter', 'e1') }),
      code: {
        coding: [
          { system: SYSTEM.snomed, code: '38341003' },
          { system: SYSTEM.icd9cm, code: '401.9' },
        ],
        text: 'HTN',
      },
    };
    const other = condition('o', 'I10', 'http://hl7.org/fhir/sid/icd-10', {
      encounter: ref('Encounter', 'e1'),
    });
    const value = only(
      run([encounter('e1', '2026-10-01', '2026-10-30'), both, icd9Only, multi, other, snomedOnly]),
    );
    expect(value.diagnoses).toEqual([
      { sequence: 1, code: '401.9', system: 'ICD-9-CM', description: 'HTN' },
      { sequence: 2, code: 'I63.9', system: 'ICD-10-CM', description: 'Cerebral infarction, unspecified' },
      { sequence: 3, code: '250.00', system: 'ICD-9-CM' },
      { sequence: 4, code: 'I10', system: 'other' },
      { sequence: 5, code: '44054006', system: 'SNOMED-CT' },
    ]);
    // Kept as received: the schema accepts them; the DX-SYSTEM rule reports them.
    const findings = validateChartInput(value).findings;
    expect(findings.filter((f) => f.path?.startsWith('diagnoses'))).toEqual([]);
  });

  it('gives an unlinked Condition to the only period, and counts it unused when there are several', () => {
    const loose = condition('loose', 'I10', SYSTEM.icd10cm, {
      clinicalStatus: { coding: [{ code: 'active' }] },
    });
    const resolved = condition('old', 'J18.9', SYSTEM.icd10cm, {
      clinicalStatus: { coding: [{ code: 'resolved' }] },
    });
    const one = run([patient, encounter('e1', '2026-10-01', '2026-10-30'), loose, resolved]);
    expect(only(one).diagnoses).toEqual([{ sequence: 1, code: 'I10', system: 'ICD-10-CM' }]);
    expect(one.unused).toEqual({ 'Condition: not linked to a period and not active': 1 });

    const two = run([
      patient,
      encounter('e1', '2026-10-01', '2026-10-30'),
      encounter('e2', '2026-10-31', '2026-11-29'),
      loose,
    ]);
    expect(two.charts).toHaveLength(2);
    for (const c of two.charts) expect(c.value.diagnoses).toEqual([]);
    expect(two.unused).toEqual({
      'Condition: not linked to a period and the patient has several periods': 1,
    });
  });

  it('does not code Conditions entered in error or linked to another encounter', () => {
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      encounter('amb', '2026-10-03', '2026-10-03', { class: { system: SYSTEM.actCode, code: 'AMB' } }),
      condition('x', 'I10', SYSTEM.icd10cm, {
        encounter: ref('Encounter', 'e1'),
        verificationStatus: { coding: [{ code: 'entered-in-error' }] },
      }),
      condition('y', 'J06.9', SYSTEM.icd10cm, { encounter: ref('Encounter', 'amb') }),
    ]);
    expect(only(result).diagnoses).toEqual([]);
    expect(result.unused).toEqual({
      'Condition: entered in error or refuted': 1,
      'Condition: linked only to encounters, episodes or claims that are not chart periods': 1,
      'Encounter: not a home health period (class is not HH)': 1,
    });
  });

  it('reads present on admission from the extension, else Claim.diagnosis.onAdmission', () => {
    const claim = {
      resourceType: 'Claim',
      id: 'cl1',
      patient: subject,
      billablePeriod: { start: '2026-10-01', end: '2026-10-30' },
      diagnosis: [
        { sequence: 1, diagnosisReference: ref('Condition', 'a'), onAdmission: { coding: [{ code: 'y' }] } },
        { sequence: 2, diagnosisCodeableConcept: { coding: [{ system: SYSTEM.icd10cm, code: 'E11.9' }] } },
      ],
    };
    const a = condition('a', 'I10', SYSTEM.icd10cm);
    const b = condition('b', 'I50.9', SYSTEM.icd10cm, {
      encounter: ref('Encounter', 'e1'),
      extension: [{ url: EXT.presentOnAdmission, valueCode: 'N' }],
    });
    const value = only(run([encounter('e1', '2026-10-01', '2026-10-30'), claim, a, b]));
    expect(value.diagnoses).toEqual([
      { sequence: 1, code: 'I10', system: 'ICD-10-CM', presentOnAdmission: 'Y' },
      { sequence: 2, code: 'E11.9', system: 'ICD-10-CM' },
      { sequence: 3, code: 'I50.9', system: 'ICD-10-CM', presentOnAdmission: 'N' },
    ]);
  });
});

describe('assembleCharts: visits', () => {
  const procedure = (id: string, code: string, date: string, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: { coding: [{ system: SYSTEM.hcpcs, code }] },
    subject,
    encounter: ref('Encounter', 'e1'),
    performedDateTime: date,
    ...extra,
  });

  it('maps Procedures through the HCPCS table when the period has no Claim', () => {
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      procedure('p3', 'G0156', '2026-10-09'),
      procedure('p1', 'G0299', '2026-10-02T10:00:00-05:00', {
        extension: [{ url: EXT.serviceUnits, valueUnsignedInt: 4 }],
      }),
      procedure('p2', 'G0152', '2026-10-03'),
      procedure('p4', '99213', '2026-10-04'),
      {
        ...procedure('p5', 'G0151', '2026-10-05'),
        code: { coding: [{ system: SYSTEM.cpt, code: '97110' }] },
      },
      procedure('p6', 'Q5001', '2026-10-02'),
      procedure('p7', 'G0151', '2026-10-06', { status: 'not-done' }),
    ]);
    expect(only(result).visits).toEqual([
      { date: '2026-10-02', revenueCode: '0551', hcpcs: 'G0299', units: 4, discipline: 'SN' },
      { date: '2026-10-03', revenueCode: '0431', hcpcs: 'G0152', units: 1, discipline: 'OT' },
      { date: '2026-10-09', revenueCode: '0571', hcpcs: 'G0156', units: 1, discipline: 'AIDE' },
    ]);
    expect(result.unused).toEqual({
      'Procedure: no HCPCS code': 1,
      'Procedure: no revenue code for its HCPCS code (not in the visit table, no revenue-code extension)': 2,
      'Procedure: not done or entered in error': 1,
    });
  });

  it('takes Claim.item lines when a Claim for the period exists, and leaves its Procedures unused', () => {
    const claim = {
      resourceType: 'Claim',
      id: 'cl1',
      status: 'active',
      type: { coding: [{ system: SYSTEM.claimType, code: 'institutional' }] },
      use: 'claim',
      patient: subject,
      created: '2026-11-02T10:00:00Z',
      item: [
        {
          sequence: 2,
          encounter: [ref('Encounter', 'e1')],
          revenue: { coding: [{ system: SYSTEM.revenue, code: '0421' }] },
          productOrService: { coding: [{ system: SYSTEM.hcpcs, code: 'G0151' }] },
          servicedDate: '2026-10-05',
          quantity: { value: 3 },
        },
        {
          sequence: 1,
          encounter: [ref('Encounter', 'e1')],
          revenue: { coding: [{ system: SYSTEM.revenue, code: '0023' }] },
          productOrService: { coding: [{ system: SYSTEM.hipps, code: '1FC11' }] },
          servicedDate: '2026-10-01',
        },
        {
          sequence: 3,
          encounter: [ref('Encounter', 'e1')],
          productOrService: { coding: [{ system: SYSTEM.snomed, code: '185349003' }] },
        },
      ],
    };
    const professional = {
      resourceType: 'Claim',
      id: 'cl2',
      type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
      patient: subject,
      billablePeriod: { start: '2026-10-01', end: '2026-10-30' },
    };
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      claim,
      professional,
      procedure('p1', 'G0299', '2026-10-02'),
    ]);
    expect(only(result).visits).toEqual([
      { date: '2026-10-01', revenueCode: '0023', hcpcs: '1FC11', units: 1 },
      { date: '2026-10-05', revenueCode: '0421', hcpcs: 'G0151', units: 3, discipline: 'PT' },
    ]);
    expect(result.unused).toEqual({
      'Claim: not an institutional claim': 1,
      'Procedure: the period has a Claim (visits come from Claim.item)': 1,
    });
  });

  it('links a Claim without item encounters by a billablePeriod within exactly one period', () => {
    const claim = (id: string, start: string, end: string) => ({
      resourceType: 'Claim',
      id,
      patient: subject,
      billablePeriod: { start, end },
      created: '2026-12-01T00:00:00Z',
    });
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      encounter('e2', '2026-10-31', '2026-11-29'),
      claim('in-first', '2026-10-01', '2026-10-30'),
      claim('across', '2026-10-20', '2026-11-05'),
    ]);
    expect(result.charts.map((c) => c.value.codingCompletedAt)).toEqual(['2026-12-01T00:00:00Z', undefined]);
    expect(result.unused).toEqual({
      'Claim: not linked to a period (by Claim.item.encounter, else billablePeriod)': 1,
    });
  });

  it('has a table entry for the codes of the reference CSV it names', () => {
    expect(visitCodeOf('G0300')).toEqual({ revenueCode: '0551', discipline: 'SN' });
    expect(visitCodeOf('G0153')).toEqual({ revenueCode: '0441', discipline: 'SLP' });
    expect(visitCodeOf('G0155')).toEqual({ revenueCode: '0561', discipline: 'MSS' });
    expect(visitCodeOf('G0493')).toEqual({ revenueCode: '0551', discipline: 'SN' });
    expect(visitCodeOf('G9473')).toEqual({ discipline: 'OTHER' });
    expect(visitCodeOf('Q5001')).toEqual({});
    expect(visitCodeOf('G0154')).toBeUndefined();
    expect(visitCodeOf('constructor')).toBeUndefined();
  });
});

describe('assembleCharts: coder, dates, payer, OASIS', () => {
  const claimWith = (extra: Record<string, unknown>) => ({
    resourceType: 'Claim',
    id: 'cl1',
    patient: subject,
    billablePeriod: { start: '2026-10-01', end: '2026-10-30' },
    ...extra,
  });

  it('takes the coder from Claim.enterer: the staff id, else the Practitioner id', () => {
    const shared = sharedDirectory([
      {
        resourceType: 'Practitioner',
        id: 'pr1',
        identifier: [
          { system: SYSTEM.npi, value: '1234567893' },
          { system: CODETRAIL_SYSTEM.staffId, value: 'coder-x' },
        ],
      },
      { resourceType: 'Practitioner', id: 'pr2', identifier: [{ system: SYSTEM.npi, value: '1234567893' }] },
    ]);
    const coder = (enterer: unknown) =>
      only(run([encounter('e1', '2026-10-01', '2026-10-30'), claimWith({ enterer })], shared)).coderId;
    expect(coder(ref('Practitioner', 'pr1'))).toBe('coder-x');
    expect(coder(ref('Practitioner', 'pr2'))).toBe('pr2');
    expect(coder(ref('Practitioner', 'not-in-directory'))).toBe('not-in-directory');
    expect(coder({ identifier: { system: CODETRAIL_SYSTEM.staffId, value: 'coder-y' } })).toBe('coder-y');
  });

  it("else from the principal Condition's recorder, through a PractitionerRole", () => {
    const shared = sharedDirectory([
      { resourceType: 'PractitionerRole', id: 'role1', practitioner: ref('Practitioner', 'pr1') },
      {
        resourceType: 'Practitioner',
        id: 'pr1',
        identifier: [{ system: CODETRAIL_SYSTEM.staffId, value: 'coder-z' }],
      },
    ]);
    const enc = encounter('e1', '2026-10-01', '2026-10-30', {
      diagnosis: [
        { condition: ref('Condition', 'second'), rank: 2 },
        { condition: ref('Condition', 'principal'), rank: 1 },
      ],
    });
    const value = only(
      run(
        [
          enc,
          condition('second', 'I10', SYSTEM.icd10cm, {
            recorder: ref('Practitioner', 'other'),
            recordedDate: '2026-11-05',
          }),
          condition('principal', 'I69.351', SYSTEM.icd10cm, {
            recorder: ref('PractitionerRole', 'role1'),
            recordedDate: '2026-11-02T08:00:00-05:00',
          }),
        ],
        shared,
      ),
    );
    expect(value.coderId).toBe('coder-z');
    // No extension, no Claim: the latest recordedDate, a bare date read as midnight UTC.
    expect(value.codingCompletedAt).toBe('2026-11-05T00:00:00Z');
  });

  it('leaves coder and codingCompletedAt out when nothing names them, for validation to quarantine', () => {
    const value = only(run([encounter('e1', '2026-10-01', '2026-10-30')]));
    expect(value).not.toHaveProperty('coderId');
    expect(value).not.toHaveProperty('codingCompletedAt');
    const paths = validateChartInput(value).findings.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['coderId', 'codingCompletedAt']));
  });

  it('reads codingCompletedAt and documentationLockedAt from the anchor extensions first', () => {
    const enc = encounter('e1', '2026-10-01', '2026-10-30', {
      extension: [
        { url: EXT.codingCompletedAt, valueDateTime: '2026-11-04T10:00:00+02:00' },
        { url: EXT.documentationLockedAt, valueDateTime: '2026-11-01' },
      ],
    });
    const value = only(run([enc, claimWith({ created: '2026-11-02T10:00:00Z' })]));
    expect(value.codingCompletedAt).toBe('2026-11-04T10:00:00+02:00');
    expect(value.documentationLockedAt).toBe('2026-11-01T00:00:00Z');
  });

  it.each([
    ['1', 'medicare'],
    ['121', 'medicare'],
    ['13', 'medicare'],
    ['11', 'medicare_advantage'],
    ['111', 'medicare_advantage'],
    ['2', 'medicaid'],
    ['21', 'medicaid'],
    ['5', 'commercial'],
    ['62', 'commercial'],
    ['14', 'other'],
    ['3', 'other'],
    ['9', 'other'],
  ])('maps payer typology %s to %s', (code, type) => {
    expect(payerTypeOf(code)).toBe(type);
  });

  it('takes the payer from the Coverage of the period: typology, payor Organization name, subscriberId', () => {
    const shared = sharedDirectory([
      { resourceType: 'Organization', id: 'org1', name: 'Synthetic Medicaid Plan' },
    ]);
    const coverage = (id: string, code: string, start: string, end: string) => ({
      resourceType: 'Coverage',
      id,
      status: 'active',
      type: { coding: [{ system: SYSTEM.sopt, code }] },
      subscriberId: `SYN-${id}`,
      beneficiary: subject,
      payor: [ref('Organization', 'org1')],
      period: { start, end },
    });
    const result = run(
      [
        encounter('e1', '2026-10-01', '2026-10-30'),
        coverage('old', '1', '2020-01-01', '2026-09-30'),
        coverage('now', '2', '2026-10-01', '2027-09-30'),
      ],
      shared,
    );
    expect(only(result).payer).toEqual({
      type: 'medicaid',
      name: 'Synthetic Medicaid Plan',
      memberId: 'SYN-now',
    });
    expect(result.unused).toEqual({ 'Coverage: not the payer of any period': 1 });
  });

  it('falls back to the Claim insurance display, then to other', () => {
    const claim = claimWith({
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Synthetic Payer' } }],
    });
    expect(only(run([encounter('e1', '2026-10-01', '2026-10-30'), claim])).payer).toEqual({
      type: 'other',
      name: 'Synthetic Payer',
    });
  });

  it('reads OASIS from one Observation per item or from components, M0100 as the reason for assessment', () => {
    const item = (code: string) => ({ coding: [{ system: CODETRAIL_SYSTEM.oasisItem, code }] });
    const obs = (id: string, extra: Record<string, unknown>) => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      subject,
      encounter: ref('Encounter', 'e1'),
      effectiveDateTime: '2026-10-01T11:00:00-05:00',
      ...extra,
    });
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      obs('o1', { code: item('M1800'), valueCodeableConcept: { coding: [{ code: '02' }] } }),
      obs('o2', { code: item('M0100_ASSMT_REASON'), valueString: '01' }),
      obs('o3', { code: item('M1033_HOSP_RISK_HSTRY_FALLS'), valueBoolean: true }),
      obs('o4', {
        code: item('assessment'),
        component: [
          { code: item('M1810'), valueInteger: 2 },
          { code: item('GG0130A1'), valueString: '06' },
          { code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, valueInteger: 80 },
        ],
      }),
      obs('vitals', { code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, valueInteger: 80 }),
      obs('unlinked', { code: item('M1820'), valueString: '01', encounter: undefined }),
    ]);
    expect(only(result).oasis).toEqual({
      assessmentDate: '2026-10-01',
      reasonForAssessment: '01',
      items: { M1800: '02', M1033_HOSP_RISK_HSTRY_FALLS: '1', M1810: '2', GG0130A1: '06' },
    });
    expect(result.unused).toEqual({
      'Observation: not an OASIS item (no codetrail oasis-item code)': 1,
      'Observation: not linked to a period encounter': 1,
    });
  });
});

describe('assembleCharts: issues, unused and PHI', () => {
  it('reports resources of another patient, invalid lines and unknown types as issues; duplicates as unused', () => {
    const result = run([
      patient,
      encounter('e1', '2026-10-01', '2026-10-30'),
      {
        ...encounter('e1', '2026-10-01', '2026-10-30'),
        meta: { versionId: '2' },
        identifier: [{ value: 'HH-NEW' }],
      },
      condition('c1', 'I10', SYSTEM.icd10cm, { subject: ref('Patient', 'SYN-OTHER') }),
      { resourceType: 'Condition', id: 'c2', code: { coding: [{ system: SYSTEM.icd10cm, code: 'I10' }] } },
      { resourceType: 'MedicationRequest', id: 'm1', subject },
      'not a resource',
    ]);
    expect(only(result).chartId).toBe('HH-NEW');
    expect(result.issues).toEqual([
      {
        resourceType: 'Condition',
        path: 'Condition.subject',
        reason: 'belongs to another patient than the rest of this group',
        at: 'Condition#3',
      },
      {
        resourceType: 'Condition',
        path: 'Condition.subject',
        reason: 'Condition.subject: missing',
        at: 'Condition#4',
      },
      {
        resourceType: 'MedicationRequest',
        reason: 'unknown resource type MedicationRequest',
        at: 'MedicationRequest#5',
      },
      { resourceType: 'unknown', reason: 'not a FHIR resource', at: 'unknown#6' },
    ]);
    expect(result.unused).toEqual({ 'Encounter: duplicate id (another copy of the resource was used)': 1 });
  });

  it('takes Practitioners passed with the patient, and counts those no chart uses', () => {
    const result = run([
      encounter('e1', '2026-10-01', '2026-10-30'),
      {
        resourceType: 'Claim',
        id: 'c',
        patient: subject,
        billablePeriod: { start: '2026-10-01', end: '2026-10-02' },
        enterer: ref('Practitioner', 'pr1'),
      },
      {
        resourceType: 'Practitioner',
        id: 'pr1',
        identifier: [{ system: CODETRAIL_SYSTEM.staffId, value: 'coder-q' }],
      },
      { resourceType: 'Practitioner', id: 'pr2' },
    ]);
    expect(only(result).coderId).toBe('coder-q');
    expect(result.charts[0]?.sources).toEqual(['Encounter#0', 'Claim#1', 'Practitioner#2']);
    expect(result.unused).toEqual({ 'Practitioner: not referenced by any chart': 1 });
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

/** Every resource is in some chart's sources, or counted once in unused, or one issue: never two. */
function expectConservation(resources: readonly unknown[], result: AssembleResult): void {
  const used = new Set(result.charts.flatMap((c) => c.sources));
  const issueAts = result.issues.map((i) => i.at);
  expect(new Set(issueAts).size).toBe(issueAts.length);
  for (const at of issueAts) expect(used.has(at as string)).toBe(false);
  for (const c of result.charts) expect(c.sources[0]).toBe(c.anchor);
  const unusedCount = Object.values(result.unused).reduce((a, b) => a + b, 0);
  expect(used.size + unusedCount + result.issues.length).toBe(resources.length);
}

/** Text a report may hold: nothing generated with the marker. */
function expectNoMarker(result: AssembleResult, marker: string): void {
  expect(JSON.stringify(result.issues)).not.toContain(marker);
  expect(Object.keys(result.unused).join('\n')).not.toContain(marker);
  for (const c of result.charts) {
    expect(c.anchor).not.toContain(marker);
    expect(c.sources.join('\n')).not.toContain(marker);
  }
}

const M = 'ZQX';
const marked = fc.string({ maxLength: 8 }).map((s) => `${M}${s}`);
// Mostly well-formed (one patient, a few shared ids, so links resolve and charts form), sometimes junk.
const ids = fc.constantFrom(`${M}a`, `${M}b`, `${M}c`, `${M}d`);
const fhirDate = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '2026-10-01',
      '2026-10-30',
      '2026-10-31',
      '2026-11-29',
      '2026-10-01T08:00:00-05:00',
    ),
    weight: 6,
  },
  { arbitrary: marked, weight: 1 },
  { arbitrary: fc.anything({ maxDepth: 1 }), weight: 1 },
);
const junk = fc.oneof(
  marked.map((m) => ({ reference: m, display: m })),
  ids.map((id) => ({ reference: `Group/${id}` })),
  fc.anything({ maxDepth: 2 }),
);
const refTo = (type: string) =>
  type === 'Patient'
    ? fc.oneof(
        { arbitrary: fc.constant({ reference: `Patient/${M}p` }), weight: 8 },
        { arbitrary: fc.constant({ reference: `Patient/${M}q` }), weight: 1 },
        { arbitrary: junk, weight: 1 },
      )
    : fc.oneof(
        { arbitrary: ids.map((id) => ({ reference: `${type}/${id}` })), weight: 6 },
        { arbitrary: junk, weight: 1 },
      );
const codingArb = fc.record(
  {
    system: fc.constantFrom(
      SYSTEM.icd10cm,
      SYSTEM.icd9cm,
      SYSTEM.snomed,
      SYSTEM.hcpcs,
      SYSTEM.revenue,
      SYSTEM.sopt,
      SYSTEM.actCode,
      SYSTEM.claimType,
      CODETRAIL_SYSTEM.oasisItem,
      CODETRAIL_SYSTEM.lineOfBusiness,
      `${M}-system`,
    ),
    code: fc.oneof(
      fc.constantFrom(
        'HH',
        'AMB',
        SNOMED_HOSPICE_CARE,
        'hospice',
        'G0299',
        'Q5001',
        '0651',
        'M1800',
        'M0100',
        '1',
        '2',
        'institutional',
      ),
      marked,
    ),
    display: marked,
  },
  { requiredKeys: ['code'] },
);
const concept = fc.record(
  { coding: fc.array(codingArb, { maxLength: 3 }), text: marked },
  { requiredKeys: [] },
);
const extensionArb = fc.record(
  {
    url: fc.constantFrom(...Object.values(EXT), `${M}-url`),
    valueString: marked,
    valueDate: fhirDate,
    valuePositiveInt: fc.integer({ min: -2, max: 5 }),
    extension: fc.array(
      fc.record({
        url: fc.constantFrom('routine', 'type', 'date', 'signed'),
        valueUnsignedInt: fc.nat(40),
        valueCode: marked,
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['url'] },
);

/** Resource-shaped values: the chart types (and a few others), random ids, links, codes and junk. */
const resourceArb = fc.record(
  {
    resourceType: fc.oneof(
      { arbitrary: fc.constantFrom(...CHART_RESOURCE_TYPES), weight: 12 },
      { arbitrary: fc.constantFrom('Encounter', 'Condition', 'Claim'), weight: 6 },
      { arbitrary: fc.constantFrom('Location', 'ExplanationOfBenefit'), weight: 1 },
      { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
    ),
    id: fc.oneof({ arbitrary: ids, weight: 8 }, { arbitrary: fc.constant(`${M}p`), weight: 2 }),
    meta: fc.record({ versionId: fc.oneof(fc.constantFrom('1', '2', '0'), marked) }),
    status: fc.constantFrom(
      'finished',
      'active',
      'cancelled',
      'entered-in-error',
      'planned',
      'final',
      'completed',
    ),
    class: fc.oneof(
      codingArb,
      fc.constant({ system: SYSTEM.actCode, code: 'HH' }),
      fc.constant({ code: 'HH' }),
    ),
    type: fc.oneof(fc.array(concept, { maxLength: 2 }), concept),
    subject: refTo('Patient'),
    patient: refTo('Patient'),
    beneficiary: refTo('Patient'),
    encounter: refTo('Encounter'),
    partOf: refTo('Encounter'),
    episodeOfCare: fc.array(refTo('EpisodeOfCare'), { maxLength: 2 }),
    period: fc.record({ start: fhirDate, end: fhirDate }, { requiredKeys: [] }),
    billablePeriod: fc.record({ start: fhirDate, end: fhirDate }, { requiredKeys: [] }),
    identifier: fc.array(
      fc.record({ system: fc.constantFrom(CODETRAIL_SYSTEM.chartId, `${M}s`), value: marked }),
      {
        maxLength: 2,
      },
    ),
    name: fc.array(fc.record({ text: marked, given: fc.array(marked, { maxLength: 2 }), family: marked }), {
      maxLength: 2,
    }),
    code: concept,
    diagnosis: fc.array(
      fc.record({
        condition: refTo('Condition'),
        diagnosisReference: refTo('Condition'),
        diagnosisCodeableConcept: concept,
        rank: fc.oneof(fc.integer({ min: -1, max: 4 }), marked),
        sequence: fc.integer({ min: 0, max: 4 }),
      }),
      { maxLength: 3 },
    ),
    item: fc.array(
      fc.record(
        {
          encounter: fc.array(refTo('Encounter'), { maxLength: 2 }),
          revenue: concept,
          productOrService: concept,
          servicedDate: fhirDate,
          quantity: fc.record({ value: fc.oneof(fc.integer({ min: -1, max: 40 }), fc.double()) }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    component: fc.array(
      fc.record({ code: concept, valueString: marked, valueInteger: fc.integer() }, { requiredKeys: [] }),
      {
        maxLength: 3,
      },
    ),
    valueCodeableConcept: concept,
    effectiveDateTime: fhirDate,
    performedDateTime: fhirDate,
    enterer: refTo('Practitioner'),
    recorder: refTo('PractitionerRole'),
    recordedDate: fhirDate,
    created: fhirDate,
    insurance: fc.array(fc.record({ coverage: refTo('Coverage'), focal: fc.boolean() }), { maxLength: 2 }),
    payor: fc.array(refTo('Organization'), { maxLength: 2 }),
    practitioner: refTo('Practitioner'),
    extension: fc.array(extensionArb, { maxLength: 3 }),
    gender: fc.constantFrom('female', 'male', 'other', `${M}g`),
  },
  { requiredKeys: ['resourceType'] },
);

describe('assembleCharts: properties', () => {
  it('never throws on arbitrary values, and accounts for every one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true }), {
          maxLength: 8,
        }),
        (resources) => {
          const result = run(resources);
          expectConservation(resources, result);
        },
      ),
    );
  });

  it('never throws on resource-shaped objects, accounts for each, and reports no value from them', () => {
    fc.assert(
      fc.property(
        fc.array(resourceArb, { maxLength: 12 }),
        fc.array(resourceArb, { maxLength: 4 }),
        (resources, shared) => {
          const result = run(resources, sharedDirectory(shared));
          expectConservation(resources, result);
          expectNoMarker(result, M);
          for (const c of result.charts) {
            expect(c.value.agencyId).toBe('test-agency');
            expect(() => validateChartInput(c.value)).not.toThrow();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives a malformed directory and malformed arguments', () => {
    expect(() => assembleCharts(undefined as never)).not.toThrow();
    expect(assembleCharts({ agencyId: 'a', resources: 'x' as never, shared: null as never })).toEqual({
      charts: [],
      issues: [],
      unused: {},
    });
    expect(
      sharedDirectory([null, 1, { resourceType: 'Practitioner' }, { resourceType: 'Organization', id: 'o' }])
        .organizations.size,
    ).toBe(1);
  });
});

// Valid canonical charts, for the round-trip property.

const isoDay = fc
  .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const isoInstant = fc
  .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const OASIS_KEYS = [
  'M1800',
  'M1810',
  'M1820',
  'M1830',
  'M1840',
  'M1850',
  'M1860',
  'M1033_HOSP_RISK_NONE_ABOVE',
  'GG0130A1',
];
const HCPCS = [
  'G0299',
  'G0300',
  'G0151',
  'G0152',
  'G0153',
  'G0155',
  'G0156',
  'G9473',
  'Q5001',
  'Q5006',
  '1FC11',
  'A1234',
];

const visitArb = fc.record(
  {
    date: isoDay,
    revenueCode: fc.constantFrom(
      '0023',
      '0421',
      '0431',
      '0551',
      '0571',
      '0651',
      '0652',
      '0655',
      '0656',
      '0657',
    ),
    hcpcs: maybe(fc.constantFrom(...HCPCS)),
    units: fc.integer({ min: 0, max: 9999 }),
    discipline: maybe(
      fc.constantFrom('SN', 'PT', 'OT', 'SLP', 'MSS', 'AIDE', 'PHYSICIAN', 'OTHER') as fc.Arbitrary<'SN'>,
    ),
  },
  { requiredKeys: ['date', 'revenueCode', 'units'] },
);

const chartArb: fc.Arbitrary<ChartInput> = fc
  .record({
    lob: fc.constantFrom('home_health', 'hospice'),
    chartId: text(40),
    version: fc.integer({ min: 1, max: 1_000_000 }),
    patient: fc.record(
      {
        id: text(40),
        name: maybe(text(30)),
        birthDate: maybe(isoDay),
        sex: maybe(fc.constantFrom('F', 'M', 'U') as fc.Arbitrary<'F'>),
      },
      { requiredKeys: ['id'] },
    ),
    payer: fc.record(
      {
        type: fc.constantFrom(
          'medicare',
          'medicare_advantage',
          'medicaid',
          'commercial',
          'other',
        ) as fc.Arbitrary<'medicare'>,
        name: maybe(text(30)),
        memberId: maybe(text(20)),
      },
      { requiredKeys: ['type'] },
    ),
    days: fc.tuple(isoDay, isoDay).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
    admission: fc.record(
      {
        date: maybe(isoDay),
        source: maybe(fc.constantFrom('community', 'institutional') as fc.Arbitrary<'community'>),
        timing: maybe(fc.constantFrom('early', 'late') as fc.Arbitrary<'early'>),
      },
      { requiredKeys: [] },
    ),
    documentationLockedAt: maybe(isoInstant),
    codingCompletedAt: fc.oneof(isoInstant, fc.constant('2026-11-02T10:00:00+05:30')),
    coderId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
    diagnoses: fc.array(
      fc.record(
        {
          sequence: fc.integer({ min: 1, max: 6 }),
          code: text(16),
          system: maybe(
            fc.constantFrom('ICD-10-CM', 'ICD-9-CM', 'SNOMED-CT', 'other') as fc.Arbitrary<'ICD-10-CM'>,
          ),
          description: maybe(text(40)),
          presentOnAdmission: maybe(fc.constantFrom('Y', 'N', 'U', 'W', '1') as fc.Arbitrary<'Y'>),
        },
        { requiredKeys: ['sequence', 'code'] },
      ),
      { maxLength: 6 },
    ),
    oasis: maybe(
      fc.record(
        {
          assessmentDate: maybe(isoDay),
          reasonForAssessment: maybe(fc.constantFrom('01', '04', '09')),
          items: fc.dictionary(fc.constantFrom(...OASIS_KEYS), text(20), { maxKeys: 4 }),
        },
        { requiredKeys: ['items'] },
      ),
    ),
    visits: fc.array(visitArb, { maxLength: 5 }),
    hospice: fc.record({
      benefitPeriod: fc.record({ number: fc.integer({ min: 1, max: 12 }), days: fc.tuple(isoDay, isoDay) }),
      electionDate: maybe(isoDay),
      ctiDate: maybe(isoDay),
      faceToFaceDate: maybe(isoDay),
      levelOfCareDays: maybe(
        fc.record(
          { routine: fc.nat(90), continuous: fc.nat(10), respite: fc.nat(5), generalInpatient: fc.nat(10) },
          { requiredKeys: [] },
        ),
      ),
    }),
    documents: fc.array(
      fc.record(
        {
          type: fc.constantFrom(
            'oasis',
            'cti',
            'plan_of_care',
            'visit_note',
            'other',
          ) as fc.Arbitrary<'oasis'>,
          date: maybe(isoDay),
          signed: maybe(fc.boolean()),
          reference: maybe(text(30)),
        },
        { requiredKeys: ['type'] },
      ),
      { maxLength: 3 },
    ),
  })
  .map((g) => {
    const { days, lob, hospice, ...rest } = g;
    const [bpFrom, bpThrough] =
      hospice.benefitPeriod.days[0] <= hospice.benefitPeriod.days[1]
        ? hospice.benefitPeriod.days
        : [hospice.benefitPeriod.days[1], hospice.benefitPeriod.days[0]];
    const chart: ChartInput = {
      ...rest,
      agencyId: 'test-agency',
      lineOfBusiness: lob as 'home_health',
      period: { from: days[0] as string, through: days[1] as string },
    };
    if (lob === 'hospice') {
      chart.hospice = {
        ...hospice,
        benefitPeriod: { number: hospice.benefitPeriod.number, from: bpFrom, through: bpThrough },
      };
    }
    return JSON.parse(JSON.stringify(chart)) as ChartInput;
  });

/** What the FHIR form does not carry (docs/fhir-mapping.md): diagnosis order, and a derivable discipline. */
function normalized(chart: Chart): Chart {
  return {
    ...chart,
    diagnoses: [...chart.diagnoses].sort((a, b) => a.sequence - b.sequence),
    visits: chart.visits.map((v) => {
      const derived = visitCodeOf(v.hcpcs)?.discipline;
      return v.discipline === undefined && derived !== undefined ? { ...v, discipline: derived } : v;
    }),
  };
}

describe('fhirFromChart -> assembleCharts round trip (property)', () => {
  it('gives back every valid chart, modulo the documented normalizations', () => {
    fc.assert(
      fc.property(chartArb, (chart) => {
        const expected = validateChartInput(chart).chart;
        expect(expected).toBeDefined();
        expect(roundTrip(chart)).toEqual(normalized(expected as Chart));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on damaged exports of valid charts, accounts for every resource, and leaks no value', () => {
    const markedChart = chartArb.map((c) => ({
      ...c,
      chartId: `${M}${c.chartId}`,
      patient: { ...c.patient, id: `${M}${c.patient.id}`, name: `${M}name` },
      coderId: `${M}${c.coderId}`.slice(0, 64),
    }));
    const damage = fc.array(
      fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.constant(undefined), fc.anything({ maxDepth: 2 }))),
      {
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(markedChart, damage, (chart, mutations) => {
        const resources = structuredClone(fhirFromChart(chart)) as Record<string, unknown>[];
        for (const [which, where, value] of mutations) {
          const slots = slotsIn(resources[which % resources.length]);
          const slot = slots[where % Math.max(1, slots.length)];
          if (!slot) continue;
          const [container, key] = slot;
          if (value === undefined) delete container[key];
          else container[key] = value;
        }
        const result = run(resources, sharedDirectory(resources));
        expectConservation(resources, result);
        expectNoMarker(result, M);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same chart values whatever the order of the resources', () => {
    fc.assert(
      fc.property(
        chartArb.chain((chart) => {
          const resources = fhirFromChart(chart);
          return fc.tuple(
            fc.constant(resources),
            fc.shuffledSubarray(resources, { minLength: resources.length }),
          );
        }),
        ([resources, shuffled]) => {
          const a = run(resources, sharedDirectory(resources));
          const b = run(shuffled, sharedDirectory(shuffled));
          expect(b.charts.map((c) => c.value)).toEqual(a.charts.map((c) => c.value));
          expect(b.unused).toEqual(a.unused);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** Every (container, key) inside a value: where a damaging mutation may land. */
function slotsIn(
  value: unknown,
  out: [Record<string, unknown>, string][] = [],
  depth = 0,
): [Record<string, unknown>, string][] {
  if (value === null || typeof value !== 'object' || depth > 8) return out;
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    out.push([container, key]);
    slotsIn(container[key], out, depth + 1);
  }
  return out;
}
