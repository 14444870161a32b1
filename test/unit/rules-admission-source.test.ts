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

  it('rejects an OC 62 on a later period of the admission', () => {
    const findings = check({ date: '2022-01-30', source: 'community', timing: 'late' }, [
      { code: '62', date: '2022-02-27' },
    ]);
    expect(findings.map((f) => f.path)).toEqual(['occurrences[0].code']);
  });

  it('rejects a stated source the occurrence codes contradict, either way', () => {
    const institutional = check({ date: SOC, source: 'institutional', timing: 'early' }, [
      { code: '50', date: SOC },
    ]);
    expect(institutional.map((f) => f.path)).toEqual(['admission.source']);
    expect(institutional[0]?.message).toContain(
      'grouped as institutional but carries no occurrence code 61 or 62',
    );
    const community = check({ date: SOC, source: 'community', timing: 'early' }, [
      { code: '61', date: '2022-02-26' },
    ]);
    expect(community[0]?.message).toContain('grouped as community but reports an institutional discharge');
    expectNoPhi([...institutional, ...community]);
  });

  it('rejects timing early on a period that starts after the admission date', () => {
    const findings = check({ date: '2022-01-30', source: 'community', timing: 'early' });
    expect(findings).toMatchObject([{ path: 'admission.timing' }]);
    expect(check({ date: '2022-01-30', source: 'community', timing: 'late' })).toEqual([]);
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

  it('does not ask OC 50 to carry the date of a transfer or discharge assessment', () => {
    const chart = cleanHomeHealth({
      occurrences: [{ code: '50', date: '2022-02-20' }],
      oasis: { ...cleanHomeHealth().oasis, reasonForAssessment: '09' },
    });
    expect(hhAssessmentOccurrence.check(chart, tables)).toEqual([]);
  });

  it('passes a matching OC 50, and does not check an export without occurrence codes', () => {
    expect(check([{ code: '50', date: '2022-03-01' }])).toEqual([]);
    expect(check()).toEqual([]);
  });
});
