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
  let parsed: Awaited<ReturnType<typeof collect835>>;
  try {
    parsed = await collect835(stream);
  } catch {
    // The path is not repeated: a file name can carry a patient's name.
    throw new Error('x12 835: the file cannot be read; give the path of an X12 835 remittance file');
  }
  // Bad input is an error, not an empty answer: nothing to print means the file was not an 835.
  if (parsed.remittances.length === 0)
    throw new Error(
      'x12 835: the file holds no X12 transaction set (ST); give an 835 remittance file (ISA ... ST*835 ... SE)',
    );
  return JSON.stringify(parsed, null, 2);
}
