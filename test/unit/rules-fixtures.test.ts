import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart } from '#shared/model/chart.ts';
import { RULES } from '#shared/rules/index.ts';
import { dx, cleanHomeHealth as hh, cleanHospice as hospice } from '../support/rule-charts.ts';

/**
 * Every rule of the catalog has at least one chart it passes and one it fails: a rule added without
 * fixtures fails this file. Each failing fixture is clean but for the one thing its rule checks, so
 * no other rule is needed to explain it.
 */
// The sample PDGM table taken as if it were complete, so the rules that only judge a complete list run.
const samplePdgm = loadCodeTables().pdgmFor('2022-03-01')?.table;
if (!samplePdgm) throw new Error('the sample PDGM table is not registered');
// With a LUPA threshold for the clean chart's group (1BA11: community early, neuro rehab, low, none).
const shipped = loadCodeTables();
const tables = {
  icd10cm: loadIcd10cm(),
  hospicePrincipal: shipped.codeListFor('hospice-principal', '2022-03-01')?.table,
  codeFirst: shipped.codeListFor('code-first', '2022-03-01')?.table,
  pdgm: { ...samplePdgm, sample: false, params: { ...samplePdgm.params, lupaThresholds: { '1BA11': 3 } } },
};

/** What a clean home health chart documents: the OASIS, the face-to-face encounter, the plan of care. */
const HH_DOCUMENTS = hh().documents;

const FIXTURES: Record<string, { pass: Chart[]; fail: Chart[] }> = {
  'CODE-TABLES': {
    pass: [hh(), hospice()],
    fail: [hh({ period: { from: '2026-03-01', through: '2026-03-30' } })],
  },
  'DX-PRESENT': {
    pass: [hh(), hospice()],
    fail: [hh({ diagnoses: [] }), hh({ diagnoses: [{ sequence: 2, code: 'I10' }] })],
  },
  'DX-SYSTEM': {
    pass: [hh()],
    fail: [hh({ diagnoses: dx({ code: '84114007', system: 'SNOMED-CT' }, 'I10') })],
  },
  'DX-EXISTS': { pass: [hh()], fail: [hh({ diagnoses: dx('I69.351', 'I69.999') })] },
  'DX-BILLABLE': { pass: [hh()], fail: [hh({ diagnoses: dx('I69.351', 'I50.2') })] },
  'DX-DUPLICATE': { pass: [hh()], fail: [hh({ diagnoses: dx('I69.351', 'I10', 'I10') })] },
  'DX-MANIFESTATION-PRINCIPAL': {
    pass: [hh(), hospice(), hospice({ diagnoses: dx('G30.9', 'F02.80') })],
    fail: [
      hospice({ diagnoses: dx('F02.80', 'G30.9') }),
      hh({ diagnoses: dx('G63', 'E11.42') }),
      hh({ diagnoses: dx('E08.22', 'N18.30') }),
    ],
  },
  'DX-EXTERNAL-CAUSE-PRINCIPAL': {
    pass: [hh(), hospice(), hh({ diagnoses: dx('S72.001D', 'W19.XXXD') })],
    fail: [hh({ diagnoses: dx('W19.XXXD', 'S72.001D') })],
  },
  'HH-OASIS-CONDITIONS': {
    pass: [
      hh(),
      hh({ diagnoses: dx('L89.153', 'I10'), oasis: { items: { ...hh().oasis?.items, M1306: '1' } } }),
      hh({ oasis: { items: { ...hh().oasis?.items, M1306: '0', M1330: '00', M1630: '00' } } }),
    ],
    fail: [
      hh({ diagnoses: dx('L89.153', 'I10'), oasis: { items: { ...hh().oasis?.items, M1306: '0' } } }),
      hh({ oasis: { items: { ...hh().oasis?.items, M1630: '01' } } }),
    ],
  },
  'HH-ADMISSION-SOURCE': {
    pass: [
      hh(),
      hh({ occurrences: [{ code: '50', date: '2022-03-01' }] }),
      hh({
        admission: { date: '2022-03-01', source: 'institutional', timing: 'early' },
        occurrences: [{ code: '61', date: '2022-02-27' }],
      }),
    ],
    fail: [
      hh({ occurrences: [{ code: '61', date: '2022-02-27' }] }),
      hh({
        admission: { date: '2022-03-01', source: 'institutional', timing: 'early' },
        occurrences: [
          { code: '61', date: '2022-02-20' },
          { code: '62', date: '2022-02-27' },
        ],
      }),
      hh({ admission: { date: '2022-01-30', source: 'community', timing: 'early' } }),
    ],
  },
  'HH-OC50': {
    pass: [hh(), hh({ occurrences: [{ code: '50', date: '2022-03-01' }] })],
    fail: [hh({ occurrences: [] }), hh({ occurrences: [{ code: '50', date: '2022-03-02' }] })],
  },
  'HH-DX-SERVICES': {
    pass: [
      hh(),
      hh({
        orders: [
          { discipline: 'PT', diagnoses: [1] },
          { discipline: 'SN', diagnoses: [1, 2] },
        ],
      }),
    ],
    fail: [
      hh({ orders: [{ discipline: 'PT', diagnoses: [1] }] }),
      hh({ orders: [{ discipline: 'AIDE', diagnoses: [1, 2] }] }),
      hh({ orders: [{ discipline: 'SN', diagnoses: [1, 2, 7] }] }),
    ],
  },
  'HOSPICE-SYMPTOM-PRINCIPAL': {
    pass: [
      hospice(),
      hospice({ diagnoses: dx('R54', 'G30.1') }),
      hospice({ diagnoses: dx('G30.1', 'R63.4') }),
    ],
    fail: [hospice({ diagnoses: dx('R63.4', 'G30.1') })],
  },
  'HOSPICE-RELATED-CONDITIONS': {
    pass: [hospice(), hh({ diagnoses: dx('I69.351') })],
    fail: [hospice({ diagnoses: dx('G30.1') })],
  },
  'HH-OASIS-TIMING': {
    pass: [
      hh(),
      hh({ oasis: { assessmentDate: '2022-03-05', reasonForAssessment: '01', items: hh().oasis?.items } }),
      hh({ oasis: { items: hh().oasis?.items } }),
    ],
    fail: [
      hh({ oasis: { assessmentDate: '2022-04-01', items: hh().oasis?.items } }),
      hh({ oasis: { assessmentDate: '2022-03-07', reasonForAssessment: '01', items: hh().oasis?.items } }),
      hh({ oasis: { assessmentDate: '2021-12-20', items: hh().oasis?.items } }),
    ],
  },
  'HH-OASIS-DOC': { pass: [hh()], fail: [hh({ oasis: { items: {} }, documents: [] })] },
  'HH-PRIMARY-NOT-GROUPABLE': {
    pass: [
      hh(),
      hh({
        diagnoses: dx('M62.81', 'I69.351')
          .reverse()
          .map((d, i) => ({ ...d, sequence: i + 1 })),
      }),
    ],
    fail: [hh({ diagnoses: dx('M62.81', 'I69.351') }), hh({ diagnoses: dx('Z99.89', 'I10') })],
  },
  'HH-HIPPS-MISMATCH': {
    pass: [
      hh({
        admission: { source: 'community', timing: 'early' },
        visits: [{ date: '2022-03-01', revenueCode: '0023', hcpcs: '1BA11', units: 1 }],
      }),
    ],
    fail: [
      hh({
        admission: { source: 'community', timing: 'early' },
        visits: [{ date: '2022-03-01', revenueCode: '0023', hcpcs: '1BC21', units: 1 }],
      }),
    ],
  },
  'HH-OASIS-ITEMS': {
    pass: [hh(), hh({ oasis: { items: {} } })],
    fail: [hh({ oasis: { items: { M1800: '02', M1860: '03' } } })],
  },
  'HH-LUPA-RISK': {
    pass: [
      hh({
        visits: ['2022-03-02', '2022-03-04', '2022-03-07'].map((date) => ({
          date,
          revenueCode: '0551',
          hcpcs: 'G0299',
          units: 4,
        })),
      }),
    ],
    fail: [hh({ visits: [{ date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 4 }] })],
  },
  'HH-F2F': {
    pass: [hh(), hh({ admission: { date: '2022-01-01', timing: 'late' } })],
    fail: [
      hh({ documents: HH_DOCUMENTS.filter((d) => d.type !== 'face_to_face') }),
      hh({
        documents: [
          ...HH_DOCUMENTS.filter((d) => d.type !== 'face_to_face'),
          { type: 'face_to_face', date: '2021-11-30', signed: true },
        ],
      }),
    ],
  },
  'HH-HOMEBOUND': {
    pass: [
      hh(),
      hh({ documents: [...HH_DOCUMENTS.filter((d) => d.type !== 'plan_of_care'), { type: 'homebound' }] }),
    ],
    fail: [hh({ documents: HH_DOCUMENTS.filter((d) => d.type !== 'plan_of_care') })],
  },
  'HH-NOA-TIMELY': {
    pass: [hh(), hh({ admission: { date: '2022-01-01', timing: 'late' }, notices: {} })],
    fail: [hh({ notices: { admissionSubmittedDate: '2022-03-07' } }), hh({ notices: {} })],
  },
  'HOSPICE-NOE-TIMELY': {
    pass: [
      hospice({ notices: { electionFiledDate: '2022-02-06' } }, { electionDate: '2022-02-01' }),
      hospice(),
    ],
    fail: [
      hospice({ notices: { electionFiledDate: '2022-02-07' } }, { electionDate: '2022-02-01' }),
      hospice({ notices: {} }, { electionDate: '2022-02-01' }),
    ],
  },
  'HOSPICE-CTI-TIMING': {
    pass: [
      hospice(),
      hospice({}, { ctiDate: '2022-01-17' }),
      hospice({ documents: [] }, { ctiDate: undefined }),
    ],
    fail: [hospice({}, { ctiDate: '2022-01-16' }), hospice({}, { ctiDate: '2022-04-03' })],
  },
  'HH-SITE-OF-SERVICE': {
    pass: [
      hh(),
      hh({
        visits: [
          { date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 4 },
          { date: '2022-03-02', revenueCode: '0551', hcpcs: 'Q5001', units: 1 },
        ],
      }),
    ],
    fail: [hh({ visits: [{ date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 4 }] })],
  },
  'HOSPICE-CTI': {
    pass: [hospice(), hospice({ documents: [{ type: 'cti', signed: true }] }, { ctiDate: undefined })],
    fail: [hospice({ documents: [] }, { ctiDate: undefined })],
  },
  'HOSPICE-PRINCIPAL': { pass: [hospice()], fail: [hospice({ diagnoses: dx('R54', 'G30.1') })] },
  'HOSPICE-BENEFIT-PERIOD': {
    pass: [hospice()],
    fail: [hospice({}, { benefitPeriod: { number: 3, from: '2022-02-01', through: '2022-05-01' } })],
  },
  'HOSPICE-F2F': {
    pass: [
      hospice(
        {},
        {
          benefitPeriod: { number: 3, from: '2022-03-01', through: '2022-04-29' },
          faceToFaceDate: '2022-02-20',
        },
      ),
    ],
    fail: [
      hospice({}, { benefitPeriod: { number: 3, from: '2022-03-01', through: '2022-04-29' } }),
      hospice(
        {},
        {
          benefitPeriod: { number: 3, from: '2022-03-01', through: '2022-04-29' },
          faceToFaceDate: '2022-01-02',
        },
      ),
    ],
  },
  'HOSPICE-LEVEL-OF-CARE': {
    pass: [hospice()],
    fail: [
      hospice({ visits: [{ date: '2022-03-01', revenueCode: '0651', units: 31 }] }),
      hospice({}, { levelOfCareDays: { routine: 20, continuous: 0, respite: 0, generalInpatient: 0 } }),
    ],
  },
  'HOSPICE-RESPITE': {
    pass: [
      hospice(
        {
          visits: [
            { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 26 },
            { date: '2022-03-27', revenueCode: '0655', hcpcs: 'Q5004', units: 5 },
          ],
        },
        { levelOfCareDays: { routine: 26, continuous: 0, respite: 5, generalInpatient: 0 } },
      ),
    ],
    fail: [
      hospice(
        {
          visits: [
            { date: '2022-03-01', revenueCode: '0651', hcpcs: 'Q5001', units: 24 },
            { date: '2022-03-25', revenueCode: '0655', hcpcs: 'Q5004', units: 7 },
          ],
        },
        { levelOfCareDays: { routine: 24, continuous: 0, respite: 7, generalInpatient: 0 } },
      ),
    ],
  },
  'VISIT-LINE-CODES': {
    pass: [
      hh({
        visits: [{ date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 4, discipline: 'SN' }],
      }),
    ],
    fail: [
      hh({ visits: [{ date: '2022-03-02', revenueCode: '0421', hcpcs: 'G0299', units: 4 }] }),
      hh({ visits: [{ date: '2022-03-02', revenueCode: '0551', units: 4 }] }),
    ],
  },
  'VISIT-LINE-UNITS': {
    pass: [hh({ visits: [{ date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 4 }] })],
    fail: [hh({ visits: [{ date: '2022-03-02', revenueCode: '0551', hcpcs: 'G0299', units: 0 }] })],
  },
};

describe('rule fixtures', () => {
  it('cover every rule of the catalog', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const rule of RULES) {
    const fixtures = FIXTURES[rule.id];
    it(`${rule.id}: passes its passing charts and fails its failing ones, under its own id and severity`, () => {
      expect(fixtures?.pass.length).toBeGreaterThan(0);
      expect(fixtures?.fail.length).toBeGreaterThan(0);
      for (const chart of fixtures?.pass ?? []) expect(rule.check(chart, tables)).toEqual([]);
      for (const chart of fixtures?.fail ?? []) {
        const findings = rule.check(chart, tables);
        expect(findings.length).toBeGreaterThan(0);
        for (const f of findings) expect(f).toMatchObject({ ruleId: rule.id, severity: rule.severity });
      }
    });
  }
});

describe('rules on extreme but schema-valid charts', () => {
  it('HOSPICE-RESPITE reads a line of 9,999 respite days as one run, and lines far apart as separate runs', async () => {
    const { hospiceRespite } = await import('#shared/rules/hospice-respite.ts');
    const chart = hospice({
      visits: [
        { date: '2022-03-01', revenueCode: '0655', hcpcs: 'Q5004', units: 9999 },
        ...Array.from({ length: 200 }, (_, i) => ({
          date: `2099-0${1 + (i % 9)}-1${i % 9}`,
          revenueCode: '0655',
          hcpcs: 'Q5004',
          units: 1,
        })),
      ],
    });
    const findings = hospiceRespite.check(chart, tables);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('9999 consecutive respite days');
  });
});
