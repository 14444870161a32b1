import { describe, expect, it } from 'vitest';
import { groupReady } from '#functions/billing-handoff/service.ts';
import { batchCsv, billTypeOf } from '#shared/billing/batch-files.ts';
import { codingSlaClass } from '#shared/billing/turnaround.ts';
import type { BatchManifest } from '#shared/model/batch.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { homeHealthChart } from '../support/charts.ts';

const state = (n: number, over: Partial<ChartState> = {}) => ({
  state: {
    chartKey: `ck${String(n).padStart(3, '0')}`,
    version: 1,
    agencyId: 'a',
    payerType: 'medicare',
    lineOfBusiness: 'home_health',
    ...over,
  } as ChartState,
});

describe('grouping ready charts into batches', () => {
  it('one group per agency, payer, line of business and bill type, cut at the maximum size, in chart order', () => {
    const ready = [
      ...[5, 3, 1, 4, 2].map((n) => state(n)),
      state(9, { payerType: 'medicaid' }),
      state(8, { lineOfBusiness: 'hospice' }),
      state(7, { agencyId: 'b' }),
    ];
    const groups = groupReady(ready, 2);
    expect(
      groups.map((g) => [g.agencyId, g.payerType, g.lineOfBusiness, g.entries.map((e) => e.state.chartKey)]),
    ).toEqual([
      ['a', 'medicaid', 'home_health', ['ck009']],
      ['a', 'medicare', 'home_health', ['ck001', 'ck002']],
      ['a', 'medicare', 'home_health', ['ck003', 'ck004']],
      ['a', 'medicare', 'home_health', ['ck005']],
      ['a', 'medicare', 'hospice', ['ck008']],
      ['b', 'medicare', 'home_health', ['ck007']],
    ]);
    expect(billTypeOf('hospice')).toBe('081x');
    expect(billTypeOf('home_health')).toBe('0329');
  });
});

describe('batch files', () => {
  it('writes the CSV with quoting, codes in sequence order, and the SLA outcome', () => {
    const manifest = {
      members: [
        {
          claimRef: 'CT1',
          chartKey: 'ck1',
          version: 2,
          lineOfBusiness: 'home_health',
          payerType: 'medicare',
          periodFrom: '2026-10-01',
          periodThrough: '2026-10-30',
          hipps: '1BA11',
          diagnoses: [
            { sequence: 1, code: 'I69.351' },
            { sequence: 2, code: 'I50.22' },
          ],
          findings: { warn: 1, ruleIds: ['DX-DUPLICATE'] },
          flags: ['review-choice-no-affirmed-pre-claim-review'],
          qaCorrected: true,
          claimFrequency: '7',
          replaces: { version: 1, claimRef: 'CT0' },
          turnaround: { codingSla: { class: 'start-of-care', limit: '48 business hours', met: false } },
          sha256: 'a'.repeat(64),
          artifactKey: 'x',
          coderId: 'c',
        },
      ],
    } as unknown as BatchManifest;
    const [header, row] = batchCsv(manifest).split('\r\n');
    expect(header).toBe(
      'claimRef,chartKey,version,lineOfBusiness,payerType,periodFrom,periodThrough,hipps,diagnoses,warnRuleIds,flags,qaCorrected,claimFrequency,replacesClaimRef,codingSla,sha256',
    );
    expect(row).toBe(
      `CT1,ck1,2,home_health,medicare,2026-10-01,2026-10-30,1BA11,I69.351 I50.22,DX-DUPLICATE,review-choice-no-affirmed-pre-claim-review,yes,7,CT0,start-of-care missed,${'a'.repeat(64)}`,
    );
  });
});

describe('the coding SLA class', () => {
  it('expedited when asked, start of care for an admission period or a first benefit period, else recertification', () => {
    const hh = homeHealthChart();
    expect(codingSlaClass({ ...hh, priority: 'expedited' } as never)).toBe('expedited');
    expect(codingSlaClass(hh as never)).toBe('start-of-care');
    expect(codingSlaClass({ ...hh, admission: { date: '2026-08-02' } } as never)).toBe('recertification');
    expect(codingSlaClass({ ...hh, admission: { timing: 'late' } } as never)).toBe('recertification');
  });
});
