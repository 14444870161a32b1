import type { LineOfBusiness, VisitLine } from '#shared/model/chart.ts';

/**
 * The home health and hospice visit-line code tables the VISIT-LINE-* and HOSPICE-* rules read.
 *
 * Facts are copied by hand from the research reference file
 * `shared/data/codes/hh_hospice_hcpcs_revenue_reference.csv` (the row for each code is named below;
 * its evidence column names the third-party and MAC pages) and `shared/research/domain-rules.md`
 * §2.2 and §3. Nothing here is read at runtime. HCPCS changes quarterly: this is a curated subset, not
 * the CMS HCPCS file.
 */

/** Disciplines of visit lines, as the chart's VisitLine.discipline names them. */
export type VisitDiscipline = 'PT' | 'OT' | 'SLP' | 'SN' | 'MSS' | 'AIDE';

/** The first three digits of a discipline revenue code (042x ... 057x). */
export type DisciplineRevenue = '042' | '043' | '044' | '055' | '056' | '057';

/** Discipline revenue codes and their discipline (CSV rows 042x, 043x, 044x, 055x, 056x, 057x). */
export const DISCIPLINE_REVENUE: Readonly<
  Record<DisciplineRevenue, { discipline: VisitDiscipline; name: string }>
> = {
  '042': { discipline: 'PT', name: 'physical therapy' },
  '043': { discipline: 'OT', name: 'occupational therapy' },
  '044': { discipline: 'SLP', name: 'speech-language pathology' },
  '055': { discipline: 'SN', name: 'skilled nursing' },
  '056': { discipline: 'MSS', name: 'medical social services' },
  '057': { discipline: 'AIDE', name: 'home health aide' },
};

/** A visit G-code: the revenue group it is reported with, where it may be billed, when it is valid. */
export interface VisitCode {
  revenue: DisciplineRevenue;
  /** What the code is, in a few words (from the CSV descriptor). */
  meaning: string;
  /** `both`: the descriptor says "home health or hospice setting"; `home_health`: home health only. */
  settings: 'both' | 'home_health';
  /** First date of service the code is valid for (YYYY-MM-DD), when the CSV gives one. */
  validFrom?: string;
  /** A retired code: the first date of service it is no longer valid for, and what replaced it. */
  retired?: { from: string; replacedBy: string };
}

/**
 * Home health / hospice visit G-codes, one row per CSV row of `hh_hospice_hcpcs_revenue_reference.csv`
 * (setting home_health, revenue 042x-057x, and the three retired rows). `settings` follows each row's
 * descriptor: the maintenance-program codes (G0159, G0160, G0161, G2168, G2169) say "in the home
 * health setting" only; CR 11721 (via optimabilling.com / apta.org) says to report G2168/G2169 on home
 * health claims (TOB 032x) for dates of service from 2020-01-01. The hospice rows of the CSV allow
 * "G0151-G0156 and nursing G-codes" on hospice discipline lines (Cahaba GBA, domain-rules.md §2.2).
 */
export const VISIT_CODES: Readonly<Record<string, VisitCode>> = {
  // 042x physical therapy
  G0151: { revenue: '042', meaning: 'physical therapist', settings: 'both' },
  G0157: { revenue: '042', meaning: 'physical therapist assistant', settings: 'both' },
  G0159: { revenue: '042', meaning: 'physical therapy maintenance program', settings: 'home_health' },
  G2168: {
    revenue: '042',
    meaning: 'physical therapist assistant, maintenance program',
    settings: 'home_health',
    validFrom: '2020-01-01',
  },
  // 043x occupational therapy
  G0152: { revenue: '043', meaning: 'occupational therapist', settings: 'both' },
  G0158: { revenue: '043', meaning: 'occupational therapist assistant', settings: 'both' },
  G0160: { revenue: '043', meaning: 'occupational therapy maintenance program', settings: 'home_health' },
  G2169: {
    revenue: '043',
    meaning: 'occupational therapist assistant, maintenance program',
    settings: 'home_health',
    validFrom: '2020-01-01',
  },
  // 044x speech-language pathology
  G0153: { revenue: '044', meaning: 'speech-language pathologist', settings: 'both' },
  G0161: {
    revenue: '044',
    meaning: 'speech-language pathology maintenance program',
    settings: 'home_health',
  },
  // 055x skilled nursing (G0299/G0300 from 2016-01-01, G0493/G0494 from 2017-01-01: CSV status_note)
  G0299: { revenue: '055', meaning: 'direct skilled nursing, RN', settings: 'both', validFrom: '2016-01-01' },
  G0300: {
    revenue: '055',
    meaning: 'direct skilled nursing, LPN',
    settings: 'both',
    validFrom: '2016-01-01',
  },
  G0162: { revenue: '055', meaning: 'RN management and evaluation of the plan of care', settings: 'both' },
  G0493: {
    revenue: '055',
    meaning: 'RN observation and assessment',
    settings: 'both',
    validFrom: '2017-01-01',
  },
  G0494: {
    revenue: '055',
    meaning: 'LPN observation and assessment',
    settings: 'both',
    validFrom: '2017-01-01',
  },
  G0495: { revenue: '055', meaning: 'RN training and education', settings: 'both' },
  G0496: { revenue: '055', meaning: 'LPN training and education', settings: 'both' },
  // 056x medical social services, 057x aide
  G0155: { revenue: '056', meaning: 'clinical social worker', settings: 'both' },
  G0156: { revenue: '057', meaning: 'home health or hospice aide', settings: 'both' },
  // Retired nursing codes (CSV rows "(retired)"; the G0164 retirement date is inferred in the CSV)
  G0154: {
    revenue: '055',
    meaning: 'direct skilled nursing, LPN or RN',
    // Stryker disable next-line StringLiteral: a retired code is reported as retired before its setting is read, and no list holds it
    settings: 'both',
    retired: { from: '2016-01-01', replacedBy: 'G0299/G0300' },
  },
  G0163: {
    revenue: '055',
    meaning: 'observation and assessment, LPN or RN',
    // Stryker disable next-line StringLiteral: a retired code is reported as retired before its setting is read, and no list holds it
    settings: 'both',
    retired: { from: '2017-01-01', replacedBy: 'G0493/G0494' },
  },
  G0164: {
    revenue: '055',
    meaning: 'training and education, LPN or RN',
    // Stryker disable next-line StringLiteral: a retired code is reported as retired before its setting is read, and no list holds it
    settings: 'both',
    retired: { from: '2017-01-01', replacedBy: 'G0495/G0496' },
  },
};

/**
 * Hospice-only visit codes G9473-G9479, each 15 minutes (CSV rows setting hospice, "(visit line)";
 * descriptors from the eCQM "Hospice Encounter" value set, [UNATTRIB] in domain-rules.md §2.2). The
 * CSV gives no revenue code for them, so no pairing is checked.
 */
export const HOSPICE_ONLY_CODES: Readonly<Record<string, string>> = {
  G9473: 'chaplain',
  G9474: 'dietary counselor',
  G9475: 'other counselor',
  G9476: 'volunteer',
  G9477: 'care coordinator',
  G9478: 'other qualified therapist',
  G9479: 'qualified pharmacist',
};

/**
 * Site-of-service codes. Hospice: Q5001-Q5010 on every level-of-care line (Cahaba GBA quote in
 * domain-rules.md §2.2; CSV rows 0651/0652/0655/0656 "Q5001-Q5010"). Home health: Q5001, Q5002 or
 * Q5009, one unit, on the revenue code and date of the first billable visit (NGS quote in §2.2; CSV
 * rows "same as first billable visit line").
 */
export const SITE_OF_SERVICE_CODES: Readonly<Record<string, string>> = {
  Q5001: "patient's home or residence",
  Q5002: 'assisted living facility',
  Q5003: 'nursing long term care facility or non-skilled nursing facility',
  Q5004: 'skilled nursing facility',
  Q5005: 'inpatient hospital',
  Q5006: 'inpatient hospice facility',
  Q5007: 'long term care facility',
  Q5008: 'inpatient psychiatric facility',
  Q5009: 'place not otherwise specified',
  Q5010: 'hospice home care provided in a hospice facility',
};
export const HOME_HEALTH_SITE_CODES: readonly string[] = ['Q5001', 'Q5002', 'Q5009'];

// Keyed by a line's HCPCS as lineHcpcs gives it: a line without one (undefined) is in neither set.
const SITE_CODES: ReadonlySet<string | undefined> = new Set(Object.keys(SITE_OF_SERVICE_CODES));
const HOME_HEALTH_SITES: ReadonlySet<string | undefined> = new Set(HOME_HEALTH_SITE_CODES);

const VISIT_CODE_ENTRIES: ReadonlyMap<string | undefined, VisitCode> = new Map(Object.entries(VISIT_CODES));
const HOSPICE_ONLY_ENTRIES: ReadonlyMap<string | undefined, string> = new Map(
  Object.entries(HOSPICE_ONLY_CODES),
);

/** The visit G-code a line's HCPCS (undefined: none) names, if it names one. */
export function visitCode(code: string | undefined): VisitCode | undefined {
  return VISIT_CODE_ENTRIES.get(code);
}

/** The descriptor of the hospice-only visit code a line's HCPCS (undefined: none) names, if it names one. */
export function hospiceOnlyCode(code: string | undefined): string | undefined {
  return HOSPICE_ONLY_ENTRIES.get(code);
}

/** Whether a line's HCPCS (undefined: none) is a site-of-service code, Q5001-Q5010. */
export function isSiteOfServiceCode(code: string | undefined): boolean {
  return SITE_CODES.has(code);
}

/** Whether a line's HCPCS (undefined: none) is one of the home health site-of-service codes. */
export function isHomeHealthSiteCode(code: string | undefined): boolean {
  return HOME_HEALTH_SITES.has(code);
}

/** Hospice level-of-care revenue codes (CSV rows 0651, 0652, 0655, 0656; NGS level-of-care job aids). */
export const LEVEL_OF_CARE_REVENUE = {
  '0651': { level: 'routine', name: 'routine home care' },
  '0652': { level: 'continuous', name: 'continuous home care' },
  '0655': { level: 'respite', name: 'inpatient respite care' },
  '0656': { level: 'generalInpatient', name: 'general inpatient care' },
} as const;
export type LevelOfCareRevenue = keyof typeof LEVEL_OF_CARE_REVENUE;

export function isLevelOfCareRevenue(revenueCode: string): revenueCode is LevelOfCareRevenue {
  return Object.hasOwn(LEVEL_OF_CARE_REVENUE, revenueCode);
}

/** The discipline revenue group of a revenue code (`0551` -> `055`), or undefined for other codes. */
export function disciplineRevenue(revenueCode: string): DisciplineRevenue | undefined {
  const group = revenueCode.slice(0, 3);
  return Object.hasOwn(DISCIPLINE_REVENUE, group) ? (group as DisciplineRevenue) : undefined;
}

/** The line's HCPCS, trimmed and upper-cased; undefined when absent or blank. */
export function lineHcpcs(line: VisitLine): string | undefined {
  // No fast path for clean codes: it saved a few nanoseconds a line and gave the same answer.
  const code = line.hcpcs?.trim().toUpperCase();
  return code ? code : undefined;
}

/**
 * The HCPCS as a finding may print it, or undefined. The field is free text from the EMR, so only a
 * Level II shape (letter and four digits, `G0299`) or a CPT shape (four digits and a digit or letter)
 * is echoed: a five-letter word, which could be a name, never is.
 */
export function printableHcpcs(code: string | undefined): string | undefined {
  return code?.match(/^(?:[A-Z]\d{4}|\d{4}[A-Z0-9])$/) ? code : undefined;
}

/** `G0299`, or a description of a value that repeats nothing of it. */
export function hcpcsLabel(code: string | undefined): string {
  return printableHcpcs(code) ?? 'a value that is not shaped like a HCPCS code';
}

/**
 * A PDGM HIPPS code (periods from 2020-01-01): position 1 admission source and timing 1-4, 2 clinical
 * group A-L, 3 functional level A-C, 4 comorbidity adjustment 1-3, 5 always 1. From
 * `shared/data/pdgm/pdgm_hipps_structure.csv` (third-party sources; 4 x 12 x 3 x 3 = the 432 PDGM groups
 * of domain-rules.md §1.1).
 */
export const PDGM_HIPPS = /^[1-4][A-L][A-C][1-3]1$/;
export const PDGM_START = '2020-01-01';

/**
 * The G-codes each discipline revenue code takes on a chart of each line of business, in table order:
 * built once, when the module loads (every discipline revenue code has codes for both lines).
 */
const CODES_FOR: ReadonlyMap<string, readonly string[]> = (() => {
  const lists = new Map<string, string[]>();
  for (const [code, c] of Object.entries(VISIT_CODES)) {
    if (c.retired !== undefined) continue;
    const lines: LineOfBusiness[] = c.settings === 'both' ? ['home_health', 'hospice'] : ['home_health'];
    for (const lob of lines)
      lists.set(`${c.revenue}|${lob}`, [...(lists.get(`${c.revenue}|${lob}`) ?? []), code]);
  }
  return lists;
})();

/** The G-codes a discipline revenue code takes for a line of business. */
export function codesFor(revenue: DisciplineRevenue, lineOfBusiness: LineOfBusiness): readonly string[] {
  return CODES_FOR.get(`${revenue}|${lineOfBusiness}`) as readonly string[];
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (the schema guarantees the shape). Pure: no clock. */
export function dayNumber(isoDate: string): number {
  // Days since 1970-01-01 by civil-calendar arithmetic (H. Hinnant's days_from_civil): no Date objects
  // on this hot path, and any year, 0022 included, means what it says.
  let y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  const d = Number(isoDate.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * A rule's own effective date (never a date of service) as words, `January 1, 2016`, so that a finding
 * never carries a YYYY-MM-DD value that could be mistaken for, or collide with, a chart date.
 */
export function longDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  // Stryker disable next-line StringLiteral: rules call this with their own valid dates only, so every month is in MONTHS and the fallback is never read
  const month = MONTHS[(m ?? 1) - 1] ?? '';
  return `${month} ${d}, ${y}`;
}
