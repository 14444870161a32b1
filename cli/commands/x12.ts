import { createReadStream } from 'node:fs';
import {
  type Claim835,
  type ProviderAdjustment,
  type RemittanceHeader,
  read835,
} from '#shared/formats/x12/read-835.ts';

/**
 * `codetrail x12 835 FILE`: the remittance as codetrail reads it, as JSON: each transaction set with its
 * payment, payer, payee, claims (CLP, CAS, SVC, LQ, MOA/MIA remarks, REF, DTM) and provider
 * adjustments, and the envelope warnings. The file is streamed; the JSON is built whole for printing.
 */
export async function runX12_835(file: string): Promise<string> {
  const remittances: (RemittanceHeader & {
    claims: Claim835[];
    providerAdjustments: ProviderAdjustment[];
  })[] = [];
  const warnings: { message: string; segment?: number }[] = [];
  const stream = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: 1 << 16,
  }) as AsyncIterable<string>;
  for await (const e of read835(stream)) {
    if (e.kind === 'transaction') remittances.push({ ...e.header, claims: [], providerAdjustments: [] });
    else if (e.kind === 'claim') remittances.at(-1)?.claims.push(e.claim);
    else if (e.kind === 'transaction-end') {
      const last = remittances.at(-1);
      if (last) last.providerAdjustments = e.providerAdjustments;
    } else
      warnings.push(
        e.segment === undefined ? { message: e.message } : { message: e.message, segment: e.segment },
      );
  }
  return JSON.stringify({ remittances, warnings }, null, 2);
}
