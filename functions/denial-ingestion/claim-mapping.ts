import { csvFields } from '#shared/formats/csv-fields.ts';
import { CLAIM_REF, claimAliasKeyOf } from '#shared/identity/identifiers.ts';
import type { StageDeps } from '#shared/runtime/stage-deps.ts';
import type { RemittanceIssue } from './remittance-files.ts';

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
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const numberAt = header.indexOf('billing_claim_number');
  const refAt = header.indexOf('claim_ref');
  if (numberAt < 0 || refAt < 0)
    return {
      mapped: 0,
      issues: [{ record: 'line 1', reason: 'expected the columns billing_claim_number and claim_ref' }],
    };
  let mapped = 0;
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line.trim() === '') continue;
    const fields = csvFields(line).map((f) => f.trim());
    const number = fields[numberAt] ?? '';
    const claimRef = (fields[refAt] ?? '').toUpperCase();
    if (!number || number.length > 38) {
      issues.push({
        record: `line ${i + 1}`,
        path: 'billing_claim_number',
        reason: 'expected 1 to 38 characters',
      });
      continue;
    }
    if (!CLAIM_REF.test(claimRef)) {
      issues.push({
        record: `line ${i + 1}`,
        path: 'claim_ref',
        reason: 'expected a codetrail claimRef (CT and 14 characters)',
      });
      continue;
    }
    const aliasKey = await claimAliasKeyOf(deps.ports.keys, agencyId, number);
    await deps.ports.remittances.putAlias(agencyId, aliasKey, claimRef);
    mapped++;
  }
  return { mapped, issues };
}
