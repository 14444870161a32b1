import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { CLINICAL_GROUPS, type ClinicalGroup, type PdgmTables, parsePdgmCodes } from '#shared/data/pdgm.ts';
import type { Chart, ChartInput } from '#shared/model/chart.ts';
import { groupPdgm } from '#shared/rules/pdgm-grouping.ts';
import { cleanHomeHealth, cleanHospice, dx } from '../support/rule-charts.ts';

const pdgm = loadCodeTables().pdgmFor('2022-03-01')?.table;
if (!pdgm) throw new Error('the sample PDGM table is not registered');

/** The seven functional items answered 00 (no impairment), then whatever the case sets. */
const NONE = { M1800: '00', M1810: '00', M1820: '00', M1830: '00', M1840: '00', M1850: '00', M1860: '00' };
const oasis = (items: Record<string, string>) => ({ items: { ...NONE, ...items } });

/** The rule tests' clean home health period, with one diagnosis and no functional impairment. */
const hh = (patch: Partial<ChartInput> = {}): Chart =>
  cleanHomeHealth({ diagnoses: dx('I69.351'), oasis: oasis({}), ...patch });

describe('PDGM grouping to a HIPPS code (sample tables)', () => {
  // Points (sample CY2025 values): M1800 02 -> 3, M1810 02 -> 5, M1820 03 -> 11, M1830 05 -> 18,
  // M1840 02 -> 5, M1850 02 -> 4, M1860 04 -> 18; four M1033 risks -> 12.
  const heavy = {
    M1800: '02',
    M1810: '02',
    M1820: '03',
    M1830: '05',
    M1840: '02',
    M1850: '02',
    M1860: '04',
  };
  const cases: { name: string; chart: Chart; hipps: string; points: number }[] = [
    { name: 'community early, neuro rehab, low, no comorbidity', chart: hh(), hipps: '1BA11', points: 0 },
    {
      name: 'institutional early, MS rehab, high (64 points >= 44)',
      chart: hh({
        diagnoses: dx('M17.11'),
        admission: { source: 'institutional', timing: 'early' },
        oasis: oasis(heavy),
      }),
      hipps: '2EC11',
      points: 64,
    },
    {
      name: 'community late, cardiac, medium (30 points: 28 to 40), low comorbidity (Endocrine 3)',
      chart: hh({
        diagnoses: dx('I50.22', 'E11.65'),
        admission: { source: 'community', timing: 'late' },
        oasis: oasis({
          M1830: '05',
          M1860: '02',
          M1800: '01',
          M1820: '01',
          M1850: '01',
          M1840: '01',
          M1810: '03',
        }),
      }),
      hipps: '3HB21',
      points: 30,
    },
    {
      name: 'institutional late, wound, high comorbidity (Endocrine 3 + Skin 3 interact)',
      chart: hh({
        diagnoses: dx('L97.512', 'E11.29', 'L97.512'),
        admission: { source: 'institutional', timing: 'late' },
      }),
      hipps: '4CA31',
      points: 0,
    },
    {
      name: 'M1033: four risks add their points, three do not',
      chart: hh({
        oasis: oasis({
          M1033_HOSP_RISK_HSTRY_FALLS: '1',
          M1033_HOSP_RISK_WEIGHT_LOSS: '1',
          M1033_HOSP_RISK_MLTPL_HOSPZTN: '1',
          M1033_HOSP_RISK_5PLUS_MDCTN: '01',
          M1033_HOSP_RISK_NONE_ABOVE: '0',
          M1830: '05',
          M1860: '04',
        }),
      }),
      hipps: '1BB11',
      points: 48,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = groupPdgm(c.chart, pdgm);
      expect(result.grouped).toBe(true);
      if (!result.grouped) return;
      expect(result.grouping.functionalPoints).toBe(c.points);
      expect(result.grouping.hipps).toBe(c.hipps);
      expect(result.grouping.sample).toBe(true);
    });
  }

  it('records what it grouped by: the group and its name, the level and points, the comorbidity, the admission, the table', () => {
    const result = groupPdgm(
      hh({ diagnoses: dx('I50.22', 'E11.65'), admission: { source: 'institutional', timing: 'late' } }),
      pdgm,
    );
    expect(result).toEqual({
      grouped: true,
      grouping: {
        hipps: '4HA21',
        clinicalGroup: 'H',
        clinicalGroupName: 'MMTA - Cardiac and Circulatory',
        functionalLevel: 'low',
        functionalPoints: 0,
        comorbidity: 'low',
        admission: 'institutional-late',
        pdgmVersion: 'CY2025-sample',
        sample: true,
      },
    });
  });

  it('reads a functional response as a two-digit number, and an unknown one as no points', () => {
    const points = (items: Record<string, string>) => {
      const result = groupPdgm(hh({ oasis: oasis(items) }), pdgm);
      return result.grouped ? result.grouping.functionalPoints : undefined;
    };
    expect(points({ M1800: '2', M1810: ' 02 ', M1820: '3 ' })).toBe(3 + 5 + 11);
    expect(points({ M1800: 'UK', M1830: '7', M1860: '-' })).toBe(0);
  });

  it('adds the M1033 points from four risks checked (1 or 01), not three', () => {
    const risks = (answers: string[]) => {
      const items = Object.fromEntries(
        pdgm.params.hospitalizationRisk.items.map((item, i) => [item, answers[i] ?? '0']),
      );
      const result = groupPdgm(hh({ oasis: oasis(items) }), pdgm);
      return result.grouped ? result.grouping.functionalPoints : undefined;
    };
    expect(risks(['1', '01', ' 1', '1'])).toBe(12);
    expect(risks(['1', '1', '1', '0', '2', 'Y', ''])).toBe(0);
    expect(risks(['1', '1', '1', '1', '1', '1', '1'])).toBe(12);
  });

  it('counts only ICD-10-CM secondary diagnoses toward the comorbidity adjustment', () => {
    const result = groupPdgm(hh({ diagnoses: dx('I69.351', { code: 'E11.65', system: 'ICD-9-CM' }) }), pdgm);
    expect(result.grouped && result.grouping.comorbidity).toBe('none');
  });

  it('says why a chart cannot be grouped, and where to look', () => {
    const complete: PdgmTables = { ...pdgm, sample: false };
    expect(groupPdgm(cleanHospice(), pdgm)).toEqual({ grouped: false, reason: 'not a home health period' });
    expect(groupPdgm(hh({ diagnoses: [{ sequence: 2, code: 'I10' }] }), pdgm)).toEqual({
      grouped: false,
      reason: 'no ICD-10-CM principal diagnosis',
      path: 'diagnoses',
    });
    expect(groupPdgm(hh({ diagnoses: dx('Z99.89') }), pdgm)).toEqual({
      grouped: false,
      reason: 'the principal diagnosis is not in the PDGM sample table CY2025-sample',
      path: 'diagnoses',
    });
    expect(groupPdgm(hh({ diagnoses: dx('Z99.89') }), complete)).toEqual({
      grouped: false,
      reason: 'the principal diagnosis is not on the PDGM code list CY2025-sample',
      path: 'diagnoses',
    });
    expect(groupPdgm(hh({ diagnoses: dx('R26.9') }), pdgm)).toEqual({
      grouped: false,
      reason: 'the principal diagnosis does not group under PDGM',
      path: 'diagnoses',
    });
    for (const admission of [{}, { source: 'community' }, { date: '2022-03-01', timing: 'early' }] as const)
      expect(groupPdgm(hh({ admission }), pdgm)).toEqual({
        grouped: false,
        reason: 'admission source or timing missing',
        path: 'admission',
      });
    expect(groupPdgm(hh({ oasis: { items: { M1810: '00', M1840: '00' } } }), pdgm)).toEqual({
      grouped: false,
      reason: 'OASIS functional items missing: M1800, M1820, M1830, M1850, M1860',
      path: 'oasis.items',
    });
    expect(groupPdgm(hh({ oasis: undefined }), pdgm)).toMatchObject({ grouped: false, path: 'oasis.items' });
  });

  it('says why a chart cannot be grouped', () => {
    const reason = (chart: Chart) => {
      const r = groupPdgm(chart, pdgm);
      return r.grouped ? undefined : r.reason;
    };
    expect(reason(hh({ diagnoses: dx('M62.81') }))).toBe('the principal diagnosis does not group under PDGM');
    expect(reason(hh({ diagnoses: dx('Z99.89') }))).toContain('not in the PDGM sample table');
    expect(reason(hh({ admission: {} }))).toBe('admission source or timing missing');
    expect(reason(hh({ oasis: { items: { M1800: '02' } } }))).toMatch(
      /^OASIS functional items missing: M1810/,
    );
    expect(reason(hh({ diagnoses: [{ sequence: 1, code: '84114007', system: 'SNOMED-CT' }] }))).toBe(
      'no ICD-10-CM principal diagnosis',
    );
  });
});

describe('PDGM comorbidity adjustment', () => {
  it('does not count the principal diagnosis as its own comorbidity (I50.22, Heart 11, alone: none)', () => {
    const result = groupPdgm(hh({ diagnoses: dx('I50.22') }), pdgm);
    expect(result.grouped && result.grouping).toMatchObject({ comorbidity: 'none', hipps: '1HA11' });
  });

  it('passes over a secondary diagnosis the PDGM list does not carry (Z99.89: no subgroup, none)', () => {
    expect(pdgm.lookup('Z99.89')).toBeUndefined();
    const result = groupPdgm(hh({ diagnoses: dx('I69.351', 'Z99.89') }), pdgm);
    expect(result.grouped && result.grouping).toMatchObject({ comorbidity: 'none', hipps: '1BA11' });
  });

  it("does not pair the principal's subgroup with a secondary's (J44.1 + I50.22: low, not the high interaction)", () => {
    // Respiratory 5 (the principal) with Heart 11 would interact; the secondary alone is a low subgroup.
    const result = groupPdgm(hh({ diagnoses: dx('J44.1', 'I50.22') }), pdgm);
    expect(result.grouped && result.grouping).toMatchObject({ comorbidity: 'low', hipps: '1LA21' });
  });
});

describe('PDGM functional level on every clinical group threshold (sample table)', () => {
  const params = pdgm.params;
  const functionalItems = Object.entries(params.functionalPoints);

  /** OASIS functional responses worth exactly `points` by the sample table: searched, not hand-typed. */
  function responsesWorth(points: number): Record<string, string> {
    const search = (at: number, left: number): Record<string, string> | undefined => {
      const entry = functionalItems[at];
      if (!entry) return left === 0 ? {} : undefined;
      const [item, table] = entry;
      for (const [response, worth] of Object.entries(table)) {
        if (worth > left) continue;
        const rest = search(at + 1, left - worth);
        if (rest) return { [item]: response, ...rest };
      }
      return undefined;
    };
    const found = search(0, points);
    if (!found) throw new Error(`no OASIS functional responses add up to ${points} points`);
    return found;
  }

  // The sample code list names a principal for only some groups: the case's principal is looked up in
  // the group under test, and everything else (points, thresholds) is the sample table's.
  const principalIn = (group: ClinicalGroup): PdgmTables => ({
    ...pdgm,
    lookup: (code) =>
      code === 'I69.351' ? { code, description: 'principal of the case', clinicalGroup: group } : undefined,
  });

  it('has thresholds for each of the twelve clinical groups', () => {
    expect(Object.keys(params.thresholds).sort()).toEqual(Object.keys(CLINICAL_GROUPS).sort());
  });

  for (const [group, threshold] of Object.entries(params.thresholds) as [
    ClinicalGroup,
    { medium: number; high: number },
  ][]) {
    it(`${group} (${CLINICAL_GROUPS[group]}): medium from ${threshold.medium} points, high from ${threshold.high}`, () => {
      const levelAt = (points: number) => {
        const result = groupPdgm(hh({ oasis: { items: responsesWorth(points) } }), principalIn(group));
        if (!result.grouped) throw new Error(result.reason);
        expect(result.grouping.functionalPoints).toBe(points);
        return [result.grouping.functionalLevel, result.grouping.hipps.slice(1, 3)];
      };
      expect(levelAt(threshold.medium - 1)).toEqual(['low', `${group}A`]);
      expect(levelAt(threshold.medium)).toEqual(['medium', `${group}B`]);
      expect(levelAt(threshold.high - 1)).toEqual(['medium', `${group}B`]);
      expect(levelAt(threshold.high)).toEqual(['high', `${group}C`]);
    });
  }
});

describe('the PDGM code list CSV', () => {
  it('reads quoted fields and CMS column names, and refuses an unknown clinical group', () => {
    const codes = parsePdgmCodes(
      'ICD-10 Code,Description,Clinical Group,Comorbidity Group\nI50.22,"Chronic systolic (congestive) heart failure",MMTA - Cardiac and Circulatory,Heart 11\nR26.9,Gait,,\n',
    );
    expect(codes.get('I5022')).toEqual({
      code: 'I50.22',
      description: 'Chronic systolic (congestive) heart failure',
      clinicalGroup: 'H',
      comorbidityGroup: 'Heart 11',
    });
    expect(codes.get('R269')?.clinicalGroup).toBeUndefined();
    expect(() => parsePdgmCodes('code,clinical_group\nI10,Cardiology\n')).toThrow('none of the twelve');
    expect(() => parsePdgmCodes('code,description\nI10,x\n')).toThrow('clinical group column');
  });
});
