import { describe, expect, it } from 'vitest';
import { codeLabel, diagnosisPath, icd10Principal, printableCode } from '#shared/rules/codes.ts';
import { dx, cleanHomeHealth as hh } from '../support/rule-charts.ts';

/**
 * What a finding may print of a code field: the code, in its system's usual form, only when it has the
 * shape of a code of that system. Anything else a person typed there is described, never repeated.
 */
describe('printableCode', () => {
  it.each([
    ['I10', 'I10'],
    ['i5022', 'I50.22'],
    [' I50.22 ', 'I50.22'],
    ['S72.001D', 'S72.001D'],
    ['W19.XXXD', 'W19.XXXD'],
    ['M1A.0X1', 'M1A.0X1'],
  ])('prints ICD-10-CM %j as %j', (code, printed) => {
    expect(printableCode(code, 'ICD-10-CM')).toBe(printed);
  });

  it.each([
    ['I1', 'too short'],
    ['S72.001DA', 'too long'],
    ['1I10', 'a digit first'],
    ['IA10', 'a letter second'],
    ['I10!', 'a character no code has'],
    ['Jane Doe', 'a name'],
    ['', 'nothing'],
  ])('prints no ICD-10-CM code for %j (%s)', (code) => {
    expect(printableCode(code, 'ICD-10-CM')).toBeUndefined();
  });

  it.each([
    ['428.0', '428.0'],
    [' 428.0 ', '428.0'],
    ['4280', '4280'],
    ['v45.81', 'V45.81'],
    ['E878.1', 'E878.1'],
    ['250', '250'],
    // Written oddly but code-shaped: printed bare rather than as written.
    ['42 8.0', '4280'],
    ['428.0.1', '42801'],
  ])('prints ICD-9-CM %j as %j', (code, printed) => {
    expect(printableCode(code, 'ICD-9-CM')).toBe(printed);
  });

  it.each([['42'], ['428012'], ['V4'], ['E87'], ['X45']])('prints no ICD-9-CM code for %j', (code) => {
    expect(printableCode(code, 'ICD-9-CM')).toBeUndefined();
  });

  it('prints SNOMED CT ids of 6 to 18 digits, and no value of the system "other"', () => {
    expect(printableCode('123456', 'SNOMED-CT')).toBe('123456');
    expect(printableCode('123456789012345678', 'SNOMED-CT')).toBe('123456789012345678');
    expect(printableCode('12345', 'SNOMED-CT')).toBeUndefined();
    expect(printableCode('1234567890123456789', 'SNOMED-CT')).toBeUndefined();
    expect(printableCode('44054006x', 'SNOMED-CT')).toBeUndefined();
    expect(printableCode('I10', 'other')).toBeUndefined();
  });

  it('labels a value that is not code-shaped by its system, repeating nothing of it', () => {
    expect(codeLabel('i5022', 'ICD-10-CM')).toBe('I50.22');
    expect(codeLabel('Jane Doe', 'ICD-10-CM')).toBe('a value that is not shaped like a code of ICD-10-CM');
    expect(codeLabel('I10', 'other')).toBe('a value that is not shaped like a code of other');
  });
});

describe('diagnosis paths and the principal diagnosis', () => {
  it('names a diagnosis line, or one of its fields', () => {
    expect(diagnosisPath(2)).toBe('diagnoses[2]');
    expect(diagnosisPath(0, 'sequence')).toBe('diagnoses[0].sequence');
  });

  it('finds the ICD-10-CM principal by its sequence, with its bare code and path', () => {
    const chart = hh({
      diagnoses: [
        { sequence: 2, code: 'I10' },
        { sequence: 1, code: 'i69.351' },
      ],
    });
    expect(icd10Principal(chart)).toEqual({
      index: 1,
      diagnosis: chart.diagnoses[1],
      code: 'I69351',
      path: 'diagnoses[1].code',
    });
  });

  it('has no principal to judge without a sequence 1, or when it is coded in another system', () => {
    expect(icd10Principal(hh({ diagnoses: [{ sequence: 2, code: 'I10' }] }))).toBeUndefined();
    expect(icd10Principal(hh({ diagnoses: dx({ code: '44054006', system: 'SNOMED-CT' }) }))).toBeUndefined();
    expect(icd10Principal(hh({ diagnoses: [] }))).toBeUndefined();
  });
});
