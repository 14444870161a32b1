import type { SourceObject } from '#shared/aws/ports.ts';
import { claimFrom835, paymentOf } from '#shared/denials/from-835.ts';
import { readDenialCsv } from '#shared/formats/denial-csv.ts';
import { read835Batches } from '#shared/formats/x12/read-835.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import { isBilled } from '#shared/model/chart-state.ts';
import { DenialEntry, DenialFile } from '#shared/model/denial.ts';
import type { ClaimAdjustment, RemittanceClaim, RemittancePayment } from '#shared/model/remittance.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import { answerKey, type ClaimToApply } from './apply-claim.ts';

/** A problem with the file or one of its records: names fields and codes, never a value. */
export interface RemittanceIssue {
  record?: string;
  /** The JSON denial file's entry number (1-based; 0 for the file). */
  entry?: number;
  path?: string;
  reason: string;
}

export type FileEvent =
  | { kind: 'claim'; item: ClaimToApply }
  | { kind: 'issue'; issue: RemittanceIssue }
  | { kind: 'payment'; payment: RemittancePayment };

export type RemittanceFormat = 'x12-835' | 'csv' | 'json';

/** By the key: `.csv` and `.json` are what they say; anything else is read as X12 (.835, .x12, .edi, .txt). */
export function formatOf(key: string): RemittanceFormat {
  const lower = key.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  return 'x12-835';
}

/**
 * The claims of one file as items to apply, each with its occurrence: how many identical answers
 * (answerKey) came before it in the file, so two identical answers in one file stay two records.
 */
function claimItems() {
  const seen = new Map<string, number>();
  return (
    claim: RemittanceClaim,
    payment: RemittancePayment,
    position: string,
    sourceRecord: string,
  ): ClaimToApply => {
    const key = answerKey(claim, payment, claim.patientControlNumber);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { claim, payment, occurrence, position, sourceRecord };
  };
}

/** A place in a file that sorts as a string: zero-padded. */
const place = (n: number) => String(n).padStart(8, '0');

async function* textOf(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true });
  // What an incomplete character at the very end decodes to (nothing, for a file that ends well).
  yield decoder.decode();
}

/**
 * An X12 835, one claim at a time, the envelope warnings as issues: from the chunks already read (one
 * parsed at a time, so memory holds one chunk's claims, as when streaming), else streamed from S3.
 */
export async function* read835File(
  deps: StageDeps,
  source: SourceObject,
  bytes?: readonly Uint8Array[],
): AsyncGenerator<FileEvent> {
  const chunks = textOf(
    bytes ??
      (await deps.ports.artifacts.openObject(source.bucket, source.key, {
        ...(source.versionId ? { versionId: source.versionId } : {}),
      })),
  );
  const itemOf = claimItems();
  let payment: RemittancePayment = {};
  let ordinal = 0;
  let transactions = 0;
  let sawTransaction = false;
  for await (const events of read835Batches(chunks)) {
    for (const e of events) {
      if (e.kind === 'transaction') {
        sawTransaction = true;
        payment = paymentOf(e.header);
        transactions++;
        ordinal = 0;
        yield { kind: 'payment', payment };
      } else if (e.kind === 'claim') {
        ordinal++;
        // A claim is named by its place in the file (the transaction set's ordinal, the claim's within it),
        // never by the control number (ST02), a value a hostile file could put anything in.
        const record = `transaction set ${transactions} claim ${String(ordinal).padStart(6, '0')}`;
        const { claim, dropped } = claimFrom835(e.claim, payment);
        for (const d of dropped)
          yield {
            kind: 'issue',
            issue: { record, reason: `${d}: not applied` },
          };
        if (!claim.patientControlNumber) {
          yield {
            kind: 'issue',
            issue: { record, path: 'CLP01', reason: 'the claim has no patient control number' },
          };
          continue;
        }
        yield {
          kind: 'claim',
          item: itemOf(claim, payment, `${place(transactions)}#${place(ordinal)}`, record),
        };
      } else if (e.kind === 'warning') {
        yield {
          kind: 'issue',
          issue: {
            ...(e.segment === undefined ? {} : { record: `segment ${e.segment}` }),
            reason: e.message,
          },
        };
      }
    }
  }
  if (!sawTransaction)
    yield { kind: 'issue', issue: { reason: 'no 835 transaction set (ST*835) in the file: not an X12 835' } };
}

/** The CSV denial export (docs/denial-csv.md). */
export function* readCsvFile(text: string): Generator<FileEvent> {
  const { payment, claims, issues } = readDenialCsv(text);
  for (const i of issues)
    yield {
      kind: 'issue',
      issue: { record: `line ${i.line}`, ...(i.column ? { path: i.column } : {}), reason: i.reason },
    };
  yield { kind: 'payment', payment };
  const itemOf = claimItems();
  for (const { line, claim } of claims)
    yield {
      kind: 'claim',
      item: itemOf(claim, payment, place(line), `line ${line}`),
    };
}

/**
 * The simple JSON denial file (shared/model/denial.ts): entries name the chart by its EMR id (and
 * version) or by claimRef; each becomes a denied claim.
 */
export async function* readJsonFile(
  deps: StageDeps,
  text: string,
  agencyId: string,
): AsyncGenerator<FileEvent> {
  let file: DenialFile | undefined;
  try {
    const parsed = DenialFile.safeParse(JSON.parse(text));
    if (parsed.success) file = parsed.data;
    else for (const issue of parsed.error.issues) yield schemaIssue(0, issue);
  } catch {
    yield { kind: 'issue', issue: { entry: 0, reason: 'file is not valid JSON' } };
  }
  if (file && file.agencyId !== agencyId) {
    yield {
      kind: 'issue',
      issue: {
        entry: 0,
        path: 'agencyId',
        reason: `file names another agency than remittances/${agencyId}/`,
      },
    };
    return;
  }
  const payment: RemittancePayment = file?.payer ? { payerName: file.payer } : {};
  yield { kind: 'payment', payment };
  const itemOf = claimItems();
  for (const [i, raw] of (file?.denials ?? []).entries()) {
    const parsed = DenialEntry.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) yield schemaIssue(i + 1, issue);
      continue;
    }
    const entry = parsed.data;
    const adjustments: ClaimAdjustment[] = entry.reasonCodes.map((code) => {
      const [group, reason] = code.split('-') as [ClaimAdjustment['group'], string];
      // Stryker disable next-line StringLiteral: nothing reads an adjustment's level (classification and the answer key use its group and reason), and the claim is never stored
      return { group, reason, amount: 0, level: 'claim' };
    });
    const claim: RemittanceClaim = {
      patientControlNumber: entry.claimRef ?? `entry-${i + 1}`,
      statusCode: '4',
      disposition: 'denied',
      charge: entry.deniedAmount ?? 0,
      payment: 0,
      patientResponsibility: 0,
      adjustments,
      remarkCodes: entry.remarkCodes,
    };
    const item = itemOf(claim, payment, place(i + 1), `entry ${i + 1}`);
    if (entry.chartId) {
      const chartKey = await chartKeyOf(deps.ports.keys, agencyId, entry.chartId);
      const versions = await deps.ports.charts.versions(chartKey);
      if (versions.length === 0) {
        yield {
          kind: 'issue',
          issue: { entry: i + 1, path: 'chartId', reason: 'no chart with this id has been received' },
        };
        continue;
      }
      // The denied claim is the billed version: the one named, else the newest one billed.
      const billed = versions.find((v) => (entry.version ? v.version === entry.version : isBilled(v)));
      if (!billed) {
        yield {
          kind: 'issue',
          issue: {
            entry: i + 1,
            path: entry.version ? 'version' : 'chartId',
            reason: entry.version
              ? `version ${entry.version} has not been received`
              : 'no version of this chart has been billed',
          },
        };
        continue;
      }
      item.target = { agencyId, chartKey, version: billed.version };
    }
    yield { kind: 'claim', item };
  }
}

/** A schema problem of the JSON denial file (entry 0) or of one of its entries, by its field path. */
function schemaIssue(entry: number, issue: { path: PropertyKey[]; message: string }): FileEvent {
  return { kind: 'issue', issue: { entry, path: issue.path.join('.'), reason: issue.message } };
}
