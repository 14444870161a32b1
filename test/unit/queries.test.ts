import { describe, expect, it } from 'vitest';
import { openQueryList, runQueries } from '#cli/commands/queries.ts';
import { createIntakeService } from '#functions/intake/service.ts';
import { createValidationService } from '#functions/validation/service.ts';
import { parseConfig } from '#shared/model/config.ts';
import { ChartMessage } from '#shared/model/messages.ts';
import {
  addBusinessDays,
  businessDaysBetween,
  localDay,
  openQueries,
  queryAging,
  queryPolicy,
} from '#shared/rules/queries.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { hospiceChart } from '../support/charts.ts';
import { fixedClock, memoryPorts, s3Event } from '../support/memory-ports.ts';

const policy = { escalateAfterDays: 3, holidays: ['2026-11-26'], timeZone: 'America/New_York' };

describe('query aging in business days', () => {
  it('skips weekends and holidays', () => {
    // Monday 2026-11-23; Thursday 2026-11-26 is Thanksgiving.
    expect(addBusinessDays('2026-11-23T15:00:00Z', 3, policy.holidays)).toBe('2026-11-27');
    expect(addBusinessDays('2026-11-27', 1, [])).toBe('2026-11-30');
    expect(businessDaysBetween('2026-11-23', '2026-11-30', policy.holidays)).toBe(4);
    expect(businessDaysBetween('2026-11-30', '2026-11-23', [])).toBe(0);
  });

  it('counts from the calendar day of an instant, and adds no day for zero days', () => {
    expect(businessDaysBetween('2026-11-23T15:00:00Z', '2026-11-30T14:00:00Z', policy.holidays)).toBe(4);
    expect(addBusinessDays('2026-11-28T15:00:00Z', 0, [])).toBe('2026-11-28');
  });

  it('escalates from the clinician to the clinical manager to the administrator', () => {
    const opened = { openedAt: '2026-11-23T15:00:00Z' };
    expect(queryAging(opened, '2026-11-24T09:00:00Z', policy)).toEqual({
      businessDays: 1,
      overdue: false,
      level: 'clinician',
    });
    // Due on Friday the 27th: still the clinician's that day, overdue the next business day.
    expect(queryAging(opened, '2026-11-27T20:00:00Z', policy)).toMatchObject({
      overdue: false,
      level: 'clinician',
    });
    expect(queryAging(opened, '2026-11-30T14:00:00Z', policy)).toMatchObject({
      overdue: true,
      level: 'clinical manager',
    });
    expect(queryAging(opened, '2026-12-02T14:00:00Z', policy)).toMatchObject({
      businessDays: 6,
      level: 'clinical manager',
    });
    expect(queryAging(opened, '2026-12-03T14:00:00Z', policy)).toMatchObject({
      businessDays: 7,
      level: 'administrator',
    });
    expect(queryAging(opened, '2027-01-30T09:00:00Z', policy).level).toBe('administrator');
  });

  it("counts the agency's days: 8pm in New York is still that day", () => {
    expect(localDay('2024-03-08T01:00:00Z', 'America/New_York')).toBe('2024-03-07');
    const thursdayEvening = openQueries(
      [{ ruleId: 'HOSPICE-CTI', severity: 'query', message: 'm' }],
      '2024-03-08T01:00:00Z',
      { ...policy, holidays: [] },
    );
    expect(thursdayEvening[0]?.dueOn).toBe('2024-03-12');
  });

  it("leaves out the deployment's holidays and the agency's own", () => {
    const config = parseConfig({
      holidays: ['2026-12-25'],
      agencies: [{ id: 'a', holidays: ['2026-12-24'] }, { id: 'b' }],
    });
    expect(queryPolicy(config, 'a').holidays).toEqual(['2026-12-25', '2026-12-24']);
    expect(queryPolicy(config, 'b').holidays).toEqual(['2026-12-25']);
    // Opened Wednesday 23 December: Thursday is the agency's day off, Friday everyone's.
    const at = (day: string) => `${day}T15:00:00Z`;
    expect(
      queryAging({ openedAt: at('2026-12-23') }, at('2026-12-28'), queryPolicy(config, 'a')).businessDays,
    ).toBe(1);
    expect(
      queryAging({ openedAt: at('2026-12-23') }, at('2026-12-28'), queryPolicy(config, 'b')).businessDays,
    ).toBe(2);
  });

  it('opens one query per query finding, with its evidence and due date', () => {
    const queries = openQueries(
      [
        {
          ruleId: 'HOSPICE-CTI',
          severity: 'query',
          message: 'hospice.ctiDate: no CTI',
          path: 'hospice.ctiDate',
        },
        { ruleId: 'DX-BILLABLE', severity: 'reject', message: 'header code' },
      ],
      '2026-11-23T15:00:00Z',
      policy,
    );
    expect(queries).toEqual([
      {
        ruleId: 'HOSPICE-CTI',
        question: 'hospice.ctiDate: no CTI',
        evidence: 'hospice.ctiDate',
        openedAt: '2026-11-23T15:00:00Z',
        dueOn: '2026-11-27',
      },
    ]);
  });

  it('gives a query whose finding names no field no evidence at all', () => {
    const [query] = openQueries(
      [{ ruleId: 'HOSPICE-RELATED-CONDITIONS', severity: 'query', message: 'diagnoses: only one' }],
      '2026-11-23T15:00:00Z',
      policy,
    );
    expect(query && Object.keys(query)).toEqual(['ruleId', 'question', 'openedAt', 'dueOn']);
  });
});

describe('codetrail queries', () => {
  it('lists the queries validation opened, and forgets them when a re-export answers them', async () => {
    const clock = fixedClock('2026-11-23T15:00:00.000Z');
    const mem = memoryPorts({ clock });
    const config = parseConfig({ agencies: [{ id: 'test-agency' }], holidays: policy.holidays });
    const deps = { ports: mem.ports, config, clock };
    const intake = createIntakeService(deps);
    const validation = createValidationService({ ...deps, tables: tablesInForce });
    const drop = async (key: string, chart: object) => {
      mem.put('intake', key, JSON.stringify(chart));
      await intake.handle(s3Event('test-intake', key, key));
      for (const m of mem.take('validate')) await validation.handle(ChartMessage.parse(m));
    };
    const noCti = hospiceChart({
      hospice: { benefitPeriod: { number: 1, from: '2026-09-15', through: '2026-12-13' } },
      documents: [],
    });
    await drop('exports/test-agency/q1.json', noCti);
    const open = await openQueryList(mem.ports, config, new Date('2026-11-30T12:00:00Z'));
    expect(open).toEqual([
      expect.objectContaining({
        ruleId: 'HOSPICE-CTI',
        evidence: 'hospice.ctiDate',
        dueOn: '2026-11-27',
        businessDays: 4,
        overdue: true,
        level: 'clinical manager',
      }),
    ]);
    const text = await runQueries(
      { ports: mem.ports, actor: 'local:test' },
      config,
      {},
      () => new Date('2026-11-30T12:00:00Z'),
    );
    expect(text).toMatch(
      /HOSPICE-CTI\s+hospice\.ctiDate\s+2026-11-23\s+2026-11-27\s+4 \(overdue\)\s+clinical manager/,
    );
    expect(text).not.toContain('HS-2001');
    // `--reveal`: the EMR's own chart id beside the chartKey, read from the chart file, and that read
    // recorded as the person opening the chart; without it, the id is nowhere in the report.
    const revealed = await runQueries(
      { ports: mem.ports, actor: 'local:manager' },
      config,
      { reveal: true },
      () => new Date('2026-11-30T12:00:00Z'),
    );
    expect(revealed).toMatch(/chart id/);
    expect(revealed).toMatch(/test-agency\.ck\w+\s+HS-2001\s+1\s+HOSPICE-CTI/);
    expect(mem.events().filter((e) => e.type === 'chart.opened')).toEqual([
      expect.objectContaining({
        actor: 'local:manager',
        subject: 'access',
        detail: expect.objectContaining({ purpose: 'reveal', version: 1 }),
      }),
    ]);
    expect(
      JSON.parse(
        await runQueries({ ports: mem.ports, actor: 'local:manager' }, config, { reveal: true, json: true }),
      )[0].chartId,
    ).toBe('HS-2001');
    // A person whose role may not read chart files: one line saying what to do.
    const refused = {
      ...mem.ports,
      artifacts: {
        ...mem.ports.artifacts,
        getText: () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDenied' })),
      },
    };
    await expect(
      runQueries({ ports: refused, actor: 'local:coder' }, config, { reveal: true }),
    ).rejects.toThrow('--reveal: your role may not read chart files; run the report without --reveal');
    // The clinician answers: the re-export (version 2) carries the CTI, and version 1 is superseded.
    await drop('exports/test-agency/q2.json', {
      ...noCti,
      version: 2,
      hospice: { ...noCti.hospice, ctiDate: '2026-09-15' },
    });
    expect(await runQueries({ ports: mem.ports, actor: 'local:test' }, config, {})).toBe(
      'No documentation query is open.',
    );
  });
});
