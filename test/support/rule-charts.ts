import { Chart, type ChartInput } from '#shared/model/chart.ts';

/**
 * Clean synthetic charts for the rule tests: each passes every rule, so a test changes the one thing its
 * rule checks. Patient identifiers are made-up markers the tests look for in findings (they must never
 * appear there). `patch` replaces top-level fields; `care` the hospice block's fields.
 */
type HospiceInput = NonNullable<ChartInput['hospice']>;

/** A home health start-of-care period (2022-03-01): NOA two days later, face-to-face, plan of care, OASIS. */
export function cleanHomeHealth(patch: Partial<ChartInput> = {}): Chart {
  return Chart.parse({
    agencyId: 'demo-agency',
    chartId: 'HH-T-1',
    version: 1,
    lineOfBusiness: 'home_health',
    patient: { id: 'SYN-PT-SECRET-ID', name: 'Test Patient-Zulu', birthDate: '1940-01-01' },
    payer: { type: 'medicare', memberId: 'SYN-MBR-SECRET' },
    period: { from: '2022-03-01', through: '2022-03-30' },
    admission: { date: '2022-03-01', source: 'community', timing: 'early' },
    notices: { admissionSubmittedDate: '2022-03-03' },
    codingCompletedAt: '2022-04-02T10:00:00-04:00',
    coderId: 'coder-t1',
    diagnoses: dx('I69.351', 'I10'),
    // Every PDGM functional item, so the chart groups (M1800 02 and M1860 03: 5 points, low).
    oasis: {
      assessmentDate: '2022-03-01',
      items: { M1800: '02', M1810: '00', M1820: '00', M1830: '00', M1840: '00', M1850: '00', M1860: '03' },
    },
    documents: [
      { type: 'oasis', date: '2022-03-01', signed: true },
      { type: 'face_to_face', date: '2022-02-25', signed: true },
      { type: 'plan_of_care', date: '2022-03-01', signed: true },
    ],
    ...patch,
  } satisfies ChartInput);
}

/** A hospice chart in benefit period 1 (its election, NOE two days later), CTI, one routine home care line. */
export function cleanHospice(patch: Partial<ChartInput> = {}, care: Partial<HospiceInput> = {}): Chart {
  return Chart.parse({
    agencyId: 'demo-agency',
    chartId: 'HSP-T-1',
    version: 1,
    lineOfBusiness: 'hospice',
    patient: { id: 'SYN-PT-SECRET-ID', name: 'Test Patient-Yankee' },
    payer: { type: 'medicare' },
    period: { from: '2022-03-01', through: '2022-03-31' },
    notices: { electionFiledDate: '2022-02-03' },
    codingCompletedAt: '2022-04-02T10:00:00-04:00',
    coderId: 'coder-t2',
    diagnoses: dx('G30.1', 'F02.80'),
    hospice: {
      benefitPeriod: { number: 1, from: '2022-02-01', through: '2022-05-01' },
      electionDate: '2022-02-01',
      ctiDate: '2022-01-30',
      levelOfCareDays: { routine: 31 },
      ...care,
    },
    visits: [{ date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 31 }],
    documents: [{ type: 'cti', date: '2022-01-30', signed: true }],
    ...patch,
  } satisfies ChartInput);
}

/** Diagnoses in sequence: a code, or a partial diagnosis (system, POA...) over I10. */
export function dx(...codes: (string | Partial<ChartInput['diagnoses'][number]>)[]): ChartInput['diagnoses'] {
  return codes.map((c, i) =>
    typeof c === 'string' ? { sequence: i + 1, code: c } : { sequence: i + 1, code: 'I10', ...c },
  );
}
