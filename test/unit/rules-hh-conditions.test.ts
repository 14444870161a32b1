import { describe, expect, it } from 'vitest';
import { loadIcd10cm, parseIcd10Tsv } from '#shared/data/icd10cm.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import { hhDiagnosisServices } from '#shared/rules/hh-diagnosis-services.ts';
import { CONDITION_ITEMS, hhOasisConditions } from '#shared/rules/hh-oasis-conditions.ts';
import { expectNoPhi } from '../support/expect-no-phi.ts';
import { cleanHomeHealth, cleanHospice, dx } from '../support/rule-charts.ts';

const tables = { icd10cm: loadIcd10cm() };
const FUNCTIONAL = cleanHomeHealth().oasis?.items ?? {};

describe('HH-OASIS-CONDITIONS', () => {
  const check = (diagnoses: ChartInput['diagnoses'], items: Record<string, string>) =>
    hhOasisConditions.check(
      cleanHomeHealth({ diagnoses, oasis: { items: { ...FUNCTIONAL, ...items } } }),
      tables,
    );
  const paths = (diagnoses: ChartInput['diagnoses'], items: Record<string, string>) =>
    check(diagnoses, items).map((f) => f.path);

  it('checks the three items, in order: pressure ulcers, stasis ulcers, bowel ostomy', () => {
    expect(CONDITION_ITEMS.map((c) => c.item)).toEqual(['M1306', 'M1330', 'M1630']);
  });

  it('names the item, the condition and the codes that would state it when the OASIS says yes', () => {
    const findings = check(dx('I69.351'), { M1306: '1', M1330: '1', M1630: '2' });
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'oasis.items.M1306',
        'oasis.items.M1306: the OASIS reports an unhealed pressure ulcer/injury at stage 2 or higher, or unstageable, but no diagnosis codes it (L89 stage 2-4, unstageable or deep tissue damage); ask the clinician to document it for coding, or correct the OASIS',
      ],
      [
        'oasis.items.M1330',
        'oasis.items.M1330: the OASIS reports a stasis ulcer, but no diagnosis codes it (I83.0, I83.2, I87.01, I87.03, I87.31, I87.33: venous disease with ulcer; or I87.2 venous insufficiency with an L97 ulcer); ask the clinician to document it for coding, or correct the OASIS',
      ],
      [
        'oasis.items.M1630',
        'oasis.items.M1630: the OASIS reports an ostomy for bowel elimination, but no diagnosis codes it (Z93.2, Z93.3 ileostomy or colostomy status; Z43.2, Z43.3 attention to them; K94.0, K94.1 their complications); ask the clinician to document it for coding, or correct the OASIS',
      ],
    ]);
    expect(findings.every((f) => f.ruleId === 'HH-OASIS-CONDITIONS' && f.severity === 'query')).toBe(true);
    expectNoPhi(findings);
  });

  it('names the code and the item when the OASIS says no to a coded condition', () => {
    const findings = check(dx('I69.351', 'Z43.3', 'K94.12'), { M1630: '00' });
    expect(findings.map((f) => f.message)).toEqual([
      'diagnoses[1].code: Z43.3 states an ostomy for bowel elimination, but OASIS M1630 answers no; ask the clinician which is right, then correct the OASIS or the code',
      'diagnoses[2].code: K94.12 states an ostomy for bowel elimination, but OASIS M1630 answers no; ask the clinician which is right, then correct the OASIS or the code',
    ]);
    expectNoPhi(findings);
  });

  it.each([
    ['L89.152', 'stage 2'],
    ['L89.154', 'stage 4'],
    ['L89.000', 'unstageable'],
    ['L89.156', 'deep tissue damage'],
  ])('reads %s (%s) as a pressure ulcer M1306 counts', (code) => {
    expect(paths(dx('I69.351', code), { M1306: '0' })).toEqual(['diagnoses[1].code']);
    expect(paths(dx('I69.351', code), { M1306: '1' })).toEqual([]);
  });

  it.each([
    ['L89.151', 'stage 1'],
    ['L89.159', 'unspecified stage'],
    ['L97.319', 'a non-pressure ulcer'],
  ])('does not read %s (%s) as one', (code) => {
    expect(paths(dx('I69.351', code), { M1306: '0' })).toEqual([]);
    expect(paths(dx('I69.351', code), { M1306: '1' })).toEqual(['oasis.items.M1306']);
  });

  it.each([
    ['I83.013', 'varicose veins with ulcer'],
    ['I83.219', 'varicose veins with ulcer and inflammation'],
    ['I87.011', 'postthrombotic syndrome with ulcer'],
    ['I87.333', 'chronic venous hypertension with ulcer'],
  ])('reads %s (%s) as a stasis ulcer M1330 counts', (code) => {
    expect(paths(dx('I69.351', code), { M1330: '0' })).toEqual(['diagnoses[1].code']);
    expect(paths(dx('I69.351', code), { M1330: '3' })).toEqual([]);
  });

  it('reads venous insufficiency as a stasis ulcer only together with an L97 ulcer, in either order', () => {
    expect(paths(dx('L97.319', 'I69.351', 'I87.2'), { M1330: '0' })).toEqual([
      'diagnoses[0].code',
      'diagnoses[2].code',
    ]);
    expect(paths(dx('I69.351', 'L97.319'), { M1330: '0' })).toEqual([]);
    expect(paths(dx('I83.891', 'L97.319'), { M1330: '2' })).toEqual(['oasis.items.M1330']);
  });

  it('pairs venous insufficiency coded deeper than I87.2 with an L97 ulcer too', () => {
    // Not in FY2022, where I87.2 has no subcodes: a later table (or a typo DX-EXISTS reports) may carry one.
    expect(paths(dx('I87.20', 'L97.319'), { M1330: '0' })).toEqual([
      'diagnoses[0].code',
      'diagnoses[1].code',
    ]);
  });

  it('reads a pressure or venous code the table lacks as stating nothing', () => {
    expect(tables.icd10cm.lookup('L899999')).toBeUndefined();
    expect(tables.icd10cm.lookup('I839999')).toBeUndefined();
    expect(paths(dx('I69.351', 'L89.9999', 'I83.9999'), { M1306: '1', M1330: '1' })).toEqual([
      'oasis.items.M1306',
      'oasis.items.M1330',
    ]);
  });

  it('takes pressure ulcers from L89 and stasis ulcers from I83/I87 only, whatever another code is described as', () => {
    // A table where codes of other categories carry those descriptions word for word.
    const odd = parseIcd10Tsv(
      'icd10cm_code\tvalid_billing_code\ticd10cm_long_description\n' +
        'Z9999\t1\tPressure ulcer of sacral region, stage 3\n' +
        'Z9I83\t1\tVaricose veins of left lower extremity with ulcer of calf\n',
    );
    const chart = cleanHomeHealth({
      diagnoses: dx('Z99.99', 'Z9I.83'),
      oasis: { items: { ...FUNCTIONAL, M1306: '0', M1330: '0' } },
    });
    expect(hhOasisConditions.check(chart, { icd10cm: odd })).toEqual([]);
  });

  it('reads only a description that begins with the condition as stating it, not one that mentions it later', () => {
    // L89 and I83 codes whose (test-made) descriptions name the condition only after other words.
    const odd = parseIcd10Tsv(
      'icd10cm_code\tvalid_billing_code\ticd10cm_long_description\n' +
        'L89999\t1\tHealed pressure ulcer of sacral region, stage 3\n' +
        'I83999\t1\tHistory of varicose veins of left lower extremity with ulcer of calf\n',
    );
    const chart = cleanHomeHealth({
      diagnoses: dx('L89.999', 'I83.999'),
      oasis: { items: { ...FUNCTIONAL, M1306: '0', M1330: '0' } },
    });
    expect(hhOasisConditions.check(chart, { icd10cm: odd })).toEqual([]);
  });

  it.each(['Z93.2', 'Z93.3', 'Z43.2', 'Z43.3', 'K94.01', 'K94.12'])('reads %s as a bowel ostomy', (code) => {
    expect(paths(dx('I69.351', code), { M1630: '0' })).toEqual(['diagnoses[1].code']);
  });

  it.each(['Z93.4', 'K94.22', 'Z43.1'])('does not read %s as a bowel ostomy', (code) => {
    expect(paths(dx('I69.351', code), { M1630: '0' })).toEqual([]);
  });

  it('reads only the answers that say yes or no: M1306 1, M1330 1-3, M1630 1-2', () => {
    const none = dx('I69.351');
    expect(paths(none, { M1306: '2', M1330: '4', M1630: '3' })).toEqual([]);
    expect(paths(none, { M1330: '03', M1630: '01' })).toEqual(['oasis.items.M1330', 'oasis.items.M1630']);
    const coded = dx('L89.153', 'I83.013', 'Z93.3');
    expect(paths(coded, { M1306: '2', M1330: '4', M1630: '3' })).toEqual([]);
  });

  it('reads an answer of one or two digits, spaces around it allowed, and nothing else', () => {
    expect(paths(dx('I69.351'), { M1306: ' 1 ' })).toEqual(['oasis.items.M1306']);
    expect(paths(dx('I69.351', 'L89.153'), { M1306: ' 00' })).toEqual(['diagnoses[1].code']);
    for (const answer of ['001', '+1', '1.0', '1 1', 'x1', '1x', '-', ''])
      expect(paths(dx('I69.351'), { M1306: answer }), answer).toEqual([]);
  });

  it('reads only ICD-10-CM diagnoses', () => {
    const snomed = dx('I69.351', { code: 'Z93.3', system: 'ICD-9-CM' }, { code: 'L89.153', system: 'other' });
    expect(paths(snomed, { M1306: '0', M1630: '0' })).toEqual([]);
    expect(paths(snomed, { M1306: '1' })).toEqual(['oasis.items.M1306']);
  });

  it('leaves hospice charts alone', () => {
    const chart = cleanHospice({
      diagnoses: dx('G30.1', 'Z93.3'),
      oasis: { items: { M1630: '0', M1306: '1' } },
    });
    expect(hhOasisConditions.check(chart, tables)).toEqual([]);
  });
});

describe('HH-DX-SERVICES', () => {
  const services = (orders: ChartInput['orders'], diagnoses = dx('I69.351', 'I10')) =>
    hhDiagnosisServices.check(cleanHomeHealth({ diagnoses, orders }), tables);

  it('links a diagnosis through any skilled discipline: SN, PT, OT or SLP', () => {
    for (const discipline of ['SN', 'PT', 'OT', 'SLP'] as const)
      expect(services([{ discipline, diagnoses: [1, 2] }]), discipline).toEqual([]);
  });

  it('does not link a diagnosis through an aide or social services order', () => {
    for (const discipline of ['AIDE', 'MSS'] as const)
      expect(
        services([
          { discipline: 'SN', diagnoses: [1] },
          { discipline, diagnoses: [2] },
        ]).map((f) => f.path),
        discipline,
      ).toEqual(['diagnoses[1].code']);
  });

  it('names the discipline and the sequence of an order that points at a diagnosis the chart lacks', () => {
    const findings = services([
      { discipline: 'PT', diagnoses: [1, 2] },
      { discipline: 'MSS', diagnoses: [7] },
    ]);
    expect(findings).toEqual([
      {
        ruleId: 'HH-DX-SERVICES',
        severity: 'warn',
        path: 'orders[1].diagnoses',
        message:
          'orders[1].diagnoses: the MSS order names diagnosis sequence 7, which the chart does not have',
      },
    ]);
    expectNoPhi(findings);
  });

  it('checks the links once any order names a diagnosis', () => {
    const findings = services([
      { discipline: 'SN', diagnoses: [] },
      { discipline: 'PT', diagnoses: [2] },
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'diagnoses[0].code: I69.351 (sequence 1) is not addressed by any ordered skilled service (SN, PT, OT, SLP) on the plan of care; link it to an order or confirm it affects care',
    ]);
  });

  it('never echoes a diagnosis that is not shaped like a code', () => {
    const findings = services([{ discipline: 'SN', diagnoses: [1] }], dx('I69.351', 'SMITH'));
    expect(findings.map((f) => f.message)).toEqual([
      'diagnoses[1].code: a value that is not shaped like a code of ICD-10-CM (sequence 2) is not addressed by any ordered skilled service (SN, PT, OT, SLP) on the plan of care; link it to an order or confirm it affects care',
    ]);
  });

  it('does not check an empty list of orders, or the orders of a hospice chart', () => {
    expect(services([])).toEqual([]);
    const hospice = cleanHospice({ orders: [{ discipline: 'SN', diagnoses: [9] }] });
    expect(hhDiagnosisServices.check(hospice, tables)).toEqual([]);
  });
});
