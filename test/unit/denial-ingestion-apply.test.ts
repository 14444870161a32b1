import { describe, expect, it } from 'vitest';
import { remitIdOf } from '#functions/denial-ingestion/apply-claim.ts';
import { readDenialCsv } from '#shared/formats/denial-csv.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import { AGENCY, type BilledClaim, csv, denialHarness, START } from '../support/denial-ingestion-harness.ts';

const FULL_HEADER =
  'claim_ref,status,charge,paid,patient_responsibility,reason_codes,remark_codes,payer_claim_number,paid_date,payer_name,payer_id,trace_number';

/** The remitIds a CSV file's lines get, as the service numbers them. */
function remitIdsOf(text: string, claimRef: string): string[] {
  const { claims, payment } = readDenialCsv(text);
  return claims.map(({ claim, line }) =>
    remitIdOf(
      { claim, payment, occurrence: 0, position: String(line), sourceRecord: `line ${line}` },
      claimRef,
    ),
  );
}

describe('denial ingestion: the remittance record of each answer', () => {
  it('keeps everything the payer said about the claim, and where it said it', async () => {
    const h = denialHarness();
    const claim = await h.billed('W-1');
    const key = 'remittances/test-agency/full.csv';
    const text = csv(
      FULL_HEADER,
      `${claim.claimRef},paid,100,85,5,CO-45:10 PR-2:5,N130,PCN-1,2026-11-20,Synthetic Payer,P-1,T-1`,
    );
    await h.drop(key, text);
    expect(await h.records(claim)).toStrictEqual([
      {
        remitId: remitIdsOf(text, claim.claimRef)[0],
        agencyId: AGENCY,
        chartKey: claim.chartKey,
        version: 1,
        claimRef: claim.claimRef,
        disposition: 'paid',
        statusCode: '1',
        charge: 100,
        payment: 85,
        patientResponsibility: 5,
        reasonCodes: ['CO-45', 'PR-2'],
        remarkCodes: ['N130'],
        coderRelated: false,
        receivedAt: START,
        sequence: '2026-11-20#T-1#00000002',
        sourceObject: h.objectId(key),
        sourceRecord: 'line 2',
        family: 'medical_necessity',
        reasonFamilies: { 'CO-45': 'contractual', 'PR-2': 'patient_responsibility' },
        payerId: 'P-1',
        payerName: 'Synthetic Payer',
        payerClaimControlNumber: 'PCN-1',
        paidDate: '2026-11-20',
      },
    ]);
    expect(await h.chart(claim)).toMatchObject({
      status: 'PAID',
      remittance: {
        netPaid: 85,
        lastDisposition: 'paid',
        firstDisposition: 'paid',
        adjudications: 1,
        lastAt: START,
        payerId: 'P-1',
        payerName: 'Synthetic Payer',
      },
    });
  });

  it('leaves out what the payer did not say', async () => {
    const h = denialHarness();
    const claim = await h.billed('W-2');
    const key = 'remittances/test-agency/bare.csv';
    await h.drop(key, csv('claim_ref,status,charge,paid', `${claim.claimRef},paid,100,100`));
    const [record] = await h.records(claim);
    expect(record).toStrictEqual({
      remitId: expect.stringMatching(/^[0-9a-f]{24}$/),
      agencyId: AGENCY,
      chartKey: claim.chartKey,
      version: 1,
      claimRef: claim.claimRef,
      disposition: 'paid',
      statusCode: '1',
      charge: 100,
      payment: 100,
      patientResponsibility: 0,
      reasonCodes: [],
      remarkCodes: [],
      coderRelated: false,
      receivedAt: START,
      sequence: `${START}##00000002`,
      sourceObject: h.objectId(key),
      sourceRecord: 'line 2',
    });
    expect((await h.chart(claim))?.remittance).toStrictEqual({
      netPaid: 100,
      lastDisposition: 'paid',
      lastAt: START,
      adjudications: 1,
      firstDisposition: 'paid',
    });
  });

  it.each([
    ['a negative', '-90', -90],
    ['a positive', '90', -90],
    ['no', '0', 0],
  ])('takes back the payment of a reversal given as %s amount', async (_, amount, taken) => {
    const h = denialHarness();
    const claim = await h.billed('W-3');
    await h.drop(
      'remittances/test-agency/rev.csv',
      csv(
        'claim_ref,status,charge,paid,paid_date',
        `${claim.claimRef},paid,100,90,2026-11-20`,
        `${claim.claimRef},reversal,100,${amount},2026-11-21`,
      ),
    );
    expect((await h.records(claim)).map((r) => r.payment)).toEqual([90, taken]);
    expect(await h.chart(claim)).toMatchObject({
      status: 'ADJUSTED',
      remittance: { netPaid: 90 + taken, lastDisposition: 'reversal', firstDisposition: 'paid' },
    });
  });

  it('never counts a coding adjustment on a paid claim against the coder', async () => {
    const h = denialHarness();
    const claim = await h.billed('W-4');
    await h.drop(
      'remittances/test-agency/partial.csv',
      csv('claim_ref,status,charge,paid,reason_codes', `${claim.claimRef},paid,100,60,CO-146:40`),
    );
    const [record] = await h.records(claim);
    expect(record).toMatchObject({ disposition: 'paid', family: 'coding', coderRelated: false });
    expect(record?.coderReasonCodes).toBeUndefined();
    expect(await h.chart(claim)).toMatchObject({ status: 'PAID' });
    expect((await h.chart(claim))?.rework).toBeUndefined();
    expect((await h.chart(claim))?.denial).toBeUndefined();
    expect(await h.marks()).toEqual([]);
    expect(h.received()[0]).toMatchObject({ paid: 1, codingDenied: 0 });
  });

  it('keeps a BATCHED version billed before claimRefs existed, with an empty claimRef', async () => {
    const h = denialHarness();
    const claim = await h.billed('W-5', { claimRef: undefined });
    await h.drop(
      'remittances/test-agency/legacy.json',
      JSON.stringify({ agencyId: AGENCY, denials: [{ chartId: 'W-5', version: 1, reasonCodes: ['CO-50'] }] }),
    );
    expect((await h.records(claim))[0]?.claimRef).toBe('');
    expect((await h.chart(claim))?.status).toBe('DENIED');
  });
});

describe('denial ingestion: tracing a denial', () => {
  const warnings: ChartState['findings'] = [
    { ruleId: 'R-A', severity: 'warn', message: 'm' },
    { ruleId: 'R-B', severity: 'query', message: 'm' },
    { ruleId: 'R-A', severity: 'warn', message: 'm' },
    { ruleId: 'R-C', severity: 'warn', message: 'm' },
    { ruleId: 'R-D', severity: 'reject', message: 'm' },
  ];

  it('traces a coding denial to its family, amount, category, the rules that warned and the payer', async () => {
    const h = denialHarness();
    const claim = await h.billed('T-1', { findings: warnings });
    const key = 'remittances/test-agency/denied.csv';
    const text = csv(
      'claim_ref,status,charge,paid,reason_codes,payer_id',
      `${claim.claimRef},denied,100,30,CO-97 CO-146,P-1`,
    );
    await h.drop(key, text);
    const [denialId] = remitIdsOf(text, claim.claimRef);
    const state = await h.chart(claim);
    expect(state?.denial).toStrictEqual({
      denialId,
      reasonCodes: ['CO-97', 'CO-146'],
      remarkCodes: [],
      deniedAmount: 70,
      receivedAt: START,
      sourceObject: h.objectId(key),
      coderRelated: true,
      family: 'coding',
      category: 'I69',
      rules: ['R-A', 'R-C'],
      payerId: 'P-1',
    });
    // CO-97 is a coding reason the coder answers for only with a remark: the rework names CO-146.
    expect(state?.rework).toStrictEqual({
      openedAt: START,
      denialId,
      family: 'coding',
      reasonCodes: ['CO-146'],
    });
    expect(await h.marks()).toStrictEqual([
      {
        kind: 'denial',
        agencyId: AGENCY,
        coderId: 'coder-a',
        chartKey: claim.chartKey,
        version: 1,
        deniedAt: START,
        reasonCodes: ['CO-146'],
        category: 'I69',
      },
    ]);
  });

  it('keeps what a denial does not have out of it, and denies no more than was charged', async () => {
    const h = denialHarness();
    const claim = await h.billed('T-2', { principalCategory: undefined });
    const key = 'remittances/test-agency/denied.csv';
    await h.drop(
      key,
      csv('claim_ref,status,charge,paid,reason_codes', `${claim.claimRef},denied,100,120,CO-150`),
    );
    const state = await h.chart(claim);
    expect(state?.denial).toStrictEqual({
      denialId: expect.any(String),
      reasonCodes: ['CO-150'],
      remarkCodes: [],
      deniedAmount: 0,
      receivedAt: START,
      sourceObject: h.objectId(key),
      coderRelated: true,
      family: 'documentation',
    });
    expect(state?.rework).toMatchObject({ family: 'documentation', reasonCodes: ['CO-150'] });
    expect(await h.marks()).toStrictEqual([
      {
        kind: 'denial',
        agencyId: AGENCY,
        coderId: 'coder-a',
        chartKey: claim.chartKey,
        version: 1,
        deniedAt: START,
        reasonCodes: ['CO-150'],
      },
    ]);
  });

  const corrected = (qa: Partial<NonNullable<ChartState['qa']>>): Partial<ChartState> => ({
    qa: { outcome: 'corrected', reviewerId: 'qa-1', reviewedAt: '2026-11-10T10:00:00Z', ...qa },
  });

  it.each([
    [
      'the corrected principal of a chart billed with QA’s codes',
      corrected({
        correctedArtifactKey: 'charts/corrected.json',
        correctedDiagnoses: [
          { sequence: 2, code: 'E11.9' },
          { sequence: 1, code: 'I5032' },
        ],
      }),
      'I50',
      true,
    ],
    [
      'the principal billed when QA’s codes were not',
      corrected({ correctedDiagnoses: [{ sequence: 1, code: 'I50.32' }] }),
      'I69',
      undefined,
    ],
    [
      'the principal billed when QA kept no corrected codes',
      corrected({ correctedArtifactKey: 'k' }),
      'I69',
      true,
    ],
    [
      'the principal billed when QA’s codes have no principal',
      corrected({ correctedArtifactKey: 'k', correctedDiagnoses: [{ sequence: 2, code: 'E11.9' }] }),
      'I69',
      true,
    ],
  ])('files a denial under %s', async (_, qa, category, qaCorrected) => {
    const h = denialHarness();
    const claim = await h.billed('T-3', qa);
    await h.drop(
      'remittances/test-agency/d.csv',
      csv('claim_ref,status,reason_codes', `${claim.claimRef},denied,CO-146`),
    );
    expect((await h.chart(claim))?.denial?.category).toBe(category);
    const [mark] = await h.marks();
    expect(mark?.category).toBe(category);
    expect(mark?.qaCorrected).toBe(qaCorrected);
  });

  it('leaves an open rework item as it is when another coding denial comes', async () => {
    const h = denialHarness();
    const rework = {
      openedAt: '2026-11-21T00:00:00.000Z',
      denialId: 'earlier',
      family: 'coding' as const,
      reasonCodes: ['CO-4'],
    };
    const claim = await h.billed('T-4', { status: 'DENIED', rework });
    await h.drop(
      'remittances/test-agency/d.csv',
      csv('claim_ref,status,reason_codes', `${claim.claimRef},denied,CO-146`),
    );
    expect((await h.chart(claim))?.rework).toEqual(rework);
    expect(h.events('rework.opened')).toHaveLength(1);
  });
});

describe('denial ingestion: records an earlier release wrote', () => {
  /** Writes the record an earlier release would have written for the file's first answer, unapplied. */
  async function writtenBefore(
    h: ReturnType<typeof denialHarness>,
    claim: BilledClaim,
    text: string,
    over: Partial<RemittanceRecord>,
  ) {
    const [remitId] = remitIdsOf(text, claim.claimRef);
    await h.mem.ports.remittances.record({
      remitId: remitId ?? '',
      agencyId: AGENCY,
      chartKey: claim.chartKey,
      version: 1,
      claimRef: claim.claimRef,
      disposition: 'denied',
      statusCode: '4',
      charge: 100,
      payment: 0,
      patientResponsibility: 0,
      reasonCodes: ['CO-16', 'CO-97', 'CO-146'],
      remarkCodes: [],
      coderRelated: true,
      receivedAt: '2026-11-22T00:00:00.000Z',
      sequence: '2026-11-22T00:00:00.000Z##00000002',
      sourceObject: 'obearlier',
      sourceRecord: 'line 2',
      ...over,
    });
  }

  it.each([
    [
      'without the coder’s reasons: its coding reasons count',
      { reasonFamilies: { 'CO-16': 'other', 'CO-97': 'coding', 'CO-146': 'coding' } } as const,
      ['CO-97', 'CO-146'],
    ],
    ['without reason families either: no reason counts', {}, []],
  ])('opens the rework of a coding denial written %s, as coding', async (_, over, reasonCodes) => {
    const h = denialHarness();
    const claim = await h.billed('L-1');
    const text = csv(
      'claim_ref,status,charge,paid,reason_codes',
      `${claim.claimRef},denied,100,0,CO-16 CO-97 CO-146`,
    );
    await writtenBefore(h, claim, text, over);
    await h.drop('remittances/test-agency/again.csv', text);
    expect((await h.chart(claim))?.rework).toEqual({
      openedAt: '2026-11-22T00:00:00.000Z',
      denialId: expect.any(String),
      family: 'coding',
      reasonCodes,
    });
    expect((await h.marks())[0]?.reasonCodes).toEqual(reasonCodes);
  });

  it('never lets an informational record decide the status', async () => {
    const h = denialHarness();
    const claim = await h.billed('L-2');
    const text = csv('claim_ref,status,reason_codes,paid_date', `${claim.claimRef},denied,CO-50,2026-11-20`);
    await writtenBefore(h, claim, text, {
      remitId: 'informational',
      disposition: 'informational',
      statusCode: '19',
      sequence: '2026-11-21##00000002',
    });
    await h.drop('remittances/test-agency/d.csv', text);
    expect(await h.chart(claim)).toMatchObject({
      status: 'DENIED',
      remittance: { adjudications: 1, lastDisposition: 'denied' },
    });
  });
});
