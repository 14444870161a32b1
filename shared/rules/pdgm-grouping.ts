import { CLINICAL_GROUPS, type ClinicalGroup, type PdgmTables } from '#shared/data/pdgm.ts';
import type { Chart } from '#shared/model/chart.ts';
import { pdgmAdmission } from './pdgm-admission.ts';

/**
 * The PDGM grouping of a home health 30-day period, to a HIPPS code (domain-rules.md §1.1-1.5):
 *
 * 1. admission source and timing (position 1): community early 1, institutional early 2, community
 *    late 3, institutional late 4; as the export states them, else from the occurrence codes 61/62 and
 *    the admission date (pdgm-admission.ts);
 * 2. clinical group (position 2) from the principal diagnosis;
 * 3. functional impairment level (position 3, A low, B medium, C high) from the OASIS functional items'
 *    points against the clinical group's thresholds, plus the points for four or more M1033 risks;
 * 4. comorbidity adjustment (position 4, 1 none, 2 low, 3 high) from the secondary diagnoses: high for
 *    two that form an interaction pair, low for one in a low-comorbidity subgroup;
 * 5. position 5 is always 1.
 *
 * Pure: the same chart and tables give the same grouping. No PHI in the result: codes and levels.
 */
export interface PdgmGrouping {
  hipps: string;
  clinicalGroup: ClinicalGroup;
  clinicalGroupName: string;
  functionalLevel: 'low' | 'medium' | 'high';
  functionalPoints: number;
  comorbidity: 'none' | 'low' | 'high';
  admission: 'community-early' | 'institutional-early' | 'community-late' | 'institutional-late';
  /** The PDGM table version it was grouped by, and whether that is only a sample. */
  pdgmVersion: string;
  sample: boolean;
}

export type GroupingResult =
  | { grouped: true; grouping: PdgmGrouping }
  | { grouped: false; reason: string; path?: string };

const LEVEL_LETTER = { low: 'A', medium: 'B', high: 'C' } as const;
const COMORBIDITY_DIGIT = { none: '1', low: '2', high: '3' } as const;

export function groupPdgm(chart: Chart, pdgm: PdgmTables): GroupingResult {
  if (chart.lineOfBusiness !== 'home_health') return { grouped: false, reason: 'not a home health period' };
  const principal = chart.diagnoses.find((d) => d.sequence === 1);
  if (principal?.system !== 'ICD-10-CM')
    return { grouped: false, reason: 'no ICD-10-CM principal diagnosis', path: 'diagnoses' };
  const entry = pdgm.lookup(principal.code);
  if (!entry)
    return {
      grouped: false,
      reason: pdgm.sample
        ? `the principal diagnosis is not in the PDGM sample table ${pdgm.version}`
        : `the principal diagnosis is not on the PDGM code list ${pdgm.version}`,
      path: 'diagnoses',
    };
  if (!entry.clinicalGroup)
    return { grouped: false, reason: 'the principal diagnosis does not group under PDGM', path: 'diagnoses' };
  const { source, timing } = pdgmAdmission(chart);
  if (!source || !timing)
    return { grouped: false, reason: 'admission source or timing missing', path: 'admission' };

  const params = pdgm.params;
  const items = chart.oasis?.items ?? {};
  const missing: string[] = [];
  let points = 0;
  for (const [item, table] of Object.entries(params.functionalPoints)) {
    const response = items[item];
    if (response === undefined) missing.push(item);
    else points += table[response.trim().padStart(2, '0')] ?? 0;
  }
  // Without the functional items the level would read "low" by default: that is no grouping.
  if (missing.length > 0)
    return {
      grouped: false,
      reason: `OASIS functional items missing: ${missing.join(', ')}`,
      path: 'oasis.items',
    };
  const risk = params.hospitalizationRisk;
  const checked = risk.items.filter((item) => Number(items[item]) === 1).length;
  if (checked >= risk.minChecked) points += risk.points;
  const threshold = params.thresholds[entry.clinicalGroup];
  const functionalLevel = points >= threshold.high ? 'high' : points >= threshold.medium ? 'medium' : 'low';

  // A code without a comorbidity group adds undefined, which no interaction or low-comorbidity group matches.
  const secondaryGroups = new Set<string | undefined>();
  for (const d of chart.diagnoses) {
    if (d.sequence === 1 || d.system !== 'ICD-10-CM') continue;
    secondaryGroups.add(pdgm.lookup(d.code)?.comorbidityGroup);
  }
  const high = params.interactions.some(([a, b]) => secondaryGroups.has(a) && secondaryGroups.has(b));
  const low = params.lowComorbidity.some((g) => secondaryGroups.has(g));
  const comorbidity = high ? 'high' : low ? 'low' : 'none';

  const admission = `${source}-${timing}` as PdgmGrouping['admission'];
  const position1 = {
    'community-early': '1',
    'institutional-early': '2',
    'community-late': '3',
    'institutional-late': '4',
  }[admission];
  return {
    grouped: true,
    grouping: {
      hipps: `${position1}${entry.clinicalGroup}${LEVEL_LETTER[functionalLevel]}${COMORBIDITY_DIGIT[comorbidity]}1`,
      clinicalGroup: entry.clinicalGroup,
      clinicalGroupName: CLINICAL_GROUPS[entry.clinicalGroup],
      functionalLevel,
      functionalPoints: points,
      comorbidity,
      admission,
      pdgmVersion: pdgm.version,
      sample: pdgm.sample,
    },
  };
}
