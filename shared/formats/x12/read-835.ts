import { type Segment, SegmentSplitter } from './segments.ts';

/**
 * An X12 835 (005010X221A1) health care claim payment/advice, read as a stream: every interchange,
 * functional group and transaction set in the input, one claim at a time, so memory stays flat however
 * many claims a file holds. Envelope problems (counts that do not match, a missing trailer) are
 * warnings, never crashes. Patient names (NM1 in the claim loop) are not read: codetrail matches claims
 * by CLP01, the claimRef it gave them.
 */

export interface Adjustment {
  /** CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction/reversal. */
  group: string;
  reason: string;
  amount: number;
  quantity?: number;
}

export interface ServiceLine {
  procedure: { qualifier: string; code: string; modifiers: string[] };
  charge: number;
  payment: number;
  revenueCode?: string;
  unitsPaid?: number;
  originalProcedure?: { qualifier: string; code: string; modifiers: string[] };
  originalUnits?: number;
  dates: { qualifier: string; date: string }[];
  adjustments: Adjustment[];
  /** LQ*HE: remittance advice remark codes (RARC). */
  remarks: string[];
  references: { qualifier: string; value: string }[];
}

export interface Claim835 {
  /** CLP01: the patient control number, codetrail's claimRef. */
  patientControlNumber: string;
  /** CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 19-23 forwarded/reversal (22), 25 predetermination. */
  status: string;
  charge: number;
  payment: number;
  patientResponsibility: number;
  filingIndicator?: string;
  payerClaimControlNumber?: string;
  facilityType?: string;
  frequency?: string;
  adjustments: Adjustment[];
  /** Claim-level remark codes from MOA (outpatient) and MIA (inpatient). */
  remarks: string[];
  references: { qualifier: string; value: string }[];
  dates: { qualifier: string; date: string }[];
  services: ServiceLine[];
}

export interface RemittanceHeader {
  interchange?: { sender: string; receiver: string; date: string; controlNumber: string };
  group?: { controlNumber: string; version: string };
  controlNumber: string;
  payment?: { handling: string; amount: number; creditDebit: string; method: string; date?: string };
  trace?: { type: string; number: string; originator?: string };
  payer?: { name: string; idQualifier?: string; id?: string };
  payee?: { name: string; idQualifier?: string; id?: string };
}

export interface ProviderAdjustment {
  provider: string;
  date: string;
  reason: string;
  reference?: string;
  amount: number;
}

export type X12Event =
  | { kind: 'transaction'; header: RemittanceHeader }
  | { kind: 'claim'; transaction: string; claim: Claim835 }
  | {
      kind: 'transaction-end';
      transaction: string;
      claimCount: number;
      providerAdjustments: ProviderAdjustment[];
    }
  | { kind: 'warning'; message: string; segment?: number };

const num = (value: string | undefined): number => {
  if (value === undefined || value.trim() === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
};
const opt = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

function composite(value: string | undefined, component: string) {
  const [qualifier = '', code = '', ...modifiers] = (value ?? '').split(component);
  return { qualifier, code, modifiers: modifiers.filter((m) => m !== '') };
}

function adjustments(e: string[]): Adjustment[] {
  const out: Adjustment[] = [];
  const group = e[1] ?? '';
  for (let i = 2; i + 1 < e.length && i <= 17; i += 3) {
    const reason = opt(e[i]);
    if (!reason) continue;
    const adjustment: Adjustment = { group, reason, amount: num(e[i + 1]) };
    const quantity = opt(e[i + 2]);
    if (quantity !== undefined) adjustment.quantity = num(quantity);
    out.push(adjustment);
  }
  return out;
}

const REMARK = /^[A-Z]{1,2}\d{1,3}$/;

/** The 835 events of a stream of text chunks (a file, an S3 body decoded as UTF-8). */
export async function* read835(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<X12Event> {
  const splitter = new SegmentSplitter();
  const state = new Reader();
  for await (const chunk of chunks) for (const s of splitter.push(chunk)) yield* state.take(s);
  for (const s of splitter.end()) yield* state.take(s);
  for (const message of splitter.warnings) yield { kind: 'warning', message };
  yield* state.finish();
}

/** A whole 835 text read at once: the remittances (transaction sets) with their claims, and the warnings. */
export async function parse835(text: string): Promise<{
  remittances: (RemittanceHeader & { claims: Claim835[]; providerAdjustments: ProviderAdjustment[] })[];
  warnings: { message: string; segment?: number }[];
}> {
  const remittances: (RemittanceHeader & {
    claims: Claim835[];
    providerAdjustments: ProviderAdjustment[];
  })[] = [];
  const warnings: { message: string; segment?: number }[] = [];
  for await (const e of read835([text])) {
    if (e.kind === 'transaction') remittances.push({ ...e.header, claims: [], providerAdjustments: [] });
    else if (e.kind === 'claim') remittances.at(-1)?.claims.push(e.claim);
    else if (e.kind === 'transaction-end') {
      const last = remittances.at(-1);
      if (last) last.providerAdjustments = e.providerAdjustments;
    } else
      warnings.push(
        e.segment === undefined ? { message: e.message } : { message: e.message, segment: e.segment },
      );
  }
  return { remittances, warnings };
}

class Reader {
  private interchange: (RemittanceHeader['interchange'] & { groups: number; segment: number }) | undefined;
  private group: (RemittanceHeader['group'] & { transactions: number; segment: number }) | undefined;
  private header: RemittanceHeader | undefined;
  private announced = false;
  private segments = 0;
  private claims = 0;
  private claim: Claim835 | undefined;
  private service: ServiceLine | undefined;
  private party: 'payer' | 'payee' | undefined;
  private plb: ProviderAdjustment[] = [];

  *take(s: Segment): Generator<X12Event> {
    const e = s.elements;
    const id = e[0] ?? '';
    if (this.header) this.segments++;
    switch (id) {
      case 'ISA':
        if (this.interchange) yield this.warn('an interchange has no IEA trailer', s.index);
        this.interchange = {
          sender: (e[6] ?? '').trim(),
          receiver: (e[8] ?? '').trim(),
          date: e[9] ?? '',
          controlNumber: e[13] ?? '',
          groups: 0,
          segment: s.index,
        };
        return;
      case 'GS':
        if (this.interchange) this.interchange.groups++;
        this.group = { controlNumber: e[6] ?? '', version: e[8] ?? '', transactions: 0, segment: s.index };
        if (this.group.version && !this.group.version.startsWith('005010X221'))
          yield this.warn(
            `group ${this.group.controlNumber} is ${this.group.version}, not 005010X221A1`,
            s.index,
          );
        return;
      case 'ST':
        if (this.header) yield* this.closeTransaction(s.index, undefined);
        if (this.group) this.group.transactions++;
        this.header = { controlNumber: e[2] ?? '' };
        if (this.interchange) {
          const { groups: _g, segment: _s, ...interchange } = this.interchange;
          this.header.interchange = interchange;
        }
        if (this.group)
          this.header.group = { controlNumber: this.group.controlNumber, version: this.group.version };
        this.segments = 1;
        this.claims = 0;
        this.plb = [];
        this.announced = false;
        this.party = undefined;
        if (e[1] !== '835') yield this.warn(`transaction set ${e[1]} is not an 835`, s.index);
        return;
      case 'SE': {
        if (!this.header) return void (yield this.warn('SE without ST', s.index));
        yield* this.closeTransaction(s.index, num(e[1]));
        return;
      }
      case 'GE':
        if (this.group && num(e[1]) !== this.group.transactions)
          yield this.warn(
            `group ${this.group.controlNumber}: GE counts ${e[1]} transaction sets, ${this.group.transactions} found`,
            s.index,
          );
        this.group = undefined;
        return;
      case 'IEA':
        if (this.interchange && num(e[1]) !== this.interchange.groups)
          yield this.warn(
            `interchange ${this.interchange.controlNumber}: IEA counts ${e[1]} groups, ${this.interchange.groups} found`,
            s.index,
          );
        this.interchange = undefined;
        return;
    }
    if (!this.header) return void (yield this.warn(`${id} outside a transaction set`, s.index));
    const h = this.header;
    const component = s.delimiters.component;
    switch (id) {
      case 'BPR': {
        const payment: NonNullable<RemittanceHeader['payment']> = {
          handling: e[1] ?? '',
          amount: num(e[2]),
          creditDebit: e[3] ?? '',
          method: e[4] ?? '',
        };
        const date = opt(e[16]);
        if (date) payment.date = date;
        h.payment = payment;
        return;
      }
      case 'TRN': {
        const trace: NonNullable<RemittanceHeader['trace']> = { type: e[1] ?? '', number: e[2] ?? '' };
        const originator = opt(e[3]);
        if (originator) trace.originator = originator;
        h.trace = trace;
        return;
      }
      case 'N1': {
        const party = {
          name: e[2] ?? '',
          ...(opt(e[3]) ? { idQualifier: opt(e[3]) } : {}),
          ...(opt(e[4]) ? { id: opt(e[4]) } : {}),
        };
        if (e[1] === 'PR') {
          h.payer = party as NonNullable<RemittanceHeader['payer']>;
          this.party = 'payer';
        } else if (e[1] === 'PE') {
          h.payee = party as NonNullable<RemittanceHeader['payee']>;
          this.party = 'payee';
        }
        return;
      }
      case 'LX':
        yield* this.announce();
        yield* this.flushClaim(h.controlNumber);
        return;
      case 'CLP': {
        yield* this.announce();
        yield* this.flushClaim(h.controlNumber);
        const claim: Claim835 = {
          patientControlNumber: e[1] ?? '',
          status: e[2] ?? '',
          charge: num(e[3]),
          payment: num(e[4]),
          patientResponsibility: num(e[5]),
          adjustments: [],
          remarks: [],
          references: [],
          dates: [],
          services: [],
        };
        const more = {
          filingIndicator: opt(e[6]),
          payerClaimControlNumber: opt(e[7]),
          facilityType: opt(e[8]),
          frequency: opt(e[9]),
        };
        for (const [k, v] of Object.entries(more))
          if (v !== undefined) (claim as unknown as Record<string, string>)[k] = v;
        this.claim = claim;
        this.service = undefined;
        return;
      }
      case 'CAS':
        if (this.service) this.service.adjustments.push(...adjustments(e));
        else if (this.claim) this.claim.adjustments.push(...adjustments(e));
        return;
      case 'MIA':
      case 'MOA':
        if (this.claim)
          for (const v of e.slice(1)) if (REMARK.test(v.trim())) this.claim.remarks.push(v.trim());
        return;
      case 'SVC': {
        if (!this.claim) return void (yield this.warn('SVC outside a claim', s.index));
        const line: ServiceLine = {
          procedure: composite(e[1], component),
          charge: num(e[2]),
          payment: num(e[3]),
          dates: [],
          adjustments: [],
          remarks: [],
          references: [],
        };
        if (opt(e[4])) line.revenueCode = opt(e[4]);
        if (opt(e[5])) line.unitsPaid = num(e[5]);
        if (opt(e[6])) line.originalProcedure = composite(e[6], component);
        if (opt(e[7])) line.originalUnits = num(e[7]);
        this.claim.services.push(line);
        this.service = line;
        return;
      }
      case 'LQ':
        if (this.service && e[1] === 'HE' && opt(e[2])) this.service.remarks.push((e[2] ?? '').trim());
        return;
      case 'DTM': {
        const date = { qualifier: e[1] ?? '', date: e[2] ?? '' };
        if (this.service) this.service.dates.push(date);
        else if (this.claim) this.claim.dates.push(date);
        return;
      }
      case 'REF': {
        const ref = { qualifier: e[1] ?? '', value: e[2] ?? '' };
        if (this.service) this.service.references.push(ref);
        else if (this.claim) this.claim.references.push(ref);
        else if (this.party === 'payer' && e[1] === '2U' && h.payer && !h.payer.id) h.payer.id = ref.value;
        return;
      }
      case 'PLB':
        yield* this.announce();
        yield* this.flushClaim(h.controlNumber);
        for (let i = 3; i + 1 < e.length; i += 2) {
          const reason = composite(e[i], component);
          if (!reason.qualifier) continue;
          const adjustment: ProviderAdjustment = {
            provider: e[1] ?? '',
            date: e[2] ?? '',
            reason: reason.qualifier,
            amount: num(e[i + 1]),
          };
          if (reason.code) adjustment.reference = reason.code;
          this.plb.push(adjustment);
        }
        return;
      default:
        // NM1 (patients: not read), AMT, QTY, PER, N3, N4, TS3, TS2, CUR, RDM: not needed.
        return;
    }
  }

  *finish(): Generator<X12Event> {
    if (this.header) yield* this.closeTransaction(undefined, undefined);
    if (this.group) yield this.warn(`group ${this.group.controlNumber} has no GE trailer`);
    if (this.interchange) yield this.warn(`interchange ${this.interchange.controlNumber} has no IEA trailer`);
  }

  private *announce(): Generator<X12Event> {
    if (this.announced || !this.header) return;
    this.announced = true;
    yield { kind: 'transaction', header: this.header };
  }

  private *flushClaim(transaction: string): Generator<X12Event> {
    if (!this.claim) return;
    this.claims++;
    yield { kind: 'claim', transaction, claim: this.claim };
    this.claim = undefined;
    this.service = undefined;
  }

  private *closeTransaction(at: number | undefined, declared: number | undefined): Generator<X12Event> {
    const h = this.header;
    if (!h) return;
    yield* this.announce();
    yield* this.flushClaim(h.controlNumber);
    if (declared === undefined) yield this.warn(`transaction set ${h.controlNumber} has no SE trailer`, at);
    else if (declared !== this.segments)
      yield this.warn(
        `transaction set ${h.controlNumber}: SE counts ${declared} segments, ${this.segments} found`,
        at,
      );
    yield {
      kind: 'transaction-end',
      transaction: h.controlNumber,
      claimCount: this.claims,
      providerAdjustments: this.plb,
    };
    this.header = undefined;
  }

  private warn(message: string, segment?: number): X12Event {
    return segment === undefined ? { kind: 'warning', message } : { kind: 'warning', message, segment };
  }
}
