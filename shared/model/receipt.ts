import * as z from 'zod';

/**
 * The intake receipt: what codetrail took in from one dropped file (or one FHIR Bulk Data drop), written
 * to the artifacts bucket, copied to the Object-Locked audit bucket and recorded in the audit log, so an
 * auditor can tie every chart version to the exact bytes it came from. Holds no PHI: object ids, hashes, counts; never an EMR object key.
 */
export const IntakeCounts = z.object({
  read: z.int().min(0).describe('Charts read (FHIR: charts assembled)'),
  accepted: z.int().min(0).describe('New chart versions taken in'),
  quarantined: z.int().min(0).describe('Records or charts set aside with a reason in the quarantine report'),
  superseded: z.int().min(0).describe('Versions older than one already received: recorded as SUPERSEDED'),
  duplicates: z
    .int()
    .min(0)
    .describe('Chart versions already received from another drop, with the same content'),
});
export type IntakeCounts = z.infer<typeof IntakeCounts>;

export const ReceiptFile = z.object({
  objectId: z
    .string()
    .describe('The file by its object id (bucket, key and ETag hashed), never its key: see `source`'),
  resourceType: z.string().optional().describe('FHIR drops: the resource type the manifest names'),
  bytes: z.int().min(0),
  sha256: z
    .string()
    .optional()
    .describe('SHA-256 of the object, hex; absent for a file over the size limit, unread'),
  lines: z.int().min(0).describe('Records (lines) read from the file'),
});

export const IntakeReceipt = z.object({
  schemaVersion: z
    .literal(2)
    .describe('2: files by object id, never by key (1: before, when receipts could name them by key)'),
  objectId: z.string(),
  source: z
    .object({
      objectId: z.string(),
      bucket: z.string(),
      etag: z.string(),
      versionId: z.string().optional(),
      size: z.number().optional(),
      listingId: z
        .string()
        .optional()
        .describe('The object id from the key and content ETag, as a listing of the bucket gives them'),
    })
    .describe(
      'The dropped object, without its key: an export job may name a file after the patient, so codetrail records files by object id and SHA-256 only',
    ),
  agencyId: z.string(),
  format: z.enum(['canonical', 'fhir-bulk']),
  sha256: z
    .string()
    .optional()
    .describe(
      'SHA-256 of the dropped object (for a FHIR drop: of its manifest or .done marker); absent only when a file over the configured maximum size was refused unread',
    ),
  bytes: z.int().min(0),
  receivedAt: z.string(),
  finishedAt: z.string(),
  segments: z.int().min(1).describe('Lambda runs it took: more than one when a large file was continued'),
  counts: IntakeCounts,
  files: z.array(ReceiptFile).default([]).describe('FHIR drops: every NDJSON file read, with its own hash'),
  resources: z.record(z.string(), z.int()).optional().describe('FHIR drops: resources read, by type'),
  unused: z
    .record(z.string(), z.int())
    .optional()
    .describe('FHIR drops: resources that fed no chart, by type and reason'),
  issueCount: z.int().min(0),
  quarantineReport: z.string().optional().describe('Key of the quarantine report in the intake bucket'),
});
export type IntakeReceipt = z.infer<typeof IntakeReceipt>;
