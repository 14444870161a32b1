import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Adjustment,
  type Claim835,
  type Composite,
  collect835,
  type ProviderAdjustment,
  read835Batches,
  type ServiceLine,
} from '#shared/formats/x12/read-835.ts';
import type { Delimiters } from '#shared/formats/x12/segments.ts';
import {
  flatten835,
  type Group835,
  type Interchange835,
  type Layout835,
  type Transaction835,
  write835,
} from '../support/x12-835.ts';

/**
 * Generated 835s, written with delimiters chosen at random for each interchange, laid out as payers lay
 * them out (line breaks after terminators, segments wrapped at a width, a BOM) and cut into chunks
 * anywhere, read back to the model they were written from.
 */

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const DIGITS = '0123456789';
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${DIGITS}`;
const id = (min: number, max: number) => chars(ALNUM, min, max);
const digits = (n: number) => chars(DIGITS, n, n);
const name = fc.array(id(1, 8), { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
/** Cents, as 835 amounts are: what `toFixed(2)` writes reads back to the same number. */
const amount = fc.integer({ min: -10_000_000, max: 10_000_000 }).map((cents) => cents / 100);
const date = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replaceAll('-', ''));
const rarc = fc
  .tuple(fc.constantFrom('M', 'MA', 'N'), fc.integer({ min: 1, max: 9999 }))
  .map(([prefix, n]) => `${prefix}${n}`);

/** Delimiters never found in a value ([A-Z0-9], blanks, '.', '-'); a line break may end segments. */
const PUNCTUATION = [...'*|^~:>!{}#@&`\\=?<;%$"\'()[],/_+'];
const delimiters: fc.Arbitrary<Delimiters> = fc
  .tuple(fc.shuffledSubarray(PUNCTUATION, { minLength: 4, maxLength: 4 }), fc.boolean())
  .map(([[element = '*', component = ':', repetition = '^', segment = '~'], newlineTerminated]) => ({
    element,
    component,
    repetition,
    segment: newlineTerminated ? '\n' : segment,
  }));

const composite: fc.Arbitrary<Composite> = fc.record(
  {
    qualifier: fc.constantFrom('HC', 'NU', 'HP', 'AD', 'ER'),
    code: id(1, 6),
    modifiers: fc.array(id(2, 2), { maxLength: 4 }),
  },
  { noNullPrototype: true },
);

const adjustment: fc.Arbitrary<Adjustment> = fc.record(
  {
    group: fc.constantFrom('CO', 'PR', 'OA', 'PI', 'CR'),
    reason: fc.oneof(fc.constantFrom('1', '2', '3', '45', '253', '16', '50', '97', 'B12'), id(1, 3)),
    amount,
    quantity: fc.integer({ min: 0, max: 999 }),
  },
  { noNullPrototype: true, requiredKeys: ['group', 'reason', 'amount'] },
);

const reference = fc.record(
  {
    qualifier: fc.constantFrom('6R', 'EA', 'F8', '1L', 'G1', 'LU'),
    value: id(1, 12),
  },
  { noNullPrototype: true },
);
const dated = (qualifiers: string[]) =>
  fc.record({ qualifier: fc.constantFrom(...qualifiers), date }, { noNullPrototype: true });

const serviceLine: fc.Arbitrary<ServiceLine> = fc.record(
  {
    procedure: composite,
    charge: amount,
    payment: amount,
    revenueCode: digits(4),
    unitsPaid: fc.integer({ min: 0, max: 999 }),
    originalProcedure: composite,
    originalUnits: fc.integer({ min: 0, max: 999 }),
    dates: fc.array(dated(['472', '150', '151']), { maxLength: 2 }),
    adjustments: fc.array(adjustment, { maxLength: 8 }),
    remarks: fc.array(fc.oneof(rarc, id(1, 5)), { maxLength: 3 }),
    references: fc.array(reference, { maxLength: 2 }),
  },
  {
    noNullPrototype: true,
    requiredKeys: ['procedure', 'charge', 'payment', 'dates', 'adjustments', 'remarks', 'references'],
  },
);

const claim: fc.Arbitrary<Claim835> = fc.record(
  {
    patientControlNumber: chars(`${ALNUM}-`, 1, 20),
    status: fc.constantFrom('1', '2', '3', '4', '19', '20', '21', '22', '23', '25'),
    charge: amount,
    payment: amount,
    patientResponsibility: amount,
    filingIndicator: fc.constantFrom('MA', 'MB', 'MC', '16', '12'),
    payerClaimControlNumber: id(1, 14),
    facilityType: fc.constantFrom('11', '32', '33', '81', '82'),
    frequency: fc.constantFrom('1', '7', '8'),
    adjustments: fc.array(adjustment, { maxLength: 8 }),
    remarks: fc.array(rarc, { maxLength: 5 }),
    references: fc.array(reference, { maxLength: 2 }),
    dates: fc.array(dated(['232', '233', '036', '050']), { maxLength: 2 }),
    services: fc.array(serviceLine, { maxLength: 3 }),
  },
  {
    noNullPrototype: true,
    requiredKeys: [
      'patientControlNumber',
      'status',
      'charge',
      'payment',
      'patientResponsibility',
      'adjustments',
      'remarks',
      'references',
      'dates',
      'services',
    ],
  },
);

const providerAdjustment: fc.Arbitrary<ProviderAdjustment> = fc.record(
  {
    provider: digits(10),
    date,
    reason: fc.constantFrom('WO', 'L6', 'FB', '72', 'CS', 'J1', '50'),
    reference: id(1, 14),
    amount,
  },
  { noNullPrototype: true, requiredKeys: ['provider', 'date', 'reason', 'amount'] },
);

const party = fc.record(
  { name, idQualifier: fc.constantFrom('XV', 'XX', 'FI'), id: id(1, 10) },
  { noNullPrototype: true, requiredKeys: ['name'] },
);

const transaction: fc.Arbitrary<Transaction835> = fc.record(
  {
    controlNumber: chars(DIGITS, 4, 9),
    payment: fc.record(
      {
        handling: fc.constantFrom('C', 'D', 'H', 'I', 'P', 'U', 'X'),
        amount,
        creditDebit: fc.constantFrom('C', 'D'),
        method: fc.constantFrom('ACH', 'BOP', 'CHK', 'FWT', 'NON'),
        date,
      },
      { noNullPrototype: true, requiredKeys: ['handling', 'amount', 'creditDebit', 'method'] },
    ),
    trace: fc.record(
      { type: fc.constantFrom('1', '2'), number: id(1, 15), originator: digits(10) },
      { noNullPrototype: true, requiredKeys: ['type', 'number'] },
    ),
    payer: party,
    payee: party,
    claims: fc.array(claim, { maxLength: 3 }),
    providerAdjustments: fc.array(providerAdjustment, { maxLength: 8 }),
  },
  { noNullPrototype: true, requiredKeys: ['controlNumber', 'claims', 'providerAdjustments'] },
);

const group: fc.Arbitrary<Group835> = fc.record(
  {
    controlNumber: chars(DIGITS, 1, 9),
    version: fc.constant('005010X221A1'),
    transactions: fc.array(transaction, { maxLength: 2 }),
  },
  { noNullPrototype: true },
);

const interchange: fc.Arbitrary<Interchange835> = fc.record(
  {
    sender: id(1, 15),
    receiver: id(1, 15),
    date: digits(6),
    controlNumber: digits(9),
    delimiters,
    groups: fc.array(group, { maxLength: 2 }),
  },
  { noNullPrototype: true },
);

const interchanges = fc.array(interchange, { maxLength: 3 });

/** Line breaks as payers send them; wrapping only where no segment ends at a line break. */
const layout = (model: Interchange835[]): fc.Arbitrary<Layout835> => {
  const newlineTerminated = model.some((i) => i.delimiters.segment === '\n');
  return fc.record(
    {
      lineBreak: fc.constantFrom<Layout835['lineBreak']>('', '\n', '\r\n'),
      wrapAt: newlineTerminated ? fc.constant(undefined) : fc.integer({ min: 1, max: 80 }),
      wrapWith: fc.constantFrom<Layout835['wrapWith']>('\n', '\r\n', '\r'),
      bom: fc.boolean(),
    },
    { noNullPrototype: true, requiredKeys: [] },
  );
};

/** The text cut at any points, even inside an ISA or between a CR and its LF. */
const cutAnywhere = (text: string) =>
  fc.array(fc.integer({ min: 1, max: Math.max(1, text.length) }), { maxLength: 12 }).map((cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b);
    return [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
  });

const written = interchanges.chain((model) =>
  layout(model).chain((l) => {
    const text = write835(model, l);
    return cutAnywhere(text).map((chunks) => ({ model, text, chunks }));
  }),
);

describe('an 835 written from any model, with any delimiters, laid out and cut into chunks anyhow', () => {
  it('reads back every interchange, group, transaction set, claim and line as written, without a warning', async () => {
    await fc.assert(
      fc.asyncProperty(written, async ({ model, chunks }) => {
        expect(await collect835(chunks)).toStrictEqual({ remittances: flatten835(model), warnings: [] });
      }),
      { numRuns: 150 },
    );
  });

  it('warns of every trailer that counts wrong, naming what it counts and what was found, and reads on', async () => {
    await fc.assert(
      fc.asyncProperty(interchanges, fc.constantFrom(-2, -1, 1, 3), async (model, off) => {
        const text = write835(model, { declare: (_trailer, found) => found + off });
        const { remittances, warnings } = await collect835([text]);
        expect(remittances).toStrictEqual(flatten835(model));
        // In file order: each transaction set's SE, its group's GE, its interchange's IEA.
        const trailers = model.flatMap((i) => [
          ...i.groups.flatMap((g) => [
            ...g.transactions.map(() => 'SE counts other than the '),
            `GE counts other than the ${g.transactions.length} transaction sets found in the group at segment `,
          ]),
          `IEA counts other than the ${i.groups.length} groups found in the interchange at segment `,
        ]);
        expect(warnings.map((w, k) => w.message.slice(0, trailers[k]?.length))).toEqual(trailers);
        // Each cites where the trailer is and where what it counts began; the count it declared (a value
        // from the file) is not quoted.
        for (const { message, segment } of warnings) {
          const [, start] = /at segment (\d+)$/.exec(message) ?? [];
          expect(Number(start), message).toBeGreaterThan(0);
          expect(segment, message).toBeGreaterThan(Number(start));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('yields a batch only when it holds events, the same events as the whole text read at once', async () => {
    const batches = async (chunks: string[]) => {
      const out: unknown[][] = [];
      for await (const batch of read835Batches(chunks)) out.push(batch);
      return out;
    };
    await fc.assert(
      fc.asyncProperty(written, async ({ text, chunks }) => {
        const cut = await batches(chunks);
        expect(cut.filter((batch) => batch.length === 0)).toEqual([]);
        expect(cut.flat()).toStrictEqual((await batches([text])).flat());
      }),
      { numRuns: 50 },
    );
  });
});
