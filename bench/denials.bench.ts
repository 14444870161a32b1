// `npm run bench -- denials`: an X12 835 of BENCH_CLAIMS (2,000) claims for billed charts, applied by the
// denial-ingestion service over the emulators in another process: claims applied per second, and S3 and
// DynamoDB requests per claim. Most are paid, one in five denied (a coding CO-146 now and then), one
// in twenty reversed and paid again. The baseline is the floor of that work in the same run: one
// conditional DynamoDB update per claim. The same file is then dropped again under another key: it must
// change nothing (checked), and its time is printed too.
import { createDenialIngestionService } from '#functions/denial-ingestion/service.ts';
import { systemClock } from '#shared/aws/ports.ts';
import { claimRefOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import { S3EventMessage } from '#shared/model/messages.ts';
import { s3Event } from '../test/support/memory-ports.ts';
import { build835, type ClaimSpec } from '../test/support/x12-835.ts';
import {
  conditionalUpdatesPerSecond,
  countRequests,
  emulatedStack,
  printRequestsPer,
  report,
} from './support.ts';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 2000);

const { emulators, clients, resources, ports } = await emulatedStack('denbench');
try {
  const config = parseConfig({ agencies: [{ id: 'test-agency' }] });

  // Billed chart versions with their claimRef index, as billing handoff leaves them.
  const claims: ClaimSpec[] = [];
  const chartKeys = Array.from({ length: CLAIMS }, (_, i) => `ck${sha256Hex(`bench|${i}`).slice(0, 30)}`);
  for (const [i, chartKey] of chartKeys.entries()) {
    const claimRef = claimRefOf(chartKey, 1);
    const state: ChartState = {
      chartKey,
      version: 1,
      agencyId: 'test-agency',
      status: 'BATCHED',
      lineOfBusiness: 'home_health',
      payerType: 'medicare',
      coderId: `coder-${i % 7}`,
      contentHash: sha256Hex(`${i}`),
      artifactKey: `charts/test-agency/${chartKey}/v1.json`,
      sourceObject: 'bench',
      receivedAt: '2026-11-02T10:00:00Z',
      updatedAt: '2026-11-02T10:00:00Z',
      claimRef,
      batchId: 'b-bench',
      principalCategory: i % 2 ? 'I50' : 'I69',
    };
    await ports.charts.create(state);
    await ports.remittances.indexClaim(claimRef, { agencyId: 'test-agency', chartKey, version: 1 });
    if (i % 5 === 0)
      claims.push({
        pcn: claimRef,
        status: '4',
        charge: 1000,
        paid: 0,
        cas: [['CO', i % 10 === 0 ? '146' : '197', 1000]],
      });
    else if (i % 20 === 1)
      claims.push(
        { pcn: claimRef, status: '1', charge: 1000, paid: 900, cas: [['CO', '45', 100]] },
        { pcn: claimRef, status: '22', charge: -1000, paid: -900, cas: [['CO', '45', -100]] },
        { pcn: claimRef, status: '1', charge: 1000, paid: 850, cas: [['CO', '45', 150]] },
      );
    else claims.push({ pcn: claimRef, status: '1', charge: 1000, paid: 900, cas: [['CO', '45', 100]] });
  }
  const text = build835({ claims, trace: 'EFT-BENCH-1', lineBreaks: true });
  const service = createDenialIngestionService({ ports, config, clock: systemClock });
  const drop = async (key: string) => {
    await ports.artifacts.putText('denials', key, text);
    const event = S3EventMessage.parse(
      s3Event(ports.artifacts.bucketName('denials'), key, sha256Hex(key).slice(0, 32)),
    );
    const started = performance.now();
    await service.handle(event);
    return (performance.now() - started) / 1000;
  };

  const requests = countRequests();
  const seconds = await drop('remittances/test-agency/bench.835');
  const counts = requests();
  let paid = 0;
  let denied = 0;
  for await (const c of ports.charts.list('test-agency')) {
    if (c.status === 'PAID') paid++;
    if (c.status === 'DENIED') denied++;
  }
  if (paid + denied !== CLAIMS) throw new Error(`only ${paid + denied} of ${CLAIMS} charts were answered`);
  const againSeconds = await drop('remittances/test-agency/bench-resent.835');
  let records = 0;
  for await (const _ of ports.remittances.list('test-agency')) records++;
  if (records !== claims.length)
    throw new Error(`${records} records for ${claims.length} claims: counted twice`);

  // The floor: one conditional update per claim, sequentially.
  const floorPerSecond = await conditionalUpdatesPerSecond(clients, resources.table, chartKeys);
  const perSecond = claims.length / seconds;
  report(
    'denials',
    `${perSecond.toFixed(0)} claims applied/s (${claims.length} claims of ${CLAIMS} charts in ${seconds.toFixed(2)} s: ${paid} paid, ${denied} denied; the same file under another key ${againSeconds.toFixed(2)} s, recognised by its content, nothing applied twice)`,
    `one conditional update per claim ${floorPerSecond.toFixed(0)}/s`,
    perSecond / floorPerSecond,
  );
  printRequestsPer('claim', counts, claims.length);
} finally {
  emulators.stop();
}
