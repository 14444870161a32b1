import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispositionOf } from '#shared/denials/disposition.ts';
import { DENIAL_CSV_COLUMNS, readDenialCsv } from '#shared/formats/denial-csv.ts';

const root = new URL('../../', import.meta.url);
const cents = (n: number) => Math.round(n * 100) / 100;
const sum = (xs: number[]) => cents(xs.reduce((a, x) => a + x, 0));
/** How a CSV writer quotes a field. */
const quote = (field: string) => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
const csv = (rows: string[][]) => rows.map((r) => r.map(quote).join(',')).join('\n');

const HEADER = 'claim_ref,status,charge,paid,patient_responsibility,reason_codes,remark_codes,paid_date';
const GOOD = [
  HEADER,
  'CT0000000000000A,paid,100.00,80.00,10.00,CO-45:10.00 PR-2:10.00,,2022-05-10',
  'CT0000000000000B,denied,200.00,0,0,CO-16,N290,2022-05-10',
  'CT0000000000000C,reversal,-50.00,-45.00,0,CO-45:-5.00,,05/11/2022',
].join('\n');

const BASE: Record<string, string> = {
  claim_ref: 'CT0000000000000A',
  status: 'denied',
  charge: '10.00',
  paid: '0',
  reason_codes: 'CO-16',
};
/** A file of one line per override, each the BASE line with its override put over it. */
const fileOf = (...overrides: Record<string, string>[]) => {
  const rows = overrides.map((o) => ({ ...BASE, ...o }));
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return csv([names, ...rows.map((r) => names.map((n) => r[n] ?? ''))]);
};

describe('readDenialCsv: good files', () => {
  it('reads paid, denied and reversal lines with their amounts, codes and totals', () => {
    const { payment, claims, issues } = readDenialCsv(GOOD);
    expect(issues).toEqual([]);
    expect(payment).toEqual({});
    expect(claims.map((c) => c.line)).toEqual([2, 3, 4]);
    expect(claims.map((c) => [c.claim.statusCode, c.claim.disposition])).toEqual([
      ['1', 'paid'],
      ['4', 'denied'],
      ['22', 'reversal'],
    ]);
    expect(claims[0]?.claim).toEqual({
      patientControlNumber: 'CT0000000000000A',
      statusCode: '1',
      disposition: 'paid',
      charge: 100,
      payment: 80,
      patientResponsibility: 10,
      adjustments: [
        { group: 'CO', reason: '45', amount: 10, level: 'claim' },
        { group: 'PR', reason: '2', amount: 10, level: 'claim' },
      ],
      remarkCodes: [],
      paidDate: '2022-05-10',
    });
    expect(claims[1]?.claim.adjustments).toEqual([{ group: 'CO', reason: '16', amount: 0, level: 'claim' }]);
    expect(claims[1]?.claim.remarkCodes).toEqual(['N290']);
    expect(claims[2]?.claim.paidDate).toBe('2022-05-11');
    expect(sum(claims.map((c) => c.claim.charge))).toBe(250);
    expect(sum(claims.map((c) => c.claim.payment))).toBe(35);
  });

  it('reads the shipped example file with the totals docs/denial-csv.md states', () => {
    const text = readFileSync(
      new URL('examples/remittances/demo-agency/2022-05-12-denials.csv', root),
      'utf8',
    );
    const { payment, claims, issues } = readDenialCsv(text);
    expect(issues).toEqual([]);
    expect(payment).toEqual({
      payerName: 'Medicare (synthetic)',
      payerId: 'SYN-PAYER-01',
      traceNumber: 'SYN-EFT-20220510',
    });
    expect(claims.map((c) => c.claim.disposition)).toEqual(['paid', 'denied', 'denied', 'paid', 'reversal']);
    expect(sum(claims.map((c) => c.claim.charge))).toBe(6171.74);
    expect(sum(claims.map((c) => c.claim.payment))).toBe(1980.12);
    expect(claims[2]?.claim.remarkCodes).toEqual(['N115', 'M127']);
    expect(claims[2]?.claim.paidDate).toBe('2022-05-10');
    expect(claims.every((c) => c.claim.payerClaimControlNumber?.startsWith('SYN-PCN-'))).toBe(true);
  });

  it('maps status words in any case to CLP02 and keeps numeric codes as they are', () => {
    const text = csv([
      ['claim_ref', 'status', 'paid', 'reason_codes'],
      ['A1', 'PAID', '5', ''],
      ['A2', 'Denied', '0', 'CO-16'],
      ['A3', 'REVERSAL', '-5', ''],
      ['A4', '2', '5', ''],
      ['A5', '1', '0', 'CO-50'],
      ['A6', '19', '40', ''],
      ['A7', '1', '0', 'PR-1:20'],
    ]);
    const { claims, issues } = readDenialCsv(text);
    expect(issues).toEqual([]);
    expect(claims.map((c) => [c.claim.statusCode, c.claim.disposition])).toEqual([
      ['1', 'paid'],
      ['4', 'denied'],
      ['22', 'reversal'],
      ['2', 'paid'],
      // processed with nothing paid on a non-PR adjustment: a denial (dispositionOf)
      ['1', 'denied'],
      // processed and forwarded to the next payer (a Medicare crossover): the payer's answer
      ['19', 'paid'],
      // nothing paid, but only patient responsibility: paid
      ['1', 'paid'],
    ]);
  });

  it("refuses 4010's CR group: the 5010 CAS groups are CO, OA, PI and PR", () => {
    const { claims, issues } = readDenialCsv(
      csv([
        ['claim_ref', 'status', 'paid', 'reason_codes'],
        ['A1', 'denied', '0', 'CR-45'],
        ['A2', 'denied', '0', 'PI-16'],
      ]),
    );
    expect(claims.map((c) => c.claim.patientControlNumber)).toEqual(['A2']);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.reason).toMatch(/GROUP one of CO, PR, OA, PI/);
  });

  it('reads the columns in any order, with names in any case and padded', () => {
    const lines = GOOD.split('\n').map((l) => l.split(','));
    const order = [7, 5, 3, 1, 0, 2, 4, 6];
    const shuffled = lines.map((cells, i) =>
      order.map((j) => (i === 0 ? ` ${(cells[j] ?? '').toUpperCase()} ` : (cells[j] ?? ''))),
    );
    expect(readDenialCsv(csv(shuffled))).toEqual(readDenialCsv(GOOD));
  });

  it('tolerates a BOM and CRLF, skips blank and all-empty lines, and keeps physical line numbers', () => {
    const [head, ...rows] = GOOD.split('\n');
    const text = `\uFEFF\r\n${head}\r\n\r\n${rows[0]}\r\n,,,,\r\n   \r\n${rows.slice(1).join('\r\n')}\r\n`;
    const read = readDenialCsv(text);
    expect(read.issues).toEqual([]);
    expect(read.claims.map((c) => c.line)).toEqual([4, 7, 8]);
    expect(read.claims.map((c) => c.claim)).toEqual(readDenialCsv(GOOD).claims.map((c) => c.claim));
  });

  it('reads quoted cells, codes separated by ; or spaces in any case, and US dates', () => {
    const text = csv([
      ['claim_ref', 'status', 'charge', 'reason_codes', 'remark_codes', 'paid_date', 'frequency'],
      ['A,1', 'denied', '1234.50', ' co-16 ; oa-23:-1.5\tCO-45 ', 'n290;M127  ma130', '2/29/2024', '7'],
    ]);
    const { claims, issues } = readDenialCsv(text);
    expect(issues).toEqual([]);
    expect(claims[0]?.claim).toMatchObject({
      patientControlNumber: 'A,1',
      charge: 1234.5,
      adjustments: [
        { group: 'CO', reason: '16', amount: 0 },
        { group: 'OA', reason: '23', amount: -1.5 },
        { group: 'CO', reason: '45', amount: 0 },
      ],
      remarkCodes: ['N290', 'M127', 'MA130'],
      paidDate: '2024-02-29',
      frequency: '7',
    });
  });

  it('takes the payment from the first accepted line that has it, and paymentDate only from payment_date', () => {
    const text = csv([
      ['claim_ref', 'status', 'reason_codes', 'payer_name', 'payer_id', 'trace_number', 'payment_date'],
      ['A1', 'bogus', 'CO-16', 'Wrong Payer', '', '', ''],
      ['A2', 'denied', 'CO-16', 'Payer One', '', '', ''],
      ['A3', 'denied', 'CO-16', '', 'P1', 'TRN-1', '05/12/2022'],
      ['A4', 'denied', 'CO-16', 'Payer One', 'P1', 'TRN-1', '2022-05-12'],
    ]);
    const { payment, claims, issues } = readDenialCsv(text);
    expect(issues.map((i) => [i.line, i.column])).toEqual([[2, 'status']]);
    expect(claims.map((c) => c.line)).toEqual([3, 4, 5]);
    expect(payment).toEqual({
      payerName: 'Payer One',
      payerId: 'P1',
      traceNumber: 'TRN-1',
      paymentDate: '2022-05-12',
    });
    expect(readDenialCsv(GOOD).payment.paymentDate).toBeUndefined();
  });
});

describe('readDenialCsv: bad files and lines', () => {
  it('gives one issue on line 1 and no claims for an empty file or one without a header', () => {
    for (const text of ['', '\n\n', 'CT0000000000000A,denied,0,CO-16']) {
      const read = readDenialCsv(text);
      expect(read.claims).toEqual([]);
      expect(read.issues).toHaveLength(1);
      expect(read.issues[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/no header/) });
    }
  });

  it('gives one issue and no claims when a required column is missing or a column is named twice', () => {
    const missing = readDenialCsv('claim_ref,paid,whatever\nA1,0,x');
    expect(missing).toEqual({
      payment: {},
      claims: [],
      issues: [{ line: 1, column: 'status', reason: 'the header lacks a required column' }],
    });
    expect(readDenialCsv('paid\n0').issues).toEqual([
      { line: 1, column: 'claim_ref, status', reason: 'the header lacks a required column' },
    ]);
    const twice = readDenialCsv('claim_ref,status,Status\nA1,paid,denied');
    expect(twice.claims).toEqual([]);
    expect(twice.issues).toEqual([
      { line: 1, column: 'status', reason: 'the header names this column more than once' },
    ]);
  });

  it('reports each unknown column once on line 1 and reads the rest', () => {
    const read = readDenialCsv('claim_ref,Notes,status,notes,,paid\nA1,x,paid,y,,5\n');
    expect(read.issues).toEqual([{ line: 1, column: 'notes', reason: 'unknown column, ignored' }]);
    expect(read.claims).toHaveLength(1);
  });

  const BAD: [string, string][] = [
    ['claim_ref', ''],
    ['claim_ref', 'X'.repeat(39)],
    ['claim_ref', 'A\u0007B'],
    ['status', ''],
    ['status', 'rejected'],
    ['status', '123'],
    ['charge', '$12.00'],
    ['charge', '1,234.00'],
    ['paid', '12 00'],
    ['paid', '1e3'],
    ['patient_responsibility', 'ten'],
    ['reason_codes', 'XX-16'],
    ['reason_codes', 'CO-16;CO-TOOLONG'],
    ['reason_codes', 'CO-16:$5'],
    ['reason_codes', 'CO16'],
    ['remark_codes', 'N290;N2900000X'],
    ['remark_codes', 'N-290'],
    ['payer_claim_number', 'P'.repeat(51)],
    ['frequency', '12'],
    ['frequency', 'x'],
    ['paid_date', '2023-02-29'],
    ['paid_date', '04/31/2022'],
    ['paid_date', '13/01/2022'],
    ['paid_date', '2022/05/10'],
    ['paid_date', '2022-5-10'],
    ['payer_name', 'N'.repeat(201)],
    ['payer_id', 'I'.repeat(81)],
    ['trace_number', 'T'.repeat(81)],
    ['payment_date', 'tomorrow'],
  ];

  it.each(BAD)('skips a line whose %s is bad, names the column and goes on', (column, value) => {
    const read = readDenialCsv(fileOf({ [column]: value }, {}));
    expect(read.issues.length).toBeGreaterThan(0);
    expect(read.issues.every((i) => i.line === 2 && i.column === column)).toBe(true);
    expect(read.claims.map((c) => c.line)).toEqual([3]);
    // Short values could match a word of the reason by chance; the PHI test below covers them all.
    if (value.length >= 4) expect(JSON.stringify(read.issues)).not.toContain(value);
  });

  it('wants at least one reason code on a denied line', () => {
    const read = readDenialCsv(fileOf({ reason_codes: '' }));
    expect(read.claims).toEqual([]);
    expect(read.issues).toEqual([
      { line: 2, column: 'reason_codes', reason: 'a denied claim needs at least one reason code' },
    ]);
  });

  it('reports every bad cell of a line at once', () => {
    const read = readDenialCsv(fileOf({ status: 'nope', paid: '$1', paid_date: '2022-13-01' }));
    expect(read.issues.map((i) => i.column)).toEqual(['status', 'paid', 'paid_date']);
  });

  it('skips a line whose payment columns disagree with an earlier line, without quoting either', () => {
    const text = csv([
      ['claim_ref', 'status', 'reason_codes', 'payer_name', 'trace_number'],
      ['A1', 'denied', 'CO-16', 'Payer One', 'TRN-1'],
      ['A2', 'denied', 'CO-16', 'Payer Two', 'TRN-1'],
      ['A3', 'denied', 'CO-16', 'Payer One', 'TRN-2'],
    ]);
    const read = readDenialCsv(text);
    expect(read.claims.map((c) => c.line)).toEqual([2]);
    expect(read.issues.map((i) => [i.line, i.column])).toEqual([
      [3, 'payer_name'],
      [4, 'trace_number'],
    ]);
    expect(read.issues[0]?.reason).toMatch(/line 2/);
    expect(JSON.stringify(read.issues)).not.toMatch(/Payer|TRN/);
    expect(read.payment).toEqual({ payerName: 'Payer One', traceNumber: 'TRN-1' });
  });

  it('skips a line with an unclosed quote or more cells than the header', () => {
    const text = [
      HEADER,
      '"CT0000000000000A,paid,1',
      'CT0000000000000B,denied,1,234.00,0,0,CO-16,N290,2022-05-10',
    ].join('\n');
    const read = readDenialCsv(text);
    expect(read.claims).toEqual([]);
    expect(read.issues.map((i) => i.line)).toEqual([2, 3]);
    expect(read.issues[0]?.reason).toMatch(/not closed/);
    expect(read.issues[1]?.reason).toMatch(/more cells/);
  });

  it('never quotes a cell value in an issue (values may be PHI)', () => {
    const secret = (column: string) => `Zq${column.length}Jane Doe 1950-01-01 ${column.slice(0, 3)}`;
    const names = DENIAL_CSV_COLUMNS.map((c) => c.name);
    const text = csv([names, names.map(secret), names.map((n) => `${secret(n)}-b`)]);
    const read = readDenialCsv(text);
    expect(read.claims).toEqual([]);
    expect(read.issues.length).toBeGreaterThan(names.length);
    const out = JSON.stringify(read);
    expect(out).not.toMatch(/Jane|Doe|1950|Zq/);
    // A first line that is data, not a header: not one of its cells is reported either.
    expect(JSON.stringify(readDenialCsv('Jane Doe,1950-01-01,denied\n'))).not.toMatch(/Jane|1950/);
  });
});

describe('readDenialCsv: properties', () => {
  const lineCount = (text: string) => text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
  const cellText = fc.string({ unit: fc.constantFrom(...'aZ09 ,;:"-.$/\r\n\t\uFEFFCOPR'.split('')) });
  const csvish = fc
    .tuple(
      fc.shuffledSubarray(
        DENIAL_CSV_COLUMNS.map((c) => c.name),
        { minLength: 0 },
      ),
      fc.array(fc.array(cellText, { maxLength: 16 }), { maxLength: 12 }),
    )
    .map(([head, rows]) => [head.join(','), ...rows.map((r) => r.join(','))].join('\n'));

  // Hundreds of generated cases take seconds on a busy two-core machine: more than vitest's 5 s default.
  it('never throws on any text, and every issue and claim is on a line of the file', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), csvish), (text) => {
        const read = readDenialCsv(text);
        const lines = lineCount(text);
        for (const { line } of [...read.issues, ...read.claims]) {
          expect(Number.isInteger(line)).toBe(true);
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(lines);
        }
        const claimLines = new Set(read.claims.map((c) => c.line));
        expect(read.issues.some((i) => claimLines.has(i.line))).toBe(false);
      }),
      { numRuns: 500 },
    );
  }, 30_000);

  const amount = fc.integer({ min: -10_000_000, max: 10_000_000 }).map((c) => (c / 100).toFixed(2));
  const reasonCode = fc.record({
    group: fc.constantFrom('CO', 'PR', 'OA', 'PI'),
    reason: fc.stringMatching(/^(?:\d{1,3}|[A-Z]\d{1,2})$/),
    amount: fc.option(amount, { nil: undefined }),
  });
  const row = fc.record({
    claimRef: fc.stringMatching(/^[A-Z0-9]{1,38}$/),
    status: fc.constantFrom('paid', 'denied', 'reversal', 'Paid', 'DENIED', '1', '2', '4', '19', '22'),
    charge: amount,
    paid: amount,
    patientResponsibility: amount,
    reasons: fc.array(reasonCode, { maxLength: 4 }),
    remarks: fc.array(fc.stringMatching(/^[A-Z]{1,2}\d{1,4}$/), { maxLength: 3 }),
    separator: fc.constantFrom(';', ' ', ' ; '),
  });
  type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;
  const STATUS = new Map([
    ['paid', '1'],
    ['denied', '4'],
    ['reversal', '22'],
  ]);
  const COLUMNS = [
    'claim_ref',
    'status',
    'charge',
    'paid',
    'patient_responsibility',
    'reason_codes',
    'remark_codes',
  ];

  /** A generated row as the file holds it, with a CO-16 given to a denial that has no reason. */
  const prepared = (r: Row) => {
    const statusCode = STATUS.get(r.status.toLowerCase()) ?? r.status;
    const reasons = r.reasons.map((c) => ({ ...c }));
    const adjustments = () =>
      reasons.map((c) => ({
        group: c.group,
        reason: c.reason,
        amount: Number(c.amount ?? 0) || 0,
        level: 'claim' as const,
      }));
    if (dispositionOf(statusCode, Number(r.paid), adjustments()) === 'denied' && reasons.length === 0)
      reasons.push({ group: 'CO', reason: '16', amount: undefined });
    const expected = {
      patientControlNumber: r.claimRef,
      statusCode,
      disposition: dispositionOf(statusCode, Number(r.paid), adjustments()),
      charge: Number(r.charge) || 0,
      payment: Number(r.paid) || 0,
      patientResponsibility: Number(r.patientResponsibility) || 0,
      adjustments: adjustments(),
      remarkCodes: r.remarks,
    };
    const cells: Record<string, string> = {
      claim_ref: r.claimRef,
      status: r.status,
      charge: r.charge,
      paid: r.paid,
      patient_responsibility: r.patientResponsibility,
      reason_codes: reasons
        .map((c) => `${c.group}-${c.reason}${c.amount === undefined ? '' : `:${c.amount}`}`)
        .join(r.separator),
      remark_codes: r.remarks.join(r.separator),
    };
    return { expected, cells };
  };

  it('reads generated valid rows back to the same values, whatever the column order', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 10 }),
        fc.shuffledSubarray(COLUMNS, { minLength: COLUMNS.length }),
        (rows, order) => {
          const lines = rows.map(prepared);
          const read = readDenialCsv(csv([order, ...lines.map((l) => order.map((c) => l.cells[c] ?? ''))]));
          expect(read.issues).toEqual([]);
          expect(read.claims.map((c) => c.line)).toEqual(rows.map((_, i) => i + 2));
          expect(read.claims.map((c) => c.claim)).toEqual(lines.map((l) => l.expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('docs/denial-csv.md', () => {
  it('documents every column the reader knows', () => {
    const doc = readFileSync(new URL('docs/denial-csv.md', root), 'utf8');
    for (const { name, required } of DENIAL_CSV_COLUMNS) {
      expect(doc, name).toContain(`| \`${name}\` | ${required ? 'yes' : 'no'} |`);
    }
  });
});
