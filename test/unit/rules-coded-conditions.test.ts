import { describe, expect, it } from 'vitest';
import { parseCodeList } from '#shared/data/code-list.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { dxExternalCausePrincipal } from '#shared/rules/dx-external-cause.ts';
import { dxManifestationPrincipal } from '#shared/rules/dx-manifestation.ts';
import { hhDiagnosisServices } from '#shared/rules/hh-diagnosis-services.ts';
import { hhOasisConditions } from '#shared/rules/hh-oasis-conditions.ts';
import { hhOasisTiming } from '#shared/rules/hh-oasis-timing.ts';
import { hospicePrincipal } from '#shared/rules/hospice-principal.ts';
import { hospiceRelatedConditions } from '#shared/rules/hospice-related-conditions.ts';
import { hospiceSymptomPrincipal } from '#shared/rules/hospice-symptom-principal.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice, dx } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const FUNCTIONAL = cleanHomeHealth().oasis?.items ?? {};
/** The clean home health period with its diagnoses and extra OASIS answers. */
const hh = (codes: string[], items: Record<string, string>) =>
  cleanHomeHealth({ diagnoses: dx(...codes), oasis: { items: { ...FUNCTIONAL, ...items } } });

describe('HH-OASIS-CONDITIONS', () => {
  const check = (codes: string[], items: Record<string, string>) =>
    hhOasisConditions.check(hh(codes, items), tables);

  it.each([
    ['a stage 3 pressure ulcer', ['L89.153', 'I10'], { M1306: '1' }],
    ['an unstageable pressure ulcer', ['L89.150', 'I10'], { M1306: '1' }],
    ['deep tissue damage', ['L89.156', 'I10'], { M1306: '1' }],
    ['a stage 1 pressure ulcer, which M1306 excludes', ['L89.151', 'I10'], { M1306: '0' }],
    ['a venous stasis ulcer', ['I83.013', 'L97.319'], { M1330: '01' }],
    ['venous insufficiency with a lower-limb ulcer', ['I87.2', 'L97.319'], { M1330: '02' }],
    ['varicose veins without ulcer', ['I83.91', 'I10'], { M1330: '00' }],
    ['a colostomy', ['Z93.3', 'C18.9'], { M1630: '02' }],
    ['unanswered items', ['L89.153', 'Z93.3'], {}],
    ['an answer that is not a number', ['L89.153', 'I10'], { M1306: 'UK' }],
  ])('agrees with %s', (_name, codes, items) => {
    expect(check(codes, items)).toEqual([]);
  });

  it('queries a coded stage 2+ pressure ulcer the OASIS says is not there, naming code and item', () => {
    const findings = check(['I69.351', 'L89.153', 'L89.154'], { M1306: '0' });
    expect(findings).toEqual([
      {
        ruleId: 'HH-OASIS-CONDITIONS',
        severity: 'query',
        path: 'diagnoses[1].code',
        message:
          'diagnoses[1].code: L89.153 states an unhealed pressure ulcer/injury at stage 2 or higher, or unstageable, but OASIS M1306 answers no; ask the clinician which is right, then correct the OASIS or the code',
      },
      expect.objectContaining({ path: 'diagnoses[2].code' }),
    ]);
    expectNoPhi(findings);
  });

  it('queries an OASIS yes with no code for it', () => {
    const findings = check(['I69.351', 'I10'], { M1306: '1', M1330: '03', M1630: '01' });
    expect(findings.map((f) => f.path)).toEqual([
      'oasis.items.M1306',
      'oasis.items.M1330',
      'oasis.items.M1630',
    ]);
    expect(findings[2]?.message).toContain(
      'the OASIS reports an ostomy for bowel elimination, but no diagnosis codes it',
    );
  });

  it('queries venous insufficiency with an ulcer the OASIS denies, but not either code alone', () => {
    expect(check(['I87.2', 'L97.319'], { M1330: '00' }).map((f) => f.path)).toEqual([
      'diagnoses[0].code',
      'diagnoses[1].code',
    ]);
    expect(check(['I87.2', 'I10'], { M1330: '00' })).toEqual([]);
    expect(check(['I87.2', 'I10'], { M1330: '01' }).map((f) => f.path)).toEqual(['oasis.items.M1330']);
  });

  it('queries a coded ostomy and stasis ulcer the OASIS denies', () => {
    const findings = check(['I87.311', 'Z93.2'], { M1330: '00', M1630: '0' });
    expect(findings.map((f) => f.path)).toEqual(['diagnoses[0].code', 'diagnoses[1].code']);
  });

  it('leaves hospice charts alone', () => {
    const chart = cleanHospice({ oasis: { items: { M1306: '1' } } });
    expect(hhOasisConditions.check(chart, tables)).toEqual([]);
  });
});

describe('HH-DX-SERVICES', () => {
  it('warns once per diagnosis no skilled order addresses, and for an order naming a missing sequence', () => {
    const chart = cleanHomeHealth({
      diagnoses: dx('I69.351', 'I10', 'E11.9'),
      orders: [
        { discipline: 'PT', diagnoses: [1] },
        { discipline: 'AIDE', diagnoses: [2] },
        { discipline: 'SN', diagnoses: [9] },
      ],
    });
    const findings = hhDiagnosisServices.check(chart, tables);
    expect(findings.map((f) => [f.path, f.severity])).toEqual([
      ['orders[2].diagnoses', 'warn'],
      ['diagnoses[1].code', 'warn'],
      ['diagnoses[2].code', 'warn'],
    ]);
    expect(findings[1]?.message).toBe(
      'diagnoses[1].code: I10 (sequence 2) is not addressed by any ordered skilled service (SN, PT, OT, SLP) on the plan of care; link it to an order or confirm it affects care',
    );
    expectNoPhi(findings);
  });

  it('does not check orders that name no diagnosis at all: the export does not carry the links', () => {
    const chart = cleanHomeHealth({
      orders: [
        { discipline: 'SN', diagnoses: [] },
        { discipline: 'PT', diagnoses: [] },
      ],
    });
    expect(hhDiagnosisServices.check(chart, tables)).toEqual([]);
  });

  it('does not check a chart whose export carries no orders, or a hospice chart', () => {
    expect(hhDiagnosisServices.check(cleanHomeHealth(), tables)).toEqual([]);
    expect(hhDiagnosisServices.check(cleanHospice({ orders: [] }), tables)).toEqual([]);
  });
});

describe('principal diagnosis: external causes, hospice symptoms, hospice related conditions', () => {
  it('DX-EXTERNAL-CAUSE-PRINCIPAL rejects V00-Y99 first on either line of business', () => {
    for (const chart of [
      cleanHomeHealth({ diagnoses: dx('W19.XXXD', 'S72.001D') }),
      cleanHospice({ diagnoses: dx('Y92.009', 'G30.1') }),
    ]) {
      const findings = dxExternalCausePrincipal.check(chart, tables);
      expect(findings).toMatchObject([{ severity: 'reject', path: 'diagnoses[0].code' }]);
      expectNoPhi(findings);
    }
    expect(
      dxExternalCausePrincipal.check(cleanHomeHealth({ diagnoses: dx('S72.001D', 'W19.XXXD') }), tables),
    ).toEqual([]);
  });

  it('HOSPICE-SYMPTOM-PRINCIPAL queries an R-code principal, but not R54/R62.7 (HOSPICE-PRINCIPAL rejects those)', () => {
    const findings = hospiceSymptomPrincipal.check(
      cleanHospice({ diagnoses: dx('R63.4', 'C34.90') }),
      tables,
    );
    expect(findings).toEqual([
      {
        ruleId: 'HOSPICE-SYMPTOM-PRINCIPAL',
        severity: 'query',
        path: 'diagnoses[0].code',
        message:
          'diagnoses[0].code: R63.4 is a symptom or sign code (R00-R99); ask the hospice physician for the terminal diagnosis behind it, code that first and keep the symptom after it if it is not integral to it',
      },
    ]);
    expect(hospiceSymptomPrincipal.check(cleanHospice({ diagnoses: dx('R62.7', 'G30.1') }), tables)).toEqual(
      [],
    );
    expect(
      hospiceSymptomPrincipal.check(cleanHomeHealth({ diagnoses: dx('R26.89', 'I10') }), tables),
    ).toEqual([]);
  });

  it('HOSPICE-RELATED-CONDITIONS warns when the principal is coded alone', () => {
    expect(hospiceRelatedConditions.check(cleanHospice({ diagnoses: dx('C34.90') }), tables)).toMatchObject([
      { severity: 'warn', path: 'diagnoses' },
    ]);
    expect(hospiceRelatedConditions.check(cleanHospice({ diagnoses: [] }), tables)).toEqual([]);
  });
});

describe('principal diagnosis rules on the loaded code lists', () => {
  const cms = parseCodeList('R53.81\tOther malaise\nG31.1\n', { version: 'CR13950' });
  const codeFirst = parseCodeList('E08\tDiabetes due to underlying condition\n', { version: 'FY2026' });

  it('HOSPICE-PRINCIPAL rejects a code on the loaded list, naming the list, and R54/R62.7 without one', () => {
    const chart = cleanHospice({ diagnoses: dx('R53.81', 'C34.90') });
    expect(hospicePrincipal.check(chart, { ...tables, hospicePrincipal: cms })).toEqual([
      {
        ruleId: 'HOSPICE-PRINCIPAL',
        severity: 'reject',
        path: 'diagnoses[0].code',
        message:
          'diagnoses[0].code: R53.81 (on the unacceptable hospice principal list CR13950: Other malaise) cannot be the principal hospice diagnosis, Medicare returns the claim; code the terminal condition first and keep R53.81 as an additional diagnosis',
      },
    ]);
    expect(hospicePrincipal.check(chart, tables)).toEqual([]);
    // A listed symptom code is HOSPICE-PRINCIPAL's alone: no query on top of the rejection.
    expect(hospiceSymptomPrincipal.check(chart, { ...tables, hospicePrincipal: cms })).toEqual([]);
    expect(hospicePrincipal.check(cleanHospice({ diagnoses: dx('R62.7', 'G30.1') }), tables)).toMatchObject([
      { severity: 'reject' },
    ]);
  });

  it('DX-MANIFESTATION-PRINCIPAL rejects a code-first code by the loaded list, whatever its title', () => {
    const chart = cleanHomeHealth({ diagnoses: dx('E08.22', 'N18.30') });
    const findings = dxManifestationPrincipal.check(chart, { ...tables, codeFirst });
    expect(findings).toEqual([
      {
        ruleId: 'DX-MANIFESTATION-PRINCIPAL',
        severity: 'reject',
        path: 'diagnoses[0].code',
        message:
          'diagnoses[0].code: E08.22 carries a "code first" note (code-first list FY2026: Diabetes due to underlying condition) and cannot be the principal diagnosis; code the underlying condition first',
      },
    ]);
    expect(dxManifestationPrincipal.check(chart, tables)).toEqual([]);
    expectNoPhi(findings);
  });
});

describe('HH-OASIS-TIMING', () => {
  const withOasis = (assessmentDate: string, reasonForAssessment?: string, admission?: { date: string }) =>
    cleanHomeHealth({
      ...(admission
        ? { admission: { ...admission, source: 'community' as const, timing: 'late' as const } }
        : {}),
      oasis: { assessmentDate, ...(reasonForAssessment ? { reasonForAssessment } : {}), items: FUNCTIONAL },
    });

  it('queries a start-of-care assessment outside its 5 days, naming the distance, never the date', () => {
    const findings = hhOasisTiming.check(withOasis('2022-03-09', '01'), tables);
    expect(findings).toEqual([
      {
        ruleId: 'HH-OASIS-TIMING',
        severity: 'query',
        path: 'oasis.assessmentDate',
        message:
          'oasis.assessmentDate: the start-of-care OASIS (RFA 01) is dated 8 days after the start of care; it is due from the start of care to 5 days after it, ask the clinician to confirm the assessment date',
      },
    ]);
    expectNoPhi(findings);
    expect(hhOasisTiming.check(withOasis('2022-02-27', '1'), tables)[0]?.message).toContain(
      'before the start of care',
    );
  });

  it('accepts the recertification of the certification period, and queries the assessment before it', () => {
    // The third 30-day period (2022-03-01) of an admission on 2021-12-31 opens the second certification
    // period: its assessment is the recertification of 2022-02-24..2022-02-28.
    const admission = { date: '2021-12-31' };
    expect(hhOasisTiming.check(withOasis('2022-02-24', '04', admission), tables)).toEqual([]);
    const early = hhOasisTiming.check(withOasis('2022-02-23', '04', admission), tables);
    expect(early.map((f) => f.message)).toEqual([
      expect.stringContaining('is 1 days older than the earliest'),
    ]);
    const soc = hhOasisTiming.check(withOasis('2021-12-31', '01', admission), tables);
    expect(soc.map((f) => f.message)).toEqual([
      expect.stringContaining('is 55 days older than the earliest'),
    ]);
    // The second 30-day period of the first certification period: the start-of-care assessment covers it.
    expect(hhOasisTiming.check(withOasis('2022-01-30', '01', { date: '2022-01-30' }), tables)).toEqual([]);
  });

  it('without a start of care, accepts an assessment up to 35 days before the period', () => {
    const noSoc = (assessmentDate: string) =>
      cleanHomeHealth({ admission: {}, oasis: { assessmentDate, items: FUNCTIONAL } });
    expect(hhOasisTiming.check(noSoc('2022-01-25'), tables)).toEqual([]);
    expect(hhOasisTiming.check(noSoc('2022-01-24'), tables)).toMatchObject([
      { path: 'oasis.assessmentDate' },
    ]);
  });

  it('queries an assessment dated after the period, and leaves charts without a date to HH-OASIS-DOC', () => {
    expect(hhOasisTiming.check(withOasis('2022-04-02'), tables)).toMatchObject([
      { path: 'oasis.assessmentDate' },
    ]);
    expect(hhOasisTiming.check(cleanHomeHealth({ oasis: { items: FUNCTIONAL } }), tables)).toEqual([]);
    expect(
      hhOasisTiming.check(cleanHospice({ oasis: { assessmentDate: '2000-01-01', items: {} } }), tables),
    ).toEqual([]);
  });
});

describe('CODE-TABLES on imported code lists', () => {
  it('warns when the nearest imported hospice list is not in force, on hospice charts only', async () => {
    const { codeTablesInForce } = await import('#shared/rules/code-tables-in-force.ts');
    const withMissing = { ...tables, missing: ['hospice-principal list', 'code-first list'] };
    expect(codeTablesInForce.check(cleanHospice(), withMissing).map((f) => f.message)).toEqual([
      expect.stringContaining('no imported hospice-principal list is in force'),
      expect.stringContaining('no imported code-first list is in force'),
    ]);
    expect(codeTablesInForce.check(cleanHomeHealth(), withMissing).map((f) => f.message)).toEqual([
      expect.stringContaining('no imported code-first list is in force'),
    ]);
  });
});
