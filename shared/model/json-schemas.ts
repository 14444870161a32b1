import * as z from 'zod';
import { BatchManifest } from './batch.ts';
import { Chart } from './chart.ts';
import { DenialEntry, DenialFile } from './denial.ts';
import {
  BatchReady,
  BillingReply,
  ChartMessage,
  Dispute,
  DisputeResolution,
  IntakeContinuation,
  ReviewRequest,
  Verdict,
} from './messages.ts';
import { IntakeReceipt } from './receipt.ts';

/**
 * The published contracts, as JSON Schema (draft 2020-12), generated from the zod models so the two
 * cannot drift: `npm run docs` writes them to docs/schemas/<name>.schema.json and a unit test fails
 * when a model changes without regenerating.
 *
 * `io` says which side of a transform the schema describes. What people or other systems write (EMR
 * exports, reviewer verdicts, denial files) is an input: fields with defaults may be left out. What
 * codetrail writes (stage messages, batch manifests) is an output: defaults are filled in.
 */
interface Contract {
  schema: z.ZodType;
  io: 'input' | 'output';
  title: string;
  description: string;
}

const CONTRACTS: Record<string, Contract> = {
  chart: {
    schema: Chart,
    io: 'input',
    title: 'codetrail canonical chart',
    description:
      'One home health 30-day period or hospice benefit period as an EMR export job writes it (canonical JSON or one line of NDJSON). Carries PHI: it only lives in the encrypted chart artifact. Some checks are in code only: period.through not before period.from; a hospice chart needs hospice.',
  },
  'chart-message': {
    schema: ChartMessage,
    io: 'output',
    title: 'codetrail chart message',
    description:
      'Stage-to-stage message (intake, validate, sample, billing queues): identifiers and version only, no PHI.',
  },
  'intake-continuation': {
    schema: IntakeContinuation,
    io: 'output',
    title: 'codetrail intake continuation',
    description:
      "On intake: a large file's run saved its place in the object ledger and asks a fresh run to go on. No PHI.",
  },
  'intake-receipt': {
    schema: IntakeReceipt,
    io: 'output',
    title: 'codetrail intake receipt',
    description:
      'What intake took in from one dropped file or FHIR Bulk Data drop: hashes, counts and the quarantine report. In the artifacts bucket and the audit bucket under receipts/<agency>/<objectId>.json. No PHI.',
  },
  'review-request': {
    schema: ReviewRequest,
    io: 'output',
    title: 'codetrail QA review request',
    description:
      'On qa-review / qa-review-senior: a sampled chart version waiting for a QA reviewer. No PHI.',
  },
  verdict: {
    schema: Verdict,
    io: 'input',
    title: 'codetrail QA verdict',
    description:
      "On qa-result: a reviewer's verdict on a sampled chart version, keyed by chartKey. Checked in code only: a corrected verdict needs at least one correction.",
  },
  dispute: {
    schema: Dispute,
    io: 'input',
    title: 'codetrail QA dispute',
    description:
      "On qa-result: the coder disputes corrections of a QA review of their chart (by index in the verdict's corrections); the stage records it and asks a senior reviewer. No PHI.",
  },
  'dispute-resolution': {
    schema: DisputeResolution,
    io: 'input',
    title: 'codetrail QA dispute resolution',
    description:
      'On qa-result: a senior reviewer upholds or overturns a dispute; overturned corrections stop counting against the coder. No PHI.',
  },
  'batch-ready': {
    schema: BatchReady,
    io: 'output',
    title: 'codetrail batch-ready message',
    description: 'On coded-batches: a batch of coded charts is ready for the billing team. No PHI.',
  },
  'billing-reply': {
    schema: BillingReply,
    io: 'input',
    title: 'codetrail billing reply',
    description:
      "On billing-reply: what the billing team did with a coded batch (pulled, refused on a check, accepted, rejected); the stage records it under the identity SQS saw send it. A rejection's reason stays in the artifacts bucket: the message names its key. No PHI.",
  },
  'batch-manifest': {
    schema: BatchManifest,
    io: 'output',
    title: 'codetrail batch manifest',
    description:
      'The manifest billing reads: each member with the claimRef that goes into CLM01 (echoed in the 835 CLP01).',
  },
  'denial-file': {
    schema: DenialFile,
    io: 'input',
    title: 'codetrail denial file',
    description:
      'A JSON denial file under remittances/<agency>/. Each entry of denials is checked on its own against denial-entry, so one bad entry is reported while the others go on.',
  },
  'denial-entry': {
    schema: DenialEntry,
    io: 'input',
    title: 'codetrail denial entry',
    description:
      'One denied claim in a denial file, by chartId or claimRef. Checked in code only: one of the two is required.',
  },
};

/** Every contract's JSON Schema, by file name stem, in a stable order. */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, contract] of Object.entries(CONTRACTS)) {
    const { $schema, ...rest } = z.toJSONSchema(contract.schema, {
      io: contract.io,
      target: 'draft-2020-12',
    });
    // A message of several kinds (oneOf) is an object whichever kind it is: said at the top, as for the others.
    const branches = (rest as { oneOf?: { type?: unknown }[] }).oneOf;
    const object = branches?.every((b) => b.type === 'object') ? { type: 'object' } : {};
    out[name] = { $schema, title: contract.title, description: contract.description, ...object, ...rest };
  }
  return out;
}

/**
 * The exact text of docs/schemas/<name>.schema.json: two-space JSON with a trailing newline, laid out
 * the way the repository's formatter (Biome, line width 110) lays out JSON, so `biome check` and the
 * generator agree: objects one member per line, arrays of scalars on one line when they fit.
 */
export function schemaFileText(schema: object): string {
  return `${layout(schema, 0, 0)}\n`;
}

const LINE_WIDTH = 110;

function layout(value: unknown, indent: number, used: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      // `used` counts the indentation and `"key": ` before the array; +1 for a following comma.
      if (used + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    return `[\n${value.map((v) => pad + layout(v, indent + 2, pad.length)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const members = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return pad + key + layout(v, indent + 2, pad.length + key.length);
  });
  return `{\n${members.join(',\n')}\n${end}}`;
}
