// One reader over one file, in a process of its own so its peak RSS is its own. The file is read
// PASSES times (the first pass is cold: the JIT has not seen the code yet) and the worker prints JSON
// { passes: seconds[], claims, maxRssMb }. Each reader's module is loaded before the clock starts.
// Run by bench/x12.bench.ts.
import { createReadStream, readFileSync } from 'node:fs';

const [reader, file, passesArg] = process.argv.slice(2);
if (!reader || !file) throw new Error('usage: x12-worker READER FILE [PASSES]');
const passes = Number(passesArg ?? 3);

async function codetrail(): Promise<() => Promise<number>> {
  const { read835Batches } = await import('#shared/formats/x12/read-835.ts');
  return async () => {
    let claims = 0;
    const stream = createReadStream(file as string, {
      encoding: 'utf8',
      highWaterMark: 1 << 16,
    }) as AsyncIterable<string>;
    for await (const events of read835Batches(stream))
      for (const e of events) if (e.kind === 'claim') claims++;
    return claims;
  };
}

async function x12Parser(): Promise<() => Promise<number>> {
  const { X12parser } = await import('x12-parser');
  return () =>
    new Promise<number>((resolve, reject) => {
      let claims = 0;
      const parser = new X12parser();
      parser.on('data', (segment: { name?: string }) => {
        if (segment.name === 'CLP') claims++;
      });
      parser.on('end', () => resolve(claims));
      parser.on('error', reject);
      createReadStream(file as string).pipe(parser);
    });
}

async function nodeX12(): Promise<() => Promise<number>> {
  // node-x12 1.7.1's stream mode re-reads the ISA from every chunk and fails after the first, so it
  // is given the whole file, the way its README parses: the figure includes reading the file in.
  const { X12Parser } = await import('node-x12');
  return async () => {
    let claims = 0;
    const interchange = new X12Parser(true).parse(readFileSync(file as string, 'utf8')) as {
      functionalGroups: { transactions: { segments: { tag: string }[] }[] }[];
    };
    for (const group of interchange.functionalGroups)
      for (const transaction of group.transactions)
        for (const segment of transaction.segments) if (segment.tag === 'CLP') claims++;
    return claims;
  };
}

const readers: Record<string, () => Promise<() => Promise<number>>> = {
  codetrail,
  'x12-parser': x12Parser,
  'node-x12': nodeX12,
};
const load = readers[reader];
if (!load) throw new Error(`unknown reader ${reader}`);
const read = await load();
const seconds: number[] = [];
let claims = 0;
for (let pass = 0; pass < passes; pass++) {
  const started = performance.now();
  claims = await read();
  seconds.push((performance.now() - started) / 1000);
}
process.stdout.write(
  `${JSON.stringify({ passes: seconds, claims, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
