import { RARC_CODE } from '#shared/model/remittance.ts';
import { type Delimiters, type Elements, SegmentSplitter, segmentCode } from './segments.ts';

/**
 * An X12 835 (005010X221A1) health care claim payment/advice, read as a stream: every interchange,
 * functional group and transaction set in the input, one claim at a time, so memory stays flat however
 * many claims a file holds. Envelope problems (counts that do not match, a missing trailer) are
 * warnings, never crashes. Patient names (NM1 in the claim loop) are not read: codetrail matches claims
 * by CLP01, the claimRef it gave them.
 */

export interface Adjustment {
  /** CO contractual, PR patient responsibility, OA other, PI payer initiated (5010); as read, checked later. */
  group: string;
  reason: string;
  amount: number;
  quantity?: number;
}

/** A composite element: `HC:G0299:GP` is qualifier HC, code G0299, modifiers [GP]. */
export interface Composite {
  qualifier: string;
  code: string;
  modifiers: string[];
}

/** What a claim loop and a service line loop both carry: CAS, remarks, REF and DTM. */
interface LoopDetails {
  adjustments: Adjustment[];
  /** Remittance advice remark codes (RARC): claim level from MOA/MIA, line level from LQ*HE. */
  remarks: string[];
  references: { qualifier: string; value: string }[];
  dates: { qualifier: string; date: string }[];
}

export interface ServiceLine extends LoopDetails {
  procedure: Composite;
  charge: number;
  payment: number;
  revenueCode?: string;
  unitsPaid?: number;
  originalProcedure?: Composite;
  originalUnits?: number;
}

export interface Claim835 extends LoopDetails {
  /** CLP01: the patient control number, codetrail's claimRef. */
  patientControlNumber: string;
  /** CLP02: 1-3 processed (primary, secondary, tertiary), 4 denied, 19-21 processed and forwarded, 22 reversal, 23 not our claim, 25 predetermination. */
  status: string;
  charge: number;
  payment: number;
  patientResponsibility: number;
  filingIndicator?: string;
  payerClaimControlNumber?: string;
  facilityType?: string;
  frequency?: string;
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
      providerAdjustments: ProviderAdjustment[];
    }
  | { kind: 'warning'; message: string; segment?: number };

/** CAS: a group code, then up to six reason/amount/quantity triplets, appended to `out`. */
function adjustments(e: Elements, out: Adjustment[]): void {
  const group = e.str(1);
  for (let i = 2; i + 1 < e.length && i <= 17; i += 3) {
    const reason = e.opt(i);
    if (!reason) continue;
    const adjustment: Adjustment = { group, reason, amount: e.num(i + 1) };
    const quantity = e.opt(i + 2);
    if (quantity !== undefined) adjustment.quantity = e.num(i + 2);
    out.push(adjustment);
  }
}

/** The segments the reader reads, by their ids as numbers; the rest (NM1 patients, N3/N4 addresses, AMT, QTY, PER...) are only counted. */
const ISA = segmentCode('ISA');
const GS = segmentCode('GS');
const ST = segmentCode('ST');
const SE = segmentCode('SE');
const GE = segmentCode('GE');
const IEA = segmentCode('IEA');
const BPR = segmentCode('BPR');
const TRN = segmentCode('TRN');
const N1 = segmentCode('N1');
const LX = segmentCode('LX');
const CLP = segmentCode('CLP');
const CAS = segmentCode('CAS');
const MIA = segmentCode('MIA');
const MOA = segmentCode('MOA');
const SVC = segmentCode('SVC');
const LQ = segmentCode('LQ');
const DTM = segmentCode('DTM');
const REF = segmentCode('REF');
const PLB = segmentCode('PLB');
const READ: ReadonlySet<number> = new Set([
  ISA,
  GS,
  ST,
  SE,
  GE,
  IEA,
  BPR,
  TRN,
  N1,
  LX,
  CLP,
  CAS,
  MIA,
  MOA,
  SVC,
  LQ,
  DTM,
  REF,
  PLB,
]);

/**
 * The 835 events of a stream of text chunks (a file, an S3 body decoded as UTF-8), a batch per chunk:
 * one await per chunk rather than per event, which is most of the cost of an async reader.
 */
export async function* read835Batches(
  chunks: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<X12Event[]> {
  const state = new Reader();
  const splitter = new SegmentSplitter((e, index, d) => state.take(e, index, d), READ);
  for await (const chunk of chunks) {
    splitter.push(chunk);
    const events = state.drain();
    if (events.length > 0) yield events;
  }
  splitter.end();
  const last = state.drain();
  for (const message of splitter.warnings) last.push({ kind: 'warning', message });
  state.finish();
  last.push(...state.drain());
  if (last.length > 0) yield last;
}

/** The 835 events of a stream of text chunks, one by one. */
export async function* read835(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<X12Event> {
  for await (const events of read835Batches(chunks)) yield* events;
}

export interface Parsed835 {
  remittances: (RemittanceHeader & { claims: Claim835[]; providerAdjustments: ProviderAdjustment[] })[];
  warnings: { message: string; segment?: number }[];
}

/**
 * What a warning may quote of a value read from the file: nothing a file could put patient data in.
 * Warnings reach quarantine reports, summaries and logs, and a file that is not X12 at all (or an X12
 * file with free text where an id belongs) can hold anything; a control number is shaped like an SSN.
 * So a warning cites the segment number and a fixed reason, and quotes only values from closed sets:
 * a segment id the 835 guide defines, a 3-digit transaction set id, an X12 version.
 */
const SEGMENT_IDS = new Set(
  'ISA IEA GS GE ST SE BPR TRN CUR REF DTM N1 N2 N3 N4 PER RDM LX TS3 TS2 CLP CAS NM1 MIA MOA AMT QTY SVC LQ PLB'.split(
    ' ',
  ),
);

export function segmentToken(value: string): string {
  return SEGMENT_IDS.has(value) ? value : 'a segment that is not an 835 segment';
}

export function transactionSetToken(value: string): string {
  return /^\d{3}$/.test(value) ? value : 'not a 3-digit X12 id';
}

export function versionToken(value: string): string {
  return /^\d{6}(X\d{3}(A\d)?)?$/.test(value) ? value : 'a version that is not an X12 version';
}

/**
 * Every remittance (transaction set) of a stream with its claims, and the warnings, held whole: for
 * printing and tests. Ingestion uses the events, one claim at a time.
 */
export async function collect835(chunks: AsyncIterable<string> | Iterable<string>): Promise<Parsed835> {
  const remittances: Parsed835['remittances'] = [];
  const warnings: Parsed835['warnings'] = [];
  // A transaction set's claims and its end come after its 'transaction' event: there is always a last one.
  const last = () => remittances.at(-1) as Parsed835['remittances'][number];
  for await (const e of read835(chunks)) {
    if (e.kind === 'transaction') remittances.push({ ...e.header, claims: [], providerAdjustments: [] });
    else if (e.kind === 'claim') last().claims.push(e.claim);
    else if (e.kind === 'transaction-end') last().providerAdjustments.push(...e.providerAdjustments);
    else
      warnings.push(
        e.segment === undefined ? { message: e.message } : { message: e.message, segment: e.segment },
      );
  }
  return { remittances, warnings };
}

/** A whole 835 text read at once: the remittances (transaction sets) with their claims, and the warnings. */
export function parse835(text: string): Promise<Parsed835> {
  return collect835([text]);
}

/** The transaction set being read (ST to SE): its header and what its trailer and PLB need. */
interface Transaction {
  header: RemittanceHeader;
  /** Whether its 'transaction' event has gone out (before its first claim, or at its end). */
  announced: boolean;
  /** Segments since ST, ST included, for SE01. */
  segments: number;
  /** The segment number of its ST, which warnings cite (never its control number: see `segmentToken`). */
  start: number;
  /** The payer while its N1 loop is read (N1*PR up to N1*PE): a REF*2U there is its id. */
  payer: NonNullable<RemittanceHeader['payer']> | undefined;
  plb: ProviderAdjustment[];
}

/** Segments in, events out: a plain state machine (no generator per segment, which costs throughput). */
class Reader {
  private events: X12Event[] = [];
  private interchange:
    | { info: NonNullable<RemittanceHeader['interchange']>; groups: number; start: number }
    | undefined;
  private group:
    | (NonNullable<RemittanceHeader['group']> & { transactions: number; start: number })
    | undefined;
  private transaction: Transaction | undefined;
  private claim: Claim835 | undefined;
  private service: ServiceLine | undefined;

  take(e: Elements, index: number, delimiters: Delimiters): void {
    const id = e.code();
    if (this.transaction) this.transaction.segments++;
    switch (id) {
      case ISA:
        if (this.interchange) this.warn('an interchange has no IEA trailer', index);
        this.interchange = {
          info: {
            sender: e.str(6).trim(),
            receiver: e.str(8).trim(),
            date: e.str(9),
            controlNumber: e.str(13),
          },
          groups: 0,
          start: index,
        };
        return;
      case GS:
        if (this.interchange) this.interchange.groups++;
        this.group = { controlNumber: e.str(6), version: e.str(8), transactions: 0, start: index };
        if (this.group.version && !this.group.version.startsWith('005010X221'))
          this.warn(`the group is ${versionToken(this.group.version)}, not 005010X221A1`, index);
        return;
      case ST: {
        if (this.transaction) this.closeTransaction(this.transaction, index, undefined);
        if (this.group) this.group.transactions++;
        const header: RemittanceHeader = { controlNumber: e.str(2) };
        if (this.interchange) header.interchange = this.interchange.info;
        if (this.group)
          header.group = { controlNumber: this.group.controlNumber, version: this.group.version };
        this.transaction = { header, announced: false, segments: 1, start: index, payer: undefined, plb: [] };
        if (e.str(1) !== '835')
          this.warn(`the transaction set is ${transactionSetToken(e.str(1))}, not an 835`, index);
        return;
      }
      case SE:
        if (this.transaction) this.closeTransaction(this.transaction, index, e.num(1));
        else this.warn('SE without ST', index);
        return;
      case GE:
        if (this.group && e.num(1) !== this.group.transactions)
          this.warn(
            `GE counts other than the ${this.group.transactions} transaction sets found in the group at segment ${this.group.start}`,
            index,
          );
        this.group = undefined;
        return;
      case IEA:
        if (this.interchange && e.num(1) !== this.interchange.groups)
          this.warn(
            `IEA counts other than the ${this.interchange.groups} groups found in the interchange at segment ${this.interchange.start}`,
            index,
          );
        this.interchange = undefined;
        return;
    }
    const transaction = this.transaction;
    if (!transaction) {
      this.warn(`${segmentToken(e.str(0))} outside a transaction set`, index);
      return;
    }
    const h = transaction.header;
    const component = delimiters.component;
    switch (id) {
      case BPR: {
        const payment: NonNullable<RemittanceHeader['payment']> = {
          handling: e.str(1),
          amount: e.num(2),
          creditDebit: e.str(3),
          method: e.str(4),
        };
        const date = e.opt(16);
        if (date) payment.date = date;
        h.payment = payment;
        return;
      }
      case TRN: {
        const trace: NonNullable<RemittanceHeader['trace']> = { type: e.str(1), number: e.str(2) };
        const originator = e.opt(3);
        if (originator) trace.originator = originator;
        h.trace = trace;
        return;
      }
      case N1: {
        const party = {
          name: e.str(2),
          ...(e.opt(3) ? { idQualifier: e.opt(3) } : {}),
          ...(e.opt(4) ? { id: e.opt(4) } : {}),
        };
        if (e.str(1) === 'PR') {
          h.payer = party as NonNullable<RemittanceHeader['payer']>;
          transaction.payer = h.payer;
        } else if (e.str(1) === 'PE') {
          h.payee = party as NonNullable<RemittanceHeader['payee']>;
          transaction.payer = undefined;
        }
        return;
      }
      case LX:
        this.announce(transaction);
        this.flushClaim(h.controlNumber);
        return;
      case CLP: {
        this.announce(transaction);
        this.flushClaim(h.controlNumber);
        const claim: Claim835 = {
          patientControlNumber: e.str(1),
          status: e.str(2),
          charge: e.num(3),
          payment: e.num(4),
          patientResponsibility: e.num(5),
          adjustments: [],
          remarks: [],
          references: [],
          dates: [],
          services: [],
        };
        const filingIndicator = e.opt(6);
        if (filingIndicator !== undefined) claim.filingIndicator = filingIndicator;
        const payerClaimControlNumber = e.opt(7);
        if (payerClaimControlNumber !== undefined) claim.payerClaimControlNumber = payerClaimControlNumber;
        const facilityType = e.opt(8);
        if (facilityType !== undefined) claim.facilityType = facilityType;
        const frequency = e.opt(9);
        if (frequency !== undefined) claim.frequency = frequency;
        this.claim = claim;
        this.service = undefined;
        return;
      }
      case CAS: {
        const loop = this.service ?? this.claim;
        if (loop) adjustments(e, loop.adjustments);
        return;
      }
      case MIA:
      case MOA:
        // The remark codes among their elements (MIA05, MIA20-23, MOA03-07); the others are amounts
        // and counts.
        if (this.claim)
          for (const element of e.all()) {
            const code = element.trim();
            if (RARC_CODE.test(code)) this.claim.remarks.push(code);
          }
        return;
      case SVC: {
        if (!this.claim) {
          this.warn('SVC outside a claim', index);
          return;
        }
        const line: ServiceLine = {
          procedure: e.composite(1, component),
          charge: e.num(2),
          payment: e.num(3),
          dates: [],
          adjustments: [],
          remarks: [],
          references: [],
        };
        const revenueCode = e.opt(4);
        if (revenueCode !== undefined) line.revenueCode = revenueCode;
        if (e.opt(5) !== undefined) line.unitsPaid = e.num(5);
        if (e.opt(6) !== undefined) line.originalProcedure = e.composite(6, component);
        if (e.opt(7) !== undefined) line.originalUnits = e.num(7);
        this.claim.services.push(line);
        this.service = line;
        return;
      }
      case LQ: {
        const remark = e.opt(2);
        if (this.service && remark && e.str(1) === 'HE') this.service.remarks.push(remark);
        return;
      }
      case DTM:
        (this.service ?? this.claim)?.dates.push({ qualifier: e.str(1), date: e.str(2) });
        return;
      case REF: {
        const ref = { qualifier: e.str(1), value: e.str(2) };
        const loop = this.service ?? this.claim;
        if (loop) loop.references.push(ref);
        else if (transaction.payer && e.str(1) === '2U' && !transaction.payer.id)
          transaction.payer.id = ref.value;
        return;
      }
      case PLB:
        this.announce(transaction);
        this.flushClaim(h.controlNumber);
        for (let i = 3; i + 1 < e.length; i += 2) {
          const reason = e.composite(i, component);
          if (!reason.qualifier) continue;
          const adjustment: ProviderAdjustment = {
            provider: e.str(1),
            date: e.str(2),
            reason: reason.qualifier,
            amount: e.num(i + 1),
          };
          if (reason.code) adjustment.reference = reason.code;
          transaction.plb.push(adjustment);
        }
        return;
      // The others (NM1 patients: not read; AMT, QTY, PER, N3, N4, TS3, TS2, CUR, RDM) are not needed.
    }
  }

  finish(): void {
    if (this.transaction) this.closeTransaction(this.transaction, undefined, undefined);
    if (this.group) this.warn(`the group at segment ${this.group.start} has no GE trailer`);
    if (this.interchange)
      this.warn(`the interchange at segment ${this.interchange.start} has no IEA trailer`);
  }

  private announce(transaction: Transaction): void {
    if (transaction.announced) return;
    transaction.announced = true;
    this.events.push({ kind: 'transaction', header: transaction.header });
  }

  private flushClaim(transaction: string): void {
    if (!this.claim) return;
    this.events.push({ kind: 'claim', transaction, claim: this.claim });
    this.claim = undefined;
    this.service = undefined;
  }

  /** Its claim and end go out; a missing SE (`declared` undefined) or a wrong count is a warning at `at`. */
  private closeTransaction(
    transaction: Transaction,
    at: number | undefined,
    declared: number | undefined,
  ): void {
    const { header, segments } = transaction;
    this.announce(transaction);
    this.flushClaim(header.controlNumber);
    if (declared === undefined)
      this.warn(`the transaction set at segment ${transaction.start} has no SE trailer`, at);
    else if (declared !== segments)
      this.warn(
        `SE counts other than the ${segments} segments found in the transaction set at segment ${transaction.start}`,
        at,
      );
    this.events.push({
      kind: 'transaction-end',
      transaction: header.controlNumber,
      providerAdjustments: transaction.plb,
    });
    this.transaction = undefined;
  }

  private warn(message: string, segment?: number): void {
    this.events.push(
      segment === undefined ? { kind: 'warning', message } : { kind: 'warning', message, segment },
    );
  }

  /** The events taken since the last call. */
  drain(): X12Event[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}
