import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { Chart, type ChartInput } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { decide, SCHEMA_MESSAGE_PHRASES, validateChartInput } from '#shared/rules/index.ts';

const VALID: ChartInput = {
  agencyId: 'demo-agency',
  chartId: 'HH-S-1',
  version: 1,
  lineOfBusiness: 'home_health',
  patient: { id: 'SYN-PT-1', name: 'Test Patient-Whiskey', birthDate: '1940-01-01', sex: 'U' },
  payer: { type: 'medicare', name: 'Medicare (synthetic)', memberId: 'SYN-MBR-1' },
  period: { from: '2022-03-01', through: '2022-03-30' },
  admission: { date: '2022-03-01', source: 'community', timing: 'early' },
  documentationLockedAt: '2022-04-01T09:00:00-04:00',
  codingCompletedAt: '2022-04-02T10:00:00-04:00',
  coderId: 'coder-s1',
  diagnoses: [
    {
      sequence: 1,
      code: 'I69.351',
      system: 'ICD-10-CM',
      description: 'stroke sequelae',
      presentOnAdmission: 'Y',
    },
    { sequence: 2, code: 'I10' },
  ],
  oasis: {
    assessmentDate: '2022-03-01',
    reasonForAssessment: '01',
    items: { M1800: '02', M1033_HOSP_RISK_NONE_ABOVE: '1' },
  },
  visits: [{ date: '2022-03-01', revenueCode: '0551', hcpcs: 'G0299', units: 4, discipline: 'SN' }],
  documents: [{ type: 'oasis', date: '2022-03-01', signed: true, reference: 'SYN-DOC-1' }],
};

function clone(): Record<string, unknown> {
  return structuredClone(VALID) as Record<string, unknown>;
}

/** Every string in the input, keys included. */
function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object' && depth < 40) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out, depth + 1);
    }
  }
  return out;
}

/**
 * What a finding may legitimately contain: the schema's own words (field names, enum values, limits),
 * the fixed phrases the builder uses, and the messages written in chart.ts. A random input string that
 * happens to be one of those words is not a leak.
 */
const VOCABULARY = [
  JSON.stringify(z.toJSONSchema(Chart, { io: 'input' })),
  ...SCHEMA_MESSAGE_PHRASES,
  'lower-case letters, digits and dashes',
  'four-digit revenue code',
  'staff id: letters, digits, dot, dash, underscore',
  'period ends before it starts',
  'a hospice chart needs its benefit period',
  'is not an OASIS item id (for example M1800)',
].join('\n');

function leaks(input: unknown, findings: Finding[]): string[] {
  const values = stringsIn(input).filter((v) => v.length > 3 && !VOCABULARY.includes(v));
  return findings.flatMap((f) => values.filter((v) => f.message.includes(v) || (f.path ?? '').includes(v)));
}

describe('validateChartInput', () => {
  it('returns the parsed chart, with defaults, and no findings for a valid chart', () => {
    const { chart, findings } = validateChartInput(VALID);
    expect(findings).toEqual([]);
    expect(chart?.schemaVersion).toBe(1);
    expect(chart?.diagnoses[1]?.system).toBe('ICD-10-CM');
    expect(validateChartInput({ ...VALID, visits: undefined, documents: undefined }).chart?.visits).toEqual(
      [],
    );
  });

  it('names a missing field by its path', () => {
    const raw = clone();
    delete raw.coderId;
    const { chart, findings } = validateChartInput(raw);
    expect(chart).toBeUndefined();
    expect(findings).toEqual([
      { ruleId: 'SCHEMA', severity: 'reject', path: 'coderId', message: 'coderId: is required but missing' },
    ]);
    expect(decide(findings)).toBe('REJECTED');
  });

  it('uses array-index paths like diagnoses[2].code', () => {
    const raw = clone();
    raw.diagnoses = [...(VALID.diagnoses ?? []), { sequence: 3, code: 47 }];
    expect(validateChartInput(raw).findings).toEqual([
      expect.objectContaining({
        path: 'diagnoses[2].code',
        message: 'diagnoses[2].code: must be text, not a whole number',
      }),
    ]);
  });

  it('describes every kind of problem without repeating the value', () => {
    const raw = {
      ...clone(),
      agencyId: 'Margaret Hamilton Home Care',
      version: 2.5,
      lineOfBusiness: 'Dorothy Vaughan',
      patient: { id: '', name: 'Katherine Johnson' },
      period: { from: '1931-02-30', through: 'Annie Easley' },
      codingCompletedAt: 'Mary Jackson',
      coderId: 'Grace Hopper!',
      diagnoses: [{ sequence: 0, code: 'Ada Lovelace, 1815-12-10' }],
      oasis: { items: { 'Joan Clarke': 'x', M1800: 'Hedy Lamarr lived here for years' } },
      visits: 'Radia Perlman',
    };
    const { findings } = validateChartInput(raw);
    const byPath = Object.fromEntries(findings.map((f) => [f.path, f.message]));
    expect(byPath).toMatchObject({
      agencyId:
        'agencyId: does not have the expected format (lower-case letters, digits and dashes, at most 32)',
      version: 'version: must be a whole number',
      lineOfBusiness: 'lineOfBusiness: must be one of "home_health", "hospice"',
      'patient.id': 'patient.id: must not be empty',
      'period.from': 'period.from: must be a calendar date YYYY-MM-DD',
      'period.through': 'period.through: must be a calendar date YYYY-MM-DD',
      codingCompletedAt: 'codingCompletedAt: must be an ISO 8601 date-time with a UTC offset',
      coderId: expect.stringMatching(/^coderId: does not have the expected format/),
      'diagnoses[0].sequence': 'diagnoses[0].sequence: must be at least 1',
      'diagnoses[0].code': 'diagnoses[0].code: must be at most 16 characters long',
      'oasis.items[*]': 'oasis.items[*]: is not an OASIS item id (for example M1800)',
      'oasis.items.M1800': 'oasis.items.M1800: must be at most 20 characters long',
      visits: 'visits: must be a list, not text',
    });
    expect(leaks(raw, findings)).toEqual([]);
    expect(JSON.stringify(findings)).not.toMatch(/Joan|Hedy|Ada|1815|Grace|Margaret|Katherine/);
  });

  it('reports the chart-level checks written in the schema', () => {
    const reversed = validateChartInput({
      ...clone(),
      period: { from: '2022-03-30', through: '2022-03-01' },
    });
    expect(reversed.findings).toEqual([
      expect.objectContaining({
        path: 'period.through',
        message: 'period.through: period ends before it starts',
      }),
    ]);
    const hospice = validateChartInput({ ...clone(), lineOfBusiness: 'hospice' });
    expect(hospice.findings).toEqual([
      expect.objectContaining({
        path: 'hospice',
        message: 'hospice: a hospice chart needs its benefit period',
      }),
    ]);
  });

  it('answers anything that is not an object with one finding on the chart itself', () => {
    for (const raw of [null, undefined, 'John Smith', 42, true, [], [VALID]]) {
      const { chart, findings } = validateChartInput(raw);
      expect(chart).toBeUndefined();
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ ruleId: 'SCHEMA', severity: 'reject' });
      expect(findings[0]?.path).toBeUndefined();
      expect(findings[0]?.message).toMatch(
        raw === undefined ? /^chart: is required but missing$/ : /^chart: must be an object, not /,
      );
      expect(findings[0]?.message).not.toContain('John');
    }
  });

  it('never throws, and never echoes an input string, for arbitrary junk', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withBoxedValues: true }), (raw) => {
        const result = validateChartInput(raw);
        expect(result.chart !== undefined || result.findings.length > 0).toBe(true);
        for (const f of result.findings) expect(f).toMatchObject({ ruleId: 'SCHEMA', severity: 'reject' });
        expect(leaks(raw, result.findings)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, and never echoes an input string, for a chart with junk in random places', () => {
    const paths: (string | number)[][] = [
      ['agencyId'],
      ['chartId'],
      ['version'],
      ['lineOfBusiness'],
      ['patient'],
      ['patient', 'id'],
      ['patient', 'name'],
      ['patient', 'birthDate'],
      ['payer', 'type'],
      ['period', 'from'],
      ['period', 'through'],
      ['admission', 'source'],
      ['codingCompletedAt'],
      ['coderId'],
      ['diagnoses'],
      ['diagnoses', 0],
      ['diagnoses', 0, 'code'],
      ['diagnoses', 1, 'sequence'],
      ['diagnoses', 1, 'system'],
      ['oasis', 'items'],
      ['oasis', 'items', 'M1800'],
      ['visits', 0, 'revenueCode'],
      ['visits', 0, 'units'],
      ['documents', 0, 'type'],
      ['hospice'],
    ];
    const junk = fc.oneof(
      fc.string({ minLength: 4 }),
      fc.constantFrom('Test Patient-Alpha', 'Jane Q. Public', '1931-02-30', '123-45-6789', 'MRN 00042'),
      fc.anything({ maxDepth: 2 }),
      fc.dictionary(fc.string({ minLength: 4 }), fc.string({ minLength: 4 })),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...paths), junk), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const raw = clone();
          for (const [path, value] of edits) set(raw, path, value);
          const result = validateChartInput(raw);
          expect(result.chart !== undefined || result.findings.length > 0).toBe(true);
          expect(
            leaks(
              edits.map(([, v]) => v),
              result.findings,
            ),
          ).toEqual([]);
          for (const f of result.findings)
            expect(f.path ?? '').toMatch(
              /^(?:[A-Za-z][A-Za-z0-9_]*|\[(?:\d+|\*)\])(?:\.[A-Za-z0-9_]+|\[(?:\d+|\*)\])*$|^$/,
            );
        },
      ),
      { numRuns: 500 },
    );
  });
});

function set(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: unknown = target;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  const last = path[path.length - 1];
  if (node !== null && typeof node === 'object' && last !== undefined)
    (node as Record<string | number, unknown>)[last] = value;
}
