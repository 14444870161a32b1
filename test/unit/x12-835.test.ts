import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parse835,
  read835,
  read835Batches,
  segmentToken,
  transactionSetToken,
  versionToken,
} from '#shared/formats/x12/read-835.ts';
import { build835, type CasSegment } from '../support/x12-835.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/x12/835/${name}`, import.meta.url), 'utf8');
const cents = (n: number) => Math.round(n * 100) / 100;

/** Hand-checked against each file: transaction sets, claims, paid, CAS total (claim + line), service lines. */
const EXPECTED: Record<
  string,
  { sets: number; claims: number; paid: number; cas: number; lines: number; warnings: number }
> = {
  'keironstoddart__blue_cross_nc_sample.835.txt': {
    sets: 1,
    claims: 1,
    paid: 1922.86,
    cas: 177.14,
    lines: 3,
    warnings: 2,
  },
  'keironstoddart__emedny_sample.835.txt': {
    sets: 1,
    claims: 3,
    paid: 45.75,
    cas: 56.75,
    lines: 10,
    warnings: 0,
  },
  'keironstoddart__united_healthcare_legacy_sample.835.txt': {
    sets: 1,
    claims: 2,
    paid: 349.99,
    cas: 807.53,
    lines: 5,
    warnings: 0,
  },
  'moov-sample1.835.txt': { sets: 2, claims: 2, paid: 0, cas: 770.4, lines: 2, warnings: 0 },
  'moov-sample2.835.txt': { sets: 1, claims: 1, paid: 4000, cas: 1201.68, lines: 1, warnings: 0 },
  'pyx12-835_mult_loops.txt': { sets: 1, claims: 1, paid: 0, cas: 915.39, lines: 3, warnings: 0 },
};

describe('the X12 835 reader', () => {
  it('reads every sample remittance with the hand-checked counts and totals', async () => {
    const files = readdirSync(new URL('../fixtures/x12/835/', import.meta.url)).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    for (const file of files) {
      const { remittances, warnings } = await parse835(fixture(file));
      const claims = remittances.flatMap((r) => r.claims);
      const cas = claims.reduce(
        (sum, c) =>
          sum +
          c.adjustments.reduce((a, x) => a + x.amount, 0) +
          c.services.reduce((a, s) => a + s.adjustments.reduce((b, x) => b + x.amount, 0), 0),
        0,
      );
      expect(
        {
          sets: remittances.length,
          claims: claims.length,
          paid: cents(claims.reduce((s, c) => s + c.payment, 0)),
          cas: cents(cas),
          lines: claims.reduce((s, c) => s + c.services.length, 0),
          warnings: warnings.length,
        },
        file,
      ).toEqual(EXPECTED[file]);
    }
  });

  it('reads payment, payer, payee and each claim field; a > component separator from ISA16', async () => {
    const { remittances } = await parse835(
      fixture('keironstoddart__united_healthcare_legacy_sample.835.txt'),
    );
    const [r] = remittances;
    expect(r).toMatchObject({
      controlNumber: '000000064',
      interchange: { sender: 'ENS_EDI', receiver: 'GATE0110', controlNumber: '444444444' },
      group: { version: '005010X221A1' },
      payment: { handling: 'I', amount: 349.99, creditDebit: 'C', method: 'ACH', date: '20210204' },
      trace: { type: '1', number: '1234567890' },
      payer: { name: 'UNITED HEALTHCARE INSURANCE COMPANY', idQualifier: 'XV', id: '87726' },
      payee: { name: 'KLAUS MEDICAL CENTER', idQualifier: 'XX', id: '1922164458' },
    });
    expect(r?.claims[0]).toMatchObject({
      patientControlNumber: '001-18573-358',
      status: '1',
      charge: 341.28,
      payment: 88.92,
      patientResponsibility: 105.26,
      filingIndicator: '16',
      payerClaimControlNumber: 'ATL2819897200',
      facilityType: '12',
      frequency: '1',
    });
    expect(r?.claims[0]?.services[1]).toMatchObject({
      procedure: { qualifier: 'HC', code: 'B4152', modifiers: [] },
      charge: 184.86,
      payment: 0,
      dates: [{ qualifier: '472', date: '20210101' }],
      adjustments: [
        { group: 'PR', reason: '1', amount: 105.26 },
        { group: 'CO', reason: '45', amount: 79.6 },
      ],
    });
    // Patient names (NM1*QC) are not read.
    expect(JSON.stringify(r)).not.toContain('COOL');
  });

  it('reads a denied claim with its line adjustments and remark codes, and a CAS quantity', async () => {
    const { remittances } = await parse835(fixture('pyx12-835_mult_loops.txt'));
    const claim = remittances[0]?.claims[0];
    expect(claim).toMatchObject({ status: '4', payment: 0, filingIndicator: 'MC' });
    expect(
      claim?.services.map((s) => [s.adjustments.map((a) => `${a.group}-${a.reason}`).join(' '), s.remarks]),
    ).toEqual([
      ['CO-16', ['N14']],
      ['OA-A7', ['N14']],
      ['OA-A7', ['N14']],
    ]);
    const moov = await parse835(fixture('moov-sample2.835.txt'));
    expect(moov.remittances[0]?.claims[0]?.services[0]?.adjustments).toEqual([
      { group: 'PR', reason: '1', amount: 1199.68 },
      { group: 'PR', reason: '2', amount: 2, quantity: 4 },
    ]);
  });

  it('reads all six reason/amount/quantity triplets of a CAS (CAS02-CAS19), at claim and at line level', async () => {
    const claimCas: CasSegment = {
      group: 'CO',
      triplets: [
        ['45', 10.01],
        ['253', 2.02],
        ['97', 3.03, 1],
        ['59', 4.04],
        ['16', 5.05],
        ['50', 6.06, 2],
      ],
    };
    const lineCas: CasSegment = {
      group: 'PR',
      triplets: [
        ['1', 20.01],
        ['2', 21.02, 3],
        ['3', 22.03],
        ['66', 23.04],
        ['122', 24.05],
        ['142', 25.06, 4],
      ],
    };
    const text = build835({
      claims: [
        {
          pcn: 'CT0000000000000001',
          status: '1',
          charge: 1000,
          paid: 800,
          casSegments: [claimCas],
          lineCasSegments: [lineCas],
        },
      ],
    });
    // One segment each, CAS19 filled.
    expect(text).toContain('~CAS*CO*45*10.01**253*2.02**97*3.03*1*59*4.04**16*5.05**50*6.06*2~');
    expect(text).toContain('~CAS*PR*1*20.01**2*21.02*3*3*22.03**66*23.04**122*24.05**142*25.06*4~');
    const { remittances, warnings } = await parse835(text);
    expect(warnings).toEqual([]);
    const asRead = ({ group, triplets }: CasSegment) =>
      triplets.map(([reason, amount, quantity]) => ({
        group,
        reason,
        amount,
        ...(quantity === undefined ? {} : { quantity }),
      }));
    const claim = remittances[0]?.claims[0];
    expect(claim?.adjustments).toEqual(asRead(claimCas));
    expect(claim?.services[0]?.adjustments).toEqual(asRead(lineCas));
  });

  it('skips a blank CAS triplet, a reason without its amount and triplets past the sixth', async () => {
    const cas = (...elements: string[]) => ['CAS', ...elements].join('*');
    const { remittances } = await parse835(
      [
        'ST*835*0001',
        'CLP*CT1*4*100*0',
        cas('CO', '45', '10', '', '', '', '', '16', '5'),
        cas('PR', '1', '5', '', '2'),
        cas(
          'OA',
          '1',
          '1',
          '',
          '2',
          '2',
          '',
          '3',
          '3',
          '',
          '4',
          '4',
          '',
          '5',
          '5',
          '',
          '6',
          '6',
          '',
          '7',
          '7',
        ),
        'SE*6*0001',
      ].join('~'),
    );
    expect(remittances[0]?.claims[0]?.adjustments.map((a) => `${a.group}-${a.reason} ${a.amount}`)).toEqual([
      'CO-45 10',
      'CO-16 5',
      'PR-1 5',
      'OA-1 1',
      'OA-2 2',
      'OA-3 3',
      'OA-4 4',
      'OA-5 5',
      'OA-6 6',
    ]);
  });

  it("takes a REF*2U for the payer's id only in the payer loop, and only when its N1 gave none", async () => {
    const { remittances } = await parse835(
      [
        'ST*835*0001',
        'REF*2U*HEADER',
        'N1*PR*SYNTHETIC PAYER A*XV*111',
        'REF*2U*222',
        'N1*PE*SYNTHETIC AGENCY',
        'REF*2U*333',
        'SE*7*0001',
        'ST*835*0002',
        'N1*PR*SYNTHETIC PAYER B',
        'REF*EO*444',
        'REF*2U*555',
        'SE*5*0002',
        'ST*835*0003',
        'N1*PR*SYNTHETIC PAYER C',
        'N1*PE*SYNTHETIC AGENCY',
        'REF*2U*666',
        'SE*5*0003',
      ].join('~'),
    );
    expect(remittances.map((r) => r.payer)).toStrictEqual([
      { name: 'SYNTHETIC PAYER A', idQualifier: 'XV', id: '111' },
      { name: 'SYNTHETIC PAYER B', id: '555' },
      { name: 'SYNTHETIC PAYER C' },
    ]);
  });

  it("reads a line's remarks from LQ*HE under its SVC only, not a blank one nor another code list's", async () => {
    const { remittances } = await parse835(
      [
        'ST*835*0001',
        'CLP*CT1*4*100*0',
        'LQ*HE*N1',
        'SVC*HC:G0299*100*0',
        'LQ*HE*',
        'LQ*RX*N2',
        'LQ*HE*N3',
        'SE*8*0001',
      ].join('~'),
    );
    const claim = remittances[0]?.claims[0];
    expect([claim?.remarks, claim?.services[0]?.remarks]).toEqual([[], ['N3']]);
  });

  it('reads PLB adjustments in reason/amount pairs, skipping a reason without its code or its amount', async () => {
    const { remittances } = await parse835(
      ['ST*835*0001', 'PLB*1999999984*20261231*WO:ICN1*10*:X*5*L6*-2.5*FB', 'SE*3*0001'].join('~'),
    );
    expect(remittances[0]?.providerAdjustments).toStrictEqual([
      { provider: '1999999984', date: '20261231', reason: 'WO', reference: 'ICN1', amount: 10 },
      { provider: '1999999984', date: '20261231', reason: 'L6', amount: -2.5 },
    ]);
  });

  it('reads the remark codes of MIA and MOA, padded or not, and not their amounts, for the claim they follow', async () => {
    const { remittances } = await parse835(
      [
        'ST*835*0001',
        'MOA***MA99',
        'CLP*CT1*1*100*80',
        'MIA*0***138018.40* MA02 ***************N9999',
        'MOA*0.5*12.34*MA01*N14',
        'SE*6*0001',
      ].join('~'),
    );
    expect(remittances[0]?.claims[0]?.remarks).toEqual(['MA02', 'N9999', 'MA01', 'N14']);
  });

  it('reads the payer from N1*PR and the payee from N1*PE, no other N1', async () => {
    const { remittances } = await parse835(
      [
        'ST*835*0001',
        'N1*PR*SYNTHETIC PAYER',
        'N1*PE*SYNTHETIC AGENCY',
        'N1*ZZ*SOMEONE ELSE',
        'SE*5*0001',
      ].join('~'),
    );
    expect([remittances[0]?.payer, remittances[0]?.payee]).toStrictEqual([
      { name: 'SYNTHETIC PAYER' },
      { name: 'SYNTHETIC AGENCY' },
    ]);
  });

  it('hands a claim on as soon as an LX ends its loop, not when the next claim comes', async () => {
    const batches: string[][] = [];
    for await (const batch of read835Batches([
      'ST*835*0001~CLP*CT1*1*10*10~LX*2~',
      'TS3*1512345678*12*20261231*1~CLP*CT2*1*5*5~SE*6*0001~',
    ]))
      batches.push(batch.map((e) => (e.kind === 'claim' ? e.claim.patientControlNumber : e.kind)));
    expect(batches).toEqual([
      ['transaction', 'CT1'],
      ['CT2', 'transaction-end'],
      // The end of the stream: no ISA.
      ['warning'],
    ]);
  });

  it('reads provider-level adjustments (PLB) and a negative payment', async () => {
    const { remittances } = await parse835(fixture('moov-sample1.835.txt'));
    expect(remittances[0]?.payment?.amount).toBe(-6173.5);
    expect(remittances.flatMap((r) => r.providerAdjustments).map((p) => p.reason)).toEqual(['50', '50']);
  });

  it('reports envelope problems as warnings: a wrong SE count, no ISA, a missing trailer', async () => {
    const bare = await parse835(fixture('keironstoddart__blue_cross_nc_sample.835.txt'));
    expect(bare.warnings.map((w) => w.message)).toEqual([
      'SE counts other than the 32 segments found in the transaction set at segment 1',
      'no ISA header: delimiters * : ^ ~ assumed',
    ]);
    const text = fixture('moov-sample2.835.txt');
    const cut = await parse835(text.slice(0, text.indexOf('SE*')));
    expect(cut.warnings.map((w) => w.message)).toEqual([
      'the transaction set at segment 3 has no SE trailer',
      'the group at segment 2 has no GE trailer',
      'the interchange at segment 1 has no IEA trailer',
    ]);
    expect(cut.remittances[0]?.claims).toHaveLength(1);
  });

  it('reads the same events however the text is cut into chunks', async () => {
    const text = fixture('keironstoddart__emedny_sample.835.txt') + fixture('moov-sample1.835.txt');
    const whole: unknown[] = [];
    for await (const e of read835([text])) whole.push(e);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: text.length }), { maxLength: 20 }),
        async (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const chunks = [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
          const events: unknown[] = [];
          for await (const e of read835(chunks)) events.push(e);
          expect(events).toEqual(whole);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('never throws on a soup of segments, however broken', async () => {
    const ids = fc.constantFrom(
      'ISA',
      'GS',
      'ST',
      'BPR',
      'TRN',
      'N1',
      'LX',
      'CLP',
      'CAS',
      'SVC',
      'LQ',
      'DTM',
      'REF',
      'MOA',
      'MIA',
      'PLB',
      'SE',
      'GE',
      'IEA',
      'ZZZ',
      '',
    );
    const element = fc.stringMatching(/^[A-Z0-9.:>\- ]{0,6}$/);
    const segment = fc
      .tuple(ids, fc.array(element, { maxLength: 20 }))
      .map(([id, e]) => [id, ...e].join('*'));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 60 }), fc.boolean(), async (segments, newlines) => {
        const text = segments.join(newlines ? '~\n' : '~');
        const result = await parse835(text);
        expect(Array.isArray(result.remittances)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('codetrail x12 835', () => {
  it('prints the remittance as JSON, streaming the file', async () => {
    const { runX12_835 } = await import('#cli/commands/x12.ts');
    const out = JSON.parse(
      await runX12_835(new URL('../fixtures/x12/835/moov-sample1.835.txt', import.meta.url).pathname),
    );
    expect(out.remittances).toHaveLength(2);
    expect(out.remittances[0].claims[0]).toMatchObject({ status: '4' });
    expect(out.warnings).toEqual([]);
  });

  it.each([
    ['a file that is not X12 (a README)', '../../README.md', 'the file holds no X12 transaction set (ST)'],
    ['a file that is not there', '../fixtures/x12/835/no-such-file.835', 'the file cannot be read'],
  ])('refuses %s with one line saying what to give, naming no path', async (_, path, reason) => {
    const { runX12_835 } = await import('#cli/commands/x12.ts');
    const error = await runX12_835(new URL(path, import.meta.url).pathname).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.startsWith(`x12 835: ${reason}; give `)).toBe(true);
    expect((error as Error).message).not.toMatch(/README|no-such-file|\n/);
  });
});

describe('what a warning quotes of the file', () => {
  it('quotes only values from closed sets: an 835 segment id, a 3-digit transaction set id, an X12 version', () => {
    expect(['CLP', 'ISA', 'PLB'].map(segmentToken)).toEqual(['CLP', 'ISA', 'PLB']);
    expect(['837', '835'].map(transactionSetToken)).toEqual(['837', '835']);
    expect(['005010X221A1', '004010X091A1', '005010'].map(versionToken)).toEqual([
      '005010X221A1',
      '004010X091A1',
      '005010',
    ]);
    // A name, an SSN-shaped number, an MRN, free text: named, never quoted.
    for (const other of ['', 'SMITH', 'Smith', '123456789', '000000101', '# Zulu Yankee', 'Yankée', 'clp']) {
      expect(segmentToken(other), other).toBe('a segment that is not an 835 segment');
      expect(transactionSetToken(other), other).toBe('not a 3-digit X12 id');
      expect(versionToken(other), other).toBe('a version that is not an X12 version');
    }
  });

  it('never puts a name or number from a file that is not an 835 into a warning', async () => {
    const { warnings } = await parse835(
      'SMITH*JOHN*1940-01-01~Zulu Yankee DOB 1940-01-01*x~ISA*00*123-45-6789~GS*HP*A*B*1*2*987654321*JANE DOE~ST*837*555443333~SE*2*555443333~',
    );
    const text = JSON.stringify(warnings);
    for (const planted of [
      'SMITH',
      'JOHN',
      '1940',
      'Zulu',
      'Yankee',
      '6789',
      '987654321',
      'JANE',
      '555443333',
    ])
      expect(text, planted).not.toContain(planted);
    expect(warnings.length).toBeGreaterThan(2);
  });
});
