import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import { hhAdmissionSource } from '#shared/rules/hh-admission-source.ts';
import { hhAssessmentOccurrence } from '#shared/rules/hh-assessment-occurrence.ts';
import { institutionalDischarges, pdgmAdmission } from '#shared/rules/pdgm-admission.ts';
import { groupPdgm } from '#shared/rules/pdgm-grouping.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const pdgm = loadCodeTables().pdgmFor('2022-03-01')?.table;
if (!pdgm) throw new Error('the sample PDGM table is not registered');

/** The clean start-of-care period (2022-03-01) with the admission and occurrence codes a case sets. */
const hh = (admission: ChartInput['admission'], occurrences?: ChartInput['occurrences']) =>
  cleanHomeHealth(occurrences ? { admission, occurrences } : { admission });
const SOC = '2022-03-01';

describe('pdgmAdmission: the source and timing a period is grouped by', () => {
  it('takes what the export states', () => {
    expect(pdgmAdmission(hh({ date: SOC, source: 'institutional', timing: 'late' }))).toEqual({
      source: 'institutional',
      timing: 'late',
    });
  });

  it.each([
    ['an OC 61 on the from-date', [{ code: '61', date: SOC }], 'institutional'],
    ['an OC 61 14 days before', [{ code: '61', date: '2022-02-15' }], 'institutional'],
    ['an OC 62 on the admission period', [{ code: '62', date: '2022-02-27' }], 'institutional'],
    ['an OC 61 15 days before', [{ code: '61', date: '2022-02-14' }], 'community'],
    ['an OC 61 after the from-date', [{ code: '61', date: '2022-03-02' }], 'community'],
    ['only an OC 50', [{ code: '50', date: SOC }], 'community'],
    ['no occurrence codes at all', [], 'community'],
  ])('derives the source from the occurrence codes: %s -> %s', (_name, occurrences, source) => {
    expect(pdgmAdmission(hh({ date: SOC }, occurrences)).source).toBe(source);
  });

  it('leaves the source unknown when the export carries no occurrence codes', () => {
    expect(pdgmAdmission(hh({ date: SOC })).source).toBeUndefined();
  });

  it('derives the timing from the admission date: its own period early, a later one late', () => {
    expect(pdgmAdmission(hh({ date: SOC })).timing).toBe('early');
    expect(pdgmAdmission(hh({ date: '2022-01-30' })).timing).toBe('late');
    expect(pdgmAdmission(hh({})).timing).toBeUndefined();
  });

  it('gives no source or timing key at all when it can derive neither', () => {
    // toStrictEqual: a key present with the value undefined would read as stated to a spread or `in`.
    expect(pdgmAdmission(hh({}))).toStrictEqual({});
  });

  it('counts an OC 61 on a later period too: only OC 62 is limited to the admission period', () => {
    const later = hh({ date: '2022-01-30' }, [{ code: '61', date: '2022-02-27' }]);
    expect(institutionalDischarges(later)).toEqual([{ code: '61', date: '2022-02-27' }]);
    expect(pdgmAdmission(later)).toEqual({ source: 'institutional', timing: 'late' });
  });

  it('does not count an OC 62 on a later period', () => {
    const later = hh({ date: '2022-01-30' }, [{ code: '62', date: '2022-02-27' }]);
    expect(institutionalDischarges(later)).toEqual([]);
    expect(pdgmAdmission(later)).toEqual({ source: 'community', timing: 'late' });
  });

  it('lets a chart without a stated source or timing group from its claim data (HIPPS position 1)', () => {
    const derived = hh({ date: SOC }, [{ code: '61', date: '2022-02-25' }]);
    const result = groupPdgm(derived, pdgm);
    expect(result.grouped && result.grouping.hipps[0]).toBe('2');
    const unknown = groupPdgm(hh({}), pdgm);
    expect(unknown).toMatchObject({ grouped: false, reason: 'admission source or timing missing' });
  });
});

describe('HH-ADMISSION-SOURCE', () => {
  const check = (admission: ChartInput['admission'], occurrences?: ChartInput['occurrences']) =>
    hhAdmissionSource.check(hh(admission, occurrences), tables);

  it('passes agreeing source and codes, and a chart without occurrence codes', () => {
    expect(check({ date: SOC, source: 'community', timing: 'early' })).toEqual([]);
    expect(check({ date: SOC, source: 'institutional', timing: 'early' })).toEqual([]);
    expect(check({ date: SOC, source: 'community', timing: 'early' }, [{ code: '50', date: SOC }])).toEqual(
      [],
    );
    expect(
      check({ date: SOC, source: 'institutional', timing: 'early' }, [{ code: '62', date: '2022-02-20' }]),
    ).toEqual([]);
  });

  it('rejects both OC 61 and OC 62 on one claim', () => {
    const findings = check({ date: SOC, source: 'institutional', timing: 'early' }, [
      { code: '61', date: '2022-02-20' },
      { code: '62', date: '2022-02-27' },
    ]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-ADMISSION-SOURCE',
        severity: 'reject',
        path: 'occurrences',
        message:
          'occurrences: both occurrence code 61 (hospital discharge) and 62 (other institutional discharge) are reported; Medicare returns such a claim, report only the later discharge',
      },
    ]);
    expectNoPhi(findings);
  });

  it('rejects an OC 61/62 outside the 14 days before the period, naming the distance, never the date', () => {
    const findings = check({ date: SOC, source: 'community', timing: 'early' }, [
      { code: '61', date: '2022-01-31' },
      { code: '61', date: '2022-03-05' },
    ]);
    expect(findings.map((f) => f.path)).toEqual(['occurrences[0].date', 'occurrences[1].date']);
    expect(findings[0]?.message).toContain('dated 29 days before the period from-date');
    expect(findings[1]?.message).toContain('dated after the period from-date');
    expectNoPhi(findings);
  });

  it('names the code, the distance and the window in the date finding', () => {
    const findings = check({ date: SOC, source: 'institutional', timing: 'early' }, [
      { code: '50', date: SOC },
      { code: '62', date: '2022-02-01' },
    ]);
    expect(findings[0]).toEqual({
      ruleId: 'HH-ADMISSION-SOURCE',
      severity: 'reject',
      path: 'occurrences[1].date',
      message:
        'occurrences[1].date: occurrence code 62 is dated 28 days before the period from-date, outside the 14 days before it that make the period institutional; correct the date or remove the code',
    });
    expect(
      check({ date: SOC, source: 'community', timing: 'early' }, [{ code: '61', date: '2022-03-02' }])[0]
        ?.message,
    ).toBe(
      'occurrences[0].date: occurrence code 61 is dated after the period from-date, outside the 14 days before it that make the period institutional; correct the date or remove the code',
    );
  });

  it('counts a discharge on the from-date itself (0 days before)', () => {
    expect(
      check({ date: SOC, source: 'institutional', timing: 'early' }, [{ code: '61', date: SOC }]),
    ).toEqual([]);
    expect(
      check({ date: SOC, source: 'institutional', timing: 'early' }, [{ code: '62', date: SOC }]),
    ).toEqual([]);
  });

  it('does not date-check other occurrence codes', () => {
    expect(
      check({ date: SOC, source: 'community', timing: 'early' }, [
        { code: '50', date: '2021-01-01' },
        { code: '11', date: '2022-04-01' },
      ]),
    ).toEqual([]);
  });

  it('counts a discharge 14 days before the period, not 15 (the rule itself)', () => {
    expect(
      check({ date: SOC, source: 'institutional', timing: 'early' }, [
        { code: '61', date: '2022-02-15' },
        { code: '50', date: SOC },
      ]),
    ).toEqual([]);
    const late = check({ date: SOC, source: 'institutional', timing: 'early' }, [
      { code: '61', date: '2022-02-14' },
      { code: '50', date: SOC },
    ]);
    expect(late.map((f) => f.path)).toEqual(['occurrences[0].date', 'admission.source']);
    expect(late[0]?.message).toContain('dated 15 days before the period from-date');
  });

  it('judges an OC 62 by the timing when the chart has no admission date', () => {
    expect(
      check({ source: 'institutional', timing: 'late' }, [{ code: '62', date: '2022-02-27' }]),
    ).toMatchObject([{ path: 'occurrences[0].code' }, { path: 'admission.source' }]);
    expect(check({ source: 'institutional', timing: 'early' }, [{ code: '62', date: '2022-02-27' }])).toEqual(
      [],
    );
  });

  it('accepts an OC 61 on a later period of the admission', () => {
    expect(
      check({ date: '2022-01-30', source: 'institutional', timing: 'late' }, [
        { code: '50', date: SOC },
        { code: '61', date: '2022-02-27' },
      ]),
    ).toEqual([]);
  });

  it('rejects an OC 62 on a later period of the admission', () => {
    const findings = check({ date: '2022-01-30', source: 'community', timing: 'late' }, [
      { code: '50', date: SOC },
      { code: '62', date: '2022-02-27' },
    ]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-ADMISSION-SOURCE',
        severity: 'reject',
        path: 'occurrences[1].code',
        message:
          'occurrences[1].code: occurrence code 62 is only reported on the admission period (from-date = admission date); this period is a later one',
      },
    ]);
    expectNoPhi(findings);
  });

  it('does not judge an OC 62 when the chart gives neither admission date nor timing', () => {
    expect(check({}, [{ code: '62', date: '2022-02-27' }])).toEqual([]);
  });

  it('rejects a stated source the occurrence codes contradict, either way', () => {
    const institutional = check({ date: SOC, source: 'institutional', timing: 'early' }, [
      { code: '50', date: SOC },
    ]);
    expect(institutional).toEqual([
      {
        ruleId: 'HH-ADMISSION-SOURCE',
        severity: 'reject',
        path: 'admission.source',
        message:
          'admission.source: the chart is grouped as institutional but carries no occurrence code 61 or 62 within 14 days before the period; the claim groups as community unless one is reported',
      },
    ]);
    const community = check({ date: SOC, source: 'community', timing: 'early' }, [
      { code: '61', date: '2022-02-26' },
    ]);
    expect(community).toEqual([
      {
        ruleId: 'HH-ADMISSION-SOURCE',
        severity: 'reject',
        path: 'admission.source',
        message:
          'admission.source: the chart is grouped as community but reports an institutional discharge (occurrence code 61 or 62) within 14 days before the period; Medicare groups it as institutional',
      },
    ]);
    expectNoPhi([...institutional, ...community]);
  });

  it('takes a chart without a stated source from its occurrence codes, with nothing to contradict', () => {
    expect(check({ date: SOC, timing: 'early' }, [{ code: '61', date: '2022-02-26' }])).toEqual([]);
    expect(check({ date: SOC, timing: 'early' }, [{ code: '50', date: SOC }])).toEqual([]);
  });

  it('rejects timing early on a period that starts after the admission date', () => {
    const findings = check({ date: '2022-01-30', source: 'community', timing: 'early' });
    expect(findings).toEqual([
      {
        ruleId: 'HH-ADMISSION-SOURCE',
        severity: 'reject',
        path: 'admission.timing',
        message:
          'admission.timing: the period is grouped as early (the first 30-day period) but starts after the admission date, so it is a later (late) period',
      },
    ]);
    expectNoPhi(findings);
    expect(check({ date: '2022-01-30', source: 'community', timing: 'late' })).toEqual([]);
    // Early on its own admission date, or without an admission date to compare, is left alone.
    expect(check({ date: SOC, source: 'community', timing: 'early' })).toEqual([]);
    expect(check({ source: 'community', timing: 'early' })).toEqual([]);
    expect(check({ date: '2022-03-02', source: 'community', timing: 'early' })).toEqual([]);
  });

  it('leaves hospice charts alone', () => {
    const chart = cleanHospice({ occurrences: [{ code: '61', date: '2021-01-01' }] });
    expect(hhAdmissionSource.check(chart, tables)).toEqual([]);
  });
});

describe('HH-OC50', () => {
  const check = (occurrences?: ChartInput['occurrences']) =>
    hhAssessmentOccurrence.check(cleanHomeHealth(occurrences ? { occurrences } : {}), tables);

  it('rejects a claim with occurrence codes but no OC 50, or an OC 50 on another date than the OASIS', () => {
    expect(check([{ code: '61', date: '2022-02-27' }])).toEqual([
      {
        ruleId: 'HH-OC50',
        severity: 'reject',
        path: 'occurrences',
        message:
          'occurrences: no occurrence code 50 (the OASIS assessment date, M0090); the final claim reports it, add it with the assessment date',
      },
    ]);
    const wrong = check([{ code: '50', date: '2022-02-20' }]);
    expect(wrong[0]?.message).toContain('not dated on the OASIS assessment date');
    expectNoPhi(wrong);
  });

  const withRfa = (reasonForAssessment: string) =>
    hhAssessmentOccurrence.check(
      cleanHomeHealth({
        occurrences: [{ code: '50', date: '2022-02-20' }],
        oasis: { ...cleanHomeHealth().oasis, reasonForAssessment },
      }),
      tables,
    );

  it('does not ask OC 50 to carry the date of a transfer or discharge assessment', () => {
    for (const rfa of ['06', '07', '08', '09', '9']) expect(withRfa(rfa), rfa).toEqual([]);
  });

  it('asks OC 50 to carry the date of a start-of-care, resumption, recertification or follow-up assessment', () => {
    for (const rfa of ['01', '03', '04', '05', ' 4', '1'])
      expect(withRfa(rfa), rfa).toEqual([
        {
          ruleId: 'HH-OC50',
          severity: 'reject',
          path: 'occurrences',
          message:
            'occurrences: occurrence code 50 is not dated on the OASIS assessment date (oasis.assessmentDate); correct the claim date or confirm which assessment the period is grouped from',
        },
      ]);
  });

  it('accepts any one of several OC 50 lines on the assessment date, and any date without one', () => {
    expect(
      check([
        { code: '50', date: '2022-02-20' },
        { code: '50', date: '2022-03-01' },
      ]),
    ).toEqual([]);
    const undated = cleanHomeHealth({
      occurrences: [{ code: '50', date: '2022-02-20' }],
      oasis: { items: cleanHomeHealth().oasis?.items ?? {} },
    });
    expect(hhAssessmentOccurrence.check(undated, tables)).toEqual([]);
  });

  it('has no assessment date to compare on a chart without an OASIS block', () => {
    const noOasis = cleanHomeHealth({ occurrences: [{ code: '50', date: '2022-02-20' }], oasis: undefined });
    expect(hhAssessmentOccurrence.check(noOasis, tables)).toEqual([]);
  });

  it('leaves hospice charts alone', () => {
    const chart = cleanHospice({ occurrences: [{ code: '61', date: '2022-02-27' }] });
    expect(hhAssessmentOccurrence.check(chart, tables)).toEqual([]);
  });

  it('passes a matching OC 50, and does not check an export without occurrence codes', () => {
    expect(check([{ code: '50', date: '2022-03-01' }])).toEqual([]);
    expect(check()).toEqual([]);
  });
});
