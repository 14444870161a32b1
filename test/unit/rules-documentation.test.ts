import { describe, expect, it } from 'vitest';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { hhF2f } from '#shared/rules/hh-f2f.ts';
import { hhHomebound } from '#shared/rules/hh-homebound.ts';
import { hhNoaTimely } from '#shared/rules/hh-noa-timely.ts';
import { hospiceNoeTimely } from '#shared/rules/hospice-noe-timely.ts';
import { decide, RULES } from '#shared/rules/index.ts';
import { startOfCare } from '#shared/rules/pdgm-admission.ts';
import type { Rule } from '#shared/rules/rule.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth as hh, cleanHospice as hospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const MINE = [hhNoaTimely, hospiceNoeTimely, hhF2f, hhHomebound];

type Documents = NonNullable<ChartInput['documents']>;
type HospiceInput = NonNullable<ChartInput['hospice']>;

const OASIS: Documents[number] = { type: 'oasis', date: '2022-03-01', signed: true };
const POC: Documents[number] = { type: 'plan_of_care', date: '2022-03-01', signed: true };
const f2f = (date?: string): Documents[number] =>
  date === undefined ? { type: 'face_to_face', signed: true } : { type: 'face_to_face', date, signed: true };

const check = (rule: Rule, chart: Chart): Finding[] => rule.check(chart, tables);

describe('the documentation and notice rules together', () => {
  it('are silent on a clean home health chart and a clean hospice chart', () => {
    for (const rule of MINE) {
      expect(check(rule, hh())).toEqual([]);
      expect(check(rule, hospice())).toEqual([]);
    }
  });

  it('keep to their line of business', () => {
    // A hospice chart with nothing home health needs, and a home health chart with a hospice election.
    const bareHospice = hospice({ documents: [], notices: undefined }, { electionDate: undefined });
    for (const rule of [hhNoaTimely, hhF2f, hhHomebound]) expect(check(rule, bareHospice)).toEqual([]);
    // A hospice chart may carry an admission date and timing; it still files no home health NOA.
    const admittedHospice = hospice({
      admission: { date: '2022-03-01', timing: 'early' },
      notices: undefined,
    });
    expect(check(hhNoaTimely, admittedHospice)).toEqual([]);
    const hhWithElection = hh({
      notices: undefined,
      hospice: {
        benefitPeriod: { number: 1, from: '2022-03-01', through: '2022-05-29' },
        electionDate: '2022-03-01',
      },
    });
    expect(check(hospiceNoeTimely, hhWithElection)).toEqual([]);
  });

  it('have ids that collide with no other rule, and sources for each', () => {
    const others = RULES.filter((r) => !MINE.some((m) => m.id === r.id)).map((r) => r.id);
    const ids = MINE.map((r) => r.id);
    expect(new Set([...others, ...ids]).size).toBe(others.length + ids.length);
    expect(ids).toEqual(['HH-NOA-TIMELY', 'HOSPICE-NOE-TIMELY', 'HH-F2F', 'HH-HOMEBOUND']);
    expect(MINE.map((r) => r.severity)).toEqual(['warn', 'warn', 'query', 'query']);
    for (const rule of MINE) {
      expect(rule.sources.length).toBeGreaterThan(0);
      expect(rule.id).toMatch(/^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$/);
    }
  });

  it('are pure: the same findings twice, the chart untouched', () => {
    const charts = [
      hh({ notices: undefined, documents: [f2f()] }),
      hospice({ notices: { electionFiledDate: '2022-02-20' } }),
    ];
    for (const chart of charts) {
      const before = structuredClone(chart);
      for (const rule of MINE) expect(check(rule, chart)).toEqual(check(rule, chart));
      expect(chart).toEqual(before);
    }
  });
});

describe('startOfCare', () => {
  const admission = (a: ChartInput['admission']) => startOfCare(hh({ admission: a }));

  it('takes the admission date on the early period, else the period from-date', () => {
    expect(admission({ date: '2022-02-28', timing: 'early' })).toEqual({
      period: 'admission',
      date: '2022-02-28',
    });
    expect(admission({ timing: 'early' })).toEqual({ period: 'admission', date: '2022-03-01' });
  });

  it('calls a late period later, with or without its admission date', () => {
    expect(admission({ date: '2022-01-01', timing: 'late' })).toEqual({
      period: 'later',
      date: '2022-01-01',
    });
    // Strictly: without an admission date the answer carries no date key at all.
    expect(admission({ timing: 'late' })).toStrictEqual({ period: 'later' });
  });

  it('without a timing, places the period by the admission date, or does not know', () => {
    expect(admission({ date: '2022-01-30' })).toEqual({ period: 'later', date: '2022-01-30' });
    expect(admission({ date: '2022-03-01' })).toEqual({ period: 'admission', date: '2022-03-01' });
    expect(admission({ date: '2022-03-04' })).toEqual({ period: 'admission', date: '2022-03-04' });
    expect(admission({})).toEqual({ period: 'unknown' });
  });
});

describe('HH-NOA-TIMELY', () => {
  const noa = (admissionSubmittedDate: string, patch: Partial<ChartInput> = {}) =>
    check(hhNoaTimely, hh({ notices: { admissionSubmittedDate }, ...patch }));

  it('passes a NOA from the start of care to 5 calendar days after it, both ends included', () => {
    expect(noa('2022-03-01')).toEqual([]);
    expect(noa('2022-03-06')).toEqual([]);
  });

  it('warns on a NOA more than 5 calendar days after the start of care, with the day count only', () => {
    const findings = noa('2022-03-07');
    expect(findings).toEqual([
      {
        ruleId: 'HH-NOA-TIMELY',
        severity: 'warn',
        path: 'notices.admissionSubmittedDate',
        message:
          'notices.admissionSubmittedDate: the Notice of Admission was submitted 6 calendar days after the start of care, more than the 5 allowed; the period payment is reduced by the days from the start of care to the NOA date (divided by 30) and the agency is liable for them, unless an exception applies',
      },
    ]);
    expectNoPhi(findings);
    expect(decide(findings)).toBe('VALIDATED');
    expect(noa('2022-04-15')[0]?.message).toMatch(/submitted 45 calendar days after/);
  });

  it('counts from the admission date, not the period from-date', () => {
    const admission = { date: '2022-02-27', source: 'community', timing: 'early' } as const;
    expect(noa('2022-03-04', { admission })).toEqual([]);
    expect(noa('2022-03-05', { admission })[0]?.message).toMatch(/submitted 6 calendar days/);
  });

  it('takes the period from-date as the start of care on an early period without an admission date', () => {
    expect(noa('2022-03-06', { admission: { timing: 'early' } })).toEqual([]);
    expect(noa('2022-03-07', { admission: { timing: 'early' } })).toHaveLength(1);
  });

  it('warns when the start-of-care period records no NOA date', () => {
    for (const notices of [undefined, {}]) {
      const findings = check(hhNoaTimely, hh({ notices }));
      expect(findings).toEqual([
        {
          ruleId: 'HH-NOA-TIMELY',
          severity: 'warn',
          path: 'notices.admissionSubmittedDate',
          message:
            'notices.admissionSubmittedDate: the chart is the start-of-care period but records no Notice of Admission (TOB 032A) date; the NOA is due within 5 calendar days after the start of care, and a late one reduces the period payment; check with the billing office that it was submitted and accepted',
        },
      ]);
      expectNoPhi(findings);
    }
  });

  it('warns when the NOA is dated before the start of care', () => {
    const findings = noa('2022-02-28');
    expect(findings).toEqual([
      {
        ruleId: 'HH-NOA-TIMELY',
        severity: 'warn',
        path: 'notices.admissionSubmittedDate',
        message:
          'notices.admissionSubmittedDate: the Notice of Admission date is before the start of care (admission.date), but a NOA can only be submitted once the initial visit is made; correct the NOA date or the admission date',
      },
    ]);
    expectNoPhi(findings);
  });

  it('does not check later periods, charts without timing or admission date, or admissions before 2022', () => {
    const late = { date: '2022-01-01', source: 'community', timing: 'late' } as const;
    expect(check(hhNoaTimely, hh({ admission: late, notices: undefined }))).toEqual([]);
    expect(noa('2022-04-01', { admission: late })).toEqual([]);
    expect(check(hhNoaTimely, hh({ admission: { date: '2022-01-30' }, notices: undefined }))).toEqual([]);
    expect(check(hhNoaTimely, hh({ admission: {}, notices: undefined }))).toEqual([]);
    const before2022 = {
      period: { from: '2021-12-20', through: '2022-01-18' },
      admission: { date: '2021-12-20', timing: 'early' },
    } satisfies Partial<ChartInput>;
    expect(check(hhNoaTimely, hh({ ...before2022, notices: undefined }))).toEqual([]);
    // The first admissions the NOA applies to.
    const first = {
      period: { from: '2022-01-01', through: '2022-01-30' },
      admission: { date: '2022-01-01' },
    };
    expect(check(hhNoaTimely, hh({ ...first, notices: undefined }))).toHaveLength(1);
  });

  it('checks a chart without a timing whose admission date falls in the period', () => {
    expect(noa('2022-03-10', { admission: { date: '2022-03-02' } })[0]?.message).toMatch(/8 calendar days/);
  });
});

describe('HOSPICE-NOE-TIMELY', () => {
  const noe = (
    electionFiledDate: string,
    care: Partial<HospiceInput> = {},
    patch: Partial<ChartInput> = {},
  ) => check(hospiceNoeTimely, hospice({ notices: { electionFiledDate }, ...patch }, care));

  it('passes a NOE from the election date to 5 calendar days after it, both ends included', () => {
    expect(noe('2022-02-01')).toEqual([]);
    expect(noe('2022-02-06')).toEqual([]);
  });

  it('warns on a NOE more than 5 calendar days after the election date: those days are the hospice liability', () => {
    const findings = noe('2022-02-07');
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-NOE-TIMELY',
        severity: 'warn',
        path: 'notices.electionFiledDate',
        message:
          'notices.electionFiledDate: the Notice of Election was filed 6 calendar days after the election date (hospice.electionDate), more than the 5 allowed; Medicare does not cover the days from the election date until the filing date: they are the hospice liability, not billable to the patient, unless the MAC grants an exception',
      },
    ]);
    expectNoPhi(findings);
    expect(decide(findings)).toBe('VALIDATED');
  });

  it('warns when the benefit period the election starts records no NOE date', () => {
    for (const notices of [undefined, {}]) {
      const findings = check(hospiceNoeTimely, hospice({ notices }));
      expect(findings).toEqual([
        expect.objectContaining({
          severity: 'warn',
          path: 'notices.electionFiledDate',
          message: expect.stringMatching(
            /starts this benefit period, but the chart records no Notice of Election date/,
          ),
        }),
      ]);
      expectNoPhi(findings);
    }
  });

  it('warns when the NOE is dated before the election', () => {
    expect(noe('2022-01-31')[0]?.message).toMatch(/before the election date .* the dates disagree/);
  });

  it('checks an election inside a later benefit period (a new election after a revocation)', () => {
    const period3 = { benefitPeriod: { number: 3, from: '2022-02-20', through: '2022-04-20' } };
    const care = { ...period3, electionDate: '2022-02-20', faceToFaceDate: '2022-02-15' };
    expect(noe('2022-02-25', care)).toEqual([]);
    expect(noe('2022-02-26', care)).toHaveLength(1);
    expect(noe('2022-02-26', { ...care, electionDate: '2022-04-20' })[0]?.message).toMatch(
      /before the election/,
    );
  });

  it('does not check a later benefit period of the same election, a chart without an election date, or elections before October 2014', () => {
    const period2 = { benefitPeriod: { number: 2, from: '2022-01-15', through: '2022-04-14' } };
    expect(noe('2022-02-01', { ...period2, electionDate: '2021-10-17' })).toEqual([]);
    expect(
      check(hospiceNoeTimely, hospice({ notices: undefined }, { ...period2, electionDate: '2021-10-17' })),
    ).toEqual([]);
    expect(check(hospiceNoeTimely, hospice({ notices: undefined }, { electionDate: undefined }))).toEqual([]);
    const early = {
      benefitPeriod: { number: 1, from: '2014-09-01', through: '2014-11-29' },
      electionDate: '2014-09-01',
    };
    const period = { period: { from: '2014-10-01', through: '2014-10-31' } };
    expect(check(hospiceNoeTimely, hospice({ ...period, notices: undefined }, early))).toEqual([]);
    const first = {
      benefitPeriod: { number: 1, from: '2014-10-01', through: '2014-12-29' },
      electionDate: '2014-10-01',
    };
    expect(check(hospiceNoeTimely, hospice({ ...period, notices: undefined }, first))).toHaveLength(1);
  });
});

describe('HH-F2F', () => {
  const encounter = (documents: Documents, patch: Partial<ChartInput> = {}) =>
    check(hhF2f, hh({ documents: [OASIS, POC, ...documents], ...patch }));

  it('passes an encounter from 90 days before to 30 days after the start of care, both ends included', () => {
    expect(encounter([f2f('2021-12-01')])).toEqual([]);
    expect(encounter([f2f('2022-03-01')])).toEqual([]);
    expect(encounter([f2f('2022-03-31')])).toEqual([]);
  });

  it('opens a query for an encounter more than 90 days before the start of care, naming the window only', () => {
    const findings = encounter([f2f('2021-11-30')]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-F2F',
        severity: 'query',
        path: 'documents',
        message:
          'documents: the face-to-face encounter must take place from 90 days before to 30 days after the start of care (admission.date); the face_to_face document is dated more than 90 days before the start of care; ask the clinician for an encounter in the window, or correct the date',
      },
    ]);
    expectNoPhi(findings);
    expect(decide(findings)).toBe('QUERY_OPEN');
  });

  it('says whether the encounters are all too late, or on both sides of the window', () => {
    expect(encounter([f2f('2022-04-01')])[0]?.message).toBe(
      'documents: the face-to-face encounter must take place from 90 days before to 30 days after the start of care (admission.date); the face_to_face document is dated more than 30 days after the start of care; ask the clinician for an encounter in the window, or correct the date',
    );
    expect(encounter([f2f('2021-06-01'), f2f('2021-11-30')])[0]?.message).toMatch(
      /; every dated face_to_face document is dated more than 90 days before the start of care;/,
    );
    expect(encounter([f2f('2022-04-01'), f2f('2022-05-01')])[0]?.message).toMatch(
      /; every dated face_to_face document is dated more than 30 days after the start of care;/,
    );
    expect(encounter([f2f('2021-06-01'), f2f('2022-05-01')])[0]?.message).toMatch(
      /every dated face_to_face document is dated outside that window/,
    );
  });

  it('passes when any one dated encounter is in the window', () => {
    expect(encounter([f2f('2021-06-01'), f2f(), f2f('2022-02-20')])).toEqual([]);
  });

  it('opens a query when the chart has no face_to_face document, or only undated ones', () => {
    const none = encounter([]);
    expect(none).toEqual([
      {
        ruleId: 'HH-F2F',
        severity: 'query',
        path: 'documents',
        message:
          'documents: the home health chart of the start-of-care period has no face_to_face document; the face-to-face encounter (from 90 days before to 30 days after the start of care) is a condition of payment; ask the clinician for the encounter documentation',
      },
    ]);
    expectNoPhi(none);
    const undated = encounter([f2f(), f2f()]);
    expect(undated).toEqual([
      {
        ruleId: 'HH-F2F',
        severity: 'query',
        path: 'documents',
        message:
          'documents: the face_to_face document has no date, so the encounter cannot be placed against the start of care (from 90 days before to 30 days after it); ask the clinician for the date of the encounter',
      },
    ]);
  });

  it('does not count a hospice face-to-face date on a home health chart', () => {
    const chart = hh({
      documents: [OASIS, POC],
      hospice: {
        benefitPeriod: { number: 3, from: '2022-03-01', through: '2022-04-29' },
        faceToFaceDate: '2022-02-25',
      },
    });
    expect(check(hhF2f, chart)).toHaveLength(1);
  });

  it('places the window on the period from-date when an early period has no admission date', () => {
    expect(encounter([f2f('2021-12-01')], { admission: { timing: 'early' } })).toEqual([]);
    expect(encounter([f2f('2021-11-30')], { admission: { timing: 'early' } })).toHaveLength(1);
  });

  it('does not check a later period of the admission', () => {
    const late = { date: '2022-01-01', source: 'community', timing: 'late' } as const;
    expect(encounter([], { admission: late })).toEqual([]);
    expect(encounter([f2f('2020-01-01')], { admission: late })).toEqual([]);
    expect(encounter([], { admission: { date: '2022-01-30' } })).toEqual([]);
  });

  it('without timing or admission date, asks for a dated encounter but cannot place it', () => {
    expect(encounter([], { admission: {} })).toHaveLength(1);
    expect(encounter([f2f()], { admission: {} })).toHaveLength(1);
    expect(encounter([f2f('2020-01-01')], { admission: {} })).toEqual([]);
  });
});

describe('HH-HOMEBOUND', () => {
  const docs = (documents: Documents, patch: Partial<ChartInput> = {}) =>
    check(hhHomebound, hh({ documents, ...patch }));

  it('is satisfied by a homebound, certification or plan_of_care document, dated or not', () => {
    expect(docs([OASIS, { type: 'homebound', date: '2022-03-01', signed: true }])).toEqual([]);
    expect(docs([{ type: 'certification' }])).toEqual([]);
    expect(docs([POC])).toEqual([]);
  });

  it('opens a query for a home health chart with none of them', () => {
    const findings = docs([OASIS, f2f('2022-02-25'), { type: 'physician_order', date: '2022-03-01' }]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-HOMEBOUND',
        severity: 'query',
        path: 'documents',
        message:
          "documents: the home health chart has no homebound status documentation (no homebound, certification or plan_of_care document); ask the clinician for the documentation that the patient is confined to the home, and the certifying physician's statement",
      },
    ]);
    expectNoPhi(findings);
    expect(decide(findings)).toBe('QUERY_OPEN');
    expect(docs([])).toHaveLength(1);
  });

  it('checks every period, later ones included', () => {
    const late = { date: '2022-01-01', source: 'community', timing: 'late' } as const;
    expect(docs([OASIS], { admission: late })).toHaveLength(1);
    expect(docs([OASIS, POC], { admission: late })).toEqual([]);
  });
});
