// `npm run bench -- audit-verify`: events per second `audit verify` checks (issue 14): BENCH_EVENTS
// (100,000) events of three agencies in signed segments of 1,000, every digest's signature and chain,
// every segment's SHA-256. The baseline is SHA-256 over the same segment bytes alone: how close the
// verifier comes to just reading the trail. A segment whose hash differs costs more (each of its events
// is hashed to name the one changed); an intact trail, the common case, is what this measures.
import { createHash } from 'node:crypto';
import { verifyTrail } from '#shared/audit-trail/verify.ts';
import { buildTrail, testSigner } from '../test/support/audit-trail.ts';
import { report } from './support.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const AGENCIES = ['north', 'south', 'east'];
const signer = testSigner();
const { files } = await buildTrail(signer, AGENCIES, Math.ceil(EVENTS / AGENCIES.length), 1_000);
const key = signer.publicKeyPem();

const started = performance.now();
const result = verifyTrail(files, key);
const seconds = (performance.now() - started) / 1000;
if (!result.ok) throw new Error(`the generated trail did not verify: ${result.problems.length} problem(s)`);

const hashStarted = performance.now();
for (const [k, text] of files)
  if (k.endsWith('.ndjson')) createHash('sha256').update(text, 'utf8').digest('hex');
const hashSeconds = (performance.now() - hashStarted) / 1000;

const rate = result.events / seconds;
const baseline = result.events / hashSeconds;
report(
  'audit verify',
  `${Math.round(rate).toLocaleString('en-US')} events/s (${result.events.toLocaleString('en-US')} events, ${result.segments} segments, in ${seconds.toFixed(2)} s)`,
  `SHA-256 of the segment files alone ${Math.round(baseline).toLocaleString('en-US')} events/s`,
  rate / baseline,
);
