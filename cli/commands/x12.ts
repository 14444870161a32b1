import { createReadStream } from 'node:fs';
import { collect835 } from '#shared/formats/x12/read-835.ts';

/**
 * `codetrail x12 835 FILE`: the remittance as codetrail reads it, as JSON: each transaction set with its
 * payment, payer, payee, claims (CLP, CAS, SVC, LQ, MOA/MIA remarks, REF, DTM) and provider
 * adjustments, and the envelope warnings. The file is streamed; the JSON is built whole for printing.
 */
export async function runX12_835(file: string): Promise<string> {
  const stream = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: 1 << 16,
  }) as AsyncIterable<string>;
  return JSON.stringify(await collect835(stream), null, 2);
}
