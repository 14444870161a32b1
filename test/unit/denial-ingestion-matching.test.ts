import { describe, expect, it } from 'vitest';
import { pairedByPayerNumber } from '#functions/denial-ingestion/apply-claim.ts';
import { claimAliasKeyOf, claimRefOf, payerClaimKeyOf, sha256Hex } from '#shared/identity/identifiers.ts';
import type { RemittanceClaim } from '#shared/model/remittance.ts';
import { AGENCY, csv, denialHarness } from '../support/denial-ingestion-harness.ts';

const MAPPING_HEADER = 'billing_claim_number,claim_ref';
const ERA_HEADER = 'claim_ref,status,charge,paid,reason_codes,payer_claim_number';

describe('denial ingestion: matching claims to billed chart versions', () => {
  it('lists every claim it cannot apply in the exception report, with why, and applies the rest', async () => {
    const h = denialHarness();
    const matched = await h.billed('M-1');
    const elsewhere = await h.billed('M-2', {}, 'other-agency');
    const unbilled = await h.billed('M-3', { status: 'READY_FOR_BILLING' });
    // Indexed at billing handoff, but the version is not in the chart table.
    const vanished = claimRefOf('ckvanished', 1);
    await h.mem.ports.remittances.indexClaim(vanished, {
      agencyId: AGENCY,
      chartKey: 'ckvanished',
      version: 1,
    });
    const key = 'remittances/test-agency/era.csv';
    await h.drop(
      key,
      csv(
        ERA_HEADER,
        `${matched.claimRef},paid,100,90,CO-45,PCN-1`,
        'ACCT-9,denied,120,0,CO-16,PCN-2',
        `${claimRefOf('ckunknown', 1)},paid,130,100,,`,
        `${elsewhere.claimRef},denied,140,0,CO-50,`,
        `${vanished},paid,150,150,,`,
        `${unbilled.claimRef},reversal,160,-160,,PCN-6`,
      ),
    );
    expect((await h.chart(matched))?.status).toBe('PAID');
    expect((await h.chart(elsewhere))?.status).toBe('BATCHED');
    expect((await h.chart(unbilled))?.status).toBe('READY_FOR_BILLING');
    const unmatched = (reason: string, line: number, claim: Record<string, unknown>) => ({
      record: `line ${line}`,
      ...claim,
      reason,
      kind: 'unmatched-claim',
    });
    const report = h.report(key);
    expect(report?.issueCount).toBe(5);
    expect(report?.issues.sort((a, b) => String(a.record).localeCompare(String(b.record)))).toStrictEqual([
      // A denial is never paired by its CLP07: only a reversal or correction restates an earlier answer.
      unmatched('CLP01 is not a codetrail claimRef and no billing mapping file names it', 3, {
        patientControlNumber: 'ACCT-9',
        disposition: 'denied',
        charge: 120,
        payment: 0,
        payerClaimControlNumber: 'PCN-2',
      }),
      unmatched('no batch handed to billing holds this claimRef', 4, {
        patientControlNumber: claimRefOf('ckunknown', 1),
        disposition: 'paid',
        charge: 130,
        payment: 100,
      }),
      unmatched('the claimRef belongs to another agency than remittances/test-agency/', 5, {
        patientControlNumber: elsewhere.claimRef,
        disposition: 'denied',
        charge: 140,
        payment: 0,
      }),
      unmatched('the chart version this claimRef names is not in the table', 6, {
        patientControlNumber: vanished,
        disposition: 'paid',
        charge: 150,
        payment: 150,
      }),
      unmatched('the chart version is READY_FOR_BILLING, not billed', 7, {
        patientControlNumber: unbilled.claimRef,
        disposition: 'reversal',
        charge: 160,
        payment: -160,
        payerClaimControlNumber: 'PCN-6',
      }),
    ]);
    const reportKey = `quarantine/${AGENCY}/${h.objectId(key)}/report.json`;
    expect(h.events('remittance.issues-reported').map((e) => e.detail)).toEqual([
      { report: reportKey, issueCount: 5, unmatched: 5 },
    ]);
    expect(h.received()).toEqual([
      expect.objectContaining({ claims: 6, paid: 1, denied: 0, unmatched: 5, issues: 0, report: reportKey }),
    ]);
  });

  it("pairs a reversal by the payer's claim number (CLP07) when its CLP01 is not known, kept as a keyed HMAC per agency", async () => {
    const h = denialHarness();
    const billed = await h.billed('ICN-1');
    await h.drop(
      'remittances/test-agency/paid.csv',
      csv(ERA_HEADER, `${billed.claimRef},paid,100,100,,ICN-2026-77`),
    );
    // The payer took it back under its own number: the CLP01 is the patient account, which nothing maps.
    await h.drop(
      'remittances/test-agency/reversed.csv',
      csv(ERA_HEADER, 'ACCT-77,reversal,100,-100,,icn-2026-77 '),
    );
    expect((await h.chart(billed))?.status).toBe('ADJUSTED');
    const icnKey = await payerClaimKeyOf(h.mem.ports.keys, AGENCY, 'ICN-2026-77');
    expect(await h.mem.ports.remittances.payerClaimOf(AGENCY, icnKey)).toBe(billed.claimRef);
    // Another agency's claim under the same number is not this one.
    expect(await h.mem.ports.remittances.payerClaimOf('other-agency', icnKey)).toBeUndefined();
    expect(await payerClaimKeyOf(h.mem.ports.keys, 'other-agency', 'ICN-2026-77')).not.toBe(icnKey);
    // The trail keeps the HMAC, never the number: an audit request bringing the ICN finds both answers.
    const answers = [...h.events('claim.paid'), ...h.events('claim.reversed')];
    expect(answers.map((e) => e.detail?.icnKey)).toEqual([icnKey, icnKey]);
    expect(JSON.stringify(answers)).not.toContain('2026-77');
    // A payment under a known ICN but an unknown CLP01 is not paired (only a reversal or correction is),
    // nor a reversal under a placeholder number.
    await h.drop(
      'remittances/test-agency/paid-again.csv',
      csv(ERA_HEADER, 'ACCT-78,paid,100,100,,ICN-2026-77'),
    );
    await h.drop('remittances/test-agency/zero.csv', csv(ERA_HEADER, 'ACCT-79,reversal,100,-100,,000000'));
    expect(
      h
        .received()
        .slice(-2)
        .map((r) => r?.unmatched),
    ).toEqual([1, 1]);
  });

  it.each([
    [{ disposition: 'reversal' as const, payerClaimControlNumber: ' 22128000103 ' }, '22128000103'],
    [{ disposition: 'paid' as const, frequency: '7', payerClaimControlNumber: '22128000103' }, '22128000103'],
    [{ disposition: 'paid' as const, frequency: '8', payerClaimControlNumber: '22128000103' }, '22128000103'],
    [{ disposition: 'paid' as const, frequency: '1', payerClaimControlNumber: '22128000103' }, undefined],
    [{ disposition: 'denied' as const, payerClaimControlNumber: '22128000103' }, undefined],
    [{ disposition: 'reversal' as const, payerClaimControlNumber: '00000000' }, undefined],
    [{ disposition: 'reversal' as const, payerClaimControlNumber: '12345' }, undefined],
    [{ disposition: 'reversal' as const }, undefined],
  ])('pairs %o by its payer claim number: %s', (claim, expected) => {
    expect(pairedByPayerNumber(claim as unknown as RemittanceClaim)).toBe(expected);
  });

  it('reports bad records and unmatched claims together, counting both', async () => {
    const h = denialHarness();
    const key = 'remittances/test-agency/mixed.csv';
    await h.drop(key, csv(ERA_HEADER, 'ACCT-1,paid,100,90,,', 'ACCT-2,paid,$100,90,,'));
    const report = h.report(key);
    expect(report?.issueCount).toBe(2);
    expect(report?.issues.map((i) => [i.record, i.path, i.kind])).toEqual([
      ['line 3', 'charge', undefined],
      ['line 2', undefined, 'unmatched-claim'],
    ]);
    expect(h.events('remittance.issues-reported')[0]?.detail).toMatchObject({ issueCount: 2, unmatched: 1 });
    expect(h.received()[0]).toMatchObject({ claims: 1, unmatched: 1, issues: 1 });
  });

  it('lists the first thousand unmatched claims and counts them all', async () => {
    const h = denialHarness();
    const key = 'remittances/test-agency/many.csv';
    const lines = Array.from({ length: 1001 }, (_, i) => `ACCT-${i},paid,100,90,,`);
    await h.drop(key, csv(ERA_HEADER, ...lines));
    const report = h.report(key);
    expect(report?.issueCount).toBe(1001);
    expect(report?.issues).toHaveLength(1000);
    expect(report?.issues.at(-1)).toMatchObject({ record: 'line 1001', patientControlNumber: 'ACCT-999' });
    expect(h.events('remittance.issues-reported')[0]?.detail).toMatchObject({
      issueCount: 1001,
      unmatched: 1001,
    });
    expect(h.received()[0]).toMatchObject({ claims: 1001, unmatched: 1001 });
  });

  it('lists the first thousand bad records and counts them all', async () => {
    const h = denialHarness();
    const key = 'remittances/test-agency/bad.csv';
    const lines = Array.from({ length: 1001 }, (_, i) => `ACCT-${i},paid,$1,0,,`);
    await h.drop(key, csv(ERA_HEADER, ...lines));
    const report = h.report(key);
    expect(report?.issueCount).toBe(1001);
    expect(report?.issues).toHaveLength(1000);
    expect(h.received()[0]).toMatchObject({ claims: 0, issues: 1001 });
  });
});

describe('denial ingestion: billing mapping files', () => {
  it('maps the billing system’s own numbers to claimRefs, in either column order, last line winning', async () => {
    const h = denialHarness();
    const first = await h.billed('N-1');
    const second = await h.billed('N-2');
    const longest = 'A'.repeat(38);
    const mapping = csv(
      'claim_ref,billing_claim_number',
      `${first.claimRef.toLowerCase()},ACCT 1`,
      `${first.claimRef},${longest}`,
      `${first.claimRef},ACCT 2`,
      `${second.claimRef},ACCT 2`,
    );
    const mappingKey = 'remittances/test-agency/mappings/map.csv';
    await h.drop(mappingKey, mapping);
    expect(h.events('claim-mapping.received').map(({ at: _at, ...e }) => e)).toStrictEqual([
      {
        type: 'claim-mapping.received',
        agencyId: AGENCY,
        subject: `object:${h.objectId(mappingKey)}`,
        actor: 'stage:denial-ingestion',
        idempotencyKey: 'received',
        detail: { mapped: 3, issues: 0, sha256: sha256Hex(mapping) },
      },
    ]);
    expect(h.report(mappingKey)).toBeUndefined();
    expect(await h.mem.ports.ledger.get(h.objectId(mappingKey))).toMatchObject({
      status: 'DONE',
      stage: 'denial-ingestion',
      counts: { mapped: 3, issues: 0 },
    });
    expect(await h.mem.ports.remittances.mappingChangedAt(AGENCY)).toBe('2026-11-23T12:00:00.000Z');
    // Kept as a keyed HMAC only.
    const alias = await claimAliasKeyOf(h.mem.ports.keys, AGENCY, 'ACCT 2');
    expect(await h.mem.ports.remittances.aliasOf(AGENCY, alias)).toBe(second.claimRef);

    await h.drop(
      'remittances/test-agency/era.csv',
      csv(ERA_HEADER, 'ACCT 1,paid,100,90,,', `${longest},paid,100,80,,`, 'ACCT 2,denied,100,0,CO-146,'),
    );
    expect((await h.records(first)).map((r) => [r.claimRef, r.payment])).toEqual([
      [first.claimRef, 90],
      [first.claimRef, 80],
    ]);
    expect(await h.chart(second)).toMatchObject({ status: 'DENIED' });
    expect(JSON.stringify([h.mem.events(), await h.records(first)])).not.toContain('ACCT');
  });

  it('reports the lines it cannot take, naming the column and never the value', async () => {
    const h = denialHarness();
    const claim = await h.billed('N-3');
    const key = 'remittances/test-agency/mappings/bad.csv';
    const mapping = csv(
      MAPPING_HEADER,
      `,${claim.claimRef}`,
      `${'B'.repeat(39)},${claim.claimRef}`,
      'ACCT 7,CT123',
    );
    await h.drop(key, mapping);
    const reportKey = `quarantine/${AGENCY}/${h.objectId(key)}/report.json`;
    expect(h.report(key)?.issues).toStrictEqual([
      { record: 'line 2', path: 'billing_claim_number', reason: 'expected 1 to 38 characters' },
      { record: 'line 3', path: 'billing_claim_number', reason: 'expected 1 to 38 characters' },
      { record: 'line 4', path: 'claim_ref', reason: 'expected a codetrail claimRef (CT and 14 characters)' },
    ]);
    expect(h.events('claim-mapping.received')[0]?.detail).toStrictEqual({
      mapped: 0,
      issues: 3,
      sha256: sha256Hex(mapping),
      report: reportKey,
    });
    expect(h.events('remittance.issues-reported')[0]?.detail).toEqual({
      report: reportKey,
      issueCount: 3,
      unmatched: 0,
    });
    // Nothing mapped: a remittance read before is not read again for it.
    expect(await h.mem.ports.remittances.mappingChangedAt(AGENCY)).toBeUndefined();
    expect(JSON.stringify(h.mem.objects.get(`test-denials/${reportKey}`))).not.toContain('ACCT 7');
  });

  it('reports a line that stops before its billing claim number', async () => {
    const h = denialHarness();
    const claim = await h.billed('N-7');
    const key = 'remittances/test-agency/mappings/short.csv';
    await h.drop(key, csv('claim_ref,billing_claim_number', claim.claimRef));
    expect(h.report(key)?.issues).toStrictEqual([
      { record: 'line 2', path: 'billing_claim_number', reason: 'expected 1 to 38 characters' },
    ]);
    expect(h.events('claim-mapping.received')[0]?.detail).toMatchObject({ mapped: 0, issues: 1 });
  });

  it.each([['number,claim_ref'], ['billing_claim_number,ref'], ['number,ref']])(
    'takes nothing from a file headed %s',
    async (header) => {
      const h = denialHarness();
      const claim = await h.billed('N-4');
      const key = 'remittances/test-agency/mappings/headless.csv';
      await h.drop(key, csv(header, `ACCT 1,${claim.claimRef}`));
      expect(h.report(key)?.issues).toStrictEqual([
        { record: 'line 1', reason: 'expected the columns billing_claim_number and claim_ref' },
      ]);
      expect(h.events('claim-mapping.received')[0]?.detail).toMatchObject({ mapped: 0, issues: 1 });
      const alias = await claimAliasKeyOf(h.mem.ports.keys, AGENCY, 'ACCT 1');
      expect(await h.mem.ports.remittances.aliasOf(AGENCY, alias)).toBeUndefined();
    },
  );

  it('keeps an agency’s mapping to that agency', async () => {
    const h = denialHarness();
    const claim = await h.billed('N-5');
    await h.drop('remittances/other-agency/mappings/m.csv', csv(MAPPING_HEADER, `ACCT 5,${claim.claimRef}`));
    await h.drop('remittances/test-agency/era.csv', csv(ERA_HEADER, 'ACCT 5,paid,100,90,,'));
    expect((await h.chart(claim))?.status).toBe('BATCHED');
    expect(h.received()[0]).toMatchObject({ unmatched: 1 });
  });

  it('takes only remittances/<agency>/mappings/ as the mapping folder', async () => {
    const h = denialHarness();
    const claim = await h.billed('N-6');
    // A remittance filed in a folder whose path happens to hold "remittances/x/mappings/".
    await h.drop(
      'remittances/test-agency/old-remittances/2026/mappings/era.csv',
      csv(ERA_HEADER, `${claim.claimRef},paid,100,90,,`),
    );
    expect((await h.chart(claim))?.status).toBe('PAID');
    expect(h.events('claim-mapping.received')).toEqual([]);
  });
});
