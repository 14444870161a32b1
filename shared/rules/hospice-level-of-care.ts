import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import {
  hcpcsLabel,
  isLevelOfCareRevenue,
  isSiteOfServiceCode,
  LEVEL_OF_CARE_REVENUE,
  type LevelOfCareRevenue,
  lineHcpcs,
} from './visit-codes.ts';

/** HOSPICE-LEVEL-OF-CARE: level-of-care lines carry a Q500x site code and agree with levelOfCareDays. */
export const hospiceLevelOfCare: Rule = defineRule(
  {
    id: 'HOSPICE-LEVEL-OF-CARE',
    severity: 'reject',
    title: 'Hospice level-of-care lines match the level-of-care days',
    what: 'On a hospice chart, every level-of-care line (revenue code 0651 routine home care, 0652 continuous home care, 0655 inpatient respite, 0656 general inpatient) carries a site-of-service HCPCS Q5001-Q5010. For each level the chart has lines for, the lines agree with hospice.levelOfCareDays: the units (days) of the 0651, 0655 and 0656 lines add up to routine, respite and generalInpatient; the number of 0652 lines equals continuous, and no two 0652 lines share a date. A level without any line is not compared, and neither are the days when all four levelOfCareDays are 0 (the schema default when the export does not carry them).',
    why: 'Hospice is paid per day at the rate of the level of care. Each level is reported on its revenue code, each day of continuous home care on its own line, and each level-of-care line carries the Q-code of the place the care was given; a claim whose lines disagree with the days of care the chart records bills the wrong days or the wrong rate.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §2.2: Cahaba GBA hospice claim page, revenue codes 0651, 0652, 0655, 0656; "Each day of continuous home care (revenue code 0652) must be billed on a separate revenue code line"; "Enter the appropriate HCPCS code (Q5001-Q5009) on each level of care revenue code ... line to identify the service location"',
      },
      {
        tag: 'MAC',
        cite: 'domain-rules.md §3: NGS level-of-care job aids, four levels (routine, continuous, inpatient respite, general inpatient); each change of level is a new line with its line-item date',
      },
      {
        tag: 'UNATTRIB',
        cite: 'domain-rules.md §2.2: Q5003-Q5008 and Q5010 descriptors from the eCQM "Hospice Encounter" value set; shared/data/codes/hh_hospice_hcpcs_revenue_reference.csv rows 0651-0656 ("Q5001-Q5010")',
      },
    ],
    limits:
      'Cahaba quotes Q5001-Q5009; Q5010 (hospice home care in a hospice facility) is accepted from the code list. The Q-code is not matched to the level (for example general inpatient care at home). A level with days in hospice.levelOfCareDays but no line is not flagged: the chart may list only some lines. A chart whose levelOfCareDays are all 0 is taken as not recording them, so lines cannot contradict them. The units of 0652 lines (hours or 15-minute increments) are not checked, nor the minimum hours of a continuous care day, nor that the days fit inside the chart period.',
  },
  (chart, _tables, finding) => {
    const hospice = chart.hospice;
    if (chart.lineOfBusiness !== 'hospice' || !hospice) return [];
    const findings: Finding[] = [];
    const days: Record<LevelOfCareRevenue, number> = { '0651': 0, '0652': 0, '0655': 0, '0656': 0 };
    const lines: Record<LevelOfCareRevenue, number> = { '0651': 0, '0652': 0, '0655': 0, '0656': 0 };
    const continuousDates = new Map<string, number>();

    chart.visits.forEach((line, i) => {
      const revenue = line.revenueCode;
      if (!isLevelOfCareRevenue(revenue)) return;
      lines[revenue] += 1;
      days[revenue] += line.units;
      const { name } = LEVEL_OF_CARE_REVENUE[revenue];
      const code = lineHcpcs(line);
      if (!isSiteOfServiceCode(code)) {
        const has = code === undefined ? 'it has no HCPCS' : `it carries ${hcpcsLabel(code)}`;
        findings.push(
          finding(
            `visits[${i}].hcpcs: level-of-care line ${revenue} (${name}) needs the site-of-service HCPCS (Q5001-Q5010) of the place the care was given; ${has}`,
            `visits[${i}].hcpcs`,
          ),
        );
      }
      if (revenue === '0652') {
        const earlier = continuousDates.get(line.date);
        if (earlier === undefined) continuousDates.set(line.date, i);
        else
          findings.push(
            finding(
              `visits[${i}].date: this 0652 (continuous home care) line falls on the same day as visits[${earlier}]; each day of continuous home care is billed on one line of its own`,
              `visits[${i}].date`,
            ),
          );
      }
    });

    // All four at 0 is the schema default of an export that does not carry the days: nothing to compare.
    const { routine, continuous, respite, generalInpatient } = hospice.levelOfCareDays;
    if (routine + continuous + respite + generalInpatient === 0) return findings;
    for (const revenue of Object.keys(LEVEL_OF_CARE_REVENUE) as LevelOfCareRevenue[]) {
      if (lines[revenue] === 0) continue;
      const { level, name } = LEVEL_OF_CARE_REVENUE[revenue];
      const recorded = hospice.levelOfCareDays[level];
      const field = `hospice.levelOfCareDays.${level}`;
      if (revenue === '0652') {
        if (lines[revenue] !== recorded)
          findings.push(
            finding(
              `${field}: the chart has ${lines[revenue]} revenue code 0652 (${name}) line(s), one per day, but ${field} is ${recorded}; bill each day of continuous home care on its own 0652 line and make the two agree`,
              field,
            ),
          );
      } else if (days[revenue] !== recorded) {
        findings.push(
          finding(
            `${field}: the revenue code ${revenue} (${name}) lines bill ${days[revenue]} day(s) in units, but ${field} is ${recorded}; the lines and the level-of-care days must agree`,
            field,
          ),
        );
      }
    }
    return findings;
  },
);
