/** A synthetic X12 835 for tests: one interchange, one transaction set, the claims given. */

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
