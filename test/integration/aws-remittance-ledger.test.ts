import { describe, expect, it } from 'vitest';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import { useLocalStack } from '../support/emulators.ts';

const stack = useLocalStack({ prefix: 'remit' });

function record(remitId: string, overrides: Partial<RemittanceRecord> = {}): RemittanceRecord {
  return {
    remitId,
    agencyId: 'agency-r',
    chartKey: 'ckremit0000000000000000000000001',
    version: 1,
    claimRef: 'CTAAAAAAAAAAAAAA',
    disposition: 'paid',
    statusCode: '1',
    charge: 100,
    payment: 90,
    patientResponsibility: 0,
    reasonCodes: ['CO-45'],
    remarkCodes: [],
    coderRelated: false,
    receivedAt: '2026-11-20T10:00:00.000Z',
    sequence: '2026-11-20#T1#00000001',
    sourceObject: 'ob1',
    sourceRecord: 'line 2',
    ...overrides,
  };
}

describe('DynamoRemittanceLedger on dynalite', () => {
  it('indexes a claimRef once and maps a billing number to it', async () => {
    const ledger = stack.ports.remittances;
    const target = { agencyId: 'agency-r', chartKey: 'ckremit0000000000000000000000001', version: 1 };
    await ledger.indexClaim('CTAAAAAAAAAAAAAA', target);
    await ledger.indexClaim('CTAAAAAAAAAAAAAA', { ...target, version: 9 });
    expect(await ledger.findClaim('CTAAAAAAAAAAAAAA')).toEqual(target);
    expect(await ledger.findClaim('CTZZZZZZZZZZZZZZ')).toBeUndefined();
    await ledger.putAlias('agency-r', 'hmac-of-number', 'CTAAAAAAAAAAAAAA');
    expect(await ledger.aliasOf('agency-r', 'hmac-of-number')).toBe('CTAAAAAAAAAAAAAA');
    expect(await ledger.aliasOf('agency-other', 'hmac-of-number')).toBeUndefined();
    // A payer's claim number names the claim it first answered: a later answer under it changes nothing.
    await ledger.indexPayerClaim('agency-r', 'hmac-of-icn', 'CTAAAAAAAAAAAAAA');
    await ledger.indexPayerClaim('agency-r', 'hmac-of-icn', 'CTBBBBBBBBBBBBBB');
    expect(await ledger.payerClaimOf('agency-r', 'hmac-of-icn')).toBe('CTAAAAAAAAAAAAAA');
    expect(await ledger.payerClaimOf('agency-other', 'hmac-of-icn')).toBeUndefined();
    // When the mappings last changed: only ever forward (a mapping file retried late never moves it back).
    expect(await ledger.mappingChangedAt('agency-r')).toBeUndefined();
    await ledger.noteMappingChange('agency-r', '2026-11-20T10:00:00.000Z');
    await ledger.noteMappingChange('agency-r', '2026-11-19T10:00:00.000Z');
    expect(await ledger.mappingChangedAt('agency-r')).toBe('2026-11-20T10:00:00.000Z');
    await ledger.noteMappingChange('agency-r', '2026-11-21T10:00:00.000Z');
    expect(await ledger.mappingChangedAt('agency-r')).toBe('2026-11-21T10:00:00.000Z');
    expect(await ledger.mappingChangedAt('agency-other')).toBeUndefined();
  });

  it("writes a record once and reads a version's records in the payer's order, and the agency's by time", async () => {
    const ledger = stack.ports.remittances;
    // Applied in the wrong order (the reversal failed and was retried): read back in the payer's.
    const correction = record('r3', {
      receivedAt: '2026-11-20T10:00:05.000Z',
      sequence: '2026-11-20#T1#00000003',
      payment: 85,
    });
    const reversal = record('r2', {
      disposition: 'reversal',
      statusCode: '22',
      payment: -90,
      receivedAt: '2026-11-20T10:00:09.000Z',
      sequence: '2026-11-20#T1#00000002',
    });
    expect(await ledger.record(record('r1'))).toBe(true);
    expect(await ledger.record(correction)).toBe(true);
    expect(await ledger.record(reversal)).toBe(true);
    expect(await ledger.record(record('r1', { payment: 1 }))).toBe(false);
    const read = await ledger.forVersion('ckremit0000000000000000000000001', 1);
    expect(read.map((r) => r.remitId)).toEqual(['r1', 'r2', 'r3']);
    expect(read[0]).toEqual(record('r1'));
    const listed: string[] = [];
    for await (const r of ledger.list('agency-r')) listed.push(r.remitId);
    expect(listed).toEqual(['r1', 'r3', 'r2']);
    const since: string[] = [];
    for await (const r of ledger.list('agency-r', '2026-11-20T10:00:06.000Z')) since.push(r.remitId);
    expect(since).toEqual(['r2']);
  });
});
