import { describe, expect, it } from 'vitest';
import { parseCodeList } from '#shared/data/code-list.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import { hospiceBenefitPeriod } from '#shared/rules/hospice-benefit-period.ts';
import { hospiceCti } from '#shared/rules/hospice-cti.ts';
import { hospiceCtiTiming } from '#shared/rules/hospice-cti-timing.ts';
import { hospiceF2f } from '#shared/rules/hospice-f2f.ts';
import { hospiceLevelOfCare } from '#shared/rules/hospice-level-of-care.ts';
import { hospiceNoeTimely } from '#shared/rules/hospice-noe-timely.ts';
import { hospicePrincipal } from '#shared/rules/hospice-principal.ts';
import { hospiceRelatedConditions } from '#shared/rules/hospice-related-conditions.ts';
import { hospiceSymptomPrincipal } from '#shared/rules/hospice-symptom-principal.ts';
import { RULES } from '#shared/rules/index.ts';
import type { Rule, RuleTables } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, dx, cleanHospice as hospice } from '../support/rule-charts.ts';

/**
 * The hospice rules' findings word for word (the coder, physician or billing office acts on the
 * message), with the edges of each check. The clean chart's benefit period 1 starts 2022-02-01 (its
 * election), its CTI is dated 2022-01-30 and coding was completed 2022-04-02.
 */
const tables: RuleTables = { icd10cm: loadIcd10cm() };

type HospiceInput = NonNullable<ChartInput['hospice']>;

const messages = (rule: Rule, chart: Chart, with_: RuleTables = tables) => {
  const findings = rule.check(chart, with_);
  expectNoPhi(findings);
  for (const f of findings) expect(f).toMatchObject({ ruleId: rule.id, severity: rule.severity });
  return findings.map((f) => [f.path, f.message]);
};

describe('HOSPICE-CTI and HOSPICE-CTI-TIMING messages', () => {
  const noCti = { ctiDate: undefined };

  it('asks the hospice physician for a missing CTI', () => {
    expect(messages(hospiceCti, hospice({ documents: [] }, noCti))).toEqual([
      [
        'hospice.ctiDate',
        'hospice.ctiDate: the hospice chart has no certification of terminal illness (no hospice.ctiDate and no cti or certification document); ask the hospice physician for the signed CTI for this benefit period',
      ],
    ]);
  });

  const early = (path: string, days: number) => [
    path,
    `${path}: the certification of terminal illness is dated ${days} days before the benefit period starts; it may be signed at most 15 days ahead: ask the hospice physician for the certification of this period`,
  ];
  const late = (path: string) => [
    path,
    `${path}: the certification of terminal illness is dated after coding was completed; the written certification must exist before the claim is billed: confirm it with the hospice physician`,
  ];

  it('counts the days a certification was signed ahead of its benefit period', () => {
    expect(messages(hospiceCtiTiming, hospice({}, { ctiDate: '2022-01-10' }))).toEqual([
      early('hospice.ctiDate', 22),
    ]);
    expect(messages(hospiceCtiTiming, hospice({}, { ctiDate: '2022-01-17' }))).toEqual([]);
  });

  it('accepts a certification signed on the day coding was completed, not the day after', () => {
    expect(messages(hospiceCtiTiming, hospice({}, { ctiDate: '2022-04-02' }))).toEqual([]);
    expect(messages(hospiceCtiTiming, hospice({}, { ctiDate: '2022-04-03' }))).toEqual([
      late('hospice.ctiDate'),
    ]);
  });

  it('without hospice.ctiDate, judges the latest dated cti or certification document', () => {
    const documents = (...docs: NonNullable<ChartInput['documents']>) => hospice({ documents: docs }, noCti);
    expect(messages(hospiceCtiTiming, documents({ type: 'certification', date: '2022-04-05' }))).toEqual([
      late('documents'),
    ]);
    expect(messages(hospiceCtiTiming, documents({ type: 'cti', date: '2022-01-01' }))).toEqual([
      early('documents', 31),
    ]);
    // The recertification signed in time answers for the one signed too early, in either order.
    const both = [
      { type: 'cti', date: '2022-01-20' },
      { type: 'cti', date: '2021-12-01' },
    ] as const;
    expect(messages(hospiceCtiTiming, documents(...both))).toEqual([]);
    expect(messages(hospiceCtiTiming, documents(both[1], both[0]))).toEqual([]);
    // Undated certifications and other documents' dates do not count.
    expect(
      messages(
        hospiceCtiTiming,
        documents({ type: 'cti' }, { type: 'face_to_face', date: '2021-12-01' }, { type: 'certification' }),
      ),
    ).toEqual([]);
    expect(messages(hospiceCtiTiming, documents({ type: 'plan_of_care', date: '2022-04-30' }))).toEqual([]);
  });

  it('prefers hospice.ctiDate over the documents', () => {
    const chart = hospice({ documents: [{ type: 'cti', date: '2021-12-01' }] }, { ctiDate: '2022-01-20' });
    expect(messages(hospiceCtiTiming, chart)).toEqual([]);
  });
});

describe('HOSPICE-PRINCIPAL and HOSPICE-SYMPTOM-PRINCIPAL messages', () => {
  it('names a list entry without a description by the list alone', () => {
    const hospicePrincipalList = parseCodeList('G31.1\n', { version: 'CR13950' });
    expect(
      messages(hospicePrincipal, hospice({ diagnoses: dx('G31.1', 'C34.90') }), {
        ...tables,
        hospicePrincipal: hospicePrincipalList,
      }),
    ).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: G31.1 (on the unacceptable hospice principal list CR13950) cannot be the principal hospice diagnosis, Medicare returns the claim; code the terminal condition first and keep G31.1 as an additional diagnosis',
      ],
    ]);
  });

  it('never repeats a principal value that only starts like a listed code', () => {
    const list = parseCodeList('R53.81\tOther malaise\n', { version: 'CR13950' });
    const chart = hospice({ diagnoses: dx('R53.81 Zulu', 'C34.90') });
    const label = 'a value that is not shaped like a code of ICD-10-CM';
    expect(messages(hospicePrincipal, chart, { ...tables, hospicePrincipal: list })).toEqual([
      [
        'diagnoses[0].code',
        `diagnoses[0].code: ${label} (on the unacceptable hospice principal list CR13950: Other malaise) cannot be the principal hospice diagnosis, Medicare returns the claim; code the terminal condition first and keep ${label} as an additional diagnosis`,
      ],
    ]);
  });

  it('judges only a hospice chart with an ICD-10-CM principal', () => {
    const noPrincipal = hospice({ diagnoses: [{ sequence: 2, code: 'R54' }] });
    expect(messages(hospicePrincipal, noPrincipal)).toEqual([]);
    expect(messages(hospiceSymptomPrincipal, noPrincipal)).toEqual([]);
    const snomed = hospice({ diagnoses: dx({ code: '248279007', system: 'SNOMED-CT' }, 'C34.90') });
    expect(messages(hospicePrincipal, snomed)).toEqual([]);
    expect(messages(hospiceSymptomPrincipal, snomed)).toEqual([]);
  });

  it('queries chapter 18 codes only: R and a digit first', () => {
    expect(messages(hospiceSymptomPrincipal, hospice({ diagnoses: dx('r06.00', 'C34.90') }))).toEqual([
      [
        'diagnoses[0].code',
        'diagnoses[0].code: R06.00 is a symptom or sign code (R00-R99); ask the hospice physician for the terminal diagnosis behind it, code that first and keep the symptom after it if it is not integral to it',
      ],
    ]);
    expect(messages(hospiceSymptomPrincipal, hospice({ diagnoses: dx('C34.R1', 'G30.1') }))).toEqual([]);
  });

  it('warns on a lone principal, counting only other ICD-10-CM diagnoses as related conditions', () => {
    const lone = [
      'diagnoses',
      'diagnoses: only the principal diagnosis is coded; CMS expects the conditions related to the terminal prognosis coded too, confirm with the record that there are none',
    ];
    expect(messages(hospiceRelatedConditions, hospice({ diagnoses: dx('C34.90') }))).toEqual([lone]);
    const snomedOther = hospice({ diagnoses: dx('C34.90', { code: '248279007', system: 'SNOMED-CT' }) });
    expect(messages(hospiceRelatedConditions, snomedOther)).toEqual([lone]);
  });
});

describe('HOSPICE-BENEFIT-PERIOD messages', () => {
  const period = (number: number, from: string, through: string) =>
    messages(hospiceBenefitPeriod, hospice({}, { benefitPeriod: { number, from, through } }));

  it('gives periods 1 and 2 ninety days, in the message too', () => {
    expect(period(2, '2022-01-01', '2022-04-30')).toEqual([
      [
        'hospice.benefitPeriod',
        'hospice.benefitPeriod: benefit period 2 spans 120 days (from and through counted), but periods 1 and 2 last at most 90 days; correct the benefit period number or its dates',
      ],
    ]);
    expect(period(3, '2022-02-01', '2022-05-01')).toEqual([
      [
        'hospice.benefitPeriod',
        'hospice.benefitPeriod: benefit period 3 spans 90 days (from and through counted), but periods 3 and later last at most 60 days; correct the benefit period number or its dates',
      ],
    ]);
  });

  it('takes a one-day benefit period as starting on the day it ends', () => {
    expect(period(1, '2022-03-01', '2022-03-01')).toEqual([
      [
        'hospice.benefitPeriod',
        'hospice.benefitPeriod: the chart period (period.from to period.through) is not inside benefit period 1; a hospice chart covers the days of one benefit period, so split the claim at the benefit period boundary or correct the dates',
      ],
    ]);
    expect(period(4, '2022-05-01', '2022-02-01')).toEqual([
      [
        'hospice.benefitPeriod',
        'hospice.benefitPeriod: benefit period 4 ends (through) before it starts (from); correct the benefit period dates',
      ],
    ]);
  });
});

describe('HOSPICE-F2F messages', () => {
  const period3 = { number: 3, from: '2022-02-20', through: '2022-04-20' };
  const f2f = (care: Partial<HospiceInput>, patch: Partial<ChartInput> = {}) =>
    messages(hospiceF2f, hospice(patch, { benefitPeriod: period3, ...care }));
  const window = (when: string) => [
    'hospice.faceToFaceDate',
    `hospice.faceToFaceDate: the face-to-face encounter for benefit period 3 must take place from 30 days before the benefit period starts up to its first day; the recorded encounter is ${when}; ask the hospice physician for an encounter in the window, or correct the date`,
  ];

  it('asks for the encounter when none is recorded', () => {
    expect(f2f({})).toEqual([
      [
        'hospice.faceToFaceDate',
        'hospice.faceToFaceDate: benefit period 3 needs a face-to-face encounter (required from the third benefit period on), but the chart records none: no hospice.faceToFaceDate and no face_to_face document with a date; ask the hospice physician for the encounter note',
      ],
    ]);
  });

  it('says on which side of the window the recorded encounters fall', () => {
    expect(f2f({ faceToFaceDate: '2022-02-21' })).toEqual([
      window('after the first day of the benefit period'),
    ]);
    const documents: ChartInput['documents'] = [
      { type: 'face_to_face', date: '2022-03-01' },
      { type: 'face_to_face', date: '2022-04-01' },
    ];
    expect(f2f({}, { documents })).toEqual([window('after the first day of the benefit period')]);
    expect(
      f2f({ faceToFaceDate: '2022-01-20' }, { documents: [{ type: 'face_to_face', date: '2021-12-01' }] }),
    ).toEqual([window('earlier than that')]);
    expect(f2f({ faceToFaceDate: '2022-01-20' }, { documents })).toEqual([window('outside that window')]);
  });
});

describe('HOSPICE-NOE-TIMELY messages', () => {
  it('says a missing NOE date leaves the days before a late filing uncovered', () => {
    expect(messages(hospiceNoeTimely, hospice({ notices: {} }))).toEqual([
      [
        'notices.electionFiledDate',
        'notices.electionFiledDate: the election (hospice.electionDate) starts this benefit period, but the chart records no Notice of Election date; the NOE is due within 5 calendar days after the election date, and the days before a late one is filed are not covered; check with the billing office that it was filed and accepted',
      ],
    ]);
  });

  it('says a NOE dated before the election disagrees with it', () => {
    expect(messages(hospiceNoeTimely, hospice({ notices: { electionFiledDate: '2022-01-31' } }))).toEqual([
      [
        'notices.electionFiledDate',
        'notices.electionFiledDate: the Notice of Election date is before the election date (hospice.electionDate), but the NOE is filed after the hospice admission it reports: the dates disagree; correct the NOE date or the election date',
      ],
    ]);
  });
});

describe('HOSPICE-NOE-TIMELY scope', () => {
  it('leaves an election after the benefit period to that period: no NOE is asked for here', () => {
    // The clean chart's benefit period ends 2022-05-01.
    const later = hospice({ notices: undefined }, { electionDate: '2022-05-02' });
    expect(messages(hospiceNoeTimely, later)).toEqual([]);
  });
});

describe('the hospice rules on a home health chart that carries a hospice block', () => {
  // The schema lets a home health export carry the block; only hospice charts are judged by it.
  it('judge nothing: not the CTI date, the face-to-face encounter or the level-of-care lines', () => {
    const chart = cleanHomeHealth({
      hospice: {
        benefitPeriod: { number: 3, from: '2022-03-01', through: '2022-04-29' },
        ctiDate: '2021-12-01',
      },
      visits: [{ date: '2022-03-01', revenueCode: '0651', units: 1 }],
      documents: [],
    });
    for (const rule of [hospiceCtiTiming, hospiceF2f, hospiceLevelOfCare])
      expect(rule.check(chart, tables), rule.id).toEqual([]);
  });
});

describe('the hospice rules on a chart object without its hospice block', () => {
  // The schema requires the block on a hospice chart, but the Chart type does not: no rule may throw.
  const bare = { ...hospice({ documents: [] }), hospice: undefined } as Chart;

  it('ask for the CTI, and judge nothing that needs the block', () => {
    expect(messages(hospiceCti, bare).map(([path]) => path)).toEqual(['hospice.ctiDate']);
    for (const rule of RULES.filter((r) => r.id.startsWith('HOSPICE-') && r.id !== 'HOSPICE-CTI'))
      expect(rule.check(bare, tables)).toEqual([]);
  });
});
