import * as z from 'zod';
import { AGENCY_ID } from '#shared/topology.ts';

/**
 * The canonical chart: one home health 30-day period of care or one hospice benefit period, as an EMR
 * export job hands it to codetrail. It carries PHI, so it only ever lives inside the chart artifact in
 * S3 (SSE-KMS); queues, keys, logs and metrics use the chartKey instead.
 */

const isoDate = z.iso.date().describe('Calendar date, YYYY-MM-DD');
const isoDateTime = z.iso.datetime({ offset: true }).describe('Instant, ISO 8601 with offset');

export const LINES_OF_BUSINESS = ['home_health', 'hospice'] as const;
export const LineOfBusiness = z.enum(LINES_OF_BUSINESS);
export type LineOfBusiness = z.infer<typeof LineOfBusiness>;

export const CODE_SYSTEMS = ['ICD-10-CM', 'ICD-9-CM', 'SNOMED-CT', 'other'] as const;

export const Diagnosis = z.object({
  sequence: z.int().min(1).describe('1 = principal (primary) diagnosis, then other diagnoses in order'),
  code: z.string().min(1).max(16).describe('Code as written by the coder, with or without the dot'),
  system: z.enum(CODE_SYSTEMS).default('ICD-10-CM'),
  description: z.string().max(500).optional(),
  presentOnAdmission: z.enum(['Y', 'N', 'U', 'W', '1']).optional(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

export const VisitLine = z.object({
  date: isoDate,
  revenueCode: z.string().regex(/^\d{4}$/, 'four-digit revenue code'),
  hcpcs: z.string().max(5).optional().describe('HCPCS, HIPPS (on 0023) or Q500x site-of-service code'),
  units: z.int().min(0).max(9999),
  discipline: z.enum(['SN', 'PT', 'OT', 'SLP', 'MSS', 'AIDE', 'PHYSICIAN', 'OTHER']).optional(),
});
export type VisitLine = z.infer<typeof VisitLine>;

export const DOCUMENT_TYPES = [
  'oasis',
  'plan_of_care',
  'face_to_face',
  'homebound',
  'certification',
  'cti',
  'election_statement',
  'visit_note',
  'physician_order',
  'discharge_summary',
  'other',
] as const;

/**
 * What a document is. `homebound`: the record of the patient's homebound status (confinement to the
 * home), when the EMR exports it as a document of its own; the HH-HOMEBOUND rule also accepts a
 * certification or plan_of_care document, which carry the certifying physician's statement.
 */
export const DocumentRef = z.object({
  type: z.enum(DOCUMENT_TYPES),
  date: isoDate.optional(),
  signed: z.boolean().optional(),
  reference: z.string().max(200).optional().describe('EMR document id; never a file path with PHI'),
});

export const Hospice = z.object({
  benefitPeriod: z.object({
    number: z.int().min(1).describe('1 and 2 are 90-day periods, 3+ are 60-day periods'),
    from: isoDate,
    through: isoDate,
  }),
  electionDate: isoDate.optional(),
  ctiDate: isoDate.optional().describe('Certification of terminal illness, signed date'),
  faceToFaceDate: isoDate.optional().describe('Required from the third benefit period on'),
  levelOfCareDays: z
    .object({
      routine: z.int().min(0).default(0),
      continuous: z.int().min(0).default(0),
      respite: z.int().min(0).default(0),
      generalInpatient: z.int().min(0).default(0),
    })
    .default({ routine: 0, continuous: 0, respite: 0, generalInpatient: 0 }),
});

/**
 * Notices filed with the Medicare contractor (MAC) for the admission this chart belongs to. Each date is
 * the day the notice was submitted to and accepted by the MAC (its receipt date): a notice returned for
 * correction counts from its accepted resubmission. Absent: the export does not say.
 */
export const Notices = z.object({
  admissionSubmittedDate: isoDate
    .optional()
    .describe(
      'Home health Notice of Admission (NOA, TOB 032A), submitted and accepted; due within 5 calendar days after the start of care',
    ),
  electionFiledDate: isoDate
    .optional()
    .describe(
      'Hospice Notice of Election (NOE), filed and accepted; due within 5 calendar days after the election (hospice admission) date',
    ),
});

/**
 * A claim occurrence code (UB-04 form locators 31-34) with its date. Home health reads 50 (OASIS
 * assessment date, M0090), 61 (discharge from an acute care hospital within 14 days before the period)
 * and 62 (discharge from another institution: SNF, IRF, LTCH, IPF), which make the PDGM admission
 * source institutional.
 */
export const Occurrence = z.object({
  code: z.string().regex(/^[0-9A-Z]{2}$/, 'two-character NUBC occurrence code'),
  date: isoDate,
});
export type Occurrence = z.infer<typeof Occurrence>;

export const SKILLED_DISCIPLINES = ['SN', 'PT', 'OT', 'SLP'] as const;

/**
 * One discipline ordered on the home health plan of care, with the diagnoses it addresses (their
 * sequence numbers). Only what coding needs: the orders' text stays in the EMR.
 */
export const ServiceOrder = z.object({
  discipline: z.enum(['SN', 'PT', 'OT', 'SLP', 'MSS', 'AIDE']),
  diagnoses: z
    .array(z.int().min(1))
    .max(25)
    .default([])
    .describe('Sequence numbers of the diagnoses this ordered service addresses'),
});
export type ServiceOrder = z.infer<typeof ServiceOrder>;

export const Oasis = z.object({
  assessmentDate: isoDate.optional(),
  reasonForAssessment: z
    .string()
    .max(4)
    .optional()
    .describe('M0100, e.g. 01 start of care, 04 recertification'),
  items: z
    .record(z.string().regex(/^[A-Z]{1,2}\d{4}[A-Z0-9_]*$/), z.string().max(20))
    .default({})
    .describe('OASIS item responses keyed by item id, e.g. M1800: "01"'),
});

export const Chart = z
  .object({
    schemaVersion: z.literal(1).default(1),
    agencyId: z
      .string()
      .regex(AGENCY_ID, 'lower-case letters, digits and dashes, at most 32')
      .describe('The agency, branch or location that owns the chart (not PHI)'),
    chartId: z.string().min(1).max(128).describe("The EMR's chart id (PHI: it never leaves the artifact)"),
    version: z.int().min(1).describe('Export version: a later export of the same chart has a higher version'),
    lineOfBusiness: LineOfBusiness,
    patient: z
      .object({
        id: z.string().min(1).max(128),
        name: z.string().max(200).optional(),
        birthDate: isoDate.optional(),
        sex: z.enum(['F', 'M', 'U']).optional(),
      })
      .describe('Synthetic patients only in this repository'),
    payer: z.object({
      type: z.enum(['medicare', 'medicare_advantage', 'medicaid', 'commercial', 'other']),
      name: z.string().max(200).optional(),
      memberId: z.string().max(64).optional(),
    }),
    period: z.object({ from: isoDate, through: isoDate }),
    admission: z
      .object({
        date: isoDate.optional(),
        source: z.enum(['community', 'institutional']).optional(),
        timing: z.enum(['early', 'late']).optional(),
      })
      .default({}),
    notices: Notices.optional().describe(
      'Notices to the Medicare contractor for this admission (home health NOA, hospice NOE); absent when the export does not carry them',
    ),
    occurrences: z
      .array(Occurrence)
      .max(30)
      .optional()
      .describe(
        'Occurrence codes of the claim (50, 61, 62, ...); absent when the export does not carry them, which is not the same as none',
      ),
    orders: z
      .array(ServiceOrder)
      .max(50)
      .optional()
      .describe(
        'Services ordered on the plan of care and the diagnoses each addresses; absent when the export does not carry them',
      ),
    priority: z
      .enum(['routine', 'expedited'])
      .optional()
      .describe(
        'expedited: the agency asked for this chart first (its own coding SLA, slas.coding.expeditedHours)',
      ),
    preClaimReview: z
      .object({
        decision: z.enum(['affirmed', 'non-affirmed', 'pending', 'not-submitted']),
        utn: z.string().max(20).optional().describe('The Unique Tracking Number of the review decision'),
      })
      .optional()
      .describe('Home Health Review Choice Demonstration: the pre-claim review decision for the period'),
    documentationLockedAt: isoDateTime.optional(),
    codingCompletedAt: isoDateTime,
    coderId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'staff id: letters, digits, dot, dash, underscore'),
    diagnoses: z.array(Diagnosis).max(25),
    oasis: Oasis.optional(),
    visits: z.array(VisitLine).default([]),
    hospice: Hospice.optional(),
    documents: z.array(DocumentRef).default([]),
  })
  .superRefine((chart, ctx) => {
    if (chart.period.through < chart.period.from) {
      ctx.addIssue({ code: 'custom', path: ['period', 'through'], message: 'period ends before it starts' });
    }
    if (chart.lineOfBusiness === 'hospice' && !chart.hospice) {
      ctx.addIssue({
        code: 'custom',
        path: ['hospice'],
        message: 'a hospice chart needs its benefit period',
      });
    }
  });
export type Chart = z.infer<typeof Chart>;
export type ChartInput = z.input<typeof Chart>;
