import type { Icd10Table } from '#shared/data/icd10cm.ts';
import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { codeLabel, diagnosisPath } from './codes.ts';
import { defineRule, type Rule } from './rule.ts';

/**
 * One OASIS-E item that states whether the patient has a condition the ICD-10-CM codes also state:
 * the item's "no" answer, and which coded diagnoses mean "yes".
 */
interface ConditionItem {
  item: string;
  condition: string;
  codes: string;
  /** The response says the patient has none (responses compared as numbers: "0", "00"). */
  isNo(response: number): boolean;
  isYes(response: number): boolean;
  /** Two code prefixes that state the condition together (each alone does not), e.g. I87.2 with L97. */
  statedTogether?: readonly [string, string];
  /**
   * Whether a coded diagnosis (normalised code; its table description, looked up only when the code's
   * prefix leaves the question open, '' for a code the table lacks) states the condition.
   */
  statedBy(code: string, describe: () => string): boolean;
}

/** Pressure ulcer or injury at stage 2 or higher, unstageable or deep tissue damage (what M1306 counts). */
const PRESSURE_STAGE_2_UP = /^Pressure(?:-induced deep tissue damage| ulcer .*(?:stage [234]|unstageable))/i;
const STASIS_ULCER =
  /^(?:Varicose veins of .*ulcer|Postthrombotic syndrome with ulcer|Chronic venous hypertension \(idiopathic\) with ulcer)/i;
const BOWEL_OSTOMY = new Set(['Z932', 'Z933', 'Z432', 'Z433']);

export const CONDITION_ITEMS: readonly ConditionItem[] = [
  {
    item: 'M1306',
    condition: 'an unhealed pressure ulcer/injury at stage 2 or higher, or unstageable',
    codes: 'L89 stage 2-4, unstageable or deep tissue damage',
    isNo: (r) => r === 0,
    isYes: (r) => r === 1,
    statedBy: (code, describe) => code.startsWith('L89') && PRESSURE_STAGE_2_UP.test(describe()),
  },
  {
    item: 'M1330',
    condition: 'a stasis ulcer',
    codes:
      'I83.0, I83.2, I87.01, I87.03, I87.31, I87.33: venous disease with ulcer; or I87.2 venous insufficiency with an L97 ulcer',
    statedTogether: ['I872', 'L97'],
    isNo: (r) => r === 0,
    isYes: (r) => r >= 1 && r <= 3,
    statedBy: (code, describe) => /^I8[37]/.test(code) && STASIS_ULCER.test(describe()),
  },
  {
    item: 'M1630',
    condition: 'an ostomy for bowel elimination',
    codes:
      'Z93.2, Z93.3 ileostomy or colostomy status; Z43.2, Z43.3 attention to them; K94.0, K94.1 their complications',
    isNo: (r) => r === 0,
    isYes: (r) => r === 1 || r === 2,
    statedBy: (code) => BOWEL_OSTOMY.has(code) || code.startsWith('K940') || code.startsWith('K941'),
  },
];

/** HH-OASIS-CONDITIONS: OASIS items that say yes or no to a condition the coded diagnoses contradict. */
export const hhOasisConditions: Rule = defineRule(
  {
    id: 'HH-OASIS-CONDITIONS',
    severity: 'query',
    title: 'OASIS items agree with the coded conditions',
    what: `On a home health chart, each OASIS item below that is answered agrees with the ICD-10-CM diagnoses: ${CONDITION_ITEMS.map((c) => `${c.item} (${c.condition}; ${c.codes})`).join('; ')}. A "no" answer with such a code coded, or a "yes" answer with none coded, opens a clinician query naming the item and the code. Unanswered items are not checked.`,
    why: 'The OASIS and the claim diagnoses describe the same patient for the same period, and reviewers (MAC medical review, RAC, UPIC) compare them: a coded stage 3 pressure ulcer that the OASIS says does not exist, or an ostomy on the OASIS with no ostomy code, means one of them is wrong. Which one is a clinical question: the clinician who did the assessment answers it, then the coder or the OASIS is corrected.',
    sources: [
      {
        tag: 'CMS',
        cite: 'CMS OASIS-E Guidance Manual items M1306 (unhealed pressure ulcer/injury at stage 2 or higher or unstageable), M1330 (stasis ulcer), M1630 (ostomy for bowel elimination); cited from the OASIS-E item set, not from domain-rules.md',
      },
      {
        tag: 'CMS',
        cite: 'domain-rules.md §2.1: ICD-10-CM long descriptions (FY2022 order file via icd10us), which name the stage of each L89 code and the ulcer of each venous code',
      },
      {
        tag: 'codetrail',
        cite: 'severity query: the assessment or the coding is wrong, and only the assessing clinician can say which',
      },
    ],
    limits:
      'Three items only (pressure ulcers, stasis ulcers, bowel ostomy). Not checked: surgical wounds (M1340), urinary catheters (M1610), the ulcer counts and stages item by item (M1311, M1324), and whether the OASIS assessment date falls in the period the chart bills.',
  },
  (chart, tables, finding) => {
    if (chart.lineOfBusiness !== 'home_health') return [];
    const items = chart.oasis?.items ?? {};
    const findings: Finding[] = [];
    // The ICD-10-CM codes normalised once for the three items, and only when one is answered.
    let codes: (string | undefined)[] | undefined;
    for (const c of CONDITION_ITEMS) {
      const raw = items[c.item];
      // An unanswered item (undefined) reads "undefined": no response either.
      if (!/^\s*\d{1,2}\s*$/.test(String(raw))) continue;
      const response = Number(raw);
      codes ??= chart.diagnoses.map((d) =>
        d.system === 'ICD-10-CM' ? normaliseIcd10Code(d.code) : undefined,
      );
      const coded = codedIndexes(codes, tables.icd10cm, c);
      if (c.isNo(response)) {
        chart.diagnoses.forEach((d, i) => {
          if (!coded.has(i)) return;
          findings.push(
            finding(
              `${diagnosisPath(i, 'code')}: ${codeLabel(d.code, d.system)} states ${c.condition}, but OASIS ${c.item} answers no; ask the clinician which is right, then correct the OASIS or the code`,
              diagnosisPath(i, 'code'),
            ),
          );
        });
      }
      if (c.isYes(response) && coded.size === 0) {
        findings.push(
          finding(
            `oasis.items.${c.item}: the OASIS reports ${c.condition}, but no diagnosis codes it (${c.codes}); ask the clinician to document it for coding, or correct the OASIS`,
            `oasis.items.${c.item}`,
          ),
        );
      }
    }
    return findings;
  },
);

/** Which diagnoses (by index; `codes` normalised, undefined for another system) state the item's condition. */
function codedIndexes(
  codes: readonly (string | undefined)[],
  icd10cm: Icd10Table,
  c: ConditionItem,
): Set<number> {
  const indexes = new Set<number>();
  const together = c.statedTogether;
  const pair: [number[], number[]] = [[], []];
  codes.forEach((code, i) => {
    if (code === undefined) return;
    // Stryker disable next-line StringLiteral: a code the table lacks has no description, and no replacement text starts like a pressure or stasis ulcer description either
    if (c.statedBy(code, () => icd10cm.lookup(code)?.description ?? '')) indexes.add(i);
    else if (together && code.startsWith(together[0])) pair[0].push(i);
    else if (together && code.startsWith(together[1])) pair[1].push(i);
  });
  if (pair[0].length > 0 && pair[1].length > 0) for (const i of [...pair[0], ...pair[1]]) indexes.add(i);
  return indexes;
}
