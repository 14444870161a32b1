/**
 * Small synthetic X12 835s for the denial ingestion tests: one interchange, any number of transaction
 * sets, each claim as its CLP, CAS and MOA segments. Values are written as given, so a test can write a
 * claim without CLP01 or a CAS group X12 does not define; the envelope counts are right unless a test
 * breaks them on purpose.
 */

export interface Claim835Spec {
  pcn: string;
  /** CLP02. */
  status: string;
  charge: number;
  paid: number;
  /** CLP07, the payer's claim control number; none when undefined. */
  icn?: string;
  /** Claim-level CAS segments, as their elements after CAS (`CO*16*100.00`). */
  cas?: string[];
  /** Claim-level remark codes (MOA03-07). */
  remarks?: string[];
}

export interface Transaction835Spec {
  /** ST02 / SE02. */
  control?: string;
  /** N1*PR name and id (XV); no N1*PR at all when both are undefined. */
  payerName?: string;
  payerId?: string;
  /** TRN02; no TRN when undefined. */
  trace?: string;
  /** BPR16, CCYYMMDD: the payment date. */
  date?: string;
  claims: Claim835Spec[];
  /** The segment count SE declares, when a test wants it wrong. */
  declaredCount?: number;
}

export function x835(transactions: Transaction835Spec[], options: { omitGe?: boolean } = {}): string {
  const segments = [
    'ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHAGENCY    *261120*1200*^*00501*000000101*0*T*:',
    'GS*HP*SYNTHPAYER*SYNTHAGENCY*20261120*1200*101*X*005010X221A1',
  ];
  for (const [i, t] of transactions.entries()) {
    const control = t.control ?? String(i + 1).padStart(4, '0');
    const total = t.claims.reduce((sum, c) => sum + c.paid, 0).toFixed(2);
    const body = [
      `ST*835*${control}`,
      `BPR*I*${total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*${t.date ?? ''}`,
    ];
    if (t.trace !== undefined) body.push(`TRN*1*${t.trace}*1512345678`);
    if (t.payerName !== undefined || t.payerId !== undefined)
      body.push(`N1*PR*${t.payerName ?? ''}${t.payerId === undefined ? '' : `*XV*${t.payerId}`}`);
    body.push('N1*PE*SYNTHETIC HOME HEALTH*XX*1999999984', 'LX*1');
    for (const c of t.claims) {
      body.push(
        `CLP*${c.pcn}*${c.status}*${c.charge.toFixed(2)}*${c.paid.toFixed(2)}*0*MA*${c.icn ?? ''}*32*1`,
      );
      for (const cas of c.cas ?? []) body.push(`CAS*${cas}`);
      if (c.remarks?.length) body.push(`MOA***${c.remarks.join('*')}`);
    }
    body.push(`SE*${t.declaredCount ?? body.length + 1}*${control}`);
    segments.push(...body);
  }
  if (!options.omitGe) segments.push(`GE*${transactions.length}*101`);
  segments.push('IEA*1*000000101');
  return `${segments.join('~\n')}~\n`;
}
