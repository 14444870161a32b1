import { describe, expect, it } from 'vitest';
import { parse835, read835 } from '#shared/formats/x12/read-835.ts';
import { isaElements } from '../support/x12-835.ts';

/** An ISA of the fixed width X12 requires, with the delimiters given. */
const isa = (control: string, element = '*', component = ':', segment = '~') =>
  isaElements({ control, repetition: '^', component }).join(element) + segment;

/** Segments written with `*` and `~`: segment n of the list is segment n + 1 of the file. */
const file = (...segments: string[]) => `${segments.join('~')}~`;

const events = async (text: string) => {
  const out: unknown[] = [];
  for await (const e of read835([text])) out.push(e);
  return out;
};

describe('the X12 835 reader: envelope problems are warnings at the segment that shows them', () => {
  it('names each trailer and header out of place, and each count that does not match, with its segment', async () => {
    const text = file(
      isa('000000101').slice(0, -1),
      'GS*HP*SYNTHPAYER*SYNTHAGENCY*20261120*1200*7*X*004010X091A1',
      'ST*837*0001',
      'BPR*I*10*C*ACH',
      'ST*835*0002',
      'CLP*CT1*1*10*10',
      'SE*9*0002',
      'SE*1*0003',
      'SVC*HC:G0299*10*10',
      'GE*1*7',
      isa('000000102').slice(0, -1),
      'GS*HP*SYNTHPAYER*SYNTHAGENCY*20261120*1200*8*X*005010X221A1',
      'ST*835*0004',
      'DTM*405*20261120',
      'REF*EV*SYNTHRECEIVER',
      'MOA***MA01',
      'CAS*CO*45*1',
      'LQ*HE*N14',
      'SVC*HC:G0299*10*10',
      'SE*8*0004',
      'GE*2*8',
      'IEA*2*000000102',
    );
    const { remittances, warnings } = await parse835(text);
    expect(warnings).toStrictEqual([
      { message: 'the group is 004010X091A1, not 005010X221A1', segment: 2 },
      { message: 'the transaction set is 837, not an 835', segment: 3 },
      { message: 'the transaction set at segment 3 has no SE trailer', segment: 5 },
      {
        message: 'SE counts other than the 3 segments found in the transaction set at segment 5',
        segment: 7,
      },
      { message: 'SE without ST', segment: 8 },
      { message: 'SVC outside a transaction set', segment: 9 },
      { message: 'GE counts other than the 2 transaction sets found in the group at segment 2', segment: 10 },
      { message: 'an interchange has no IEA trailer', segment: 11 },
      // Header segments, and claim segments before any claim, are not a claim's.
      { message: 'SVC outside a claim', segment: 19 },
      {
        message: 'GE counts other than the 1 transaction sets found in the group at segment 12',
        segment: 21,
      },
      { message: 'IEA counts other than the 1 groups found in the interchange at segment 11', segment: 22 },
    ]);
    expect(remittances.map((r) => [r.controlNumber, r.group?.controlNumber, r.claims.length])).toEqual([
      ['0001', '7', 0],
      ['0002', '7', 1],
      ['0004', '8', 0],
    ]);
    expect(remittances[0]?.payment).toEqual({ handling: 'I', amount: 10, creditDebit: 'C', method: 'ACH' });
  });

  it('reads trailers whose counts match without a warning, and a version of 005010X221 without its A1', async () => {
    const { warnings } = await parse835(
      file(
        isa('000000101').slice(0, -1),
        'GS*HP*SYNTHPAYER*SYNTHAGENCY*20261120*1200*7*X*005010X221',
        'ST*835*0001',
        'SE*2*0001',
        'GS*HP*SYNTHPAYER*SYNTHAGENCY*20261120*1200*8*X',
        'ST*835*0002',
        'SE*2*0002',
        'GE*1*8',
        'IEA*2*000000101',
      ),
    );
    // The first group has no GE: the second GS is counted all the same.
    expect(warnings).toStrictEqual([]);
  });

  it('says which trailers the end of the file left missing, with no segment to point at', async () => {
    const { warnings } = await parse835(
      file(isa('000000101').slice(0, -1), 'GS*HP*A*B*20261120*1200*7*X*005010X221A1', 'ST*835*0001'),
    );
    expect(warnings).toStrictEqual([
      { message: 'the transaction set at segment 3 has no SE trailer' },
      { message: 'the group at segment 2 has no GE trailer' },
      { message: 'the interchange at segment 1 has no IEA trailer' },
    ]);
  });

  it('reads an interchange that is its ISA alone, and ignores an ISA cut short at the end of the file', async () => {
    expect((await parse835(isa('000000101'))).warnings).toStrictEqual([
      { message: 'the interchange at segment 1 has no IEA trailer' },
    ]);
    const cut = await parse835(file('ST*835*0001', 'SE*2*0001') + isa('000000102').slice(0, 105));
    expect(cut.warnings).toStrictEqual([
      { message: 'no ISA header: delimiters * : ^ ~ assumed' },
      { message: 'a truncated ISA header at the end of the file was ignored' },
    ]);
    expect(cut.remittances.map((r) => r.controlNumber)).toEqual(['0001']);
  });

  it('gives the splitter warnings as warning events without a segment, after the events of the text', async () => {
    expect(await events(file('ST*835*0001', 'SE*2*0001'))).toStrictEqual([
      { kind: 'transaction', header: { controlNumber: '0001' } },
      { kind: 'transaction-end', transaction: '0001', providerAdjustments: [] },
      { kind: 'warning', message: 'no ISA header: delimiters * : ^ ~ assumed' },
    ]);
  });

  it("gives the reader's warnings as warning events, a segment only on those that have one", async () => {
    const text = file(
      isa('000000101').slice(0, -1),
      'GS*HP*A*B*20261120*1200*7*X*004010X091A1',
      'ST*835*0001',
    );
    expect(await events(text)).toStrictEqual([
      { kind: 'warning', message: 'the group is 004010X091A1, not 005010X221A1', segment: 2 },
      {
        kind: 'transaction',
        header: {
          controlNumber: '0001',
          interchange: {
            sender: 'SYNTHPAYER',
            receiver: 'SYNTHAGENCY',
            date: '261120',
            controlNumber: '000000101',
          },
          group: { controlNumber: '7', version: '004010X091A1' },
        },
      },
      { kind: 'warning', message: 'the transaction set at segment 3 has no SE trailer' },
      { kind: 'transaction-end', transaction: '0001', providerAdjustments: [] },
      { kind: 'warning', message: 'the group at segment 2 has no GE trailer' },
      { kind: 'warning', message: 'the interchange at segment 1 has no IEA trailer' },
    ]);
  });

  it('reads nothing and warns of nothing in a text of only blanks', async () => {
    for (const text of ['', '\n', '\r\n  \t', '\ufeff'])
      expect(await parse835(text), JSON.stringify(text)).toStrictEqual({ remittances: [], warnings: [] });
  });

  it('reads a lone fragment of a segment id as a segment, not as the start of an ISA', async () => {
    expect((await parse835('IS')).warnings).toStrictEqual([
      { message: 'a segment that is not an 835 segment outside a transaction set', segment: 1 },
      { message: 'no ISA header: delimiters * : ^ ~ assumed' },
    ]);
  });
});

describe('the X12 835 reader: a file without an ISA', () => {
  it('takes the element separator from the first segment and the other delimiters as the common ones', async () => {
    const claim = 'CLP|CT1|4|100|0~SVC|HC:G0299:GP|100|0~LQ|HE|N14~';
    for (const [text, separator] of [
      [`ST|835|0001~${claim}SE|5|0001~`, '|'],
      // A BOM or a line break before it.
      [`\ufeffST|835|0001~${claim}SE|5|0001~`, '|'],
      [`\r\nST|835|0001~${claim}SE|5|0001~`, '|'],
      [`N1|PR|SYNTHETIC PAYER~ST|835|0001~${claim}SE|5|0001~`, '|'],
    ] as const) {
      const { remittances } = await parse835(text);
      expect(remittances, `${JSON.stringify(text)} splits at ${separator}`).toStrictEqual([
        {
          controlNumber: '0001',
          claims: [
            {
              patientControlNumber: 'CT1',
              status: '4',
              charge: 100,
              payment: 0,
              patientResponsibility: 0,
              adjustments: [],
              remarks: [],
              references: [],
              dates: [],
              services: [
                {
                  procedure: { qualifier: 'HC', code: 'G0299', modifiers: ['GP'] },
                  charge: 100,
                  payment: 0,
                  adjustments: [],
                  remarks: ['N14'],
                  references: [],
                  dates: [],
                },
              ],
            },
          ],
          providerAdjustments: [],
        },
      ]);
    }
  });

  it('assumes * when the file does not start with a segment id', async () => {
    const { remittances, warnings } = await parse835('#ST|835|0001~ST*835*0002~SE*2*0002~');
    expect(remittances.map((r) => r.controlNumber)).toEqual(['0002']);
    expect(warnings.map((w) => w.message)).toEqual([
      'a segment that is not an 835 segment outside a transaction set',
      'no ISA header: delimiters * : ^ ~ assumed',
    ]);
  });
});
