import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { csv, denialHarness, START } from '../support/denial-ingestion-harness.ts';

const HEADER = 'claim_ref,status,charge,paid,reason_codes,remark_codes,paid_date,payment_date';

describe('denial ingestion: the reason tables an answer is classified by', () => {
  it("asks for the tables of the claim's paid date, else the payment's date, else when the file came", async () => {
    const asked: string[] = [];
    const h = denialHarness({
      tables: (date) => {
        asked.push(date);
        return {};
      },
    });
    const a = await h.billed('K-1');
    const b = await h.billed('K-2');
    const c = await h.billed('K-3');
    await h.drop(
      'remittances/test-agency/dated.csv',
      csv(
        HEADER,
        `${a.claimRef},denied,100,0,CO-16,,2026-11-19,2026-11-20`,
        `${b.claimRef},denied,100,0,CO-16,,,2026-11-20`,
      ),
    );
    await h.drop('remittances/test-agency/undated.csv', csv(HEADER, `${c.claimRef},denied,100,0,CO-16,,,`));
    expect(asked).toEqual(['2026-11-19', '2026-11-20', START]);
  });

  it("takes the agency's own families over the tables', coder feedback included", async () => {
    const h = denialHarness({
      config: { denials: { carcFamilies: { '50': 'coding' }, rarcFamilies: { N290: 'documentation' } } },
    });
    const byCarc = await h.billed('K-4');
    const byRarc = await h.billed('K-5');
    await h.drop(
      'remittances/test-agency/d.csv',
      csv(HEADER, `${byCarc.claimRef},denied,100,0,CO-50,,,`, `${byRarc.claimRef},denied,100,0,CO-16,N290,,`),
    );
    expect(await h.chart(byCarc)).toMatchObject({
      denial: { family: 'coding', coderRelated: true },
      rework: { reasonCodes: ['CO-50'] },
    });
    expect(await h.chart(byRarc)).toMatchObject({
      denial: { family: 'documentation', coderRelated: true },
      rework: { family: 'documentation', reasonCodes: ['CO-16'] },
    });
    expect(h.received()[0]).toMatchObject({ codingDenied: 2 });
    expect(h.received()[0]?.unknownCodes).toBeUndefined();
  });

  it('lists the codes no table knows, each once and sorted', async () => {
    const h = denialHarness();
    const a = await h.billed('K-6');
    const b = await h.billed('K-7');
    await h.drop(
      'remittances/test-agency/d.csv',
      csv(
        HEADER,
        `${a.claimRef},denied,100,0,CO-Z9 CO-16,N9999,,`,
        `${b.claimRef},denied,100,0,CO-X7 CO-Z9,,,`,
      ),
    );
    expect(h.received()[0]?.unknownCodes).toEqual(['N9999', 'X7', 'Z9']);
  });
});

describe('denial ingestion: the versions of the tables in force', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** A data folder with the CARC versions given (and no RARC table). */
  function dataFolder(carc: { version: string; from: string; through: string; coderFeedback: string }[]) {
    const dir = mkdtempSync(join(tmpdir(), 'codetrail-denial-tables-'));
    const manifest = {
      icd10cm: [
        { version: 'FY2026', from: '2025-10-01', through: '2026-09-30', file: 'unused', source: 'test' },
      ],
      carc: carc.map((v) => ({
        version: v.version,
        from: v.from,
        through: v.through,
        file: `${v.version}.csv`,
        source: 'test',
      })),
    };
    writeFileSync(join(dir, 'code-tables.json'), JSON.stringify(manifest));
    for (const v of carc)
      writeFileSync(
        join(dir, `${v.version}.csv`),
        `carc,label,root_cause_category,feeds_coder_feedback,family\n16,lacks information,coding,${v.coderFeedback},coding\n`,
      );
    vi.stubEnv('CODETRAIL_DATA_DIR', dir);
  }

  it('classifies an undated answer by the version in force on the day its file came', async () => {
    // A one-day version over a standing one: on 2026-11-23 CO-16 is not the coder's.
    dataFolder([
      { version: 'standing', from: '2000-01-01', through: '9999-12-31', coderFeedback: 'yes' },
      { version: 'one-day', from: START.slice(0, 10), through: START.slice(0, 10), coderFeedback: 'no' },
    ]);
    const h = denialHarness();
    const undated = await h.billed('E-1');
    const dated = await h.billed('E-2');
    await h.drop(
      'remittances/test-agency/d.csv',
      csv(
        HEADER,
        `${undated.claimRef},denied,100,0,CO-16,,,`,
        `${dated.claimRef},denied,100,0,CO-16,,2026-11-22,`,
      ),
    );
    expect((await h.chart(undated))?.denial?.coderRelated).toBe(false);
    expect((await h.chart(dated))?.denial?.coderRelated).toBe(true);
  });

  it('classifies by the families alone when no table is loaded', async () => {
    dataFolder([]);
    const h = denialHarness({ config: { denials: { carcFamilies: { '50': 'documentation' } } } });
    const known = await h.billed('E-3');
    const unknown = await h.billed('E-4');
    await h.drop(
      'remittances/test-agency/d.csv',
      csv(HEADER, `${known.claimRef},denied,100,0,CO-50,,,`, `${unknown.claimRef},denied,100,0,CO-16,MA66,,`),
    );
    expect((await h.chart(known))?.denial).toMatchObject({ family: 'documentation', coderRelated: true });
    expect((await h.chart(unknown))?.denial).toMatchObject({ family: 'other', coderRelated: false });
    expect(h.received()[0]?.unknownCodes).toEqual(['16', 'MA66']);
  });
});
