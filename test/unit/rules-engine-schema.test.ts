import { describe, expect, it } from 'vitest';
import { SCHEMA_MESSAGE_PHRASES, validateChartInput } from '#shared/rules/index.ts';
import { safePath } from '#shared/rules/schema-findings.ts';
import { homeHealthChart } from '../support/charts.ts';

/**
 * The SCHEMA findings word for word: what a field should be, described from the schema's own words,
 * and never the value the input held.
 */
const messagesFor = (patch: Record<string, unknown>) =>
  validateChartInput({ ...homeHealthChart(), ...patch }).findings.map((f) => f.message);

describe('SCHEMA messages', () => {
  it.each([
    [null, 'chartId: must be text, not null'],
    [1.5, 'chartId: must be text, not a number'],
    [7, 'chartId: must be text, not a whole number'],
    [true, 'chartId: must be text, not true or false'],
    [{ name: 'Jane' }, 'chartId: must be text, not an object'],
    [10n, 'chartId: must be text, not a value of another type'],
  ])('describes %s by its kind, never its value', (value, message) => {
    expect(messagesFor({ chartId: value })).toEqual([message]);
  });

  it('calls a field given as undefined missing, like a field left out', () => {
    expect(messagesFor({ coderId: undefined })).toEqual(['coderId: is required but missing']);
  });

  it.each([
    [
      { documents: [{ type: 'oasis', signed: 'yes' }] },
      'documents[0].signed: must be true or false, not text',
    ],
    [{ patient: 'Jane Doe' }, 'patient: must be an object, not text'],
    [{ oasis: { items: ['M1800'] } }, 'oasis.items: must be an object, not a list'],
    [{ version: '2' }, 'version: must be a number, not text'],
    [{ schemaVersion: 2 }, 'schemaVersion: must be 1'],
    [
      { payer: { type: 'self' } },
      'payer.type: must be one of "medicare", "medicare_advantage", "medicaid", "commercial", "other"',
    ],
  ])('names what the field must be: %j', (patch, message) => {
    expect(messagesFor(patch)).toEqual([message]);
  });

  it('states the limits of lists and numbers', () => {
    const dx = Array.from({ length: 26 }, (_, i) => ({ sequence: i + 1, code: 'I10' }));
    expect(messagesFor({ diagnoses: dx })).toEqual(['diagnoses: must have at most 25 entries']);
    expect(messagesFor({ visits: [{ date: '2026-10-02', revenueCode: '0551', units: 10000 }] })).toEqual([
      'visits[0].units: must be at most 9999',
    ]);
    expect(messagesFor({ visits: [{ date: '2026-10-02', revenueCode: '0551', units: -1 }] })).toEqual([
      'visits[0].units: must be at least 0',
    ]);
    expect(messagesFor({ chartId: '' })).toEqual(['chartId: must not be empty']);
  });

  it('prints an OASIS item id of up to 40 characters in the path, and hides a longer one', () => {
    const forty = `M1800${'A'.repeat(35)}`;
    const items = { [forty]: 'x'.repeat(21), [`${forty}B`]: 'x'.repeat(21) };
    expect(messagesFor({ oasis: { items } })).toEqual([
      `oasis.items.${forty}: must be at most 20 characters long`,
      'oasis.items[*]: must be at most 20 characters long',
    ]);
  });

  it('answers a chart it cannot even read with one finding on the chart, and no path', () => {
    const unreadable = {
      get agencyId(): string {
        throw new Error('Jane Doe');
      },
    };
    const { chart, findings } = validateChartInput(unreadable);
    expect(chart).toBeUndefined();
    expect(findings).toEqual([
      { ruleId: 'SCHEMA', severity: 'reject', message: 'chart: the chart could not be read' },
    ]);
    expect(Object.keys(findings[0] ?? {})).not.toContain('path');
  });
});

describe("SCHEMA messages written in the schema, and the input's words", () => {
  const reversed = { period: { from: '2026-10-30', through: '2026-10-01' } };
  const withName = (name: unknown) => messagesFor({ ...reversed, patient: { id: 'P-1', name } });

  it('keeps the message when the input shares only short strings or schema words with it', () => {
    expect(withName('ends')).toEqual(['period.through: failed a check of the chart format']);
    expect(withName('end')).toEqual(['period.through: period ends before it starts']);
    expect(withName('period')).toEqual(['period.through: period ends before it starts']);
    expect(withName('before it')).toEqual(['period.through: failed a check of the chart format']);
  });

  it('looks for input strings 32 objects deep, and no deeper', () => {
    const nested = (depth: number, text: string): unknown =>
      depth === 0 ? { text } : { next: nested(depth - 1, text) };
    // The chart is depth 0; `extra` is a field the schema drops, holding objects at depth 1, 2, ...
    expect(messagesFor({ ...reversed, extra: nested(31, 'ends before') })).toEqual([
      'period.through: failed a check of the chart format',
    ]);
    expect(messagesFor({ ...reversed, extra: nested(32, 'ends before') })).toEqual([
      'period.through: period ends before it starts',
    ]);
  });

  it('counts keys of the input as input strings', () => {
    expect(messagesFor({ ...reversed, extra: { 'ends before': 1 } })).toEqual([
      'period.through: failed a check of the chart format',
    ]);
  });
});

describe('safePath', () => {
  it.each([
    [['diagnoses', 2, 'code'], 'diagnoses[2].code'],
    [['oasis', 'items', 'M1800'], 'oasis.items.M1800'],
    [['oasis', 'items', 'Jane Doe'], 'oasis.items[*]'],
    [['oasis', 'items', 'm1800'], 'oasis.items[*]'],
    [['patient', 'Jane Doe'], 'patient[*]'],
    [['Jane Doe', 'name'], '[*].name'],
    [[Symbol('x')], '[*]'],
    [['notes', 'M1800'], '[*][*]'],
    [['M1800'], '[*]'],
    [[], ''],
  ])('writes %j as %j', (path, written) => {
    expect(safePath(path)).toBe(written);
  });

  it('uses only fixed phrases, field names, limits and allowed values', () => {
    expect(SCHEMA_MESSAGE_PHRASES.every((p) => p.length > 0)).toBe(true);
  });
});
