import * as z from 'zod';
import { LineOfBusiness } from './chart.ts';
import { Correction, ReviewScore } from './qa.ts';
import { ClaimDisposition, DenialFamily } from './remittance.ts';

/**
 * Every status a chart version can be in; see the lifecycle in README.md (Architecture). REWORK is not
 * set: a denial's rework is an item on the DENIED version (`rework`), the status stays the payer's answer.
 */
export const CHART_STATUSES = [
  'RECEIVED',
  'VALIDATED',
  'QUERY_OPEN',
  'REJECTED',
  'SUPERSEDED',
  'SAMPLED',
  'NOT_SAMPLED',
  'QA_PASSED',
  'QA_CORRECTED',
  'READY_FOR_BILLING',
  'BATCHED',
  'PAID',
  'ADJUSTED',
  'DENIED',
  'REWORK',
] as const;
export const ChartStatus = z.enum(CHART_STATUSES);
export type ChartStatus = z.infer<typeof ChartStatus>;

/** Statuses of a version whose claim went to billing; a payer's answer moves it among them. */
export const BILLED_STATUSES = [
  'BATCHED',
  'PAID',
  'DENIED',
  'ADJUSTED',
  'REWORK',
] as const satisfies readonly ChartStatus[];
const BILLED: ReadonlySet<string> = new Set(BILLED_STATUSES);

/** The version's claim went to billing (it has a claimRef and a billed status): a newer one replaces it. */
export function isBilled(state: { status: ChartStatus; claimRef?: string | undefined }): boolean {
  return state.claimRef !== undefined && BILLED.has(state.status);
}

/**
 * How long a chart took, stage by stage, in the agency's business time, and whether coding met its SLA
 * (kept on the chart version and in the batch manifest). No PHI: durations.
 */
export const ChartTurnaround = z.object({
  codingBusinessHours: z
    .number()
    .optional()
    .describe('Documentation lock to coding complete, business hours'),
  codingHours: z.number().optional().describe('Elapsed hours on working days, what the hour SLAs count'),
  codingSla: z.object({ class: z.string(), limit: z.string(), met: z.boolean() }).optional(),
  qaBusinessHours: z
    .number()
    .optional()
    .describe('Coding complete to the QA verdict (sampled charts), business hours'),
  toBatchBusinessHours: z
    .number()
    .optional()
    .describe('Coding complete, or the QA verdict when sampled, to the batch, business hours'),
});
export type ChartTurnaround = z.infer<typeof ChartTurnaround>;

export const FINDING_SEVERITIES = ['reject', 'query', 'warn'] as const;
/**
 * A rule's verdict on one chart. `reject` sends the chart back to the coder (REJECTED), `query` needs a
 * clinician's answer (QUERY_OPEN), `warn` is recorded, raises the chart's QA risk and the chart goes on.
 */
export const Finding = z.object({
  ruleId: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  message: z.string().describe('Names codes and fields, never patient data'),
  path: z.string().optional().describe('Field path inside the chart, e.g. diagnoses[2].code'),
});
export type Finding = z.infer<typeof Finding>;

export const SAMPLING_FACTORS = [
  'base-rate',
  'probation',
  'coder-rate',
  'hospice',
  'clinical-group',
  'warn-findings',
  'coder-denials',
  'category-denials',
  'below-target',
] as const;

/** One factor that set a sampling rate, with the rate it asks for and why (no PHI: ids, codes, figures). */
export const SamplingFactor = z.object({
  factor: z.enum(SAMPLING_FACTORS),
  rate: z.number().min(0).max(1),
  detail: z.string(),
});
export type SamplingFactor = z.infer<typeof SamplingFactor>;

export const SamplingDecision = z.object({
  sampled: z.boolean(),
  rule: z.string().describe('The factor whose rate decided (the highest): base-rate, probation, ...'),
  rate: z.number().min(0).max(1),
  draw: z.number().min(0).max(1).describe('The deterministic keyed draw compared against the rate'),
  queue: z.enum(['qa-review', 'qa-review-senior']).optional(),
  reason: z.string(),
  factors: z.array(SamplingFactor).default([]).describe('Every factor that applied, the deciding one first'),
  senior: z.array(z.string()).optional().describe('Why a sampled chart goes to senior review'),
});
export type SamplingDecision = z.infer<typeof SamplingDecision>;

export const QaOutcome = z.object({
  outcome: z.enum(['agree', 'corrected', 'rejected']),
  reviewerId: z.string(),
  reviewedAt: z.string(),
  corrections: z.array(Correction).optional().describe('As the reviewer classified them'),
  score: ReviewScore.optional().describe('Chart and code accuracy of this review'),
  correctedDiagnoses: z.array(z.object({ sequence: z.int(), code: z.string() })).optional(),
  originalDiagnoses: z.array(z.object({ sequence: z.int(), code: z.string() })).optional(),
  findings: z.array(Finding).optional().describe('Rules re-run on the corrected codes'),
  correctedArtifactKey: z
    .string()
    .optional()
    .describe('QA_CORRECTED: the chart with the corrected codes, which billing bills (the original stays)'),
});
export type QaOutcome = z.infer<typeof QaOutcome>;

export const DenialRecord = z.object({
  denialId: z.string(),
  reasonCodes: z.array(z.string()),
  remarkCodes: z.array(z.string()).default([]),
  deniedAmount: z.number().optional(),
  receivedAt: z.string(),
  sourceObject: z
    .string()
    .describe('objectId of the remittance file; the object ledger maps it to bucket and key'),
  family: DenialFamily.optional().describe(
    'The denial family the reasons trace to (shared/denials/classify.ts)',
  ),
  coderRelated: z.boolean().optional().describe('Coding or documentation: counted against the coder'),
  category: z.string().max(8).optional().describe('ICD-10-CM category of the billed principal diagnosis'),
  rules: z
    .array(z.string())
    .optional()
    .describe('Validation rules that warned on this chart version and let it through: the rules to tune'),
  payerId: z.string().optional(),
});
export type DenialRecord = z.infer<typeof DenialRecord>;

/** The PDGM grouping of a home health period, as validation computed it (shared/rules/pdgm-grouping.ts). */
export const PdgmGroupingState = z.object({
  hipps: z.string(),
  clinicalGroup: z.string(),
  clinicalGroupName: z.string(),
  functionalLevel: z.enum(['low', 'medium', 'high']),
  functionalPoints: z.int(),
  comorbidity: z.enum(['none', 'low', 'high']),
  admission: z.enum(['community-early', 'institutional-early', 'community-late', 'institutional-late']),
  pdgmVersion: z.string(),
  sample: z.boolean().describe('Grouped by a sample PDGM table: not a payment figure'),
});

/**
 * The state of one chart version, as the table holds it. Holds no PHI: identifiers are the keyed
 * chartKey and the staff ids of coders and reviewers.
 */
export const ChartState = z.object({
  chartKey: z.string(),
  version: z.int().min(1),
  agencyId: z.string(),
  status: ChartStatus,
  lineOfBusiness: LineOfBusiness,
  payerType: z.string(),
  coderId: z.string(),
  contentHash: z.string().describe('SHA-256 of the chart as received'),
  artifactKey: z.string(),
  sourceObject: z
    .string()
    .describe('objectId of the export that carried it; the object ledger maps it to bucket and key'),
  sourceRecord: z
    .string()
    .optional()
    .describe(
      'Where in that export: "line 12" of a file, or "partition 0, patient 3, chart 1" of a FHIR drop',
    ),
  receivedAt: z.string(),
  updatedAt: z.string(),
  documentationLockedAt: z.string().optional(),
  codingCompletedAt: z.string().optional(),
  findings: z.array(Finding).optional(),
  sampling: SamplingDecision.optional(),
  reviewRequestedAt: z.string().optional(),
  qa: QaOutcome.optional(),
  secondReviewRequestedAt: z
    .string()
    .optional()
    .describe('Sent for a blind second review (reviewer agreement)'),
  secondReview: z
    .object({
      reviewerId: z.string(),
      outcome: z.enum(['agree', 'corrected', 'rejected']),
      reviewedAt: z.string(),
    })
    .optional()
    .describe('The blind second review, for agreement only: it changes nothing about the chart'),
  dispute: z
    .object({ corrections: z.array(z.int().min(0)), disputedAt: z.string() })
    .optional()
    .describe("The coder's dispute of corrections of the QA review (their indexes), sent to senior review"),
  disputeRequestedAt: z.string().optional().describe('The dispute was put on the senior review queue'),
  disputeResolution: z
    .object({ outcome: z.enum(['upheld', 'overturned']), reviewerId: z.string(), resolvedAt: z.string() })
    .optional()
    .describe("A senior reviewer's decision on the dispute"),
  readyForBillingAt: z.string().optional(),
  batchId: z.string().optional(),
  claimRef: z.string().max(20).optional(),
  batchedAt: z.string().optional(),
  turnaround: ChartTurnaround.optional().describe(
    'BATCHED: how long the chart took, in the agency business hours, and its coding SLA',
  ),
  billingRejection: z
    .object({
      batchId: z.string(),
      reasonKey: z
        .string()
        .describe("The billing team's reason, in the artifacts bucket (free text may hold PHI)"),
      at: z.string(),
      by: z.string(),
    })
    .optional()
    .describe('The billing team rejected the batch the chart was in: back to READY_FOR_BILLING, with why'),
  denial: DenialRecord.optional(),
  remittance: z
    .object({
      netPaid: z.number().describe('Payments less reversals, over every remittance of this claim'),
      lastDisposition: ClaimDisposition,
      lastAt: z.string(),
      adjudications: z.int().min(1).describe('Remittance claims applied (payments, denials, reversals)'),
      firstDisposition: ClaimDisposition.describe('The first answer: paid first time is a clean claim'),
      payerId: z.string().optional(),
      payerName: z.string().optional(),
    })
    .optional()
    .describe("The payer's answers so far, summed from the remittance records (never counted twice)"),
  rework: z
    .object({
      openedAt: z.string(),
      denialId: z.string(),
      family: DenialFamily,
      reasonCodes: z.array(z.string()),
      closedAt: z.string().optional(),
      closedByVersion: z.int().optional(),
    })
    .optional()
    .describe('A coding or documentation denial to fix: closed when a corrected version arrives'),
  overpayment: z
    .object({
      identifiedAt: z.string(),
      dueBy: z.iso
        .date()
        .optional()
        .describe(
          "Medicare and Medicaid: report and return by, the agency's local day of identification + denials.overpaymentDays; other payers: their contract's terms (no date here)",
        ),
      reason: z.enum(['corrected-after-payment']),
      byVersion: z.int(),
      netPaid: z.number().optional(),
      resolvedAt: z.string().optional(),
    })
    .optional()
    .describe(
      'A paid claim corrected afterwards: a possible overpayment for billing to quantify (and, if owed, report and return); resolved when the replacement claim is paid',
    ),
  supersededBy: z.int().optional(),
  grouping: PdgmGroupingState.optional().describe('Home health: the PDGM grouping the validation computed'),
  tableVersions: z
    .array(
      z.object({
        table: z.enum(['icd10cm', 'pdgm', 'hospicePrincipal', 'codeFirst']),
        version: z.string(),
        inForce: z.boolean(),
        sample: z.boolean(),
      }),
    )
    .optional()
    .describe('The code table versions validation judged the chart by: its audit event records them'),
  principalCategory: z
    .string()
    .max(8)
    .optional()
    .describe('ICD-10-CM category (3 characters) of the principal diagnosis: for the sampling risk factors'),
  queries: z
    .array(
      z.object({
        ruleId: z.string(),
        question: z.string(),
        evidence: z.string().optional(),
        openedAt: z.string(),
        dueOn: z.string(),
      }),
    )
    .optional()
    .describe('QUERY_OPEN: the documentation queries to the clinician; a re-export answers them'),
});
export type ChartState = z.infer<typeof ChartState>;
