import * as z from 'zod';
import { AGENCY_ID, HUMAN_QUEUES, MAX_AGENCIES_PER_STACK, pascal } from '#shared/topology.ts';
import { CARC_CODE, DenialFamily, RARC_CODE } from './remittance.ts';

const DEFAULT_TIME_ZONE = 'America/New_York';

/**
 * One agency deployment's configuration: codetrail.config.json, validated here, read by the CDK app
 * (and passed to the Lambdas as CODETRAIL_CONFIG) and by the local runtime. Defaults suit a trial stack.
 */
export const Agency = z.object({
  id: z.string().regex(AGENCY_ID),
  name: z.string().max(200).optional(),
  timeZone: z.string().default(DEFAULT_TIME_ZONE),
  holidays: z
    .array(z.iso.date())
    .default([])
    .describe("The agency's own days off, on top of the deployment's holidays"),
  state: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .describe(
      'Two-letter state of the agency: Review Choice Demonstration states flag periods without pre-claim review',
    ),
});

const rate = z.number().min(0).max(1);

/** The QA sampling policy; every factor that applies raises the rate, the highest wins (docs in README). */
export const Sampling = z
  .strictObject({
    baseRate: rate.default(0.1).describe('Share of validated charts re-reviewed by QA'),
    accuracyTarget: rate
      .default(0.95)
      .describe('Code accuracy every coder is held to (lower bound of its 95% Wilson interval)'),
    minReviewedCharts: z
      .int()
      .min(1)
      .default(30)
      .describe('Reviewed charts a coder needs before accuracy raises the rate'),
    accuracyWindowDays: z
      .int()
      .min(1)
      .default(180)
      .describe('Reviews this recent count toward the accuracy that drives sampling'),
    probation: z
      .strictObject({
        rate: rate.default(1),
        charts: z
          .int()
          .min(0)
          .default(50)
          .describe('A coder is in probation for at least their first N charts'),
        days: z.int().min(0).default(60).describe('... and at least this many days from their first chart'),
        exempt: z
          .array(z.string())
          .default([])
          .describe('Coders whose accuracy was established before codetrail: never in probation'),
      })
      .prefault({}),
    risk: z
      .strictObject({
        hospice: rate.default(0.15).describe('Hospice charts'),
        clinicalGroups: z
          .record(z.string().regex(/^[A-L]$/), rate)
          .default({})
          .describe('PDGM clinical group letter -> rate, for high-value or high-risk groups'),
        warnFindings: rate.default(0.2).describe('Charts that passed validation with warn findings'),
        recentDenials: z
          .strictObject({
            rate: rate.default(0.3),
            days: z.int().min(1).default(90),
          })
          .prefault({})
          .describe('Coders, or principal diagnosis categories, with a coding-related denial this recent'),
        belowTarget: rate
          .default(0.5)
          .describe('Coders whose code-accuracy lower bound is under the target (after minReviewedCharts)'),
      })
      .prefault({}),
    secondReviewRate: rate
      .default(0.05)
      .describe('Share of first QA verdicts sent for a blind second review (reviewer agreement)'),
    coderRates: z
      .record(z.string(), rate)
      .default({})
      .describe("A manager's rate for one coder, a factor like the others"),
    senior: z
      .strictObject({
        coders: z.array(z.string()).default([]).describe('Coders whose sampled charts go to senior review'),
        probation: z.boolean().default(true).describe('Coders in probation go to senior review'),
        hospice: z.boolean().default(false),
        clinicalGroups: z.array(z.string().regex(/^[A-L]$/)).default([]),
        ruleIds: z
          .array(z.string())
          .default([])
          .describe('Charts with a finding of one of these rules (critical findings) go to senior review'),
      })
      .prefault({}),
  })
  .prefault({});
export type SamplingConfig = z.infer<typeof Sampling>;

const MiB = 1024 * 1024;

export const Intake = z
  .object({
    maxObjectBytes: z
      .int()
      .min(1)
      .optional()
      .describe('A dropped file larger than this is quarantined whole; no limit unless set'),
    maxRecordBytes: z
      .int()
      .min(1024)
      .default(MiB)
      .describe('A line or chart longer than this is reported and skipped, never held'),
    concurrency: z.int().min(1).max(64).default(16).describe('Charts of one file taken in at once'),
    reserveSeconds: z
      .int()
      .min(1)
      .default(30)
      .describe('With less Lambda time left than this, intake checkpoints and continues in a new message'),
    checkpointEverySeconds: z
      .int()
      .min(1)
      .default(60)
      .describe('Progress is saved this often, so a crashed run resumes close to where it died'),
    partitionBytes: z
      .int()
      .min(64 * 1024)
      .default(8 * MiB)
      .describe('A FHIR drop is grouped by patient in partitions of about this size, each read into memory'),
  })
  .default({
    maxRecordBytes: MiB,
    concurrency: 16,
    reserveSeconds: 30,
    checkpointEverySeconds: 60,
    partitionBytes: 8 * MiB,
  });
export type IntakeConfig = z.infer<typeof Intake>;

/** One person who takes part in QA or billing, by the AWS identity their messages are sent with. */
export const StaffMember = z.strictObject({
  principal: z
    .string()
    .min(1)
    .describe(
      "The SQS SenderId of the person's AWS identity: AIDA... for an IAM user, AROA...:<session> for a role session (the role id alone matches every session of the role)",
    ),
  staffId: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/),
  roles: z.array(z.enum(['coder', 'reviewer', 'senior', 'billing'])).min(1),
  agencies: z
    .array(z.string().regex(AGENCY_ID))
    .min(1)
    .optional()
    .describe(
      "The agencies (branches) the person works for: their answers about another agency's charts or batches are refused (IAM limits what they read: each agency's roles are its own). Absent: every agency",
    ),
});
export type StaffMember = z.infer<typeof StaffMember>;

export const Config = z
  .object({
    agencies: z
      .array(Agency)
      .min(1)
      .max(
        MAX_AGENCIES_PER_STACK,
        `a stack serves at most ${MAX_AGENCIES_PER_STACK} agencies: deploy one stack per group of agencies`,
      )
      .default([{ id: 'demo-agency', timeZone: 'America/New_York', holidays: [] }]),
    sampling: Sampling,
    staff: z
      .array(StaffMember)
      .default([])
      .describe(
        'Who may send QA verdicts (reviewer, senior), disputes (coder), dispute decisions (senior) and answers about coded batches (billing), by AWS identity; when empty (a trial stack), the staff ids a message names are taken as given and any sender may answer for billing',
      ),
    intake: Intake,
    slas: z
      .strictObject({
        coding: z
          .strictObject({
            startOfCareHours: z
              .int()
              .min(1)
              .default(48)
              .describe(
                'Hours on working days (weekends and holidays not counted) from documentation lock to coding complete: a start-of-care (admission) period',
              ),
            recertificationBusinessDays: z
              .int()
              .min(0)
              .default(1)
              .describe('Business days for a later period (recertification): by the next business day'),
            expeditedHours: z
              .int()
              .min(1)
              .default(24)
              .describe('Hours on working days for a chart the export marks expedited'),
          })
          .prefault({}),
        qaReviewHours: z.int().min(1).default(24).describe('Hours a chart may wait for QA review'),
      })
      .prefault({}),
    billing: z
      .strictObject({
        maxBatchSize: z.int().min(1).max(1000).default(100).describe('Charts in one coded batch at most'),
        businessHours: z
          .strictObject({
            start: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
              .default('08:00'),
            end: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
              .default('17:00'),
          })
          .refine((h) => h.start < h.end, { message: 'the working day ends after it starts', path: ['end'] })
          .prefault({})
          .describe("The agencies' working day, in their own time zone: turnaround clocks count these hours"),
        reviewChoiceStates: z
          .array(z.string().regex(/^[A-Z]{2}$/))
          .default(['IL', 'OH', 'TX', 'NC', 'FL'])
          .describe(
            'Home Health Review Choice Demonstration states: a period there without an affirmed pre-claim review is flagged before batching',
          ),
      })
      .prefault({}),
    denials: z
      .strictObject({
        carcFamilies: z
          .record(z.string().regex(CARC_CODE), DenialFamily)
          .default({})
          .describe(
            'The agency\'s own family for a claim adjustment reason code, over the CARC table\'s (e.g. {"16": "documentation"}): coding and documentation count against the coder',
          ),
        rarcFamilies: z
          .record(z.string().regex(RARC_CODE), DenialFamily)
          .default({})
          .describe("The agency's own family for a remark code, over the RARC table's"),
        overpaymentDays: z
          .int()
          .min(1)
          .default(60)
          .describe(
            'Days to report and return an overpayment once identified (the Medicare 60-day rule, 42 CFR 401.305)',
          ),
      })
      .prefault({}),
    queryAging: z.object({ escalateAfterDays: z.int().min(1).default(3) }).default({ escalateAfterDays: 3 }),
    holidays: z.array(z.iso.date()).default([]),
    trial: z
      .boolean()
      .default(false)
      .describe(
        'A stack to try codetrail out: deleted whole with the stack (buckets, tables, keys), the audit bucket locked in GOVERNANCE mode for a day. Production-grade when false: COMPLIANCE lock for 7 years, everything retained, deletion protection',
      ),
    retention: z
      .object({
        auditObjectLockMode: z
          .enum(['GOVERNANCE', 'COMPLIANCE'])
          .optional()
          .describe(
            'Object Lock mode of the audit and trail buckets: COMPLIANCE unless a trial (GOVERNANCE)',
          ),
        auditRetentionDays: z
          .int()
          .min(1)
          .max(36_500)
          .optional()
          .describe('Days each audit object is locked: 2557 (7 years) unless a trial (1)'),
        // Gone: a trial stack is `"trial": true`. Refused by name below rather than ignored.
        removeOnDestroy: z.unknown().optional(),
      })
      .default({}),
    emrExport: z
      .strictObject({
        account: z
          .string()
          .regex(/^\d{12}$/, 'a 12-digit AWS account id')
          .optional()
          .describe(
            "The AWS account the EMR export job runs in, when not the stack's own (a vendor-hosted EMR): the writer roles trust it, with externalId",
          ),
        externalId: z
          .string()
          .regex(
            /^[\w+=,.@:/-]{2,1224}$/,
            'an STS external id (2-1224 characters: letters, digits, +=,.@:/-)',
          )
          .optional()
          .describe('The external id the vendor passes to sts:AssumeRole (required with account)'),
      })
      .refine((e) => (e.account === undefined) === (e.externalId === undefined), {
        message:
          'account and externalId go together: a vendor account assumes the writer role with its external id',
        path: ['externalId'],
      })
      .prefault({})
      .describe(
        "Who may assume the EMR export writer roles: the stack's own account (default), or a vendor's",
      ),
    breakGlassRoleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN')
      .optional()
      .describe(
        'The role that alone (besides the CloudFormation deployment role) may schedule deletion of, disable or re-policy the audit key of a production stack',
      ),
    alarmEmail: z.email().optional().describe('Subscribed to the alarm topic (the address must confirm it)'),
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')
      .optional()
      .describe(
        "An existing SNS topic every alarm also notifies (an on-call pager); in the stack's account and region",
      ),
    local: z
      .object({
        timeCompression: z
          .number()
          .min(1)
          .default(60)
          .describe('Local only: visibility timeouts and batching windows are divided by this'),
      })
      .default({ timeCompression: 60 }),
  })
  .superRefine((config, ctx) => {
    // Each agency names its own queues, roles and stack outputs (`QaReviewerRole<Agency>`): two ids that
    // read the same there (`a1` and `a-1`) would be one.
    // A queue's construct id joins its kind and agency (`QueueQaReviewSeniorX`): `senior-x`'s qa-review
    // queue would be `x`'s qa-review-senior one.
    const named = new Map<string, string>();
    for (const [i, { id }] of config.agencies.entries())
      for (const name of [pascal(id), ...HUMAN_QUEUES.map((q) => `${pascal(q.name)}${pascal(id)}`)]) {
        const other = named.get(name);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['agencies', i, 'id'],
            message: `${id} and ${other} name the same queues and roles (${name}): give one another id`,
          });
        named.set(name, id);
      }
    // A staff member's agencies must be agencies the stack serves: a typo would lock them out unseen.
    for (const [i, member] of config.staff.entries())
      for (const agency of member.agencies ?? [])
        if (!config.agencies.some((a) => a.id === agency))
          ctx.addIssue({
            code: 'custom',
            path: ['staff', i, 'agencies'],
            message: `${agency} is not one of the agencies the stack serves`,
          });
    if (config.retention.removeOnDestroy !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['retention', 'removeOnDestroy'],
        message: 'replaced by "trial": true (a production-grade stack is the default)',
      });
  });
export type Config = z.infer<typeof Config>;

/** The audit bucket's Object Lock by default: what a production stack keeps, and a trial's. */
export const PRODUCTION_AUDIT_LOCK = { mode: 'COMPLIANCE', days: 2557 } as const;
export const TRIAL_AUDIT_LOCK = { mode: 'GOVERNANCE', days: 1 } as const;

/** The Object Lock of the audit (and trail) buckets: as configured, else the default of the stack's kind. */
export function auditLock(config: Pick<Config, 'trial' | 'retention'>): {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days: number;
} {
  const fallback = config.trial ? TRIAL_AUDIT_LOCK : PRODUCTION_AUDIT_LOCK;
  return {
    mode: config.retention.auditObjectLockMode ?? fallback.mode,
    days: config.retention.auditRetentionDays ?? fallback.days,
  };
}

/**
 * Why a stack is not fit to deploy as configured, if it is not: a production stack (not a trial) must
 * page someone when something fails.
 */
export function deployRefusal(config: Config): string | undefined {
  if (!config.trial && !config.alarmEmail && !config.alarmTopicArn)
    return 'a production stack must page someone when something fails: set alarmEmail or alarmTopicArn (or "trial": true to try codetrail out)';
  return undefined;
}

/** What `cdk synth` and `codetrail start` say of a trial stack. */
export const TRIAL_WARNING =
  'this is a trial stack ("trial": true): deleting it deletes its buckets, tables and keys, and the audit bucket is locked in GOVERNANCE mode for a day. Remove "trial" for production: a COMPLIANCE lock for 7 years, everything retained.';
export type ConfigInput = z.input<typeof Config>;

/** The days an agency does not work, besides weekends. */
export function agencyHolidays(
  config: { holidays: readonly string[]; agencies: readonly { id: string; holidays?: readonly string[] }[] },
  agencyId: string,
): string[] {
  // The deployment's holidays and the agency's own.
  return [...config.holidays, ...(config.agencies.find((a) => a.id === agencyId)?.holidays ?? [])];
}

/** The agency's time zone (its local days and business hours); an agency not configured keeps the default. */
export function agencyTimeZone(
  config: { agencies: readonly { id: string; timeZone: string }[] },
  agencyId: string,
): string {
  return config.agencies.find((a) => a.id === agencyId)?.timeZone ?? DEFAULT_TIME_ZONE;
}

export function parseConfig(input: unknown): Config {
  return Config.parse(input ?? {});
}
