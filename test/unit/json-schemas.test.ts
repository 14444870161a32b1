import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { billingContractMarkdown } from '#shared/billing/contract-doc.ts';
import { Chart } from '#shared/model/chart.ts';
import { DenialEntry, DenialFile } from '#shared/model/denial.ts';
import { jsonSchemas, schemaFileText } from '#shared/model/json-schemas.ts';
import { readExportFile } from '../support/read-records.ts';

const docs = new URL('../../docs/schemas/', import.meta.url);
const examples = new URL('../../examples/', import.meta.url);
const schemas = jsonSchemas();
/** ajv-formats is CommonJS: its plugin is module.exports, also exported as `.default`. */
const addFormats = ajvFormats.default;

function schema(name: string): object {
  const found = schemas[name];
  if (!found) throw new Error(`no schema ${name}`);
  return found;
}

interface Expected {
  charts: { agencyId: string; chartId: string; version: number; file: string; entry: number }[];
  quarantined: { file: string; line: number; reason: 'not-json' | 'schema'; chartId?: string }[];
}
const expected = JSON.parse(readFileSync(new URL('expected-outcomes.json', examples), 'utf8')) as Expected;

/** Every entry of every example export, as intake reads it. */
async function exportEntries() {
  const out: { file: string; line: number; value?: unknown; error?: string }[] = [];
  for (const agency of readdirSync(new URL('exports/', examples)).sort()) {
    for (const name of readdirSync(new URL(`exports/${agency}/`, examples)).sort()) {
      const file = `exports/${agency}/${name}`;
      if (!name.includes('.')) continue;
      for (const entry of await readExportFile(new URL(file, examples))) {
        out.push(
          'error' in entry
            ? { file, line: entry.line, error: entry.error }
            : { file, line: entry.line, value: entry.value },
        );
      }
    }
  }
  return out;
}

describe('docs/schemas', () => {
  it('publishes the chart, message, receipt, QA, batch and denial contracts', () => {
    expect(Object.keys(schemas)).toEqual([
      'chart',
      'chart-message',
      'intake-continuation',
      'intake-receipt',
      'review-request',
      'verdict',
      'dispute',
      'dispute-resolution',
      'batch-ready',
      'billing-reply',
      'batch-manifest',
      'denial-file',
      'denial-entry',
    ]);
    for (const schema of Object.values(schemas)) {
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      });
    }
  });

  it('are committed exactly as generated (run `npm run docs` after changing a model)', () => {
    const committed = readdirSync(docs)
      .filter((f) => f.endsWith('.schema.json'))
      .sort();
    expect(committed).toEqual(
      Object.keys(schemas)
        .map((n) => `${n}.schema.json`)
        .sort(),
    );
    for (const [name, schema] of Object.entries(schemas)) {
      expect(readFileSync(new URL(`${name}.schema.json`, docs), 'utf8'), `${name}.schema.json is stale`).toBe(
        schemaFileText(schema),
      );
    }
  });

  it('describe the chart as EMR exports write it: defaults may be left out', () => {
    const chart = schemas.chart as { required: string[]; properties: Record<string, unknown> };
    expect(chart.required).toEqual(
      expect.arrayContaining([
        'agencyId',
        'chartId',
        'version',
        'lineOfBusiness',
        'coderId',
        'diagnoses',
        'codingCompletedAt',
      ]),
    );
    expect(chart.required).not.toContain('visits');
    expect(chart.required).not.toContain('schemaVersion');
  });

  it('lay out JSON stably: two-space indent, trailing newline, short scalar arrays on one line', () => {
    expect(schemaFileText({ a: [1, 2], b: { c: [] }, d: {} })).toBe(
      '{\n  "a": [1, 2],\n  "b": {\n    "c": []\n  },\n  "d": {}\n}\n',
    );
    const long = Array.from({ length: 20 }, (_, i) => `value-number-${i}`);
    expect(schemaFileText({ e: long }).split('\n')).toHaveLength(long.length + 5);
  });
});

const exampleEntries = await exportEntries();

describe('example exports against the chart contract', () => {
  const entries = exampleEntries;
  const schemaFailures = new Set(
    expected.quarantined.filter((q) => q.reason === 'schema').map((q) => `${q.file}#${q.line}`),
  );
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validateJson = ajv.compile(schema('chart'));

  it('every chart meant to be valid parses with the Chart zod schema and the published JSON Schema', () => {
    const valid = entries.filter((e) => e.value !== undefined && !schemaFailures.has(`${e.file}#${e.line}`));
    // Charts of FHIR drops (in a drop's own folder) are assembled, not canonical: examples.test.ts has them.
    const canonical = expected.charts.filter((c) => c.file.split('/').length === 3);
    expect(valid).toHaveLength(canonical.length);
    for (const entry of valid) {
      const parsed = Chart.safeParse(entry.value);
      expect(parsed.success, `${entry.file} entry ${entry.line}: ${parsed.error?.message}`).toBe(true);
      expect(
        validateJson(entry.value),
        `${entry.file} entry ${entry.line}: ${ajv.errorsText(validateJson.errors)}`,
      ).toBe(true);
    }
  });

  it('the chart meant to fail the schema fails both', () => {
    const invalid = entries.filter((e) => schemaFailures.has(`${e.file}#${e.line}`));
    expect(invalid).toHaveLength(schemaFailures.size);
    for (const entry of invalid) {
      expect(Chart.safeParse(entry.value).success).toBe(false);
      expect(validateJson(entry.value)).toBe(false);
    }
  });

  it('the example denial file matches the denial-file and denial-entry contracts', () => {
    const ajvDenials = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajvDenials);
    const file = JSON.parse(
      readFileSync(new URL('remittances/demo-agency/2022-05-11-denials.json', examples), 'utf8'),
    );
    expect(ajvDenials.validate(schema('denial-file'), file)).toBe(true);
    const parsed = DenialFile.parse(file);
    for (const entry of parsed.denials) {
      expect(DenialEntry.safeParse(entry).success).toBe(true);
      expect(ajvDenials.validate(schema('denial-entry'), entry)).toBe(true);
    }
  });
});

describe('docs/billing-contract.md', () => {
  it('is committed exactly as generated, with the message and manifest schemas (run `npm run docs`)', () => {
    const all = jsonSchemas();
    const expected = billingContractMarkdown({
      batchReady: all['batch-ready'] ?? {},
      batchManifest: all['batch-manifest'] ?? {},
    });
    expect(readFileSync(new URL('../../docs/billing-contract.md', import.meta.url), 'utf8')).toBe(expected);
    expect(expected).toContain('codetrail.billing/3');
  });
});
