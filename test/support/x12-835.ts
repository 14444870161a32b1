/** A synthetic X12 835 for tests: one interchange, one transaction set, the claims given. */

import type {
  Adjustment,
  Claim835,
  Composite,
  Parsed835,
  ProviderAdjustment,
  RemittanceHeader,
} from '#shared/formats/x12/read-835.ts';
import type { Delimiters } from '#shared/formats/x12/segments.ts';

/** One CAS segment: a group code and up to six reason/amount(/quantity) triplets (CAS02-CAS19). */
export interface CasSegment {
  group: string;
  triplets: [reason: string, amount: number, quantity?: number][];
}

export interface ClaimSpec {
  pcn: string;
  /** CLP02: 1 processed as primary, 4 denied, 22 reversal. */
  status: string;
  charge: number;
  paid: number;
  /** Claim-level CAS: [group, reason, amount], one triplet a segment. */
  cas?: [string, string, number][];
  /** Claim-level CAS segments of several triplets each, after `cas`. */
  casSegments?: CasSegment[];
  /** CAS segments of the claim's service line. */
  lineCasSegments?: CasSegment[];
  /** Line-level remark codes (LQ*HE). */
  remarks?: string[];
  /** CLP07. */
  icn?: string;
}

export function build835(args: {
  claims: ClaimSpec[];
  trace?: string;
  payerId?: string;
  date?: string;
  /** Segment terminator followed by a line break, as many payers send. */
  lineBreaks?: boolean;
}): string {
  const date = args.date ?? '20261120';
  const total = args.claims.reduce((s, c) => s + c.paid, 0).toFixed(2);
  const body: string[] = [
    'ST*835*0001',
    `BPR*I*${total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*${date}`,
    `TRN*1*${args.trace ?? 'EFT-0001'}*1512345678`,
    `DTM*405*${date}`,
    `N1*PR*SYNTHETIC MEDICARE CONTRACTOR*XV*${args.payerId ?? '15004'}`,
    'N1*PE*SYNTHETIC HOME HEALTH*XX*1999999984',
    'LX*1',
  ];
  for (const c of args.claims) {
    body.push(
      `CLP*${c.pcn}*${c.status}*${c.charge.toFixed(2)}*${c.paid.toFixed(2)}**MA*${c.icn ?? `ICN${c.pcn.slice(-6)}`}*32*1`,
    );
    for (const [group, reason, amount] of c.cas ?? [])
      body.push(`CAS*${group}*${reason}*${amount.toFixed(2)}`);
    for (const segment of c.casSegments ?? []) body.push(casSegment(segment));
    body.push('NM1*QC*1*SYNTHETIC*PATIENT****MI*1EG4TE5MK73');
    body.push(`SVC*HC:G0299*${c.charge.toFixed(2)}*${c.paid.toFixed(2)}**4`, `DTM*472*${date}`);
    for (const segment of c.lineCasSegments ?? []) body.push(casSegment(segment));
    for (const r of c.remarks ?? []) body.push(`LQ*HE*${r}`);
  }
  body.push(`SE*${body.length + 1}*0001`);
  const segments = [
    'ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHAGENCY    *261120*1200*^*00501*000000101*0*T*:',
    `GS*HP*SYNTHPAYER*SYNTHAGENCY*${date}*1200*101*X*005010X221A1`,
    ...body,
    'GE*1*101',
    'IEA*1*000000101',
  ];
  return `${segments.join(args.lineBreaks ? '~\n' : '~')}~\n`;
}

/** `CAS*CO*45*10.00**97*5.00*2`: a triplet without a quantity leaves its element empty. */
function casSegment({ group, triplets }: CasSegment): string {
  const elements = triplets.flatMap(([reason, amount, quantity]) => [
    reason,
    amount.toFixed(2),
    quantity === undefined ? '' : String(quantity),
  ]);
  return ['CAS', group, ...elements].join('*').replace(/\*+$/, '');
}

/**
 * A whole 835 written from the reader's own model, for round-trip tests: `write835(model)` read back
 * gives `flatten835(model)`. Each interchange writes with its own delimiters; the segments the reader
 * only counts (NM1, N3, N4, PER, AMT, QTY, TS3, LQ*RX...) are written too, as payers send them.
 *
 * What the model must hold for the round trip (the arbitraries in the tests keep to it): values free of
 * every delimiter and of leading or trailing blanks; claim remarks are RARC codes, five at most (MOA03-07,
 * or MIA05 and MIA20-23); a payer id without a qualifier (it is written as REF*2U); composites and
 * adjustments with a qualifier and a reason.
 */
export interface Transaction835 extends Omit<RemittanceHeader, 'interchange' | 'group'> {
  claims: Claim835[];
  providerAdjustments: ProviderAdjustment[];
}

export interface Group835 {
  controlNumber: string;
  version: string;
  transactions: Transaction835[];
}

export interface Interchange835 {
  /** ISA06 and ISA08: up to 15 characters, written padded. */
  sender: string;
  receiver: string;
  /** ISA09 (YYMMDD) and ISA13 (nine digits): fixed width. */
  date: string;
  controlNumber: string;
  delimiters: Delimiters;
  groups: Group835[];
}

export interface Layout835 {
  /** Written after each segment terminator. */
  lineBreak?: '' | '\n' | '\r\n';
  /** Wraps every segment but the ISA after this many characters, with `wrapWith` (80-column files). */
  wrapAt?: number;
  wrapWith?: '\n' | '\r\n' | '\r';
  /** A byte-order mark before the first ISA. */
  bom?: boolean;
  /** The count written in each SE, GE and IEA, from the true one (to write a wrong count). */
  declare?: (trailer: 'SE' | 'GE' | 'IEA', found: number) => number;
}

/** The remittances `collect835` reads from `write835(interchanges)`: one per transaction set. */
export function flatten835(interchanges: Interchange835[]): Parsed835['remittances'] {
  return interchanges.flatMap(({ sender, receiver, date, controlNumber, groups }) =>
    groups.flatMap((g) =>
      g.transactions.map((t) => ({
        ...t,
        interchange: { sender, receiver, date, controlNumber },
        group: { controlNumber: g.controlNumber, version: g.version },
      })),
    ),
  );
}

/** The segments of the reader's model, each an array of elements (the id first). */
type Segment = string[];

export function write835(interchanges: Interchange835[], layout: Layout835 = {}): string {
  const declare = layout.declare ?? ((_: string, found: number) => found);
  let out = layout.bom ? '\ufeff' : '';
  for (const interchange of interchanges) {
    const d = interchange.delimiters;
    out += isaHeader(interchange) + (layout.lineBreak ?? '');
    const write = (segment: Segment) => {
      let text = segmentText(segment, d);
      if (layout.wrapAt !== undefined) text = wrap(text, layout.wrapAt, layout.wrapWith ?? '\n');
      out += text + d.segment + (layout.lineBreak ?? '');
    };
    for (const group of interchange.groups) {
      write([
        'GS',
        'HP',
        'SYNTHPAYER',
        'SYNTHAGENCY',
        '20261120',
        '1200',
        group.controlNumber,
        'X',
        group.version,
      ]);
      for (const t of group.transactions) {
        const body = transactionSegments(t, d);
        for (const segment of body) write(segment);
        write(['SE', String(declare('SE', body.length + 1)), t.controlNumber]);
      }
      write(['GE', String(declare('GE', group.transactions.length)), group.controlNumber]);
    }
    write(['IEA', String(declare('IEA', interchange.groups.length)), interchange.controlNumber]);
  }
  return out;
}

function isaHeader(i: Interchange835): string {
  const d = i.delimiters;
  if (
    i.sender.length > 15 ||
    i.receiver.length > 15 ||
    !/^\d{6}$/.test(i.date) ||
    !/^\d{9}$/.test(i.controlNumber)
  )
    throw new Error('ISA06/08 up to 15 characters, ISA09 six digits, ISA13 nine digits');
  const isa = isaElements({
    sender: i.sender,
    receiver: i.receiver,
    date: i.date,
    control: i.controlNumber,
    repetition: d.repetition,
    component: d.component,
  }).join(d.element);
  return isa + d.segment;
}

/** The 17 elements of an ISA at the fixed widths X12 requires (synthetic sender and receiver by default). */
export function isaElements(o: {
  control: string;
  repetition: string;
  component: string;
  sender?: string;
  receiver?: string;
  date?: string;
}): string[] {
  return [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    'ZZ',
    (o.sender ?? 'SYNTHPAYER').padEnd(15),
    'ZZ',
    (o.receiver ?? 'SYNTHAGENCY').padEnd(15),
    o.date ?? '261120',
    '1200',
    o.repetition,
    '00501',
    o.control,
    '0',
    'T',
    o.component,
  ];
}

/** Elements joined, the empty trailing ones dropped as X12 requires. */
function segmentText(segment: Segment, d: Delimiters): string {
  const elements = [...segment];
  while (elements.length > 1 && elements.at(-1) === '') elements.pop();
  return elements.join(d.element);
}

function wrap(text: string, width: number, lineBreak: string): string {
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += width) lines.push(text.slice(at, at + width));
  return lines.join(lineBreak);
}

const money = (n: number) => n.toFixed(2);

function composite(c: Composite, d: Delimiters): string {
  return [c.qualifier, c.code, ...c.modifiers].join(d.component);
}

function transactionSegments(t: Transaction835, d: Delimiters): Segment[] {
  const out: Segment[] = [['ST', '835', t.controlNumber]];
  if (t.payment) {
    const p = t.payment;
    out.push(
      // BPR05-15: the payer's and the payee's bank accounts, not read.
      [
        'BPR',
        p.handling,
        money(p.amount),
        p.creditDebit,
        p.method,
        'CCP',
        '01',
        '999999999',
        'DA',
        '123456',
        '1512345678',
        '',
        '01',
        '999988880',
        'DA',
        '98765',
        p.date ?? '',
      ],
    );
  }
  if (t.trace) out.push(['TRN', t.trace.type, t.trace.number, t.trace.originator ?? '']);
  out.push(['REF', 'EV', 'SYNTHRECEIVER'], ['DTM', '405', '20261120']);
  if (t.payer) {
    const { name, idQualifier, id } = t.payer;
    out.push(['N1', 'PR', name, idQualifier ?? '', idQualifier ? (id ?? '') : '']);
    out.push(['N3', '1 SYNTHETIC WAY'], ['N4', 'NOWHERE', 'ZZ', '00000']);
    // An additional payer id (REF*2U) is the payer's id when N1 gave none.
    if (id && !idQualifier) out.push(['REF', 'NF', '12345'], ['REF', '2U', id]);
    out.push(['PER', 'BL', 'SYNTHETIC HELP DESK', 'TE', '5555550100']);
  }
  if (t.payee) {
    const { name, idQualifier, id } = t.payee;
    out.push(['N1', 'PE', name, idQualifier ?? '', id ?? '']);
    // A payee REF*2U is not the payer's id.
    out.push(['REF', 'TJ', '999999999'], ['REF', '2U', 'PAYEEREF']);
  }
  if (t.claims.length > 0) out.push(['LX', '1'], ['TS3', '1512345678', '12', '20261231', '1']);
  for (const claim of t.claims) out.push(...claimSegments(claim, d));
  out.push(...plbSegments(t.providerAdjustments, d));
  return out;
}

function claimSegments(c: Claim835, d: Delimiters): Segment[] {
  const out: Segment[] = [
    [
      'CLP',
      c.patientControlNumber,
      c.status,
      money(c.charge),
      money(c.payment),
      money(c.patientResponsibility),
      c.filingIndicator ?? '',
      c.payerClaimControlNumber ?? '',
      c.facilityType ?? '',
      c.frequency ?? '',
    ],
  ];
  out.push(...casSegments(c.adjustments));
  out.push(['NM1', 'QC', '1', 'SYNTHETIC', 'PATIENT', '', '', '', 'MI', '1EG4TE5MK73']);
  if (c.remarks.length > 5) throw new Error('five claim remarks at most (MOA03-07)');
  // Inpatient remarks go in MIA (MIA05, then MIA20-23), outpatient ones in MOA03-07; both carry amounts.
  if (c.facilityType === '11' && c.remarks.length > 0) {
    const [first = '', ...rest] = c.remarks;
    out.push(['MIA', '0', '', '', '138018.40', first, ...Array<string>(14).fill(''), ...rest]);
  } else if (c.remarks.length > 0) out.push(['MOA', '0.5', '12.34', ...c.remarks]);
  for (const r of c.references) out.push(['REF', r.qualifier, r.value]);
  for (const t of c.dates) out.push(['DTM', t.qualifier, t.date]);
  out.push(['AMT', 'AU', money(c.charge)]);
  for (const line of c.services) {
    out.push([
      'SVC',
      composite(line.procedure, d),
      money(line.charge),
      money(line.payment),
      line.revenueCode ?? '',
      line.unitsPaid === undefined ? '' : String(line.unitsPaid),
      line.originalProcedure ? composite(line.originalProcedure, d) : '',
      line.originalUnits === undefined ? '' : String(line.originalUnits),
    ]);
    for (const t of line.dates) out.push(['DTM', t.qualifier, t.date]);
    out.push(...casSegments(line.adjustments));
    for (const r of line.references) out.push(['REF', r.qualifier, r.value]);
    out.push(['AMT', 'B6', money(line.payment)], ['QTY', 'ZK', '1']);
    // LQ*RX (an NCPDP reject code) is not a remark.
    for (const r of line.remarks) out.push(['LQ', 'HE', r]);
    out.push(['LQ', 'RX', '70']);
  }
  return out;
}

/** One CAS per run of the same group code, six triplets at most each (CAS02-CAS19). */
function casSegments(adjustments: Adjustment[]): Segment[] {
  const out: Segment[] = [];
  let current: Segment | undefined;
  for (const a of adjustments) {
    if (!current || current[1] !== a.group || current.length >= 20) {
      current = ['CAS', a.group];
      out.push(current);
    }
    current.push(a.reason, money(a.amount), a.quantity === undefined ? '' : String(a.quantity));
  }
  return out;
}

/** One PLB per run of the same provider and date, six adjustments at most each. */
function plbSegments(adjustments: ProviderAdjustment[], d: Delimiters): Segment[] {
  const out: Segment[] = [];
  let current: Segment | undefined;
  for (const a of adjustments) {
    if (!current || current[1] !== a.provider || current[2] !== a.date || current.length >= 15) {
      current = ['PLB', a.provider, a.date];
      out.push(current);
    }
    const reason = a.reference === undefined ? a.reason : `${a.reason}${d.component}${a.reference}`;
    current.push(reason, money(a.amount));
  }
  return out;
}
