import { describe, expect, it } from 'vitest';
import { createConfigRecorder } from '#functions/reconciler/config-recorder.ts';
import {
  CONFIG_SUBJECT,
  configInForceEvent,
  configSectionsFor,
  type InForce,
  latestConfigEvent,
} from '#shared/audit-trail/config-in-force.ts';
import { summarize } from '#shared/audit-trail/story.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import { bundledTables } from '#shared/data/bundled-tables.ts';
import { parseConfig } from '#shared/model/config.ts';
import { expectNoPhiIn } from '../support/expect-no-phi.ts';
import { memoryPorts } from '../support/memory-ports.ts';

const config = parseConfig({
  agencies: [{ id: 'north' }, { id: 'south' }],
  staff: [
    { principal: 'AROANORTH:ann', staffId: 'ann', roles: ['reviewer'], agencies: ['north'] },
    { principal: 'AROAALL:lee', staffId: 'lee', roles: ['senior'] },
  ],
});

const TABLES = [
  {
    table: 'icd10cm',
    version: 'FY2026',
    from: '2025-10-01',
    through: '2026-09-30',
    sample: true,
    sha256: 'a'.repeat(64),
  },
  {
    table: 'carc',
    version: 'c-2026',
    from: '2026-01-01',
    through: '2026-12-31',
    sample: false,
    sha256: 'b'.repeat(64),
  },
];

let clock = 0;
function record(inForce: InForce, previous: AuditEvent | undefined, agencyId = 'north') {
  clock += 1;
  return configInForceEvent({
    agencyId,
    inForce,
    previous,
    actor: 'stage:reconciler',
    at: new Date(Date.UTC(2026, 11, 8, clock)).toISOString(),
  });
}

const inForce = (over: Partial<InForce> = {}): InForce => ({
  configSections: configSectionsFor(config, 'north'),
  tables: TABLES,
  ...over,
});

describe('the configuration and code tables in force', () => {
  it('records the first as all new, then nothing until something changes', () => {
    const first = record(inForce(), undefined);
    expect(first).toMatchObject({
      type: 'config.in-force',
      agencyId: 'north',
      subject: CONFIG_SUBJECT,
      actor: 'stage:reconciler',
      detail: {
        tables: TABLES,
        changed: {
          sections: Object.keys(configSectionsFor(config, 'north')).sort(),
          tablesAdded: ['icd10cm FY2026', 'carc c-2026'],
          tablesReplaced: [],
          tablesRemoved: [],
        },
        sampleTables: ['icd10cm FY2026'],
      },
    });
    expect(record(inForce(), first)).toBeUndefined();
    // As `codetrail audit events config` says it.
    expect(summarize(first as AuditEvent)).toBe(
      `configuration and 2 code table version(s) in force (fingerprint ${String(first?.detail?.fingerprint).slice(0, 12)}); changed sections: ${Object.keys(configSectionsFor(config, 'north')).sort().join(' ')}; tables added icd10cm FY2026 carc c-2026, replaced none, removed none; samples: icd10cm FY2026`,
    );
  });

  it('names what a deployment changed: a section, a table added, replaced in place or removed', () => {
    const first = record(inForce(), undefined);
    const sampling = configSectionsFor(parseConfig({ ...config, sampling: { baseRate: 0.5 } }), 'north');
    const changed = record(
      inForce({
        configSections: sampling,
        tables: [
          { ...(TABLES[0] as (typeof TABLES)[number]), sha256: 'c'.repeat(64) },
          {
            table: 'icd10cm',
            version: 'FY2027',
            from: '2026-10-01',
            through: '2027-09-30',
            sample: false,
            sha256: 'd'.repeat(64),
          },
        ],
      }),
      first,
    );
    expect(changed?.detail?.changed).toEqual({
      sections: ['sampling'],
      tablesAdded: ['icd10cm FY2027'],
      tablesReplaced: ['icd10cm FY2026'],
      tablesRemoved: ['carc c-2026'],
    });
  });

  it('records a change back to an earlier configuration again, and the same change seen twice once', () => {
    const a = record(inForce(), undefined) as AuditEvent;
    const b = record(inForce({ tables: [] }), a) as AuditEvent;
    const backToA = record(inForce(), b) as AuditEvent;
    expect(backToA.idempotencyKey).not.toBe(a.idempotencyKey);
    // Two runs that see the same change: the same event (recorded once).
    expect(record(inForce(), b)?.idempotencyKey).toBe(backToA.idempotencyKey);
    expect(latestConfigEvent([a, backToA, b])).toBe(backToA);
  });

  it("is each agency's own: another agency's entry and staff are not its sections", () => {
    const north = configSectionsFor(config, 'north');
    const south = configSectionsFor(config, 'south');
    expect(north.agencies).not.toBe(south.agencies);
    expect(north.staff).not.toBe(south.staff);
    expect(north.sampling).toBe(south.sampling);
    // South's holidays change: north's sections do not.
    const southHolidays = parseConfig({
      ...config,
      agencies: [{ id: 'north' }, { id: 'south', holidays: ['2026-12-25'] }],
    });
    expect(configSectionsFor(southHolidays, 'north')).toEqual(north);
    expect(configSectionsFor(southHolidays, 'south').agencies).not.toBe(south.agencies);
  });

  it("hashes the repository's own code tables, each version named, samples marked, nothing but ids and hashes", () => {
    const tables = bundledTables();
    expect(tables.length).toBeGreaterThan(3);
    for (const t of tables) {
      expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(t.from <= t.through).toBe(true);
    }
    expect(tables.map((t) => t.table)).toContain('icd10cm');
    expect(tables.some((t) => t.sample)).toBe(true);
    expectNoPhiIn(JSON.stringify(record(inForce({ tables }), undefined)), 'the config event');
  });
});

describe('the hourly job recording what is in force', () => {
  it('records once per change per agency, a change back again, and nothing when nothing changed', async () => {
    let hour = 0;
    const clock = { now: () => new Date(Date.UTC(2026, 11, 8, hour)) };
    const mem = memoryPorts({ clock });
    let tables = TABLES;
    let current = config;
    const recorder = createConfigRecorder({ ports: mem.ports, config: current, tables: () => tables, clock });
    const run = async () => {
      hour += 1;
      return createConfigRecorder({
        ports: mem.ports,
        config: current,
        tables: () => tables,
        clock,
      }).recordInForce();
    };
    expect(await recorder.recordInForce()).toEqual(['north', 'south']);
    expect(await run()).toEqual([]);
    tables = [];
    expect(await run()).toEqual(['north', 'south']);
    tables = TABLES;
    expect(await run()).toEqual(['north', 'south']);
    // A change to north's own entry alone.
    current = parseConfig({
      ...config,
      agencies: [{ id: 'north', holidays: ['2026-12-25'] }, { id: 'south' }],
    });
    expect(await run()).toEqual(['north']);
    expect(await run()).toEqual([]);
    const north = await mem.ports.audit.list('north', CONFIG_SUBJECT);
    expect(north.map((e) => e.detail?.changed)).toEqual([
      expect.objectContaining({ tablesAdded: ['icd10cm FY2026', 'carc c-2026'] }),
      expect.objectContaining({ sections: [], tablesRemoved: ['icd10cm FY2026', 'carc c-2026'] }),
      expect.objectContaining({ sections: [], tablesAdded: ['icd10cm FY2026', 'carc c-2026'] }),
      { sections: ['agencies'], tablesAdded: [], tablesReplaced: [], tablesRemoved: [] },
    ]);
    expect((await mem.ports.audit.list('south', CONFIG_SUBJECT)).length).toBe(3);
  });
});
