import type { ClaimTarget } from '#shared/aws/ports.ts';
import { normaliseIcd10Code } from '#shared/data/icd10cm.ts';
import { type Classification, classifyClaim, type ReasonTables } from '#shared/denials/classify.ts';
import {
  CLAIM_REF,
  chartSubject,
  claimAliasKeyOf,
  payerClaimKeyOf,
  sha256Hex,
} from '#shared/identity/identifiers.ts';
import {
  BILLED_STATUSES,
  type ChartState,
  type ChartStatus,
  type DenialRecord,
} from '#shared/model/chart-state.ts';
import type { DenialMark } from '#shared/model/qa.ts';
import {
  type ClaimDisposition,
  CODER_FAMILIES,
  type RemittanceClaim,
  type RemittancePayment,
  type RemittanceRecord,
  toCents,
} from '#shared/model/remittance.ts';
import { recordAudit } from '#shared/runtime/audit.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';

const ACTOR = 'stage:denial-ingestion';

const BILLED: readonly ChartStatus[] = BILLED_STATUSES;
const STATUS_OF: Record<Exclude<ClaimDisposition, 'informational'>, ChartStatus> = {
  paid: 'PAID',
  denied: 'DENIED',
  reversal: 'ADJUSTED',
};

export interface ClaimToApply {
  claim: RemittanceClaim;
  payment: RemittancePayment;
  /** How many identical answers came before this one in the file (0 for the first). */
  occurrence: number;
  /** The claim's place in the file, sortable: transaction and claim ordinal, or line, zero-padded. */
  position: string;
  /** Where in the file, for the report: `transaction set 1 claim 000012`, `line 12`, `entry 3`. */
  sourceRecord: string;
  /** Known already (the JSON denial file names the chart); otherwise CLP01 is looked up. */
  target?: ClaimTarget;
}

/** A claim no chart version answers to: listed in the file's exception report, never a crash. */
export interface UnmatchedClaim {
  record: string;
  /** CLP01 as received: the report sits beside the file in the denials bucket, never in a log. */
  patientControlNumber: string;
  payerClaimControlNumber?: string;
  disposition: ClaimDisposition;
  charge: number;
  payment: number;
  reason: string;
}

/** The chart version a claim answers to, or why none does. */
export type Resolution = { target: ClaimTarget; claimRef?: string } | { unmatched: UnmatchedClaim };

/** Transitions tried when another delivery keeps applying answers to the same claim meanwhile. */
const ATTEMPTS = 5;

/**
 * The id of one payer answer: the payer, the payment's trace number (TRN02), the claim's claimRef (never
 * the raw CLP01, which may be an account number), what was said and how many identical answers came
 * before it in the file. The same answer in a resent or re-exported file is the same record.
 */
export function remitIdOf(item: ClaimToApply, claimRef: string): string {
  return sha256Hex(`${answerKey(item.claim, item.payment, claimRef)}|${item.occurrence}`).slice(0, 24);
}

/** What makes two payer answers the same answer: who paid, which payment, which claim, what was said. */
export function answerKey(claim: RemittanceClaim, payment: RemittancePayment, claimRef: string): string {
  return [
    payment.payerId ?? payment.payerName ?? '',
    payment.traceNumber ?? '',
    claimRef,
    claim.statusCode,
    claim.charge,
    claim.payment,
    claim.payerClaimControlNumber ?? '',
    claim.paidDate ?? '',
    claim.adjustments.map((a) => `${a.group}-${a.reason}`).join(' '),
  ].join('|');
}

/**
 * The payer's claim number (CLP07) a claim is paired by when its CLP01 is unknown: only a reversal or a
 * correction (CLP09 7 replacement, 8 void) takes back or restates an earlier answer under its number,
 * and only a number that can name one claim (a placeholder such as 0 or a short run names none).
 */
export function pairedByPayerNumber(claim: RemittanceClaim): string | undefined {
  const icn = claim.payerClaimControlNumber?.trim();
  const restates = claim.disposition === 'reversal' || claim.frequency === '7' || claim.frequency === '8';
  return restates && icn && icn.length >= 6 && !/^0+$/.test(icn) ? icn : undefined;
}

/** `unknownCodes`: CARCs and RARCs in neither the tables nor the agency's families (classified other). */
export type ApplyResult =
  | { outcome: 'paid' | 'denied' | 'reversed'; coderRelated: boolean; unknownCodes: string[] }
  // Nothing to apply, so nothing that counts against a coder.
  | { outcome: 'informational'; coderRelated: false; unknownCodes: string[] }
  | { outcome: 'duplicate'; unknownCodes: string[] }
  | { outcome: 'unmatched'; unmatched: UnmatchedClaim; unknownCodes: string[] };

/** The reasons a record counts against its coder (a record written without the field: its coding reasons). */
function coderReasonCodesOf(record: RemittanceRecord): string[] {
  return (
    record.coderReasonCodes ??
    // Stryker disable next-line StringLiteral: a code with no family recorded is outside CODER_FAMILIES whatever it falls back to ('other' or any text but 'coding' and 'documentation')
    record.reasonCodes.filter((code) => CODER_FAMILIES.has(record.reasonFamilies?.[code] ?? 'other'))
  );
}

/**
 * The chart's remittance summary from every record applied to it, in the payer's order (as the ledger
 * reads them): sums, so nothing counts twice.
 */
export function summarise(records: readonly RemittanceRecord[]): ChartState['remittance'] {
  const applied = records.filter((r) => r.disposition !== 'informational');
  const first = applied[0];
  if (!first) return undefined;
  const last = applied.at(-1) ?? first;
  const summary: NonNullable<ChartState['remittance']> = {
    netPaid: toCents(applied.reduce((sum, r) => sum + r.payment, 0)),
    lastDisposition: last.disposition,
    lastAt: last.receivedAt,
    adjudications: applied.length,
    firstDisposition: first.disposition,
  };
  if (last.payerId) summary.payerId = last.payerId;
  if (last.payerName) summary.payerName = last.payerName;
  return summary;
}

/**
 * Applies one payer answer to the chart version it names: writes the remittance record once, then moves
 * the chart to what the latest record says (PAID, DENIED, ADJUSTED) with the summary of them all. A
 * coding or documentation denial is attributed to the coder, the billed principal's category and the
 * rules that warned, counts in the coder ledger (the sampling risk factors read it) and opens a rework
 * item. Every write is conditional or write-once, so a retried file applies nothing twice.
 */
export function createClaimApplier(
  deps: StageDeps,
  context: {
    agencyId: string;
    objectId: string;
    /** When the file was first taken in, the same on every retry: an undated answer sorts by it. */
    fileAt: string;
    tablesFor: (date: string) => ReasonTables;
  },
) {
  const { ports } = deps;

  async function targetOf(
    claim: RemittanceClaim,
  ): Promise<{ target: ClaimTarget; claimRef: string } | { reason: string }> {
    const pcn = claim.patientControlNumber;
    let claimRef = CLAIM_REF.test(pcn) ? pcn : undefined;
    if (!claimRef) {
      // The billing system put its own number in CLM01: a mapping file it supplied names the claimRef.
      const aliasKey = await claimAliasKeyOf(ports.keys, context.agencyId, pcn);
      claimRef = await ports.remittances.aliasOf(context.agencyId, aliasKey);
    }
    const pairsByIcn = pairedByPayerNumber(claim);
    if (!claimRef && pairsByIcn) {
      // A reversal or correction of a claim the payer answered before carries that answer's ICN (CLP07)
      // even where its CLP01 is not one codetrail or a mapping file knows.
      const icnKey = await payerClaimKeyOf(ports.keys, context.agencyId, pairsByIcn);
      claimRef = await ports.remittances.payerClaimOf(context.agencyId, icnKey);
    }
    if (!claimRef)
      return {
        reason: pairsByIcn
          ? 'CLP01 is not a codetrail claimRef, no billing mapping file names it, and no earlier answer carried its CLP07'
          : 'CLP01 is not a codetrail claimRef and no billing mapping file names it',
      };
    const target = await ports.remittances.findClaim(claimRef);
    if (!target) return { reason: 'no batch handed to billing holds this claimRef' };
    if (target.agencyId !== context.agencyId)
      return { reason: `the claimRef belongs to another agency than remittances/${context.agencyId}/` };
    return { target, claimRef };
  }

  function unmatchedClaim(item: ClaimToApply, reason: string): UnmatchedClaim {
    const { claim } = item;
    return {
      record: item.sourceRecord,
      patientControlNumber: claim.patientControlNumber,
      disposition: claim.disposition,
      charge: claim.charge,
      payment: claim.payment,
      reason,
      // Left out of the report (JSON) when the payer sent no CLP07: the readers never give an empty one.
      payerClaimControlNumber: claim.payerClaimControlNumber,
    };
  }

  function unmatched(item: ClaimToApply, reason: string): ApplyResult {
    return { outcome: 'unmatched', unmatched: unmatchedClaim(item, reason), unknownCodes: [] };
  }

  function recordOf(
    item: ClaimToApply,
    target: ClaimTarget,
    claimRef: string,
    classification: Classification,
  ): RemittanceRecord {
    const { claim, payment } = item;
    const receivedAt = deps.clock.now().toISOString();
    // A reversal takes money back: negative, whichever sign the file used (CSV exports vary).
    const sign = claim.disposition === 'reversal' && claim.payment > 0 ? -1 : 1;
    const record: RemittanceRecord = {
      remitId: remitIdOf(item, claimRef),
      agencyId: target.agencyId,
      chartKey: target.chartKey,
      version: target.version,
      claimRef,
      disposition: claim.disposition,
      statusCode: claim.statusCode,
      charge: claim.charge,
      payment: sign * claim.payment,
      patientResponsibility: claim.patientResponsibility,
      reasonCodes: classification.reasonCodes,
      remarkCodes: classification.remarkCodes,
      coderRelated: claim.disposition === 'denied' && classification.coderRelated,
      receivedAt,
      // Never the apply time: a retried file must give the same answer the same place. An undated
      // answer sorts by the instant its file was first taken in (after a dated one of the same day).
      sequence: [
        claim.paidDate ?? payment.paymentDate ?? context.fileAt,
        payment.traceNumber ?? '',
        item.position,
      ].join('#'),
      sourceObject: context.objectId,
      sourceRecord: item.sourceRecord,
    };
    if (classification.family) record.family = classification.family;
    if (record.coderRelated) record.coderReasonCodes = classification.coderReasonCodes;
    if (classification.reasons.length > 0)
      record.reasonFamilies = Object.fromEntries(classification.reasons.map((r) => [r.code, r.family]));
    if (payment.payerId) record.payerId = payment.payerId;
    if (payment.payerName) record.payerName = payment.payerName;
    if (claim.payerClaimControlNumber) record.payerClaimControlNumber = claim.payerClaimControlNumber;
    if (claim.paidDate) record.paidDate = claim.paidDate;
    return record;
  }

  /** The billed principal's category: QA's corrected principal when the chart was billed with it. */
  function billedCategory(state: ChartState): string | undefined {
    const corrected = state.qa?.correctedArtifactKey
      ? state.qa.correctedDiagnoses?.find((d) => d.sequence === 1)?.code
      : undefined;
    return corrected ? normaliseIcd10Code(corrected).slice(0, 3) : state.principalCategory;
  }

  /** What the chart keeps of a denial (the stores keep no undefined field: one the denial lacks is left out). */
  function denialOf(record: RemittanceRecord, state: ChartState): DenialRecord {
    const rules = [...new Set(state.findings?.filter((f) => f.severity === 'warn').map((f) => f.ruleId))];
    return {
      denialId: record.remitId,
      reasonCodes: record.reasonCodes,
      remarkCodes: record.remarkCodes,
      deniedAmount: toCents(Math.max(0, record.charge - record.payment)),
      receivedAt: record.receivedAt,
      sourceObject: record.sourceObject,
      coderRelated: record.coderRelated,
      family: record.family,
      category: billedCategory(state),
      rules: rules.length > 0 ? rules : undefined,
      payerId: record.payerId,
    };
  }

  async function feedback(state: ChartState, denial: DenialRecord, codes: string[]): Promise<void> {
    const mark: DenialMark = {
      kind: 'denial',
      agencyId: state.agencyId,
      coderId: state.coderId,
      chartKey: state.chartKey,
      version: state.version,
      deniedAt: denial.receivedAt,
      reasonCodes: codes,
    };
    if (denial.category) mark.category = denial.category;
    // Billed with QA's corrected codes: the denial is not the coder's own (coder-standing skips it).
    if (state.qa?.correctedArtifactKey) mark.qaCorrected = true;
    await ports.coders.record(mark);
  }

  /** The chart version the claim names: its claimRef, or the billing system's number mapped to one. */
  async function resolve(item: ClaimToApply): Promise<Resolution> {
    if (item.target) return { target: item.target };
    const found = await targetOf(item.claim);
    return 'reason' in found ? { unmatched: unmatchedClaim(item, found.reason) } : found;
  }

  async function apply(item: ClaimToApply, target: ClaimTarget, claimRef?: string): Promise<ApplyResult> {
    const { claim } = item;
    // The tables in force on the answer's own date, never the apply time: a retry classifies alike.
    const classification = classifyClaim(
      claim,
      context.tablesFor(claim.paidDate ?? item.payment.paymentDate ?? context.fileAt),
    );
    const unknownCodes = classification.unknownCodes;
    if (claim.disposition === 'informational')
      return { outcome: 'informational', coderRelated: false, unknownCodes };

    let state = await ports.charts.get(target.chartKey, target.version);
    if (!state) return unmatched(item, 'the chart version this claimRef names is not in the table');
    if (!BILLED.includes(state.status))
      return unmatched(item, `the chart version is ${state.status}, not billed`);
    const record = recordOf(item, target, claimRef ?? state.claimRef ?? '', classification);
    const written = await ports.remittances.record(record);
    // The payer's number, as its keyed HMAC: a later answer (or an audit request) bringing only it finds the claim.
    const icnKey = claim.payerClaimControlNumber
      ? await payerClaimKeyOf(ports.keys, target.agencyId, claim.payerClaimControlNumber)
      : undefined;
    if (icnKey) await ports.remittances.indexPayerClaim(target.agencyId, icnKey, record.claimRef);

    // Every answer applied to the claim decides its status: re-read and retried when another delivery
    // applied one between our read and our write (the write is conditional on the count we read).
    let stored = record;
    let denial: DenialRecord | undefined;
    let alreadyApplied: boolean;
    for (let attempt = 0; ; attempt++) {
      // Every record of the version, read back each time: a record written before (a retry) keeps the
      // times already used as keys, and an answer another delivery wrote meanwhile may be the latest.
      const records = await ports.remittances.forVersion(target.chartKey, target.version);
      const found = records.find((r) => r.remitId === record.remitId);
      // Written just before, and read consistently: missing would mean a broken store, so retry the file.
      if (!found) throw new PhiFreeError(`remittance ${record.remitId} was written but not read back`);
      stored = found;
      const summary = summarise(records);
      const latest = [...records].reverse().find((r) => r.disposition !== 'informational') ?? stored;
      const to = STATUS_OF[latest.disposition as keyof typeof STATUS_OF];
      const changes: Partial<ChartState> = { remittance: summary };
      denial = undefined;
      if (stored.disposition === 'denied') {
        denial = state.denial?.denialId === stored.remitId ? state.denial : denialOf(stored, state);
        // From the stored record: a retry under changed tables still opens what the first try decided.
        if (stored.coderRelated && !state.rework)
          changes.rework = {
            openedAt: stored.receivedAt,
            denialId: stored.remitId,
            family: stored.family ?? 'coding',
            reasonCodes: coderReasonCodesOf(stored),
          };
      }
      // The chart's denial is the latest denial, whichever delivery (or file) brought it.
      if (latest.disposition === 'denied' && state.denial?.denialId !== latest.remitId)
        changes.denial = denialOf(latest, state);
      // The answers applied when the chart was read: the write below is conditional on this count.
      const countRead = state.remittance?.adjudications;
      alreadyApplied =
        state.status === to &&
        // Stryker disable next-line OptionalChaining: summary is never undefined here: the stored record is among the records and is not informational (those returned above)
        summary?.adjudications === countRead &&
        !changes.denial &&
        !changes.rework;
      if (alreadyApplied) break;
      const moved = await ports.charts.transition(target.chartKey, target.version, BILLED, to, changes, {
        ifRemittanceCount: countRead ?? 0,
      });
      if (moved.ok) break;
      if (!moved.current || !BILLED.includes(moved.current.status) || attempt + 1 >= ATTEMPTS)
        // Recorded but not applied: fail the delivery, so the file is retried (the record stays once).
        throw new PhiFreeError(
          `remittance ${stored.remitId} could not be applied to ${chartSubject(target.chartKey, target.version)} (${moved.current?.status ?? 'missing'})`,
        );
      state = moved.current;
    }
    await resolveOverpayment(target, stored);

    const subject = chartSubject(target.chartKey, target.version);
    const outcome =
      stored.disposition === 'paid' ? 'paid' : stored.disposition === 'denied' ? 'denied' : 'reversed';
    if (denial && stored.coderRelated) {
      await feedback(state, denial, coderReasonCodesOf(stored));
      await recordAudit(deps, {
        type: 'rework.opened',
        agencyId: target.agencyId,
        subject,
        actor: ACTOR,
        idempotencyKey: `rework:${stored.remitId}`,
        detail: {
          denialId: stored.remitId,
          family: denial.family,
          coderId: state.coderId,
          reasonCodes: denial.reasonCodes,
        },
      });
    }
    await recordAudit(deps, {
      type: outcome === 'paid' ? 'claim.paid' : outcome === 'denied' ? 'chart.denied' : 'claim.reversed',
      agencyId: target.agencyId,
      subject,
      actor: ACTOR,
      idempotencyKey: `remit:${stored.remitId}`,
      detail: {
        remitId: stored.remitId,
        claimRef: stored.claimRef,
        payment: stored.payment,
        reasonCodes: stored.reasonCodes,
        remarkCodes: stored.remarkCodes,
        ...(stored.family ? { family: stored.family } : {}),
        ...(icnKey ? { icnKey } : {}),
        coderId: state.coderId,
        batchId: state.batchId,
        ...(denial
          ? { coderRelated: denial.coderRelated, category: denial.category, rules: denial.rules }
          : {}),
      },
    });
    if (!written && alreadyApplied) return { outcome: 'duplicate', unknownCodes };
    return { outcome, coderRelated: stored.coderRelated, unknownCodes };
  }

  /**
   * A payment of the replacement claim settles the possible overpayment its correction opened on the
   * version it replaced: the void/replace pair is billing's quantification of it.
   */
  async function resolveOverpayment(target: ClaimTarget, record: RemittanceRecord): Promise<void> {
    // Only a later version replaces a claim: a first version has nothing to settle (and costs no read).
    if (record.disposition !== 'paid' || target.version === 1) return;
    for (const found of await ports.charts.versions(target.chartKey)) {
      // An item is opened on an older version by a newer one: only older versions can hold this one's.
      if (found.overpayment?.byVersion !== target.version) continue;
      // Conditional on the status read: re-read and retried when a late answer to the older claim moves it.
      let older: ChartState | undefined = found;
      for (let attempt = 0; older?.overpayment && !older.overpayment.resolvedAt; attempt++) {
        if (attempt >= ATTEMPTS)
          throw new PhiFreeError(
            `the overpayment on ${chartSubject(older.chartKey, older.version)} could not be resolved (${older.status})`,
          );
        const moved = await ports.charts.transition(
          older.chartKey,
          older.version,
          [older.status],
          older.status,
          {
            overpayment: { ...older.overpayment, resolvedAt: record.receivedAt },
          },
        );
        older = moved.ok ? moved.state : moved.current;
      }
      // Audited whenever this payment resolved it, also on a retry after a crash between write and audit.
      // None when the version is gone meanwhile (an overpayment, once opened, is never removed).
      const settled = older?.overpayment;
      if (settled?.resolvedAt === record.receivedAt)
        await recordAudit(deps, {
          type: 'overpayment.resolved',
          agencyId: target.agencyId,
          subject: chartSubject(found.chartKey, found.version),
          actor: ACTOR,
          idempotencyKey: 'overpayment-resolved',
          detail: { byVersion: target.version, remitId: record.remitId },
        });
    }
  }

  return { resolve, apply };
}
