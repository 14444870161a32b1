import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { jsonSchemas } from '#shared/model/json-schemas.ts';
import {
  findingsFromIssues,
  SCHEMA_MESSAGE_PHRASES,
  safePath,
  schemaVocabulary,
} from '#shared/rules/schema-findings.ts';

/**
 * How each kind of zod issue reads as a SCHEMA finding. The Chart schema produces only some kinds
 * today; the others are reached through small schemas that use the chart's field names, so a finding
 * is described correctly should the Chart schema ever produce them.
 */

type Issue = Parameters<typeof findingsFromIssues>[0][number];

/** The findings for an input the schema must reject (a schema that accepts it is a broken test). */
function findingsFor(schema: z.ZodType, raw: unknown) {
  const parsed = schema.safeParse(raw);
  if (parsed.success) throw new Error('the test schema accepted its input');
  return findingsFromIssues(parsed.error.issues, raw);
}

const SYNTHETIC_NAME = 'Test Patient-Yankee';

describe('findingsFromIssues: one finding per issue, worded from the schema alone', () => {
  it.each<[string, z.ZodType, unknown, string, string]>([
    [
      'fields an object does not define',
      z.object({ patient: z.strictObject({ id: z.string() }) }),
      { patient: { id: 'SYN-PT-1', [SYNTHETIC_NAME]: 1 } },
      'patient',
      'has fields that are not part of the chart format',
    ],
    [
      'a value no branch of a union accepts',
      z.object({ payer: z.union([z.string(), z.number()]) }),
      { payer: true },
      'payer',
      'does not match any accepted form',
    ],
    [
      'a record key outside oasis.items',
      z.object({ patient: z.record(z.string().regex(/^[a-z]+$/), z.string()) }),
      { patient: { [SYNTHETIC_NAME]: 'x' } },
      'patient[*]',
      'has a key that is not allowed here',
    ],
    [
      'a record key under another object than oasis named items',
      z.object({ hospice: z.object({ items: z.record(z.string().regex(/^M\d{4}$/), z.string()) }) }),
      { hospice: { items: { [SYNTHETIC_NAME]: 'x' } } },
      'hospice.items[*]',
      'has a key that is not allowed here',
    ],
    [
      'a record key under another oasis field than items',
      z.object({ oasis: z.object({ assessmentDate: z.record(z.string().regex(/^M\d{4}$/), z.string()) }) }),
      { oasis: { assessmentDate: { [SYNTHETIC_NAME]: 'x' } } },
      'oasis.assessmentDate[*]',
      'has a key that is not allowed here',
    ],
    [
      'a key of oasis.items that is not an item id',
      z.object({ oasis: z.object({ items: z.record(z.string().regex(/^M\d{4}$/), z.string()) }) }),
      { oasis: { items: { [SYNTHETIC_NAME]: 'x' } } },
      'oasis.items[*]',
      'is not an OASIS item id (for example M1800)',
    ],
    [
      'a map entry whose key cannot be a path segment',
      z.object({ visits: z.map(z.object({}), z.number()) }),
      { visits: new Map([[{}, SYNTHETIC_NAME]]) },
      'visits',
      'has an invalid entry',
    ],
    [
      'a number off its step',
      z.object({ visits: z.object({ units: z.int().multipleOf(15) }) }),
      { visits: { units: 20 } },
      'visits.units',
      'must be a multiple of 15',
    ],
    [
      'a bigint off its step, by the plain number',
      z.object({ version: z.bigint().multipleOf(4n) }),
      { version: 6n },
      'version',
      'must be a multiple of 4',
    ],
    [
      'a number at an exclusive maximum',
      z.object({ version: z.number().lt(10) }),
      { version: 10 },
      'version',
      'must be less than 10',
    ],
    [
      'a number over an inclusive maximum',
      z.object({ version: z.number().max(9) }),
      { version: 10 },
      'version',
      'must be at most 9',
    ],
    [
      'a number at an exclusive minimum',
      z.object({ version: z.number().gt(0) }),
      { version: 0 },
      'version',
      'must be more than 0',
    ],
    [
      'a number under an inclusive minimum',
      z.object({ version: z.number().min(1) }),
      { version: 0 },
      'version',
      'must be at least 1',
    ],
    [
      'text over a one-character maximum, in the singular',
      z.object({ patient: z.object({ sex: z.string().max(1) }) }),
      { patient: { sex: 'UU' } },
      'patient.sex',
      'must be at most 1 character long',
    ],
    [
      'text over a longer maximum',
      z.object({ chartId: z.string().max(2) }),
      { chartId: 'SYN' },
      'chartId',
      'must be at most 2 characters long',
    ],
    [
      'text under a minimum above one',
      z.object({ chartId: z.string().min(3) }),
      { chartId: 'SY' },
      'chartId',
      'must be at least 3 characters long',
    ],
    [
      'empty text where one character is the minimum',
      z.object({ chartId: z.string().min(1) }),
      { chartId: '' },
      'chartId',
      'must not be empty',
    ],
    [
      'a list over a one-entry maximum, in the singular',
      z.object({ diagnoses: z.array(z.string()).max(1) }),
      { diagnoses: ['I10', 'I10'] },
      'diagnoses',
      'must have at most 1 entry',
    ],
    [
      'a list over a longer maximum',
      z.object({ diagnoses: z.array(z.string()).max(2) }),
      { diagnoses: ['I10', 'I10', 'I10'] },
      'diagnoses',
      'must have at most 2 entries',
    ],
    [
      'a set over its maximum',
      z.object({ documents: z.set(z.string()).max(2) }),
      { documents: new Set(['a', 'b', 'c']) },
      'documents',
      'must have at most 2 entries',
    ],
    [
      'an empty list where one entry is the minimum',
      z.object({ diagnoses: z.array(z.string()).min(1) }),
      { diagnoses: [] },
      'diagnoses',
      'must not be empty',
    ],
    [
      'a list under a minimum above one',
      z.object({ diagnoses: z.array(z.string()).min(2) }),
      { diagnoses: ['I10'] },
      'diagnoses',
      'must have at least 2 entries',
    ],
    [
      'an empty set where one entry is the minimum',
      z.object({ documents: z.set(z.string()).min(1) }),
      { documents: new Set() },
      'documents',
      'must not be empty',
    ],
    [
      'a set under a minimum above one',
      z.object({ documents: z.set(z.string()).min(2) }),
      { documents: new Set(['a']) },
      'documents',
      'must have at least 2 entries',
    ],
    [
      'text that is not an email address',
      z.object({ payer: z.object({ name: z.email() }) }),
      { payer: { name: SYNTHETIC_NAME } },
      'payer.name',
      'must be an email address',
    ],
    [
      "a regex with zod's default message, which would name the pattern",
      z.object({ coderId: z.string().regex(/^[a-z]+$/) }),
      { coderId: SYNTHETIC_NAME },
      'coderId',
      'does not have the expected format',
    ],
    [
      'another string format (uuid)',
      z.object({ chartId: z.uuid() }),
      { chartId: SYNTHETIC_NAME },
      'chartId',
      'does not have the expected format',
    ],
    [
      'another string format (prefix)',
      z.object({ chartId: z.string().startsWith('HH-') }),
      { chartId: SYNTHETIC_NAME },
      'chartId',
      'does not have the expected format',
    ],
    [
      'a whole number expected where the input held text (zod saw it converted)',
      z.object({ version: z.preprocess((v) => Number(v), z.int()) }),
      { version: '2.5' },
      'version',
      'must be a whole number, not text',
    ],
    [
      'a list expected as a tuple',
      z.object({ visits: z.tuple([z.string()]) }),
      { visits: SYNTHETIC_NAME },
      'visits',
      'must be a list, not text',
    ],
    [
      'a type the messages have no name for',
      z.object({ admission: z.object({ date: z.date() }) }),
      { admission: { date: '2022-03-01' } },
      'admission.date',
      'must be a value of another type, not text',
    ],
    [
      'a value under a symbol key, by its kind (it is there, not missing)',
      z.object({ patient: z.record(z.symbol(), z.string()) }),
      { patient: { [Symbol(SYNTHETIC_NAME)]: 5 } },
      'patient[*]',
      'must be text, not a whole number',
    ],
  ])('describes %s', (_, schema, raw, path, text) => {
    expect(findingsFor(schema, raw)).toEqual([
      { ruleId: 'SCHEMA', severity: 'reject', path, message: `${path}: ${text}` },
    ]);
  });

  it.each<[string, z.ZodType, unknown, string[]]>([
    // `constructor` is inherited from Object.prototype: zod reads it, but the input does not hold it.
    ['a field the input only inherits', z.object({ constructor: z.string() }), {}, ['[*]']],
    [
      'a field under a value that is null',
      z.object({ patient: z.preprocess(() => ({}), z.object({ id: z.string() })) }),
      { patient: null },
      ['patient.id'],
    ],
    [
      'an entry under a value that is text (text has indexes, but no fields)',
      z.object({ diagnoses: z.preprocess((v) => String(v).split(''), z.array(z.int())) }),
      { diagnoses: 'ab' },
      ['diagnoses[0]', 'diagnoses[1]'],
    ],
  ])('calls %s missing, whatever zod saw', (_, schema, raw, paths) => {
    expect(findingsFor(schema, raw).map((f) => f.message)).toEqual(
      paths.map((p) => `${p}: is required but missing`),
    );
  });

  it('answers an empty issue list with one finding on the chart, without a path', () => {
    expect(findingsFromIssues([], { chartId: SYNTHETIC_NAME })).toEqual([
      { ruleId: 'SCHEMA', severity: 'reject', message: 'chart: failed a check of the chart format' },
    ]);
  });

  it('describes an issue code it does not know generically, never by its message', () => {
    const future = { code: 'future_code', path: ['chartId'], message: SYNTHETIC_NAME } as unknown as Issue;
    expect(findingsFromIssues([future], {})).toEqual([
      {
        ruleId: 'SCHEMA',
        severity: 'reject',
        path: 'chartId',
        message: 'chartId: failed a check of the chart format',
      },
    ]);
  });

  it.each([
    ['an empty message', '', 'failed a check of the chart format'],
    [
      'a message of 200 characters',
      'needs its benefit period '.repeat(8),
      'needs its benefit period '.repeat(8),
    ],
    [
      'a message of 201 characters',
      `${'needs its benefit period '.repeat(8)}.`,
      'failed a check of the chart format',
    ],
  ])('keeps an authored message of up to 200 characters, and drops %s', (_, message, text) => {
    const issue = { code: 'custom', path: ['hospice'], message, input: {} } as unknown as Issue;
    expect(findingsFromIssues([issue], {}).map((f) => f.message)).toEqual([`hospice: ${text}`]);
  });

  it('lists the singular units among the fixed phrases', () => {
    expect(SCHEMA_MESSAGE_PHRASES).toEqual(expect.arrayContaining(['character long', 'entry']));
  });
});

describe('safePath around oasis.items', () => {
  it.each([
    ['oasis.items[*]', ['oasis', 'items', Symbol(SYNTHETIC_NAME)]],
    ['oasis.items.M1800[*]', ['oasis', 'items', 'M1800', 'M1800']],
    ['hospice.items[*]', ['hospice', 'items', 'M1800']],
    ['oasis.assessmentDate[*]', ['oasis', 'assessmentDate', 'M1800']],
    ['[*].items[*]', [Symbol(SYNTHETIC_NAME), 'items', 'M1800']],
  ])('prints an item id only as the third segment of oasis.items: %s', (written, path) => {
    expect(safePath(path)).toBe(written);
  });
});

describe('safePath, item ids of oasis.items', () => {
  it.each([
    ['M1800', 'oasis.items.M1800'],
    ['GG0130A1', 'oasis.items.GG0130A1'],
    ['M1033_HOSP_RISK', 'oasis.items.M1033_HOSP_RISK'],
    // One or two letters, then four digits, then letters, digits or underscores: nothing else is echoed.
    ['XGG0130', 'oasis.items[*]'],
    ['M180', 'oasis.items[*]'],
    ['M1800 ', 'oasis.items[*]'],
    ['Jane M1800', 'oasis.items[*]'],
    ['m1800', 'oasis.items[*]'],
    [`M1800${'A'.repeat(35)}`, 'oasis.items.M1800AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    [`M1800${'A'.repeat(36)}`, 'oasis.items[*]'],
  ])('prints the key %j as %s', (key, written) => {
    expect(safePath(['oasis', 'items', key])).toBe(written);
  });
});

describe('schemaVocabulary', () => {
  const sorted = (set: Set<string>) => [...set].sort();

  it.each<[string, unknown, string[], string[]]>([
    ['nothing in an empty schema', {}, [], []],
    [
      'properties at every depth',
      { properties: { patient: { properties: { id: {} } }, version: {} } },
      ['id', 'patient', 'version'],
      ['id', 'patient', 'version'],
    ],
    ['list items', { items: { properties: { code: {} } } }, ['code'], ['code']],
    ['tuple items', { prefixItems: [{ properties: { code: {} } }] }, ['code'], ['code']],
    ['record values', { additionalProperties: { properties: { code: {} } } }, ['code'], ['code']],
    [
      'anyOf branches',
      { anyOf: [{ properties: { a: {} } }, { properties: { b: {} } }] },
      ['a', 'b'],
      ['a', 'b'],
    ],
    ['oneOf branches', { oneOf: [{ properties: { a: {} } }] }, ['a'], ['a']],
    ['allOf parts', { allOf: [{ properties: { a: {} } }] }, ['a'], ['a']],
    ['definitions', { $defs: { Dx: { properties: { code: {} } } } }, ['code'], ['code']],
    [
      'string enum options and literals as words, not fields',
      { properties: { type: { enum: ['hospice', 1, null] }, v: { const: 'home_health' }, n: { const: 1 } } },
      ['n', 'type', 'v'],
      ['home_health', 'hospice', 'n', 'type', 'v'],
    ],
  ])('collects %s', (_, schema, fields, words) => {
    const vocabulary = schemaVocabulary(schema);
    expect(sorted(vocabulary.fields)).toEqual(fields);
    expect(sorted(vocabulary.words)).toEqual(words);
  });

  it.each<[string, unknown, string[]]>([
    [
      'boolean, number, text and null schemas',
      { properties: { a: true, b: false, c: 1, d: 'x', e: null } },
      ['a', 'b', 'c', 'd', 'e'],
    ],
    ['properties that are not an object', { properties: 'abc' }, []],
    ['null properties', { properties: null }, []],
    ['definitions that are null or text', { anyOf: [{ $defs: null }, { $defs: 'abc' }] }, []],
    ['an enum that is not a list', { enum: 'abc' }, []],
    ['junk in combinators', { anyOf: [null, 1, 'x', [{ properties: { a: {} } }]], items: null }, ['a']],
    ['a bare value', 'abc', []],
  ])('skips what is not a schema: %s', (_, schema, fields) => {
    const vocabulary = schemaVocabulary(schema);
    expect(sorted(vocabulary.fields)).toEqual(fields);
    expect(sorted(vocabulary.words)).toEqual(fields);
  });

  it("knows the chart's nested fields and allowed values", () => {
    const { fields, words } = schemaVocabulary(jsonSchemas().chart);
    for (const field of ['diagnoses', 'presentOnAdmission', 'benefitPeriod', 'generalInpatient', 'items'])
      expect(fields).toContain(field);
    for (const word of ['hospice', 'ICD-10-CM', 'plan_of_care', 'expedited']) expect(words).toContain(word);
  });
});
