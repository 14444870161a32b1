import { describe, expect, it } from 'vitest';
import { parseCarcCsv } from '#shared/data/carc.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { parseRarcCsv } from '#shared/data/rarc.ts';
import { classifyClaim, type ReasonTables } from '#shared/denials/classify.ts';
import { dispositionOf } from '#shared/denials/disposition.ts';
import { FAMILY_PRECEDENCE, familyOfRootCause } from '#shared/denials/families.ts';
import { type ClaimAdjustment, DENIAL_FAMILIES } from '#shared/model/remittance.ts';

const shipped = loadCodeTables();
const tables = (extra: Partial<ReasonTables> = {}): ReasonTables => ({
  carc: shipped.carcFor('2026-11-01')?.table,
  rarc: shipped.rarcFor('2026-11-01')?.table,
  ...extra,
});
const adj = (code: string): ClaimAdjustment => {
  const [group, reason] = code.split('-') as [ClaimAdjustment['group'], string];
  return { group, reason, amount: 10, level: 'claim' };
};
const classify = (codes: string[], remarks: string[] = [], extra: Partial<ReasonTables> = {}) =>
  classifyClaim({ adjustments: codes.map(adj), remarkCodes: remarks }, tables(extra));

describe('denial families', () => {
  it('maps every root cause of the shipped CARC table to a family, as its family column says', () => {
    const text = `carc,label,root_cause_category,feeds_coder_feedback\n16,x,billing_data,partial\n50,x,documentation_medical_necessity,yes\n146,x,coding_code_set_version,yes\n22,x,cob,no\n198,x,authorization,no\n`;
    const table = parseCarcCsv(text, { version: 't' });
    expect(['16', '50', '146', '22', '198'].map((c) => table.lookup(c)?.family)).toEqual([
      'other',
      'medical_necessity',
      'coding',
      'eligibility',
      'authorization',
    ]);
    expect(familyOfRootCause('timely_filing')).toBe('timely_filing');
    expect(familyOfRootCause('something_new')).toBe('other');
    expect([...FAMILY_PRECEDENCE].sort()).toEqual([...DENIAL_FAMILIES].sort());
  });

  it('refuses a CARC or RARC table with a family outside the ten', () => {
    expect(() =>
      parseCarcCsv(
        'carc,label,root_cause_category,feeds_coder_feedback,family\n16,x,billing_data,partial,billing\n',
        {
          version: 't',
        },
      ),
    ).toThrow(/family must be one of/);
    expect(() =>
      parseRarcCsv('rarc,label,family,feeds_coder_feedback\nMA130,x,paperwork,no\n', { version: 't' }),
    ).toThrow(/RARC table line 2/);
    expect(
      parseRarcCsv('rarc,label,family,feeds_coder_feedback\nma66,x,coding,yes\n', { version: 't' }).lookup(
        'MA66',
      ),
    ).toMatchObject({ family: 'coding', coderFeedback: 'yes' });
  });
});

describe('classifyClaim', () => {
  it('traces a coding CARC to the coder; contractual and patient responsibility explain amounts only', () => {
    expect(classify(['CO-146', 'CO-45'])).toMatchObject({
      family: 'coding',
      coderRelated: true,
      coderReasonCodes: ['CO-146'],
      reasonCodes: ['CO-146', 'CO-45'],
    });
    expect(classify(['CO-45', 'PR-2'])).toMatchObject({ family: 'contractual', coderRelated: false });
    expect(classify(['CO-197'])).toMatchObject({ family: 'authorization', coderRelated: false });
    expect(classify(['CO-29'])).toMatchObject({ family: 'timely_filing' });
  });

  it("makes a partial CARC the coder's only with a coder remark, and takes the remark's family", () => {
    expect(classify(['CO-16'], ['MA66'])).toMatchObject({ family: 'coding', coderRelated: true });
    expect(classify(['CO-16'], ['MA130'])).toMatchObject({ family: 'other', coderRelated: false });
    expect(classify(['CO-16'])).toMatchObject({ family: 'other', coderRelated: false });
  });

  it("takes the agency's families over the tables, and reports codes neither knows", () => {
    expect(classify(['CO-16'], [], { carcFamilies: { '16': 'documentation' } })).toMatchObject({
      family: 'documentation',
      coderRelated: true,
    });
    expect(classify(['CO-146'], [], { carcFamilies: { '146': 'other' } })).toMatchObject({
      coderRelated: false,
    });
    expect(classify(['CO-999', 'OA-23'], ['N9999']).unknownCodes.sort()).toEqual(['999', 'N9999']);
    expect(classify(['PR-999']).reasons[0]).toMatchObject({ family: 'patient_responsibility', known: false });
  });

  it('lists a reason once however often the claim and its lines carry it', () => {
    expect(classify(['CO-45', 'CO-45', 'CO-146']).reasonCodes).toEqual(['CO-45', 'CO-146']);
  });
});

describe('dispositionOf', () => {
  it('reads CLP02 and what was paid', () => {
    expect(dispositionOf('4', 0, [])).toBe('denied');
    expect(dispositionOf('22', -10, [])).toBe('reversal');
    expect(dispositionOf('1', 10, [{ group: 'CO', reason: '16' }])).toBe('paid');
    expect(dispositionOf('1', 0, [{ group: 'CO', reason: '16' }])).toBe('denied');
    // Nothing paid because the deductible took it all (with the contractual write-down), or because the
    // primary paid it all (a secondary claim): payment decisions, not denials.
    expect(
      dispositionOf('1', 0, [
        { group: 'PR', reason: '1' },
        { group: 'CO', reason: '45' },
      ]),
    ).toBe('paid');
    expect(dispositionOf('2', 0, [{ group: 'OA', reason: '23' }])).toBe('paid');
    expect(dispositionOf('19', 10, [])).toBe('informational');
    expect(dispositionOf('25', 0, [])).toBe('informational');
    expect(dispositionOf('99', 0, [])).toBe('informational');
  });
});
