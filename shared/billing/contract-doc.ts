import { BILLING_CONTRACT } from '#shared/model/batch.ts';

/**
 * docs/billing-contract.md: what billing teams integrate with, generated with the JSON Schemas so the
 * prose and the schemas never drift (`npm run docs`; a unit test fails when it is stale).
 */
export function billingContractMarkdown(schemas: { batchReady: object; batchManifest: object }): string {
  return `# Billing contract \`${BILLING_CONTRACT}\`

Billing teams receive coded batches from the \`coded-batches\` SQS queue. This contract is versioned:
a change that removes or renames a field, or changes its meaning, is a new version (the next:
\`codetrail.billing/4\`); adding an optional field is not. Consumers check \`contract\` and refuse
versions they do not know.

**Since \`codetrail.billing/2\`:** \`hipps\` is only ever a HIPPS a complete PDGM table grouped (a
sample table's is \`sampleHipps\`, flagged), the manifest has batch-level \`flags\`, members may carry
the flag \`hipps-from-sample-pdgm\`, the CSV has a last column \`sampleHipps\`, and the message's
\`flagged\` counts the members with a flag of their own (not the batch-wide sample HIPPS).

## What a batch is

- One agency, one payer type, one line of business, one bill type (\`0329\` home health period claims,
  \`081x\` hospice), at most \`billing.maxBatchSize\` charts.
- Each member is one chart version cleared for billing: not sampled by QA, or passed, or corrected by
  QA (then the corrected chart is billed: \`qaCorrected\`). A chart on hold (open query, rejected,
  awaiting QA) is never in a batch, and a chart version is in at most one open or accepted batch (one
  conditional write per member moves it to BATCHED with its batch id).
- \`claimRef\` (at most 20 characters, no PHI) goes into CLM01 of the 837I; the 835 echoes it in CLP01,
  which is how denials find their chart.
- A chart already billed is never billed twice: when a later version of it is cleared, the member says
  \`claimKind: "replacement"\`, \`frequencyCode: "7"\` and \`replaces\` (the billed version and its
  \`claimRef\`): billing sends a replacement of that claim (0327 home health, 0817 hospice), with the
  payer's claim control number of the original, not a new claim. Intake records the void/replace item in
  the audit log (\`chart.void-replace-opened\`) when the new version arrives. Any other member is
  \`claimKind: "original"\`: \`frequencyCode: "9"\` for a home health period claim (TOB 0329); absent for
  hospice, whose frequency (1-4: admission through discharge, first, continuing, last) billing sets.
- \`flags\`: \`review-choice-no-affirmed-pre-claim-review\` for a home health period of an agency in a
  Review Choice Demonstration state (\`billing.reviewChoiceStates\`) whose chart carries no affirmed
  pre-claim review decision: such a claim faces a 25 percent payment reduction or prepayment review.
- **A HIPPS from a sample PDGM table is never the claim's HIPPS.** Until the agency imports the CMS PDGM
  tables (\`codetrail tables import pdgm\`), validation groups home health periods with a sample table:
  such a member carries the code as \`sampleHipps\` (never \`hipps\`) and the flag
  \`hipps-from-sample-pdgm\`, and the manifest's batch-level \`flags\` include \`sample-hipps\`: group those
  claims with the agency's own grouper. \`hipps\` is present only when a complete PDGM table grouped the
  period. The CSV carries \`sampleHipps\` as its last column.
- Flags are added over time: a consumer shows a flag it does not know to a person rather than refusing
  the batch.

## Files

For batch \`B\` of agency \`A\`, in the artifacts bucket (SSE-KMS) and copied to the audit bucket
(Object Lock):

- \`batches/A/B.json\`: the manifest (schema below): every member with its codes, HIPPS, warn findings,
  flags, turnaround and the SHA-256 of the chart file it bills (\`artifactKey\`), and \`membersSha256\`:
  the SHA-256 of the lines \`<claimRef>:<sha256>\` of the members, in manifest order, joined by \`\\n\`
  (UTF-8, no trailing newline), so any language can check it.
- \`batches/A/B.csv\`: the same members as CSV, one row each.

## The message

One message per batch on agency \`A\`'s \`coded-batches\` queue (each agency has its own, so a billing
team limited to some agencies never receives another's batches): identifiers, counts and hashes, never PHI. \`manifestSha256\`
and \`csvSha256\` are the SHA-256 of the two files as stored. After a crash in billing handoff a batch
may be announced twice, with the same files and hashes: consumers dedupe by \`batchId\` and hash.

## Consuming it

\`codetrail billing pull --out DIR\` receives the next batch, downloads the manifest, the CSV and every
chart file it bills, checks every hash (the message's against the files, each member's against its
chart file, \`membersSha256\` against the members), writes them under \`DIR/B/\` with owner-only
permissions, written whole and renamed into place), and only then deletes the message. A batch already
written with the same hash is acknowledged without writing it again. A batch that fails a check is not
written, its refusal goes to billing-reply for the audit log (\`batch.verification-failed\`, naming the
check and the member), and its message is left for another look (it goes to the dead-letter queue after repeated failures). Then
\`codetrail billing pull --ack B\` sends the billing team's receipt (batch ACCEPTED), or
\`--reject B --reason TEXT\` refuses it (with \`--agency A\` when the stack serves several) (batch REJECTED): the reason goes to the artifacts bucket under
\`billing-notes/A/B/\` (free text may hold PHI; the table and the audit log keep its key), and the charts go
back to READY_FOR_BILLING and to billing handoff, which makes a new batch of them (a chart with a newer
version is superseded instead).

The billing team never writes codetrail's table. Every answer (pulled, refused on a check, accepted,
rejected) is a message on \`billing-reply\` (schema \`billing-reply\`), and the billing-reply stage makes the
change and the audit event under the identity SQS saw send it. The billing role reads only the chart
files a batch bills: billing handoff tags each \`codetrail-billing=batched\` before it sends the message.

## Not in this contract yet

An X12 837I (005010X223A2) export of a batch: it needs the agency's charge master, NPI and taxonomy,
payer ids and the submitter and receiver ids, none of which codetrail holds yet. Denial ingestion
matching 835 CLP01 to \`claimRef\` arrives with X12 835 ingestion.

## Message schema (\`batch-ready\`)

\`\`\`json
${JSON.stringify(schemas.batchReady, null, 2)}
\`\`\`

## Manifest schema (\`batch-manifest\`)

\`\`\`json
${JSON.stringify(schemas.batchManifest, null, 2)}
\`\`\`
`;
}
