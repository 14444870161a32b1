import { describe, expect, it } from 'vitest';
import { createIntakeService } from '#functions/intake/service.ts';
import { objectIdOf } from '#shared/identity/identifiers.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import { type ConfigInput, parseConfig } from '#shared/model/config.ts';
import { IntakeContinuation } from '#shared/model/messages.ts';
import { IntakeReceipt } from '#shared/model/receipt.ts';
import { homeHealthChart } from '../support/charts.ts';
import { fhirFromChart } from '../support/fhir-from-chart.ts';
import { fixedClock, memoryPorts, s3Event } from '../support/memory-ports.ts';

const AGENCY = 'test-agency';
function intake(config: ConfigInput = {}) {
  const mem = memoryPorts();
  const clock = fixedClock();
  const deps = { ports: mem.ports, config: parseConfig(config), clock: { now: () => clock.now() } };
  const service = createIntakeService(deps);
  const receipt = (key: string, etag = 'e1') => {
    const body = mem.objects.get(`test-artifacts/receipts/${AGENCY}/${objectIdOf('test-intake', key, etag)}.json`);
    return body ? IntakeReceipt.parse(JSON.parse(body)) : undefined;
  };
  return {
    mem, service, receipt,
    async continueAll(invocation?: () => { remainingMs(): number }) {
      for (let round = 0; round < 100; round++) {
        const next = mem.take('intake');
        if (next.length === 0) return round;
        for (const m of next) await service.handle(IntakeContinuation.parse(m), invocation?.());
      }
      throw new Error('never finished');
    },
  };
}
const ndjson = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: `HH-${i + from}` }))).join('\n');
function shortOfTime(calls: number) {
  let left = calls;
  return { remainingMs: () => (left-- > 0 ? 600_000 : 1_000) };
}
function bulkFiles(charts: ChartInput[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const chart of charts) for (const resource of fhirFromChart(chart)) {
    const id = `${resource.resourceType}/${String(resource.id)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const name = `${resource.resourceType}.ndjson`;
    files.set(name, [...(files.get(name) ?? []), JSON.stringify(resource)]);
  }
  return files;
}

describe('review', () => {
  it('A: FHIR drop whose first run fails before any checkpoint is poisoned', async () => {
    const t = intake();
    const folder = 'exports/test-agency/drop-a/';
    const files = bulkFiles(Array.from({ length: 3 }, (_, i) => homeHealthChart({ agencyId: AGENCY, chartId: `HH-${i}`, patient: { id: `P-${i}` } })));
    for (const [name, lines] of files) t.mem.put('intake', `${folder}${name}`, lines.join('\n'));
    t.mem.put('intake', `${folder}.done`, '');
    const create = t.mem.ports.charts.create.bind(t.mem.ports.charts);
    let calls = 0;
    t.mem.ports.charts.create = async (s) => { if (++calls === 1) throw new Error('DynamoDB throttled'); return create(s); };
    const ev = s3Event('test-intake', `${folder}.done`, 'e1');
    await expect(t.service.handle(ev)).rejects.toThrow('DynamoDB throttled');
    const entry = await t.mem.ports.ledger.get(objectIdOf('test-intake', `${folder}.done`, 'e1'));
    console.log('checkpoint after release:', JSON.stringify(entry?.checkpoint));
    let err: unknown;
    for (let i = 0; i < 5; i++) {
      try { await t.service.handle(ev); err = undefined; break; } catch (e) { err = e; }
    }
    console.log('retry error:', String(err));
    console.log('receipt:', JSON.stringify(t.receipt(`${folder}.done`)?.counts));
  });

  it('B: canonical retry after an early failure loses the counts of its first segment', async () => {
    const t = intake({ intake: { concurrency: 4 } });
    const key = 'exports/test-agency/b.ndjson';
    t.mem.put('intake', key, ndjson(60));
    const create = t.mem.ports.charts.create.bind(t.mem.ports.charts);
    let calls = 0;
    t.mem.ports.charts.create = async (s) => { if (++calls === 5) throw new Error('throttled'); return create(s); };
    await expect(t.service.handle(s3Event('test-intake', key, 'e1'))).rejects.toThrow('throttled');
    await t.service.handle(s3Event('test-intake', key, 'e1'), shortOfTime(3));
    await t.continueAll();
    console.log('B counts:', JSON.stringify(t.receipt(key)?.counts), 'validate msgs', t.mem.take('validate').length);
  });

  it('C: a canonical NDJSON in a subfolder with a capitalised name is silently ignored', async () => {
    const t = intake();
    const key = 'exports/test-agency/2024-05/Charts.ndjson';
    t.mem.put('intake', key, ndjson(3));
    await t.service.handle(s3Event('test-intake', key, 'e1'));
    console.log('C receipt:', t.receipt(key), 'ledger:', await t.mem.ports.ledger.get(objectIdOf('test-intake', key, 'e1')), 'validate', t.mem.take('validate').length);
  });

  it('D: refusal is skipped on a retry after a failed first run', async () => {
    const t = intake({ intake: { maxObjectBytes: 100 } });
    const key = 'exports/test-agency/huge.ndjson';
    t.mem.put('intake', key, ndjson(2));
    const ev = s3Event('test-intake', key, 'e1');
    (ev.Records[0]?.s3.object as { size?: number }).size = 5000;
    const copy = t.mem.ports.artifacts.copyObject.bind(t.mem.ports.artifacts);
    let calls = 0;
    t.mem.ports.artifacts.copyObject = async (...a) => { if (++calls === 1) throw new Error('S3 503'); return copy(...a); };
    await expect(t.service.handle(ev)).rejects.toThrow('S3 503');
    await t.service.handle(ev);
    console.log('D counts:', JSON.stringify(t.receipt(key)?.counts), 'validate', t.mem.take('validate').length);
  });

  it('E: array trailing content, resumed after a pause, is read as array elements', async () => {
    const t = intake({ intake: { concurrency: 1 } });
    const key = 'exports/test-agency/arr.json';
    const c = (id: string) => JSON.stringify(homeHealthChart({ agencyId: AGENCY, chartId: id }));
    const body = `[${c('A')}]\n${' '.repeat(10)}${c('TRAIL1')},${c('TRAIL2')}]`;
    t.mem.put('intake', key, body);
    // read A -> group -> check; trailing error -> group -> pause
    await t.service.handle(s3Event('test-intake', key, 'e1'), shortOfTime(1));
    await t.continueAll();
    console.log('E counts:', JSON.stringify(t.receipt(key)?.counts));
    const t2 = intake({ intake: { concurrency: 1 } });
    t2.mem.put('intake', key, body);
    await t2.service.handle(s3Event('test-intake', key, 'e1'));
    console.log('E counts without pause:', JSON.stringify(t2.receipt(key)?.counts));
  });
});
