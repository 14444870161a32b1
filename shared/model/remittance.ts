import * as z from 'zod';

/**
 * What a payer said about one claim, whichever file it came in (an X12 835 CLP loop or a line of a CSV
 * denial export): the common shape denial ingestion classifies, matches and applies.
 */

/** The families every claim adjustment reason (CARC) and remark (RARC) is traced to. */
export const DENIAL_FAMILIES = [
  'coding',
  'documentation',
  'medical_necessity',
  'eligibility',
  'authorization',
  'timely_filing',
  'duplicate',
  'contractual',
  'patient_responsibility',
  'other',
] as const;
export const DenialFamily = z.enum(DENIAL_FAMILIES);
export type DenialFamily = z.infer<typeof DenialFamily>;

/** The families a coder (or the documentation behind their coding) answers for: they feed coder accuracy. */
export const CODER_FAMILIES: ReadonlySet<DenialFamily> = new Set(['coding', 'documentation']);

/**
 * A claim adjustment reason code as the X12 list writes them: 1-3 digits (16, 45, 252) or a letter and 1-2
 * digits (A1, B7, P23). No wider: a code is stored, counted and reported, and a looser shape would let
 * a name from a hostile or broken file (SMITH) through as a code.
 */
export const CARC_CODE = /^(?:\d{1,3}|[A-Z]\d{1,2})$/;
/**
 * A remark code as a remittance carries it (MA66, N115, M127): 1-2 letters and 1-4 digits, never letters
 * alone (a name). RARC_CODE is the X12 list's own form.
 */
export const REMARK_CODE = /^[A-Z]{1,2}\d{1,4}$/;
/** A remittance advice remark code of the X12 list: M, MA or N and up to four digits. */
export const RARC_CODE = /^(M|MA|N)\d{1,4}$/;

/**
 * CAS group codes of the 5010 835 (CO contractual obligation, OA other adjustment, PI payer initiated,
 * PR patient responsibility). CR (corrections and reversals) was 4010's and is gone: a reversal is
 * CLP02 22 now. Anything else is reported as an error and not applied.
 */
export const AdjustmentGroup = z.enum(['CO', 'PR', 'OA', 'PI']);

export const ClaimAdjustment = z.object({
  group: AdjustmentGroup,
  /** CARC, e.g. 16, 45, B7. */
  reason: z.string().regex(CARC_CODE),
  amount: z.number(),
  /** Where the payer put it: on the claim (2100 CAS) or on a service line (2110 CAS). */
  level: z.enum(['claim', 'line']),
});
export type ClaimAdjustment = z.infer<typeof ClaimAdjustment>;

/**
 * The payer's disposition, from CLP02 (or the CSV `status` column): paid 1/2/3 (primary, secondary,
 * tertiary) and 19/20/21 (the same, forwarded to the next payer) with a payment; denied 4 (or a processed
 * claim with nothing paid on denying adjustments); reversal 22 (the payer takes back an earlier payment);
 * not our claim 23 and predetermination 25 are informational: they change no chart.
 */
export const ClaimDisposition = z.enum(['paid', 'denied', 'reversal', 'informational']);
export type ClaimDisposition = z.infer<typeof ClaimDisposition>;

export const RemittanceClaim = z.object({
  /** CLP01: the patient control number, codetrail's claimRef when billing put it in CLM01. */
  patientControlNumber: z.string().min(1).max(38),
  /** CLP02 as received (CSV files map their status to it: paid 1, denied 4, reversal 22). */
  statusCode: z.string().max(2),
  disposition: ClaimDisposition,
  charge: z.number(),
  payment: z.number(),
  patientResponsibility: z.number(),
  adjustments: z.array(ClaimAdjustment),
  /** RARCs: claim level (MIA/MOA) and line level (LQ*HE). */
  remarkCodes: z.array(z.string().regex(REMARK_CODE)),
  /** CLP07, the payer's own claim number: a reversal and its correction share it with the original. */
  payerClaimControlNumber: z.string().max(50).optional(),
  /** CLP09: 1 original, 7 replacement, 8 void. */
  frequency: z.string().max(2).optional(),
  /** When the payer adjudicated or paid it (BPR16 / DTM*405, or the CSV `paid_date`). */
  paidDate: z.iso.date().optional(),
});
export type RemittanceClaim = z.infer<typeof RemittanceClaim>;

/** The payment a set of claims came with: one 835 transaction set, or one CSV file. */
export const RemittancePayment = z.object({
  payerName: z.string().max(200).optional(),
  payerId: z.string().max(80).optional(),
  /** TRN02: the check or EFT trace number; with the payer, the payment's identity across resends. */
  traceNumber: z.string().max(80).optional(),
  paymentAmount: z.number().optional(),
  paymentDate: z.iso.date().optional(),
});
export type RemittancePayment = z.infer<typeof RemittancePayment>;

/**
 * One payer answer applied to one chart version, written once (its id derives from the payment and the
 * claim's place in it, so the same payment in a resent file is the same record): the chart's status and
 * every denial metric are sums over these, so nothing counts twice.
 */
export const RemittanceRecord = z.object({
  remitId: z.string(),
  agencyId: z.string(),
  chartKey: z.string(),
  version: z.int().min(1),
  claimRef: z.string().max(20),
  disposition: ClaimDisposition,
  statusCode: z.string(),
  charge: z.number(),
  payment: z.number(),
  patientResponsibility: z.number(),
  reasonCodes: z.array(z.string()),
  remarkCodes: z.array(z.string()),
  family: DenialFamily.optional(),
  /** Each reason code's own family (CO-45 stays contractual on a claim denied for CO-50). */
  reasonFamilies: z.record(z.string(), DenialFamily).optional(),
  coderRelated: z.boolean(),
  /** The reasons that count against the coder, as classified when the answer was first applied. */
  coderReasonCodes: z.array(z.string()).optional(),
  payerId: z.string().optional(),
  payerName: z.string().optional(),
  payerClaimControlNumber: z.string().optional(),
  paidDate: z.iso.date().optional(),
  receivedAt: z.string(),
  /**
   * The payer's order: payment date, trace number, then the claim's place in the file (zero-padded),
   * so a reversal sorts before the correction after it whenever either was applied.
   */
  sequence: z.string(),
  sourceObject: z.string().describe('objectId of the remittance file'),
  /** Where in it: the transaction set's and the claim's ordinals (never a value of the file), or the CSV line. */
  sourceRecord: z.string(),
});
export type RemittanceRecord = z.infer<typeof RemittanceRecord>;

/** The payer's order of a claim's answers (`sequence`: payment date, trace, place in the file), then as applied. */
export function byPayerOrder(a: RemittanceRecord, b: RemittanceRecord): number {
  return a.sequence.localeCompare(b.sequence) || a.receivedAt.localeCompare(b.receivedAt);
}

/** An amount in dollars, to the cent: sums of payments stay free of floating-point dust. */
export function toCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
