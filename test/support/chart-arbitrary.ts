import fc from 'fast-check';
import type { ChartInput } from '#shared/model/chart.ts';
import { CODE_SYSTEMS, DOCUMENT_TYPES } from '#shared/model/chart.ts';

/**
 * Arbitrary synthetic charts that pass the canonical schema (most of the time; callers filter with
 * Chart.safeParse): for property tests of the rules and for the validation benchmark. Codes mix real
 * ICD-10-CM codes, headers, unknown codes and other systems; dates and visit lines vary freely.
 */
const day = fc
  .date({ min: new Date('2021-01-01T00:00:00Z'), max: new Date('2023-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instant = fc
  .date({ min: new Date('2021-01-01T00:00:00Z'), max: new Date('2024-01-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
// Mostly billable codes, as real coding is; headers, unknown codes and other systems now and then.
const code = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      'I69.351',
      'I10',
      'E11.9',
      'I50.22',
      'J44.1',
      'C34.90',
      'G30.9',
      'Z91.81',
      'N18.6',
      'G12.21',
      'I63.9',
      'M62.81',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('I50.2', 'E11.6', 'R54', 'R62.7', 'F02.80', 'R26.9') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/) },
);
const system = fc.oneof(
  { weight: 20, arbitrary: fc.constant('ICD-10-CM' as const) },
  { weight: 1, arbitrary: fc.constantFrom(...CODE_SYSTEMS) },
);
const revenue = fc.constantFrom(
  '0023',
  '0421',
  '0431',
  '0441',
  '0551',
  '0561',
  '0571',
  '0651',
  '0652',
  '0655',
  '0656',
);
const hcpcs = fc.constantFrom(
  'G0151',
  'G0152',
  'G0153',
  'G0299',
  'G0300',
  'G0155',
  'G0156',
  'Q5001',
  'Q5002',
  'G9473',
);

export const chartInput: fc.Arbitrary<ChartInput> = fc
  .record({
    hospice: fc.boolean(),
    from: day,
    length: fc.integer({ min: 0, max: 95 }),
    diagnoses: fc.array(fc.record({ code, system, weight: fc.nat(30) }), {
      minLength: 0,
      maxLength: 12,
    }),
    oasis: fc.dictionary(
      fc.constantFrom(
        'M1800',
        'M1810',
        'M1820',
        'M1830',
        'M1840',
        'M1850',
        'M1860',
        'M1033_HOSP_RISK_HSTRY_FALLS',
        'M0100',
      ),
      fc.constantFrom('00', '01', '02', '03', '04', '1', '0'),
    ),
    visits: fc.array(
      fc.record({
        date: day,
        revenueCode: revenue,
        hcpcs: fc.option(hcpcs, { nil: undefined }),
        units: fc.integer({ min: 0, max: 120 }),
      }),
      { maxLength: 20 },
    ),
    documents: fc.array(
      fc.record({
        type: fc.constantFrom(...DOCUMENT_TYPES),
        date: fc.option(day, { nil: undefined }),
        signed: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    benefitNumber: fc.integer({ min: 1, max: 8 }),
    hospiceDates: fc.record({
      cti: fc.option(day, { nil: undefined }),
      f2f: fc.option(day, { nil: undefined }),
      election: fc.option(day, { nil: undefined }),
    }),
    days: fc.record({
      routine: fc.nat(90),
      continuous: fc.nat(10),
      respite: fc.nat(10),
      generalInpatient: fc.nat(10),
    }),
    completed: instant,
    locked: fc.option(instant, { nil: undefined }),
  })
  .map((r) => {
    const through = new Date(Date.parse(`${r.from}T00:00:00Z`) + r.length * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const chart: ChartInput = {
      agencyId: 'prop-agency',
      chartId: 'PROP-1',
      version: 1,
      lineOfBusiness: r.hospice ? 'hospice' : 'home_health',
      patient: { id: 'SYN-PROP' },
      payer: { type: 'medicare' },
      period: { from: r.from, through },
      codingCompletedAt: r.completed,
      coderId: 'coder-prop',
      diagnoses: r.diagnoses.map((d, i) => ({
        sequence: d.weight === 0 && i > 0 ? i : i + 1,
        code: d.code,
        system: d.system,
      })),
      oasis: { items: r.oasis },
      visits: r.visits,
      documents: r.documents,
    };
    if (r.locked) chart.documentationLockedAt = r.locked;
    if (r.hospice) {
      chart.hospice = {
        benefitPeriod: { number: r.benefitNumber, from: r.from, through },
        ...(r.hospiceDates.cti ? { ctiDate: r.hospiceDates.cti } : {}),
        ...(r.hospiceDates.f2f ? { faceToFaceDate: r.hospiceDates.f2f } : {}),
        ...(r.hospiceDates.election ? { electionDate: r.hospiceDates.election } : {}),
        levelOfCareDays: r.days,
      };
    }
    return chart;
  });
