import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denialReport, formatDenialReport } from '#cli/commands/denials.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { chartKeyOf } from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { parseConfig } from '#shared/model/config.ts';
import type { RemittanceRecord } from '#shared/model/remittance.ts';
import { localDay } from '#shared/rules/queries.ts';
import { homeHealthChart } from '../support/charts.ts';
import { droppedObjectId } from '../support/dropped-object.ts';
import { SAMPLE_NOTHING } from '../support/sample-nothing.ts';
import { build835 } from '../support/x12-835.ts';

// Denial ingestion on the real handlers and emulators: an X12 835 paying, denying and reversing billed
// charts, matched by claimRef (and by a billing mapping file); a coding denial traced to its coder, its
// category and rework, and raising QA sampling for both; the same 835 dropped twice counting once; an
// unmatched claim in the exception report; a corrected version closing rework and, for a paid claim,
// opening an overpayment item.
let pipeline: LocalPipeline;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codetrail-denials-'));
  const keyFile = join(dir, 'local.key');
  writeFileSync(keyFile, 'ab'.repeat(32));
  pipeline = await startLocalPipeline({
    config: parseConfig({
      agencies: [{ id: 'test-agency' }],
      // Nothing sampled, except after a coding denial of the coder or of the principal's category.
      sampling: { ...SAMPLE_NOTHING, risk: { ...SAMPLE_NOTHING.risk, recentDenials: { rate: 1, days: 30 } } },
      local: { timeCompression: 100_000 },
    }),
    keyFile,
    prefix: 'den',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

async function state(chartId: string, version = 1): Promise<ChartState | undefined> {
  return pipeline.ports.charts.get(await chartKeyOf(pipeline.ports.keys, 'test-agency', chartId), version);
}

async function claimRef(chartId: string): Promise<string> {
  const ref = (await state(chartId))?.claimRef;
  if (!ref) throw new Error(`${chartId} has no claimRef`);
  return ref;
}

async function records(chartId: string): Promise<RemittanceRecord[]> {
  const s = await state(chartId);
  return pipeline.ports.remittances.forVersion(s?.chartKey ?? '', 1);
}

async function drop(key: string, text: string) {
  await pipeline.ports.artifacts.putText('denials', key, text);
  await pipeline.runUntilQuiet();
}

const OTHER_CATEGORY = [
  { sequence: 1, code: 'I50.22', system: 'ICD-10-CM' as const },
  { sequence: 2, code: 'I10', system: 'ICD-10-CM' as const },
];

let era = '';

describe('denial ingestion on embedded AWS', () => {
  it('applies an 835: paid, coding denial, authorization denial, reversal and correction, unmatched', async () => {
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/billed.ndjson',
      [
        homeHealthChart({ chartId: 'D-PAID', diagnoses: OTHER_CATEGORY }),
        homeHealthChart({ chartId: 'D-CODING' }),
        homeHealthChart({ chartId: 'D-REVERSED', diagnoses: OTHER_CATEGORY }),
        homeHealthChart({ chartId: 'D-AUTH', coderId: 'coder-b', diagnoses: OTHER_CATEGORY }),
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    await pipeline.runUntilQuiet();
    for (const id of ['D-PAID', 'D-CODING', 'D-REVERSED', 'D-AUTH'])
      expect((await state(id))?.status).toBe('BATCHED');

    // The billing system put its own number in CLM01 for one claim, and says so in a mapping file.
    await drop(
      'remittances/test-agency/mappings/2026-11.csv',
      `billing_claim_number,claim_ref\nACCT-0004,${await claimRef('D-AUTH')}\n`,
    );

    era = build835({
      trace: 'EFT-20261120-1',
      lineBreaks: true,
      claims: [
        { pcn: await claimRef('D-PAID'), status: '1', charge: 2000, paid: 1800, cas: [['CO', '45', 200]] },
        // CO-146: diagnosis invalid for the date of service: the coder's.
        { pcn: await claimRef('D-CODING'), status: '4', charge: 2100, paid: 0, cas: [['CO', '146', 2100]] },
        {
          pcn: await claimRef('D-REVERSED'),
          status: '1',
          charge: 1500,
          paid: 1400,
          cas: [['CO', '45', 100]],
        },
        // The payer takes that payment back and pays it again, corrected: net 1,250, never 2,650.
        {
          pcn: await claimRef('D-REVERSED'),
          status: '22',
          charge: -1500,
          paid: -1400,
          // A 5010 reversal negates the original's adjustments in their own groups (4010's CR is gone).
          cas: [['CO', '45', -100]],
        },
        {
          pcn: await claimRef('D-REVERSED'),
          status: '1',
          charge: 1500,
          paid: 1250,
          cas: [['CO', '45', 250]],
        },
        // CO-197: no authorization: not the coder's.
        { pcn: 'ACCT-0004', status: '4', charge: 900, paid: 0, cas: [['CO', '197', 900]] },
        { pcn: 'CT0000000000000Z', status: '1', charge: 100, paid: 100 },
      ],
    });
    await drop('remittances/test-agency/era-1.835', era);

    const paid = await state('D-PAID');
    expect(paid).toMatchObject({ status: 'PAID', remittance: { netPaid: 1800, firstDisposition: 'paid' } });

    const coding = await state('D-CODING');
    expect(coding).toMatchObject({
      status: 'DENIED',
      denial: {
        family: 'coding',
        coderRelated: true,
        category: 'I69',
        reasonCodes: ['CO-146'],
        payerId: '15004',
      },
      rework: { family: 'coding', reasonCodes: ['CO-146'] },
    });
    expect(coding?.rework?.closedAt).toBeUndefined();
    const marks = await pipeline.ports.coders.denials('test-agency', 'coder-a', '2000-01-01T00:00:00Z');
    expect(marks).toMatchObject([{ reasonCodes: ['CO-146'], category: 'I69' }]);

    const reversed = await state('D-REVERSED');
    expect(reversed).toMatchObject({
      status: 'PAID',
      remittance: { netPaid: 1250, adjudications: 3, firstDisposition: 'paid', lastDisposition: 'paid' },
    });
    expect((await records('D-REVERSED')).map((r) => [r.disposition, r.payment])).toEqual([
      ['paid', 1400],
      ['reversal', -1400],
      ['paid', 1250],
    ]);

    const auth = await state('D-AUTH');
    expect(auth).toMatchObject({
      status: 'DENIED',
      denial: { family: 'authorization', coderRelated: false },
    });
    expect(auth?.rework).toBeUndefined();
    expect(await pipeline.ports.coders.denials('test-agency', 'coder-b', '2000-01-01T00:00:00Z')).toEqual([]);

    // The unmatched claim is in the exception report beside the file; the rest went on.
    const reports: string[] = [];
    for await (const o of pipeline.ports.artifacts.list('denials', 'quarantine/test-agency/'))
      if (o.key.endsWith('report.json'))
        reports.push(await pipeline.ports.artifacts.getText('denials', o.key));
    const unmatched = reports
      .flatMap((r) => JSON.parse(r).issues)
      .filter((i) => i.kind === 'unmatched-claim');
    expect(unmatched).toMatchObject([
      { patientControlNumber: 'CT0000000000000Z', disposition: 'paid', payment: 100 },
    ]);
    // Nothing else was set aside: every adjustment was of a 5010 group.
    expect(reports.flatMap((r) => JSON.parse(r).issues).filter((i) => i.kind !== 'unmatched-claim')).toEqual(
      [],
    );
  });

  it('raises QA sampling for the denied coder and for the denied category, through the risk factors', async () => {
    // Coded after the denial came back: the sampling windows look back from the coding time.
    const coded = { codingCompletedAt: new Date().toISOString() };
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/after-denial.ndjson',
      [
        homeHealthChart({ ...coded, chartId: 'D-NEXT-A', diagnoses: OTHER_CATEGORY }),
        // Another coder, the denied principal's category (I69).
        homeHealthChart({ ...coded, chartId: 'D-NEXT-B', coderId: 'coder-b' }),
        homeHealthChart({ ...coded, chartId: 'D-NEXT-C', coderId: 'coder-b', diagnoses: OTHER_CATEGORY }),
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    await pipeline.runUntilQuiet();
    const factors = async (id: string) => (await state(id))?.sampling?.factors.map((f) => f.factor) ?? [];
    expect((await state('D-NEXT-A'))?.status).toBe('SAMPLED');
    expect(await factors('D-NEXT-A')).toContain('coder-denials');
    expect((await state('D-NEXT-B'))?.status).toBe('SAMPLED');
    expect(await factors('D-NEXT-B')).toContain('category-denials');
    expect(await factors('D-NEXT-B')).not.toContain('coder-denials');
    expect((await state('D-NEXT-C'))?.status).not.toBe('SAMPLED');
  });

  it('counts the same 835 dropped twice once; a copy that left claims unmatched is read again after a mapping file', async () => {
    const countsOf = async (key: string) => {
      const id = await droppedObjectId(pipeline.ports.artifacts, 'denials', `remittances/test-agency/${key}`);
      for await (const l of pipeline.ports.ledger.list()) if (l.objectId === id) return l.counts;
      return undefined;
    };
    await drop('remittances/test-agency/era-1-resent.835', era);
    expect(await state('D-REVERSED')).toMatchObject({ remittance: { netPaid: 1250, adjudications: 3 } });
    expect(await records('D-REVERSED')).toHaveLength(3);
    expect(
      await pipeline.ports.coders.denials('test-agency', 'coder-a', '2000-01-01T00:00:00Z'),
    ).toHaveLength(1);
    // Recognised by its content before any claim is applied again, and audited as a duplicate file.
    expect(await countsOf('era-1-resent.835')).toEqual({ duplicateFile: 1 });

    // A mapping file since: the unmatched claim may match now, so the next copy is read again. Every
    // answer it gives was applied already and counts as a duplicate, none twice.
    await drop(
      'remittances/test-agency/mappings/2026-12.csv',
      `billing_claim_number,claim_ref\nACCT-0009,${await claimRef('D-PAID')}\n`,
    );
    await drop('remittances/test-agency/era-1-again.835', era);
    expect(await countsOf('era-1-again.835')).toMatchObject({
      claims: 7,
      duplicates: 6,
      unmatched: 1,
      paid: 0,
      denied: 0,
      reversed: 0,
    });
    expect(await records('D-REVERSED')).toHaveLength(3);
    // No mapping file since that read: the next copy is a duplicate file again.
    await drop('remittances/test-agency/era-1-third.835', era);
    expect(await countsOf('era-1-third.835')).toEqual({ duplicateFile: 1 });
  });

  it('closes rework when a corrected version arrives; a paid claim corrected opens a possible overpayment, resolved when its replacement is paid', async () => {
    await pipeline.ports.artifacts.putText(
      'intake',
      'exports/test-agency/corrected.ndjson',
      [
        homeHealthChart({ chartId: 'D-CODING', version: 2, diagnoses: OTHER_CATEGORY }),
        // Recoded by another coder, in a category with no coding denial: not drawn for QA, billed.
        homeHealthChart({ chartId: 'D-PAID', version: 2, coderId: 'coder-c', diagnoses: OTHER_CATEGORY }),
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    await pipeline.runUntilQuiet();
    expect((await state('D-CODING'))?.rework).toMatchObject({ closedByVersion: 2 });
    const overpaid = await state('D-PAID');
    expect(overpaid?.overpayment).toMatchObject({
      reason: 'corrected-after-payment',
      byVersion: 2,
      netPaid: 1800,
    });
    // Medicare: report and return within 60 days, from the agency's local day of identification.
    const identifiedDay = localDay(overpaid?.overpayment?.identifiedAt ?? '', 'America/New_York');
    const due = new Date(`${overpaid?.overpayment?.dueBy}T00:00:00Z`).getTime();
    expect((due - Date.parse(`${identifiedDay}T00:00:00Z`)) / 86_400_000).toBe(60);
    expect((await state('D-PAID', 2))?.status).toBe('BATCHED');

    // The replacement claim is paid: billing has settled the difference, the item is resolved.
    const era2 = build835({
      trace: 'EFT-20261127-1',
      date: '20261127',
      claims: [{ pcn: (await state('D-PAID', 2))?.claimRef ?? '', status: '1', charge: 2000, paid: 1700 }],
    });
    await drop('remittances/test-agency/era-2.835', era2);
    expect((await state('D-PAID', 2))?.status).toBe('PAID');
    expect((await state('D-PAID'))?.overpayment?.resolvedAt).toBeDefined();

    // The same file, every claim matched, dropped under another key: recognised by its content before
    // any claim is read again, and audited as a duplicate file.
    await drop('remittances/test-agency/era-2-resent.835', era2);
    const counts: unknown[] = [];
    const id = await droppedObjectId(
      pipeline.ports.artifacts,
      'denials',
      'remittances/test-agency/era-2-resent.835',
    );
    for await (const l of pipeline.ports.ledger.list()) if (l.objectId === id) counts.push(l.counts);
    expect(counts).toEqual([{ duplicateFile: 1 }]);
  });

  it('reports the denial figures from the table: claims, not records, and the open items', async () => {
    const [report] = await denialReport(
      pipeline.ports,
      parseConfig({ agencies: [{ id: 'test-agency' }] }),
      {},
    );
    expect(report).toMatchObject({
      claims: 5,
      denied: 2,
      codingDenied: 1,
      firstPassPaid: 3,
      netPaid: 4750,
      rework: { open: 0, closed: 1 },
      overpayments: { open: 0, overdue: 0 },
    });
    expect(report?.byFamily.map((f) => f.family).sort()).toEqual(['authorization', 'coding']);
    // The coding denial under the category it was billed with; every claim under its chart's category.
    const coded = (await state('D-CODING'))?.denial?.category;
    expect(coded).toBeDefined();
    expect(report?.byCategory.find((c) => c.category === coded)).toMatchObject({ codingDenied: 1 });
    expect(report?.byCategory.reduce((sum, c) => sum + c.claims, 0)).toBe(5);
    expect(report?.byCategory.some((c) => c.category === 'unknown')).toBe(false);
    expect(report?.openOverpayments).toHaveLength(0);
    const text = formatDenialReport(report ? [report] : []);
    expect(text).toContain(
      'denial rate 40.0% (2), coding-related 20.0% (1), clean-claim (first-pass) rate 60.0%',
    );
    // The unmatched claim and the billing system's own number never reach the figures.
    expect(text).toContain('By principal diagnosis category');
    expect(text).not.toContain('ACCT-0004');
  });
});
