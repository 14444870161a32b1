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
    weight: 40,
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
  { weight: 60, arbitrary: fc.constant('ICD-10-CM' as const) },
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
    // Now and then no diagnosis at all, or a repeated sequence number.
    diagnoses: fc.oneof(
      {
        weight: 30,
        arbitrary: fc.array(fc.record({ code, system, weight: fc.nat(60) }), { minLength: 1, maxLength: 8 }),
      },
      { weight: 1, arbitrary: fc.array(fc.record({ code, system, weight: fc.nat(2) }), { maxLength: 12 }) },
    ),
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
      fc.oneof(
        // Mostly lines as they are billed: the discipline's G-code on its revenue code, 15-minute units.
        {
          weight: 20,
          arbitrary: fc
            .record({
              date: day,
              pair: fc.constantFrom(
                ['0421', 'G0151'],
                ['0431', 'G0152'],
                ['0441', 'G0153'],
                ['0551', 'G0299'],
                ['0551', 'G0300'],
                ['0561', 'G0155'],
                ['0571', 'G0156'],
              ),
              units: fc.integer({ min: 1, max: 12 }),
            })
            .map(({ date, pair, units }) => ({
              date,
              revenueCode: pair[0] as string,
              hcpcs: pair[1],
              units,
            })),
        },
        // Now and then anything: wrong pairs, missing codes, odd units.
        {
          weight: 1,
          arbitrary: fc.record({
            date: day,
            revenueCode: revenue,
            hcpcs: fc.option(hcpcs, { nil: undefined }),
            units: fc.integer({ min: 0, max: 120 }),
          }),
        },
      ),
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
    benefitNumber: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 2 }) },
      { weight: 1, arbitrary: fc.integer({ min: 3, max: 8 }) },
    ),
    // Days before the benefit period a face-to-face took place (0-30 is in the window), or none.
    f2fDaysBefore: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined, freq: 8 }),
    hospiceDates: fc.record({
      cti: fc.option(day, { nil: undefined, freq: 20 }),
      election: fc.option(day, { nil: undefined }),
    }),
    days: fc.record({
      routine: fc.nat(90),
      continuous: fc.nat(10),
      respite: fc.nat(10),
      generalInpatient: fc.nat(10),
    }),
    admission: fc.record(
      {
        source: fc.constantFrom('community' as const, 'institutional' as const),
        timing: fc.constantFrom('early' as const, 'late' as const),
        noticeDays: fc.integer({ min: 0, max: 8 }),
      },
      { requiredKeys: [] },
    ),
    // Occurrence codes with their distance in days before the period (negative = after it), or none carried.
    occurrences: fc.option(
      fc.array(
        fc.record({
          code: fc.constantFrom('50', '61', '62', '11', 'A1'),
          daysBefore: fc.integer({ min: -5, max: 20 }),
        }),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
    // Plan-of-care orders naming diagnosis sequences (some beyond the chart's), or none carried.
    orders: fc.option(
      fc.array(
        fc.record({
          discipline: fc.constantFrom(
            'SN' as const,
            'PT' as const,
            'OT' as const,
            'SLP' as const,
            'AIDE' as const,
          ),
          diagnoses: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 4 }),
        }),
        { maxLength: 3 },
      ),
      { nil: undefined, freq: 3 },
    ),
    completed: instant,
    locked: fc.option(instant, { nil: undefined }),
    // Most charts document what a clean claim needs (site of service, face-to-face, plan of care, a CTI
    // in its window); now and then one does not.
    complete: fc.oneof(
      { weight: 6, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    ctiDaysBefore: fc.integer({ min: 0, max: 20 }),
  })
  .map((r) => {
    const plus = (days: number) =>
      new Date(Date.parse(`${r.from}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    // The benefit period runs its full length; the chart's period lies inside it.
    const benefitDays = r.benefitNumber <= 2 ? 90 : 60;
    const through = plus(r.hospice ? Math.min(r.length, benefitDays - 1) : r.length);
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
      oasis: {
        items: r.complete
          ? {
              M1800: '00',
              M1810: '00',
              M1820: '00',
              M1830: '00',
              M1840: '00',
              M1850: '00',
              M1860: '00',
              ...r.oasis,
            }
          : r.oasis,
      },
      admission: {
        date: r.from,
        ...(r.admission.source ? { source: r.admission.source } : {}),
        ...(r.admission.timing ? { timing: r.admission.timing } : {}),
      },
      ...(r.admission.noticeDays !== undefined
        ? { notices: { admissionSubmittedDate: plus(r.admission.noticeDays) } }
        : {}),
      visits:
        r.complete && !r.hospice && r.visits.length > 0
          ? [...r.visits, { date: r.from, revenueCode: '0551', hcpcs: 'Q5001', units: 1 }]
          : r.visits,
      documents: r.complete
        ? [
            ...r.documents,
            { type: 'oasis', date: r.from, signed: true },
            { type: 'face_to_face', date: plus(-10), signed: true },
            { type: 'plan_of_care', date: r.from, signed: true },
          ]
        : r.documents,
    };
    if (r.occurrences)
      chart.occurrences = r.occurrences.map((o) => ({ code: o.code, date: plus(-o.daysBefore) }));
    if (r.orders) chart.orders = r.orders;
    if (r.locked) chart.documentationLockedAt = r.locked;
    if (r.hospice) {
      chart.hospice = {
        benefitPeriod: { number: r.benefitNumber, from: r.from, through: plus(benefitDays - 1) },
        ...(r.complete
          ? { ctiDate: plus(-r.ctiDaysBefore) }
          : r.hospiceDates.cti
            ? { ctiDate: r.hospiceDates.cti }
            : {}),
        ...(r.f2fDaysBefore !== undefined ? { faceToFaceDate: plus(-r.f2fDaysBefore) } : {}),
        ...(r.hospiceDates.election ? { electionDate: r.hospiceDates.election } : {}),
        levelOfCareDays: r.days,
      };
    }
    return chart;
  });
