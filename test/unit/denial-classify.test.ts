import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCarcCsv } from '#shared/data/carc.ts';
import { loadCodeTables } from '#shared/data/code-tables.ts';
import { parseRarcCsv } from '#shared/data/rarc.ts';
import { classifyClaim, type ReasonTables } from '#shared/denials/classify.ts';
import { dispositionOf } from '#shared/denials/disposition.ts';
import { FAMILY_PRECEDENCE, familyOfRootCause } from '#shared/denials/families.ts';
import { type ClaimAdjustment, CODER_FAMILIES, DENIAL_FAMILIES } from '#shared/model/remittance.ts';

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

  it.each([
    ['documentation_medical_necessity', 'medical_necessity'],
    ['coverage', 'medical_necessity'],
    ['coverage_documentation', 'documentation'],
    ['cob', 'eligibility'],
    ['coding_bundling', 'coding'],
    ['eligibility_hospice_overlap', 'eligibility'],
    ['billing_data', 'other'],
    ['provider_eligibility', 'other'],
    ['codingish', 'other'],
    ['constructor', 'other'],
    ['__proto__', 'other'],
  ])('puts the root cause %s in the family %s', (rootCause, family) => {
    expect(familyOfRootCause(rootCause)).toBe(family);
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

  it('classes what home health and hospice remittances most often carry, from the starter tables', () => {
    // The medical record was missing: a documentation denial, never "other".
    const missingRecord = classify(['CO-16'], ['M127']);
    expect(missingRecord).toMatchObject({ family: 'documentation', coderRelated: true });
    expect(missingRecord.unknownCodes).toEqual([]);
    expect(classify(['CO-50'], ['N115'])).toMatchObject({ family: 'medical_necessity' });
    expect(classify(['CO-50'], ['N386'])).toMatchObject({ family: 'medical_necessity' });
    expect(classify(['CO-16'], ['N657'])).toMatchObject({ family: 'coding', coderRelated: true });
    expect(classify(['CO-16'], ['N290'])).toMatchObject({ family: 'other', coderRelated: false });
    // A patient enrolled in a Medicare Advantage plan: bill the plan; not the coder's.
    expect(classify(['CO-24'])).toMatchObject({ family: 'eligibility', coderRelated: false });
    for (const remark of ['MA18', 'MA07', 'MA130'])
      expect(classify(['CO-16'], [remark]).unknownCodes, remark).toEqual([]);
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

  it("keeps a partial CARC's own family when it is a coder's, and says which reason is the coder's", () => {
    // CO-163 (attachment not received) is documentation; MA66 is a coding remark, which the claim's
    // family (the first of FAMILY_PRECEDENCE among reasons and remarks) takes.
    expect(classify(['CO-163', 'CO-45'], ['MA66'])).toMatchObject({
      family: 'coding',
      coderRelated: true,
      coderReasonCodes: ['CO-163'],
      reasons: [
        { code: 'CO-163', family: 'documentation', coderRelated: true, known: true },
        { code: 'CO-45', family: 'contractual', coderRelated: false, known: true },
      ],
    });
    expect(classify(['CO-16'], ['MA66']).reasons).toEqual([
      { code: 'CO-16', family: 'coding', coderRelated: true, known: true },
    ]);
  });

  it('takes no partial CARC for the coder on a remark that is not a coder one', () => {
    expect(classify(['CO-16'], ['MA130'])).toMatchObject({
      coderReasonCodes: [],
      reasons: [{ code: 'CO-16', family: 'other', coderRelated: false }],
    });
  });

  it("does not make a claim the coder's on a coder remark alone, without a reason that takes it", () => {
    expect(classify(['CO-45'], ['MA66'])).toMatchObject({
      family: 'coding',
      coderRelated: false,
      coderReasonCodes: [],
    });
    expect(classify([], ['MA66'])).toMatchObject({ family: 'coding', coderRelated: false, reasonCodes: [] });
    expect(classify([], [])).toMatchObject({ family: undefined, coderRelated: false });
  });

  it("reads a remark as the coder's only with a coder family the table does not rule out", () => {
    const rarc = parseRarcCsv(
      'rarc,label,family,feeds_coder_feedback\nN1,x,coding,no\nN2,x,medical_necessity,yes\nN3,x,documentation,partial\n',
      { version: 't' },
    );
    const onCo16 = (remark: string, extra: Partial<ReasonTables> = {}) =>
      classifyClaim({ adjustments: [adj('CO-16')], remarkCodes: [remark] }, tables({ rarc, ...extra }));
    expect(onCo16('N1').coderRelated).toBe(false);
    expect(onCo16('N2').coderRelated).toBe(false);
    expect(onCo16('N3')).toMatchObject({ family: 'documentation', coderRelated: true });
    // The agency's word over the table's, either way.
    expect(onCo16('N1', { rarcFamilies: { N1: 'documentation' } })).toMatchObject({
      family: 'documentation',
      coderRelated: true,
    });
    expect(onCo16('N3', { rarcFamilies: { N3: 'other' } })).toMatchObject({
      family: 'other',
      coderRelated: false,
    });
  });

  it('classifies without tables: every code unknown, a denied reason other, PR patient responsibility', () => {
    const bare = classifyClaim(
      { adjustments: [adj('CO-16'), adj('PR-1')], remarkCodes: ['MA66'] },
      { carcFamilies: { '1': 'patient_responsibility' } },
    );
    expect(bare).toMatchObject({
      family: 'other',
      coderRelated: false,
      unknownCodes: ['MA66', '16'],
      reasons: [
        { code: 'CO-16', family: 'other', coderRelated: false, known: false },
        { code: 'PR-1', family: 'patient_responsibility', coderRelated: false, known: true },
      ],
    });
    expect(classify([], ['N9999'])).toMatchObject({ family: 'other', unknownCodes: ['N9999'] });
    expect(classify(['CO-999']).reasons).toEqual([
      { code: 'CO-999', family: 'other', coderRelated: false, known: false },
    ]);
  });

  it("makes a claim the coder's exactly when a reason counts against them, and then the family is a coder's", () => {
    const carcs = ['16', '45', '146', '163', '97', '96', '29', '1', '999', 'A1'];
    const rarcs = ['MA66', 'MA130', 'N465', 'N525', 'N30', 'N9999'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('CO', 'PR', 'OA'), fc.constantFrom(...carcs)), { maxLength: 4 }),
        fc.array(fc.constantFrom(...rarcs), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...carcs), fc.constantFrom(...DENIAL_FAMILIES), { maxKeys: 2 }),
        (pairs, remarks, carcFamilies) => {
          const c = classify(
            pairs.map(([group, reason]) => `${group}-${reason}`),
            remarks,
            { carcFamilies },
          );
          expect(c.coderRelated).toBe(c.coderReasonCodes.length > 0);
          if (c.coderRelated) expect(CODER_FAMILIES.has(c.family as never)).toBe(true);
        },
      ),
    );
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
    expect(dispositionOf('3', 10, [])).toBe('paid');
    // Processed and forwarded to the next payer: paid or denied as a processed claim is.
    expect(dispositionOf('19', 10, [])).toBe('paid');
    expect(dispositionOf('20', 0, [{ group: 'CO', reason: '50' }])).toBe('denied');
    expect(dispositionOf(' 21 ', 5, [{ group: 'OA', reason: '23' }])).toBe('paid');
    // Not our claim, a predetermination, a code X12 does not define: nothing to apply.
    expect(dispositionOf('23', 10, [])).toBe('informational');
    expect(dispositionOf('25', 0, [])).toBe('informational');
    expect(dispositionOf('99', 0, [])).toBe('informational');
  });
});

describe('dispositionOf: what a processed claim with nothing paid is', () => {
  it.each([
    ['2', [['CO', '253']], 'paid'],
    ['3', [['OA', '23']], 'paid'],
    [
      '1',
      [
        ['PR', '1'],
        ['CO', '16'],
      ],
      'denied',
    ],
    [
      '2',
      [
        ['PR', '2'],
        ['CO', '45'],
        ['CO', '97'],
      ],
      'denied',
    ],
    [' 1 ', [['CO', '45']], 'paid'],
    [' 4', [], 'denied'],
    ['22 ', [], 'reversal'],
  ] as const)('status %j with %j adjustments is %s', (status, adjustments, disposition) => {
    const adj = adjustments.map(([group, reason]) => ({ group, reason }));
    expect(dispositionOf(status, 0, adj)).toBe(disposition);
  });
});
