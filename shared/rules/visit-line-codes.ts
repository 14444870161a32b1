import type { Chart, VisitLine } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { defineRule, type Rule } from './rule.ts';
import {
  codesFor,
  DISCIPLINE_REVENUE,
  type DisciplineRevenue,
  disciplineRevenue,
  HOME_HEALTH_SITE_CODES,
  HOSPICE_ONLY_CODES,
  hcpcsLabel,
  hospiceOnlyCode,
  isLevelOfCareRevenue,
  lineHcpcs,
  longDate,
  PDGM_HIPPS,
  PDGM_START,
  SITE_OF_SERVICE_CODES,
  VISIT_CODES,
  visitCode,
} from './visit-codes.ts';

type Report = (message: string, path: string) => void;

/** VISIT-LINE-CODES: each visit line's HCPCS fits its revenue code, discipline and line of business. */
export const visitLineCodes: Rule = defineRule(
  {
    id: 'VISIT-LINE-CODES',
    severity: 'reject',
    title: 'Visit line HCPCS matches its revenue code and discipline',
    what: 'Every visit line on a discipline revenue code (042x physical therapy, 043x occupational therapy, 044x speech-language pathology, 055x skilled nursing, 056x medical social services, 057x aide) carries a HCPCS, and that HCPCS is a visit G-code of the same discipline (042x: G0151, G0157, G0159, G2168; 043x: G0152, G0158, G0160, G2169; 044x: G0153, G0161; 055x: G0299, G0300, G0162, G0493-G0496; 056x: G0155; 057x: G0156), valid on the line date (G0154, G0163 and G0164 are retired; G2168/G2169 start 2020-01-01, G0299/G0300 2016-01-01, G0493/G0494 2017-01-01). The line discipline, when given, is that of the revenue code. Home health: a discipline line may instead carry the site-of-service code Q5001, Q5002 or Q5009; hospice-only codes G9473-G9479 are rejected; the 0023 line carries a 5-character HIPPS code, of the PDGM shape (1-4, A-L, A-C, 1-3, 1) for periods from 2020-01-01. Hospice: G9473-G9479 are accepted on any line; the maintenance-program codes (G0159, G0160, G0161, G2168, G2169) are home health only; a Q-code on a discipline line is rejected (it belongs on the level-of-care line). A visit G-code on any other revenue code is rejected, except on hospice level-of-care lines, which HOSPICE-LEVEL-OF-CARE checks. The chart model holds one HCPCS per line, so one G-code per visit is enforced by the schema.',
    why: 'Home health and hospice visits are reported per discipline on revenue codes 042x-057x with the G-code of the discipline, one G-code per visit (the service the clinician spent most time on); hospices must enter a G-code on each discipline line. A G-code on the wrong revenue code, a missing or retired G-code, or a home health claim without a valid HIPPS code is returned to the provider.',
    sources: [
      {
        tag: 'MAC',
        cite: 'domain-rules.md §2.2: Cahaba GBA hospice claim page, "hospices are required to enter the appropriate HCPC (G0151-G0156) on each discipline revenue code (042X, 043X, 044X, 055X, 056X, 057X) line"; NGS site-of-service codes Q5001, Q5002 or Q5009 on home health claims',
      },
      {
        tag: '3P',
        cite: 'domain-rules.md §2.2 and shared/data/codes/hh_hospice_hcpcs_revenue_reference.csv: G-code to revenue code pairs, settings and effective dates (CR 7182, CR 9736, CR 11721 as reported by optimabilling.com, apta.org, healthcareprovidersolutions.com, codingahead.com); one G-code per visit (codingathome.com quoting CMS Transmittal 824)',
      },
      {
        tag: 'UNATTRIB',
        cite: 'domain-rules.md §2.2: hospice-only visit codes G9473-G9479 (eCQM "Hospice Encounter" value set)',
      },
      {
        tag: '3P',
        cite: 'shared/data/pdgm/pdgm_hipps_structure.csv: PDGM HIPPS positions (AAPC, postacutetools.com, third-party code files); domain-rules.md §4: HIPPS on the 0023 line',
      },
    ],
    limits:
      'The code list is the curated subset of the research CSV, not the quarterly CMS HCPCS file. The revenue codes of G9473-G9479 are not in the research, so they are not paired. The G0164 retirement date is inferred in the CSV. Not checked: that a home health claim has exactly one 0023 line and one Q5001/Q5002/Q5009 line on its first billable visit, that the HIPPS code matches the chart grouping, or lines on revenue codes outside 042x-057x, 0023 and the hospice level-of-care codes.',
  },
  (chart, _tables, finding) => {
    const findings: Finding[] = [];
    const report: Report = (message, path) => findings.push(finding(message, path));
    chart.visits.forEach((line, i) => {
      const revenue = disciplineRevenue(line.revenueCode);
      if (revenue) checkDisciplineLine(chart, line, i, revenue, report);
      else if (line.revenueCode === '0023') checkHippsLine(chart, line, i, report);
      else checkOtherLine(chart, line, i, report);
    });
    return findings;
  },
);

/** `revenue code 0551 (skilled nursing)`: built only for a finding. */
function revenueLabel(revenueCode: string, name: string): string {
  return `revenue code ${revenueCode} (${name})`;
}

/** `expected G0299, G0300, ...`: built only for a finding. */
function expectedCodes(revenue: DisciplineRevenue, lob: Chart['lineOfBusiness']): string {
  return `expected ${codesFor(revenue, lob).join(', ')}`;
}

function checkDisciplineLine(
  chart: Chart,
  line: VisitLine,
  i: number,
  revenue: DisciplineRevenue,
  report: Report,
): void {
  const lob = chart.lineOfBusiness;
  const { discipline, name } = DISCIPLINE_REVENUE[revenue];
  const at = `visits[${i}].hcpcs`;

  const code = lineHcpcs(line);
  let checkDiscipline = true;

  if (code === undefined) {
    report(
      `${at}: the ${revenueLabel(line.revenueCode, name)} line has no HCPCS; report the G-code of the visit (${expectedCodes(revenue, lob)})`,
      at,
    );
  } else if (Object.hasOwn(HOSPICE_ONLY_CODES, code)) {
    checkDiscipline = false;
    if (lob === 'home_health')
      report(
        `${at}: ${code} (${HOSPICE_ONLY_CODES[code]}) is a hospice-only visit code; a home health line on ${revenueLabel(line.revenueCode, name)} reports ${expectedCodes(revenue, lob)}`,
        at,
      );
  } else if (Object.hasOwn(SITE_OF_SERVICE_CODES, code)) {
    if (lob === 'hospice')
      report(
        `${at}: ${code} is a site-of-service code; on a hospice claim it goes on the level-of-care line (0651, 0652, 0655, 0656), and the ${revenueLabel(line.revenueCode, name)} line reports its G-code (${expectedCodes(revenue, lob)})`,
        at,
      );
    else if (!HOME_HEALTH_SITE_CODES.includes(code))
      report(
        `${at}: ${code} (${SITE_OF_SERVICE_CODES[code]}) is a hospice site-of-service code; home health reports Q5001, Q5002 or Q5009`,
        at,
      );
  } else {
    const visit = Object.hasOwn(VISIT_CODES, code) ? VISIT_CODES[code] : undefined;
    // A code without a start date is valid from any date: a line is never dated before its own date.
    const validFrom = visit?.validFrom ?? line.date;
    if (!visit) {
      report(
        `${at}: ${hcpcsLabel(code)} is not a visit code for ${revenueLabel(line.revenueCode, name)}; ${expectedCodes(revenue, lob)}`,
        at,
      );
    } else if (visit.revenue !== revenue) {
      report(
        `${at}: ${code} (${visit.meaning}) is reported with revenue code ${visit.revenue}x (${DISCIPLINE_REVENUE[visit.revenue].name}), not on the ${revenueLabel(line.revenueCode, name)} line; correct the revenue code or the G-code`,
        at,
      );
    } else if (visit.retired !== undefined && line.date >= visit.retired.from) {
      report(
        `${at}: ${code} (${visit.meaning}) is retired for dates of service from ${longDate(visit.retired.from)}; report ${visit.retired.replacedBy}`,
        at,
      );
    } else if (line.date < validFrom) {
      report(
        `${at}: ${code} (${visit.meaning}) is valid only for dates of service from ${longDate(validFrom)}; report the G-code in force on the line date`,
        at,
      );
    } else if (visit.settings === 'home_health' && lob === 'hospice') {
      report(
        `${at}: ${code} (${visit.meaning}) is a home health-only code; a hospice ${revenueLabel(line.revenueCode, name)} line reports ${expectedCodes(revenue, lob)}`,
        at,
      );
    }
  }

  if (checkDiscipline && line.discipline !== undefined && line.discipline !== discipline) {
    report(
      `visits[${i}].discipline: discipline ${line.discipline} does not match ${revenueLabel(line.revenueCode, name)}, which is ${discipline}; correct the discipline or the revenue code`,
      `visits[${i}].discipline`,
    );
  }
}

/**
 * The 0023 line of a home health claim: a HIPPS code (PDGM shape for periods from 2020-01-01). The schema
 * caps hcpcs at 5 characters before it is upper-cased, and upper-casing can lengthen a value ('ß' is
 * 'SS'): the pattern is anchored.
 */
function checkHippsLine(chart: Chart, line: VisitLine, i: number, report: Report): void {
  if (chart.lineOfBusiness !== 'home_health') return;
  const at = `visits[${i}].hcpcs`;
  const code = lineHcpcs(line);
  if (code === undefined) {
    report(`${at}: the revenue code 0023 line has no HIPPS code; report the 5-character PDGM HIPPS code`, at);
  } else if (!/^[A-Z0-9]{5}$/.test(code)) {
    report(`${at}: the revenue code 0023 line carries a value that is not a 5-character HIPPS code`, at);
  } else if (chart.period.from >= PDGM_START && !PDGM_HIPPS.test(code)) {
    // Not echoed: a five-letter value that is not a HIPPS code could be anything.
    report(
      `${at}: the revenue code 0023 line carries a value that is not a PDGM HIPPS code (position 1: 1-4, 2: A-L, 3: A-C, 4: 1-3, 5: 1)`,
      at,
    );
  }
}

/** Any other revenue code: a visit G-code does not belong there (hospice level-of-care lines excepted). */
function checkOtherLine(chart: Chart, line: VisitLine, i: number, report: Report): void {
  if (chart.lineOfBusiness === 'hospice' && isLevelOfCareRevenue(line.revenueCode)) return;
  // A line without a HCPCS (undefined) is in neither table below.
  const code = lineHcpcs(line);
  const at = `visits[${i}].revenueCode`;
  const hospiceOnly = hospiceOnlyCode(code);
  if (hospiceOnly !== undefined) {
    if (chart.lineOfBusiness === 'home_health')
      report(
        `visits[${i}].hcpcs: ${code} (${hospiceOnly}) is a hospice-only visit code; a home health claim cannot report it`,
        `visits[${i}].hcpcs`,
      );
    return;
  }
  const visit = visitCode(code);
  if (visit)
    report(
      `${at}: ${code} (${visit.meaning}) is reported with revenue code ${visit.revenue}x (${DISCIPLINE_REVENUE[visit.revenue].name}), not with revenue code ${line.revenueCode}`,
      at,
    );
}
