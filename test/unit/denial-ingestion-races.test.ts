import { describe, expect, it } from 'vitest';
import { remitIdOf } from '#functions/denial-ingestion/apply-claim.ts';
import { readDenialCsv } from '#shared/formats/denial-csv.ts';
import { chartSubject } from '#shared/identity/identifiers.ts';
import { BILLED_STATUSES, type ChartState } from '#shared/model/chart-state.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import {
  AGENCY,
  type BilledClaim,
  csv,
  type DenialHarness,
  denialHarness,
  failOnce,
  interpose,
  START,
} from '../support/denial-ingestion-harness.ts';

const HEADER = 'claim_ref,status,charge,paid,reason_codes,paid_date';

/** The remitId the file's first line gets. */
function remitIdOfFirst(text: string, claimRef: string): string {
  const { claims, payment } = readDenialCsv(text);
  const [first] = claims;
  if (!first) throw new Error('no claim in the file');
  return remitIdOf(
    {
      claim: first.claim,
      payment,
      occurrence: 0,
      position: String(first.line),
      sourceRecord: `line ${first.line}`,
    },
    claimRef,
  );
}

/** A record another delivery wrote for the claim. */
function otherRecord(claim: BilledClaim, over: Partial<RemittanceRecord>): RemittanceRecord {
  return {
    remitId: 'other',
    agencyId: AGENCY,
    chartKey: claim.chartKey,
    version: 1,
    claimRef: claim.claimRef,
    disposition: 'denied',
    statusCode: '4',
    charge: 100,
    payment: 0,
    patientResponsibility: 0,
    reasonCodes: ['CO-50'],
    remarkCodes: [],
    family: 'medical_necessity',
    coderRelated: false,
    receivedAt: '2026-11-22T00:00:00.000Z',
    sequence: '2026-11-21##00000002',
    sourceObject: 'obother',
    sourceRecord: 'line 2',
    ...over,
  };
}

describe('denial ingestion: answers another delivery applies meanwhile', () => {
  it('reads again and sums both when another delivery moved the chart between its read and its write', async () => {
    const h = denialHarness();
    const claim = await h.billed('Q-1');
    const other = otherRecord(claim, {});
    let raced = false;
    interpose(h.mem.ports.charts, 'transition', async (original, ...args) => {
      if (!raced) {
        raced = true;
        // A delivery that read the claim's records before ours was written applies its own now.
        await h.mem.ports.remittances.record(other);
        await original(claim.chartKey, 1, BILLED_STATUSES, 'DENIED', {
          remittance: {
            netPaid: 0,
            lastDisposition: 'denied',
            lastAt: other.receivedAt,
            adjudications: 1,
            firstDisposition: 'denied',
          },
        });
      }
      return original(...args);
    });
    await h.drop('remittances/test-agency/p.csv', csv(HEADER, `${claim.claimRef},paid,100,90,,2026-11-20`));
    expect(await h.chart(claim)).toMatchObject({
      status: 'DENIED',
      remittance: { netPaid: 90, adjudications: 2, firstDisposition: 'paid', lastDisposition: 'denied' },
      denial: { denialId: 'other', family: 'medical_necessity' },
    });
  });

  it("makes the latest denial in the payer's order the chart's denial, whichever delivery brought it", async () => {
    const h = denialHarness();
    const claim = await h.billed('Q-2');
    // Written by a delivery that died before moving the chart: a later answer than the one below.
    await h.mem.ports.remittances.record(otherRecord(claim, {}));
    await h.drop(
      'remittances/test-agency/d.csv',
      csv(HEADER, `${claim.claimRef},denied,100,0,CO-146,2026-11-20`),
    );
    const state = await h.chart(claim);
    expect(state).toMatchObject({
      status: 'DENIED',
      remittance: { adjudications: 2, firstDisposition: 'denied', lastDisposition: 'denied' },
      denial: { denialId: 'other', family: 'medical_necessity', coderRelated: false, deniedAmount: 100 },
    });
    // The coding denial this file brought still opens its rework.
    expect(state?.rework).toMatchObject({ family: 'coding', reasonCodes: ['CO-146'] });
  });

  it('gives up, failing the delivery, after five writes lost to other deliveries', async () => {
    const h = denialHarness();
    const claim = await h.billed('Q-3');
    let writes = 0;
    interpose(h.mem.ports.charts, 'transition', async (_original, chartKey, version) => {
      writes++;
      return { ok: false as const, current: await h.mem.ports.charts.get(chartKey, version) };
    });
    const text = csv(HEADER, `${claim.claimRef},paid,100,90,,`);
    await expect(h.drop('remittances/test-agency/p.csv', text)).rejects.toThrow(
      `remittance ${remitIdOfFirst(text, claim.claimRef)} could not be applied to ${chartSubject(claim.chartKey, 1)} (BATCHED)`,
    );
    expect(writes).toBe(5);
    // Recorded once, to be applied by the retry.
    expect(await h.records(claim)).toHaveLength(1);
  });

  it.each([
    ['is gone', undefined, 'missing'],
    ['was sent back to billing', 'READY_FOR_BILLING', 'READY_FOR_BILLING'],
  ] as const)('fails the delivery at once when the chart version %s', async (_, status, named) => {
    const h = denialHarness();
    const claim = await h.billed('Q-4');
    let writes = 0;
    interpose(h.mem.ports.charts, 'transition', async (_original, chartKey, version) => {
      writes++;
      const current = await h.mem.ports.charts.get(chartKey, version);
      return { ok: false as const, current: status && current ? { ...current, status } : undefined };
    });
    const text = csv(HEADER, `${claim.claimRef},paid,100,90,,`);
    await expect(h.drop('remittances/test-agency/p.csv', text)).rejects.toThrow(
      `remittance ${remitIdOfFirst(text, claim.claimRef)} could not be applied to ${chartSubject(claim.chartKey, 1)} (${named})`,
    );
    expect(writes).toBe(1);
  });

  it('fails the delivery when the answer it wrote cannot be read back', async () => {
    const h = denialHarness();
    const claim = await h.billed('Q-5');
    interpose(h.mem.ports.remittances, 'forVersion', async () => []);
    const text = csv(HEADER, `${claim.claimRef},paid,100,90,,`);
    await expect(h.drop('remittances/test-agency/p.csv', text)).rejects.toThrow(
      `remittance ${remitIdOfFirst(text, claim.claimRef)} was written but not read back`,
    );
  });
});

describe('denial ingestion: claims looked up ahead of the one applied', () => {
  const claimsOf = async (h: DenialHarness, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => h.billed(`LA-${i + 1}`)));

  it('looks up at most eight claims ahead of the one it applies, so a long file never piles up', async () => {
    const h = denialHarness();
    const claims = await claimsOf(h, 12);
    const calls: string[] = [];
    interpose(h.mem.ports.remittances, 'findClaim', (original, ...args) => {
      calls.push('lookup');
      return original(...args);
    });
    interpose(h.mem.ports.charts, 'get', (original, ...args) => {
      calls.push('apply');
      return original(...args);
    });
    await h.drop(
      'remittances/test-agency/long.csv',
      csv(HEADER, ...claims.map((c) => `${c.claimRef},paid,100,90,,`)),
    );
    expect(calls.indexOf('apply')).toBe(8);
    expect(calls.filter((c) => c === 'lookup')).toHaveLength(12);
  });

  it('fails the delivery only once every lookup it started has settled', async () => {
    const h = denialHarness();
    const [failing, slow] = await claimsOf(h, 2);
    let settled = 0;
    interpose(h.mem.ports.remittances, 'findClaim', async (original, claimRef) => {
      if (claimRef === failing?.claimRef) throw new Error('lookup timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const found = await original(claimRef);
      settled++;
      return found;
    });
    const text = csv(HEADER, `${failing?.claimRef},paid,100,90,,`, `${slow?.claimRef},paid,100,90,,`);
    await expect(h.drop('remittances/test-agency/p.csv', text)).rejects.toThrow('lookup timed out');
    // Nothing of the failed delivery still running while its retry starts.
    expect(settled).toBe(1);
  });
});

describe('denial ingestion: a retried delivery', () => {
  it('counts an answer its first try recorded but did not apply as applied now, not as a duplicate', async () => {
    const h = denialHarness();
    const claim = await h.billed('Y-1');
    failOnce(h.mem.ports.charts, 'transition', () => true, 'timed out');
    const key = 'remittances/test-agency/d.csv';
    await expect(h.drop(key, csv(HEADER, `${claim.claimRef},denied,100,0,CO-146,`))).rejects.toThrow(
      'timed out',
    );
    await h.deliver(key);
    expect(h.received()).toEqual([expect.objectContaining({ denied: 1, codingDenied: 1, duplicates: 0 })]);
    expect(await h.chart(claim)).toMatchObject({ status: 'DENIED', rework: { family: 'coding' } });
  });

  /** A chart version an earlier release denied: the record of `text`'s first line applied to it. */
  async function deniedBefore(
    h: DenialHarness,
    chartId: string,
    text: (claimRef: string) => string,
    over: Partial<ChartState>,
  ) {
    const claim = await h.billed(chartId);
    const remitId = remitIdOfFirst(text(claim.claimRef), claim.claimRef);
    await h.mem.ports.remittances.record(
      otherRecord(claim, {
        remitId,
        reasonCodes: ['CO-146'],
        family: 'coding',
        coderRelated: true,
        coderReasonCodes: ['CO-146'],
        sequence: `${START}##00000002`,
      }),
    );
    const denial = {
      denialId: remitId,
      reasonCodes: ['CO-146'],
      remarkCodes: [],
      receivedAt: START,
      sourceObject: 'obother',
    };
    await h.mem.ports.charts.transition(claim.chartKey, 1, ['BATCHED'], over.status ?? 'DENIED', {
      denial,
      ...over,
    });
    return claim;
  }

  it('moves a version left in the old REWORK status to DENIED when its denial is read again', async () => {
    const h = denialHarness();
    const text = (ref: string) => csv(HEADER, `${ref},denied,100,0,CO-146,`);
    const claim = await deniedBefore(h, 'Y-2', text, {
      status: 'REWORK',
      rework: { openedAt: START, denialId: 'x', family: 'coding', reasonCodes: ['CO-146'] },
      remittance: {
        netPaid: 0,
        lastDisposition: 'denied',
        lastAt: START,
        adjudications: 1,
        firstDisposition: 'denied',
      },
    });
    await h.drop('remittances/test-agency/d.csv', text(claim.claimRef));
    expect((await h.chart(claim))?.status).toBe('DENIED');
    expect(h.received()[0]).toMatchObject({ denied: 1, duplicates: 0 });
  });

  it('counts a denial read again against its coder once, at the time the chart keeps for it', async () => {
    const h = denialHarness();
    const text = (ref: string) => csv(HEADER, `${ref},denied,100,0,CO-146,`);
    const claim = await deniedBefore(h, 'Y-4', text, {});
    // The mark the earlier release recorded with the chart's denial: keyed by the time that denial has.
    await h.mem.ports.coders.record({
      kind: 'denial',
      agencyId: AGENCY,
      coderId: 'coder-a',
      chartKey: claim.chartKey,
      version: 1,
      deniedAt: START,
      reasonCodes: ['CO-146'],
    });
    await h.drop('remittances/test-agency/d.csv', text(claim.claimRef));
    expect((await h.chart(claim))?.rework).toMatchObject({ family: 'coding' });
    expect((await h.marks()).map((m) => m.deniedAt)).toEqual([START]);
  });

  it('applies a new denial to a version denied before remittance summaries were kept', async () => {
    const h = denialHarness();
    const claim = await deniedBefore(h, 'Y-3', (ref) => csv(HEADER, `${ref},denied,100,0,CO-146,`), {});
    await h.drop(
      'remittances/test-agency/d2.csv',
      csv(HEADER, `${claim.claimRef},denied,100,0,CO-50,2026-11-24`),
    );
    expect(await h.chart(claim)).toMatchObject({
      status: 'DENIED',
      remittance: { adjudications: 2, lastDisposition: 'denied' },
      denial: { family: 'medical_necessity' },
    });
  });
});
