import { headedCsv } from '#shared/formats/csv-fields.ts';
import { CLAIM_REF, claimAliasKeyOf } from '#shared/identity/identifiers.ts';
import { mapLimit } from '#shared/runtime/map-limit.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import type { RemittanceIssue } from './remittance-files.ts';

const MAPPING_CONCURRENCY = 8;

/**
 * A billing-supplied mapping file (`remittances/<agency>/mappings/*.csv`, columns
 * `billing_claim_number,claim_ref`) for billing systems that cannot put codetrail's claimRef in CLM01:
 * their own claim number, as the 835 echoes it in CLP01, to the claimRef of the batch manifest. The
 * number is stored only as a keyed HMAC (it may be a patient account number).
 */
export async function takeClaimMapping(
  deps: StageDeps,
  text: string,
  agencyId: string,
): Promise<{ mapped: number; issues: RemittanceIssue[] }> {
  const issues: RemittanceIssue[] = [];
  const { header, rows } = headedCsv(text);
  const numberAt = header.indexOf('billing_claim_number');
  const refAt = header.indexOf('claim_ref');
  if (numberAt < 0 || refAt < 0)
    return {
      mapped: 0,
      issues: [{ record: 'line 1', reason: 'expected the columns billing_claim_number and claim_ref' }],
    };
  // Checked first; a number listed twice maps to its last line, as a billing system's correction would.
  const mapping = new Map<string, string>();
  for (const { line, fields } of rows) {
    const number = fields[numberAt] ?? '';
    // Stryker disable next-line StringLiteral: a line without the cell fails the claimRef check below whatever text stands in for it
    const claimRef = (fields[refAt] ?? '').toUpperCase();
    if (!number || number.length > 38)
      issues.push({
        record: `line ${line}`,
        path: 'billing_claim_number',
        reason: 'expected 1 to 38 characters',
      });
    else if (!CLAIM_REF.test(claimRef))
      issues.push({
        record: `line ${line}`,
        path: 'claim_ref',
        reason: 'expected a codetrail claimRef (CT and 14 characters)',
      });
    else mapping.set(number, claimRef);
  }
  // A key-service call and a write per entry: a few at a time.
  await mapLimit([...mapping], MAPPING_CONCURRENCY, async ([number, claimRef]) => {
    const aliasKey = await claimAliasKeyOf(deps.ports.keys, agencyId, number);
    await deps.ports.remittances.putAlias(agencyId, aliasKey, claimRef);
  });
  return { mapped: mapping.size, issues };
}
