import type { ChartInput } from '#shared/model/chart.ts';

/** A clean synthetic home health chart; override what a test is about. */
export function homeHealthChart(overrides: Partial<ChartInput> = {}): ChartInput {
  return {
    agencyId: 'test-agency',
    chartId: 'HH-1001',
    version: 1,
    lineOfBusiness: 'home_health',
    patient: { id: 'P-1', name: 'Test Patient-One', birthDate: '1940-01-01', sex: 'F' },
    payer: { type: 'medicare', name: 'Medicare' },
    period: { from: '2026-10-01', through: '2026-10-30' },
    admission: { date: '2026-10-01', source: 'community', timing: 'early' },
    notices: { admissionSubmittedDate: '2026-10-02' },
    documentationLockedAt: '2026-11-01T15:00:00Z',
    codingCompletedAt: '2026-11-02T10:00:00Z',
    coderId: 'coder-a',
    diagnoses: [
      { sequence: 1, code: 'I69.351', system: 'ICD-10-CM' },
      { sequence: 2, code: 'I50.22', system: 'ICD-10-CM' },
    ],
    oasis: {
      assessmentDate: '2026-10-01',
      reasonForAssessment: '01',
      items: { M1800: '02', M1810: '02', M1820: '01', M1830: '02', M1840: '01', M1850: '01', M1860: '02' },
    },
    visits: [
      { date: '2026-10-02', revenueCode: '0551', hcpcs: 'G0299', units: 4, discipline: 'SN' },
      // The site of service, with the first billable visit (HH-SITE-OF-SERVICE).
      { date: '2026-10-02', revenueCode: '0551', hcpcs: 'Q5001', units: 1 },
    ],
    // HH-F2F wants a dated face-to-face encounter around the start of care, HH-HOMEBOUND a plan of care
    // (or a homebound or certification document), HH-NOA-TIMELY the Notice of Admission (`notices`).
    documents: [
      { type: 'oasis', date: '2026-10-01', signed: true },
      { type: 'face_to_face', date: '2026-09-28', signed: true },
      { type: 'plan_of_care', date: '2026-10-01', signed: true },
    ],
    ...overrides,
  };
}

export function hospiceChart(overrides: Partial<ChartInput> = {}): ChartInput {
  return {
    agencyId: 'test-agency',
    chartId: 'HS-2001',
    version: 1,
    lineOfBusiness: 'hospice',
    patient: { id: 'P-2', name: 'Test Patient-Two' },
    payer: { type: 'medicare' },
    period: { from: '2026-10-01', through: '2026-10-31' },
    codingCompletedAt: '2026-11-02T10:00:00Z',
    coderId: 'coder-b',
    diagnoses: [{ sequence: 1, code: 'C34.90', system: 'ICD-10-CM' }],
    hospice: {
      benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' },
      ctiDate: '2026-09-15',
      levelOfCareDays: { routine: 31, continuous: 0, respite: 0, generalInpatient: 0 },
    },
    visits: [{ date: '2026-10-01', revenueCode: '0651', hcpcs: 'Q5001', units: 31 }],
    documents: [{ type: 'cti', date: '2026-09-15', signed: true }],
    ...overrides,
  };
}
