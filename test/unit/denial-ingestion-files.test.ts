import { describe, expect, it } from 'vitest';
import { remitIdOf } from '#functions/denial-ingestion/apply-claim.ts';
import { keepFirst } from '#functions/denial-ingestion/service.ts';
import { readDenialCsv } from '#shared/formats/denial-csv.ts';
import { MAX_REPORTED_ISSUES } from '#shared/runtime/quarantine.ts';
import { x835 } from '../support/denial-ingestion-835.ts';
import { csv, denialHarness, interpose, START } from '../support/denial-ingestion-harness.ts';

describe('denial ingestion: reading an X12 835', () => {
  it('places each claim by its transaction set and ordinal, with the payment it came with', async () => {
    const h = denialHarness();
    const a = await h.billed('X-1');
    const b = await h.billed('X-2');
    const file = x835([
      {
        payerName: 'SYNTHETIC MAC',
        payerId: 'P1',
        trace: 'EFT-A',
        date: '20261120',
        claims: [
          { pcn: a.claimRef, status: '1', charge: 100, paid: 90, cas: ['CO*45*10.00'], icn: 'ICN-A' },
          { pcn: b.claimRef, status: '1', charge: 100, paid: 80, cas: ['CO*45*20.00'] },
        ],
      },
      {
        control: '0007',
        payerId: 'P2',
        trace: 'EFT-B',
        date: '20261121',
        claims: [{ pcn: b.claimRef, status: '22', charge: -100, paid: -80, cas: ['CO*45*-20.00'] }],
      },
    ]);
    await h.drop('remittances/test-agency/two.835', file, { size: file.length });
    const [paidA] = await h.records(a);
    expect(paidA).toMatchObject({
      sourceRecord: 'transaction set 1 claim 000001',
      sequence: '2026-11-20#EFT-A#00000001#00000001',
      payerId: 'P1',
      payerName: 'SYNTHETIC MAC',
      payerClaimControlNumber: 'ICN-A',
      paidDate: '2026-11-20',
    });
    expect((await h.records(b)).map((r) => [r.sourceRecord, r.sequence, r.payerId, r.payerName])).toEqual([
      ['transaction set 1 claim 000002', '2026-11-20#EFT-A#00000001#00000002', 'P1', 'SYNTHETIC MAC'],
      ['transaction set 2 claim 000001', '2026-11-21#EFT-B#00000002#00000001', 'P2', undefined],
    ]);
    expect(await h.chart(b)).toMatchObject({ status: 'ADJUSTED', remittance: { payerId: 'P2', netPaid: 0 } });
    expect(h.received()[0]).toMatchObject({
      claims: 3,
      paid: 2,
      reversed: 1,
      // Only a denial counts against coding.
      codingDenied: 0,
      issues: 0,
      payers: ['P1', 'P2'],
    });
  });

  it('reports an adjustment X12 does not define and a claim without CLP01, and applies the rest', async () => {
    const h = denialHarness();
    const claim = await h.billed('X-3');
    const key = 'remittances/test-agency/odd.835';
    const file = x835([
      {
        trace: 'EFT-C',
        date: '20261120',
        claims: [
          { pcn: claim.claimRef, status: '4', charge: 100, paid: 0, cas: ['ZZ*16*50.00', 'CO*50*50.00'] },
          { pcn: '', status: '1', charge: 100, paid: 100 },
        ],
      },
    ]);
    await h.drop(key, file);
    expect(h.report(key)?.issues).toStrictEqual([
      {
        record: 'transaction set 1 claim 000001',
        reason:
          'a claim-level adjustment with a group the 5010 835 does not define (CO, OA, PI, PR) and reason 16: not applied',
      },
      {
        record: 'transaction set 1 claim 000002',
        path: 'CLP01',
        reason: 'the claim has no patient control number',
      },
    ]);
    expect((await h.records(claim)).map((r) => r.reasonCodes)).toEqual([['CO-50']]);
    expect(h.received()[0]).toMatchObject({ claims: 1, denied: 1, issues: 2 });
  });

  it('reports envelope problems as issues, naming the segment when there is one', async () => {
    const h = denialHarness();
    const claim = await h.billed('X-4');
    const key = 'remittances/test-agency/envelope.835';
    const file = x835(
      [
        {
          trace: 'EFT-D',
          claims: [{ pcn: claim.claimRef, status: '1', charge: 1, paid: 1 }],
          declaredCount: 99,
        },
      ],
      { omitGe: true },
    );
    await h.drop(key, file);
    const issues = h.report(key)?.issues ?? [];
    expect(issues).toHaveLength(2);
    expect(issues[0]).toStrictEqual({
      record: expect.stringMatching(/^segment \d+$/),
      reason: expect.any(String),
    });
    expect(issues[0]?.reason).toContain('SE counts other than');
    expect(issues[1]).toStrictEqual({ reason: expect.stringContaining('no GE trailer') });
    expect((await h.chart(claim))?.status).toBe('PAID');
  });

  it('reports a file with no 835 transaction set in it', async () => {
    const h = denialHarness();
    const key = 'remittances/test-agency/empty.edi';
    await h.drop(key, 'ISA*00*nothing here~');
    expect(h.report(key)?.issues).toContainEqual({
      reason: 'no 835 transaction set (ST*835) in the file: not an X12 835',
    });
    expect(h.received()[0]).toMatchObject({ format: 'x12-835', claims: 0 });
  });

  it('decodes a character its S3 chunks cut in two', async () => {
    const h = denialHarness();
    const claim = await h.billed('X-5');
    // Two runs of two-byte characters, one starting on each parity: one of them straddles a chunk edge.
    const payerName = `${'É'.repeat(40)}A${'É'.repeat(40)}`;
    const file = x835([
      { payerName, trace: 'EFT-E', claims: [{ pcn: claim.claimRef, status: '1', charge: 1, paid: 1 }] },
    ]);
    await h.drop('remittances/test-agency/accents.835', file, { size: Buffer.byteLength(file) });
    expect((await h.records(claim))[0]?.payerName).toBe(payerName);
  });

  it.each([
    ['of a size that fits in memory once', 1000, 1],
    ['of exactly the largest size read whole once', 16 * 1024 * 1024, 1],
    ['larger than that twice (hashed, then streamed)', 16 * 1024 * 1024 + 1, 2],
    ['of unknown size twice', undefined, 2],
  ])('reads an 835 %s', async (_, size, opens) => {
    const h = denialHarness();
    const claim = await h.billed('X-6');
    let opened = 0;
    let readAsText = 0;
    // The in-memory store's openObject reads the text itself: only the service's own calls count.
    let opening = false;
    interpose(h.mem.ports.artifacts, 'openObject', (original, ...args) => {
      opened++;
      opening = true;
      try {
        return original(...args);
      } finally {
        opening = false;
      }
    });
    interpose(h.mem.ports.artifacts, 'getObjectText', (original, ...args) => {
      if (!opening) readAsText++;
      return original(...args);
    });
    const file = x835([
      { trace: 'EFT-F', claims: [{ pcn: claim.claimRef, status: '1', charge: 1, paid: 1 }] },
    ]);
    await h.drop('remittances/test-agency/sized.835', file, size === undefined ? {} : { size });
    expect({ opened, readAsText }).toEqual({ opened: opens, readAsText: 0 });
    expect((await h.chart(claim))?.status).toBe('PAID');
  });

  it('reads the object version the event announced', async () => {
    const h = denialHarness();
    const claim = await h.billed('X-7');
    const versions: unknown[] = [];
    interpose(h.mem.ports.artifacts, 'openObject', (original, bucket, key, options) => {
      versions.push(options?.versionId);
      return original(bucket, key, options);
    });
    const file = x835([
      { trace: 'EFT-G', claims: [{ pcn: claim.claimRef, status: '1', charge: 1, paid: 1 }] },
    ]);
    await h.drop('remittances/test-agency/versioned.835', file, { versionId: 'v7' });
    await h.drop('remittances/test-agency/unversioned.835', file.replace('EFT-G', 'EFT-H'));
    // Hashed, then streamed: both reads name the version.
    expect(versions).toEqual(['v7', 'v7', undefined, undefined]);
  });
});

describe('denial ingestion: reading a CSV denial export', () => {
  it('places each claim by its line and reports a bad line by line and column', async () => {
    const h = denialHarness();
    const claim = await h.billed('V-1');
    const key = 'remittances/test-agency/era.csv';
    const text = csv(
      'claim_ref,status,charge,paid,payer_name,trace_number,paid_date',
      `${claim.claimRef},paid,100,90,Synthetic Payer,T-1,2026-11-20`,
      `${claim.claimRef},paid,$100,90,Synthetic Payer,T-1,2026-11-20`,
      `${claim.claimRef},paid,100,90,Synthetic Payer,T-1,2026-11-20,extra,cells`,
    );
    await h.drop(key, text);
    expect(h.report(key)?.issues).toStrictEqual([
      { record: 'line 3', path: 'charge', reason: expect.stringContaining('expected a plain decimal') },
      { record: 'line 4', reason: expect.stringContaining('more') },
    ]);
    expect((await h.records(claim)).map((r) => [r.sourceRecord, r.sequence, r.payerName])).toEqual([
      ['line 2', '2026-11-20#T-1#00000002', 'Synthetic Payer'],
    ]);
    // Keyed 'received' for the object, so a retried delivery records it once.
    expect(h.events('remittance.received')).toMatchObject([
      {
        subject: `object:${h.objectId(key)}`,
        actor: 'stage:denial-ingestion',
        idempotencyKey: 'received',
        detail: { format: 'csv', claims: 1, issues: 2, payers: ['Synthetic Payer'] },
      },
    ]);
  });

  it.each([
    ['payer_id,payer_name', 'P-9,Synthetic Payer', ['P-9']],
    ['payer_name', 'Synthetic Payer', ['Synthetic Payer']],
    ['payer_id', 'P-9', ['P-9']],
    ['trace_number', 'T-9', []],
  ])('names the payer of a file with %s by its id, else its name', async (columns, cells, payers) => {
    const h = denialHarness();
    const claim = await h.billed('V-2');
    await h.drop(
      'remittances/test-agency/payer.csv',
      csv(`claim_ref,status,paid,${columns}`, `${claim.claimRef},paid,90,${cells}`),
    );
    expect(h.received()[0]?.payers).toEqual(payers);
  });

  it('keeps two identical answers in one file as two records, numbered by their occurrence', async () => {
    const h = denialHarness();
    const claim = await h.billed('V-3');
    const text = csv(
      'claim_ref,status,charge,paid',
      `${claim.claimRef},paid,100,50`,
      `${claim.claimRef},paid,100,50`,
    );
    await h.drop('remittances/test-agency/twice.csv', text);
    const { claims, payment } = readDenialCsv(text);
    const expected = claims.map(({ claim: c, line }, occurrence) =>
      remitIdOf(
        { claim: c, payment, occurrence, position: String(line), sourceRecord: `line ${line}` },
        claim.claimRef,
      ),
    );
    expect((await h.records(claim)).map((r) => r.remitId).sort()).toEqual(expected.sort());
    expect(await h.chart(claim)).toMatchObject({
      status: 'PAID',
      remittance: { netPaid: 100, adjudications: 2 },
    });
  });
});

describe('denial ingestion: reading the JSON denial file', () => {
  const json = (body: unknown) => JSON.stringify(body);

  it('denies the version an entry names by chart id, version or claimRef, as a CLP02 4 with its amount', async () => {
    const h = denialHarness();
    const v1 = await h.billed('J-1');
    const v2 = await h.billed('J-1', { version: 2 });
    const newest = await h.billed('J-2', { version: 2 });
    await h.billed('J-2', { version: 3, status: 'VALIDATED', claimRef: undefined });
    const byRef = await h.billed('J-3');
    await h.drop(
      'remittances/test-agency/d.json',
      json({
        agencyId: 'test-agency',
        payer: 'Synthetic Medicaid',
        denials: [
          { chartId: 'J-1', version: 1, reasonCodes: ['CO-16'], remarkCodes: ['MA66'], deniedAmount: 120.5 },
          { chartId: 'J-2', reasonCodes: ['CO-50'] },
          { claimRef: byRef.claimRef, reasonCodes: ['PR-1', 'CO-146'] },
        ],
      }),
    );
    const [denied] = await h.records(v1);
    expect(denied).toMatchObject({
      claimRef: v1.claimRef,
      statusCode: '4',
      disposition: 'denied',
      charge: 120.5,
      payment: 0,
      patientResponsibility: 0,
      reasonCodes: ['CO-16'],
      remarkCodes: ['MA66'],
      payerName: 'Synthetic Medicaid',
      sourceRecord: 'entry 1',
      sequence: `${START}##00000001`,
    });
    expect((await h.chart(v1))?.denial).toMatchObject({ deniedAmount: 120.5 });
    expect((await h.chart(v2))?.status).toBe('BATCHED');
    expect(await h.records(newest)).toMatchObject([
      { claimRef: newest.claimRef, charge: 0, sourceRecord: 'entry 2' },
    ]);
    expect((await h.records(byRef))[0]?.reasonCodes).toEqual(['PR-1', 'CO-146']);
    expect(h.received()[0]).toMatchObject({
      format: 'json',
      claims: 3,
      denied: 3,
      codingDenied: 2,
      payers: ['Synthetic Medicaid'],
    });
  });

  it('counts every issue and unmatched claim past the first thousand of each the report lists', async () => {
    const h = denialHarness();
    const key = 'remittances/test-agency/many.json';
    const denials = [
      ...Array.from({ length: 1002 }, (_, i) => ({
        claimRef: `CTNOTINDEXED${String(i).padStart(5, '0')}`,
        reasonCodes: ['CO-50'],
      })),
      ...Array.from({ length: 1001 }, () => ({ reasonCodes: ['CO-50'] })),
    ];
    await h.drop(key, json({ agencyId: 'test-agency', denials }));
    const report = h.report(key);
    expect(report?.issueCount).toBe(2003);
    expect(report?.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(h.events('remittance.issues-reported').map((e) => e.detail)).toMatchObject([
      { unmatched: 1002, issueCount: 2003 },
    ]);
    expect(h.received()[0]).toMatchObject({ claims: 1002, unmatched: 1002, issues: 1001 });
  });

  it('keeps in memory only the first thousand issues or unmatched claims, the most a report lists', () => {
    const kept: number[] = [];
    for (let n = 1; n <= MAX_REPORTED_ISSUES + 2; n++) keepFirst(kept, n);
    expect(kept).toHaveLength(MAX_REPORTED_ISSUES);
    expect([kept[0], kept.at(-1)]).toEqual([1, MAX_REPORTED_ISSUES]);
  });

  it('reports the entries it cannot place, by entry number and field, and applies the rest', async () => {
    const h = denialHarness();
    const good = await h.billed('J-4');
    await h.billed('J-5', { status: 'QA_PASSED', claimRef: undefined });
    await h.billed('J-6', { status: 'READY_FOR_BILLING' });
    const key = 'remittances/test-agency/d.json';
    await h.drop(
      key,
      json({
        agencyId: 'test-agency',
        denials: [
          { chartId: 'J-4', reasonCodes: ['CO-50'] },
          { chartId: 'NOPE', reasonCodes: ['CO-50'] },
          { chartId: 'J-4', version: 3, reasonCodes: ['CO-50'] },
          { chartId: 'J-5', reasonCodes: ['CO-50'] },
          { reasonCodes: ['XX-1'] },
          { chartId: 'J-6', version: 1, reasonCodes: ['CO-50'] },
          { claimRef: 'CTNOTINDEXED00000', reasonCodes: ['CO-50'] },
        ],
      }),
    );
    expect((await h.chart(good))?.status).toBe('DENIED');
    const unmatched = { disposition: 'denied', charge: 0, payment: 0, kind: 'unmatched-claim' };
    expect(h.report(key)?.issues).toStrictEqual([
      { entry: 2, path: 'chartId', reason: 'no chart with this id has been received' },
      { entry: 3, path: 'version', reason: 'version 3 has not been received' },
      { entry: 4, path: 'chartId', reason: 'no version of this chart has been billed' },
      { entry: 5, path: 'reasonCodes.0', reason: expect.any(String) },
      { entry: 5, path: '', reason: 'an entry needs a chartId or a claimRef' },
      {
        record: 'entry 6',
        patientControlNumber: 'entry-6',
        ...unmatched,
        reason: 'the chart version is READY_FOR_BILLING, not billed',
      },
      {
        record: 'entry 7',
        patientControlNumber: 'CTNOTINDEXED00000',
        ...unmatched,
        reason: 'CLP01 is not a codetrail claimRef and no billing mapping file names it',
      },
    ]);
    expect(h.received()[0]).toMatchObject({ claims: 3, denied: 1, unmatched: 2, issues: 5 });
    // A claim left unmatched adds no codes to the ones the tables lack.
    expect(h.received()[0]).not.toHaveProperty('unknownCodes');
  });

  it.each([
    ['not JSON', '{"agencyId":', [{ entry: 0, reason: 'file is not valid JSON' }]],
    [
      'without denials',
      json({ agencyId: 'test-agency' }),
      [{ entry: 0, path: 'denials', reason: expect.stringContaining('expected array') }],
    ],
    [
      'of another agency',
      json({ agencyId: 'other-agency', denials: [{ chartId: 'J-7', reasonCodes: ['CO-50'] }] }),
      [{ entry: 0, path: 'agencyId', reason: 'file names another agency than remittances/test-agency/' }],
    ],
  ])('applies nothing from a file %s, and says why', async (_, body, issues) => {
    const h = denialHarness();
    const claim = await h.billed('J-7');
    const key = 'remittances/test-agency/bad.json';
    await h.drop(key, body);
    expect(h.report(key)?.issues).toStrictEqual(issues);
    expect((await h.chart(claim))?.status).toBe('BATCHED');
    expect(h.received()[0]).toMatchObject({ format: 'json', claims: 0, issues: issues.length, payers: [] });
  });
});

describe('denial ingestion: the objects it takes', () => {
  it('takes nothing outside remittances/, such as the exception reports it writes beside the files', async () => {
    const h = denialHarness();
    const claim = await h.billed('K-1');
    const key = `quarantine/test-agency/${h.objectId('remittances/test-agency/era.csv')}/source`;
    await h.drop(key, csv('claim_ref,status,charge,paid', `${claim.claimRef},paid,100,90`));
    expect(await h.mem.ports.ledger.get(h.objectId(key))).toBeUndefined();
    expect(h.mem.events()).toEqual([]);
    expect((await h.chart(claim))?.status).toBe('BATCHED');
  });
});
