// `npm run bench -- x12`: a generated X12 835 of BENCH_CLAIMS (40,000) claims, two service lines each,
// read by codetrail's streaming reader and by the npm packages x12-parser (segments, streamed) and
// node-x12 (whole file), each in a process of its own, three passes each: MB/s on the first (cold)
// pass and the best (warm) pass, and peak RSS, ours against the idle process. Target: at least 4 times
// x12-parser's throughput, with flat memory. The ratio printed is the warm one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './support.ts';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 40_000);

function generate835(claims: number): string {
  const out: string[] = [
    'ISA*00*          *00*          *ZZ*PAYER          *ZZ*AGENCY         *261123*1200*^*00501*000000001*0*P*:',
    'GS*HP*PAYER*AGENCY*20261123*1200*1*X*005010X221A1',
    'ST*835*0001',
    'BPR*I*1000.00*C*ACH*CCP*01*123456789*DA*0000000000*1234567890**01*123456789*DA*12345678*20261125',
    'TRN*1*0000000001*1234567890',
    'DTM*405*20261123',
    'N1*PR*SYNTHETIC MEDICARE ADMINISTRATIVE CONTRACTOR*XV*12345',
    'N1*PE*SYNTHETIC HOME HEALTH*XX*1234567893',
    'LX*1',
  ];
  for (let i = 0; i < claims; i++) {
    const ref = `CT${i.toString(36).toUpperCase().padStart(14, '0')}`;
    const denied = i % 7 === 0;
    out.push(
      `CLP*${ref}*${denied ? 4 : 1}*1234.56*${denied ? '0' : '1111.11'}**MA*${(1e13 + i).toString()}*32*9`,
      denied ? 'CAS*CO*16*1234.56' : 'CAS*CO*45*123.45',
      'NM1*QC*1*SYNTHETIC*PATIENT****MI*1EG4TE5MK73',
      'DTM*232*20261001',
      'SVC*HC:G0299*600.00*555.55**4',
      'DTM*472*20261002',
      'CAS*CO*45*44.45',
      'SVC*HC:G0151*634.56*555.56**4',
      'DTM*472*20261003',
      denied ? 'LQ*HE*N14' : 'CAS*CO*45*79.00',
    );
  }
  out.push(`SE*${out.length - 1}*0001`, 'GE*1*1', 'IEA*1*000000001');
  return `${out.join('~')}~`;
}

const dir = mkdtempSync(join(tmpdir(), 'codetrail-bench-x12-'));
const file = join(dir, 'remittance.835');
const interchange = generate835(CLAIMS);
writeFileSync(file, interchange);
const mb = statSync(file).size / (1024 * 1024);
// The same interchange four times over, to show that memory does not grow with the file.
const bigFile = join(dir, 'remittance-x4.835');
writeFileSync(bigFile, `${interchange}\n${interchange}\n${interchange}\n${interchange}`);

interface Run {
  passes: number[];
  claims: number;
  maxRssMb: number;
}

function run(reader: string, passes = 3, input = file, expected = CLAIMS): Run {
  const r = spawnSync('npx', ['--no-install', 'tsx', 'bench/x12-worker.ts', reader, input, String(passes)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${reader} failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Run;
  if (passes > 0 && result.claims !== expected)
    throw new Error(`${reader} counted ${result.claims} claims of ${expected}`);
  return result;
}

// The process with the reader loaded and nothing read: what the RSS figures are measured against.
const idle = run('codetrail', 0);
const ours = run('codetrail');
const oursX4 = run('codetrail', 1, bigFile, 4 * CLAIMS);
const x12parser = run('x12-parser');
const nodeX12 = run('node-x12');
const cold = (r: Run) => mb / (r.passes[0] as number);
const warm = (r: Run) => mb / Math.min(...r.passes);
const figures = (r: Run) =>
  `${cold(r).toFixed(1)} MB/s cold, ${warm(r).toFixed(1)} MB/s warm, peak RSS ${r.maxRssMb.toFixed(0)} MB`;
report(
  'x12',
  `codetrail ${figures(ours)} (${CLAIMS} claims, ${mb.toFixed(1)} MB, claims and their lines assembled; idle process ${idle.maxRssMb.toFixed(0)} MB)`,
  `x12-parser ${figures(x12parser)} (segments only); node-x12 ${figures(nodeX12)} (whole file into its object model; its stream mode fails past the first chunk)`,
  warm(ours) / warm(x12parser),
);
const coldRatio = cold(ours) / cold(x12parser);
const warmRatio = warm(ours) / warm(x12parser);
process.stdout.write(
  `x12 against x12-parser: ${warmRatio.toFixed(1)}x warm, ${coldRatio.toFixed(1)}x cold (first pass); target 4x: ${
    warmRatio >= 4 ? 'met warm' : 'MISSED warm'
  }, ${coldRatio >= 4 ? 'met cold' : 'missed cold'}; memory over the idle process: ${(ours.maxRssMb - idle.maxRssMb).toFixed(0)} MB for this file, ${(oursX4.maxRssMb - idle.maxRssMb).toFixed(0)} MB for one four times its size\n`,
);
