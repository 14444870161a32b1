import { Chart } from '#shared/model/chart.ts';
import type { Finding } from '#shared/model/chart-state.ts';
import { jsonSchemas } from '#shared/model/json-schemas.ts';
import { findingOf, type RuleInfo } from './rule.ts';

/**
 * The schema check as a rule: every zod issue of the canonical Chart schema becomes one SCHEMA error.
 *
 * Values may be PHI, so a finding is built from the schema's own vocabulary only: field names, the
 * expected type, limits and allowed values. It never repeats what the input held, not even in the path
 * (a record key that is not a valid OASIS item id is shown as `[*]`).
 */
export const SCHEMA_RULE: RuleInfo = {
  id: 'SCHEMA',
  severity: 'reject',
  title: 'Chart matches the canonical chart format',
  what: 'The chart parses against the canonical Chart schema (shared/model/chart.ts, published as docs/schemas/chart.schema.json). Each problem is one finding naming the field path, for example diagnoses[2].code.',
  why: 'The rules, the QA queue and billing read the canonical chart; a chart that does not match it cannot be checked. Intake quarantines such charts; validation reports them the same way if one reaches it.',
  sources: [{ tag: 'codetrail', cite: 'shared/model/chart.ts (zod), docs/schemas/chart.schema.json' }],
};

/** Every fixed phrase a schema finding can contain, besides field names and the schema's own limits. */
export const SCHEMA_MESSAGE_PHRASES = [
  'chart',
  'is required but missing',
  'must be',
  'not',
  'text',
  'a number',
  'a whole number',
  'true or false',
  'an object',
  'a list',
  'null',
  'a value of another type',
  'must be at most',
  'must be less than',
  'must be at least',
  'must be more than',
  'characters long',
  'character long',
  'must have at most',
  'must have at least',
  'entries',
  'entry',
  'must not be empty',
  'must be one of',
  'does not have the expected format',
  'must be a calendar date YYYY-MM-DD',
  'must be an ISO 8601 date-time with a UTC offset',
  'must be an email address',
  'has fields that are not part of the chart format',
  'does not match any accepted form',
  'has a key that is not allowed here',
  'is not an OASIS item id (for example M1800)',
  'has an invalid entry',
  'must be a multiple of',
  'failed a check of the chart format',
  'the chart could not be read',
] as const;

type Issue = NonNullable<ReturnType<typeof Chart.safeParse>['error']>['issues'][number];
type PathSegment = PropertyKey;

const OASIS_ITEM_KEY = /^[A-Z]{1,2}\d{4}[A-Z0-9_]*$/;

/**
 * Runs the Chart schema over untrusted input. Never throws: whatever `raw` is, the answer is either a
 * chart and no findings, or no chart and at least one SCHEMA finding.
 */
export function validateChartInput(raw: unknown): { chart?: Chart; findings: Finding[] } {
  let parsed: ReturnType<typeof Chart.safeParse>;
  try {
    parsed = Chart.safeParse(raw);
  } catch {
    return { findings: [findingOf(SCHEMA_RULE, 'chart: the chart could not be read')] };
  }
  if (parsed.success) return { chart: parsed.data, findings: [] };
  return { findings: findingsFromIssues(parsed.error.issues, raw) };
}

/**
 * One SCHEMA finding per zod issue, worded from the schema alone; at least one finding even when zod
 * gives no issue, so a failed parse is never silent. `raw` is the input that was parsed: it tells a
 * missing field from one of the wrong kind, and which authored messages would repeat an input string.
 */
export function findingsFromIssues(issues: readonly Issue[], raw: unknown): Finding[] {
  const findings = issues.map((issue) => {
    const path = safePath(issue.path);
    return findingOf(SCHEMA_RULE, `${path || 'chart'}: ${describe(issue, raw)}`, path || undefined);
  });
  if (findings.length === 0) {
    findings.push(findingOf(SCHEMA_RULE, 'chart: failed a check of the chart format'));
  }
  return findings;
}

/** `['diagnoses', 2, 'code']` -> `diagnoses[2].code`; segments the schema does not name become `[*]`. */
export function safePath(path: readonly PathSegment[]): string {
  const fields = knownFields();
  let out = '';
  path.forEach((segment, i) => {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (typeof segment !== 'string') {
      out += '[*]';
    } else if (isOasisItemKey(path, i)) {
      out += OASIS_ITEM_KEY.test(segment) && segment.length <= 40 ? `.${segment}` : '[*]';
    } else if (fields.has(segment)) {
      out += out ? `.${segment}` : segment;
    } else {
      out += '[*]';
    }
  });
  return out;
}

function isOasisItemKey(path: readonly PathSegment[], i: number): boolean {
  return i === 2 && path[0] === 'oasis' && path[1] === 'items';
}

function describe(issue: Issue, raw: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(raw, issue.path);
      if (value === undefined) return 'is required but missing';
      if (issue.expected === 'int' && typeof value === 'number') return 'must be a whole number';
      return `must be ${expectedName(issue.expected)}, not ${kindOf(value)}`;
    }
    case 'too_big':
      return tooBig(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'invalid_format':
      return invalidFormat(issue, raw);
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${literal(issue.values[0])}`
        : `must be one of ${issue.values.map(literal).join(', ')}`;
    case 'unrecognized_keys':
      return 'has fields that are not part of the chart format';
    case 'invalid_union':
      return 'does not match any accepted form';
    case 'invalid_key':
      return isOasisItemKey(issue.path, 2)
        ? 'is not an OASIS item id (for example M1800)'
        : 'has a key that is not allowed here';
    case 'invalid_element':
      return 'has an invalid entry';
    case 'not_multiple_of':
      return `must be a multiple of ${Number(issue.divisor)}`;
    case 'custom':
      return authored(issue.message, raw) ?? 'failed a check of the chart format';
    default:
      return 'failed a check of the chart format';
  }
}

function tooBig(issue: Extract<Issue, { code: 'too_big' }>): string {
  const max = String(issue.maximum);
  if (issue.origin === 'string') return `must be at most ${count(max, 'character', 'characters')} long`;
  if (issue.origin === 'array' || issue.origin === 'set')
    return `must have at most ${count(max, 'entry', 'entries')}`;
  return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const min = String(issue.minimum);
  if (issue.origin === 'string')
    return min === '1' ? 'must not be empty' : `must be at least ${min} characters long`;
  if (issue.origin === 'array' || issue.origin === 'set') {
    return min === '1' ? 'must not be empty' : `must have at least ${min} entries`;
  }
  return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
}

/** A limit with its unit, singular for 1: `1 entry`, `25 entries`. */
function count(limit: string, one: string, many: string): string {
  return `${limit} ${limit === '1' ? one : many}`;
}

function invalidFormat(issue: Extract<Issue, { code: 'invalid_format' }>, raw: unknown): string {
  switch (issue.format) {
    case 'date':
      return 'must be a calendar date YYYY-MM-DD';
    case 'datetime':
      return 'must be an ISO 8601 date-time with a UTC offset';
    case 'email':
      return 'must be an email address';
    case 'regex': {
      // zod's default names the pattern; a schema-authored message says what the field holds.
      const custom = issue.message.startsWith('Invalid') ? undefined : authored(issue.message, raw);
      return custom ? `does not have the expected format (${custom})` : 'does not have the expected format';
    }
    default:
      return 'does not have the expected format';
  }
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
    case 'tuple':
      return 'a list';
    default:
      return 'a value of another type';
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return 'a value of another type';
  }
}

/** An allowed value from the schema (an enum option or literal), never from the input. */
function literal(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * The input's value at `path`, through own properties only; undefined when there is none, which the
 * caller treats like a field given as undefined: both are missing.
 */
function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * A message written in the schema (a refine, or a regex's description). They are static today; should
 * one ever interpolate the input, it is dropped rather than risk repeating a value. Input strings that
 * are the schema's own words (field names, enum values) do not count: "period" or "hospice" may appear.
 */
function authored(message: string, raw: unknown): string | undefined {
  if (!message || message.length > 200) return undefined;
  const words = vocabulary().words;
  for (const value of inputStrings(raw)) {
    if (value.length > 3 && !words.has(value) && message.includes(value)) return undefined;
  }
  return message;
}

function* inputStrings(raw: unknown, depth = 0): Generator<string> {
  if (typeof raw === 'string') {
    yield raw;
    return;
  }
  if (raw === null || typeof raw !== 'object' || depth > 32) return;
  for (const [key, value] of Object.entries(raw)) {
    yield key;
    yield* inputStrings(value, depth + 1);
  }
}

export interface Vocabulary {
  /** Every property name the schema defines, at any depth: the words a path may use. */
  fields: Set<string>;
  /** Those, plus every enum option and literal: words a message may share with the input. */
  words: Set<string>;
}

let cached: Vocabulary | undefined;

function knownFields(): Set<string> {
  return vocabulary().fields;
}

function vocabulary(): Vocabulary {
  // Stryker disable next-line ConditionalExpression: a cache miss rebuilds an equal vocabulary from the same schema; only the time differs
  if (cached) return cached;
  cached = schemaVocabulary(jsonSchemas().chart);
  return cached;
}

/** The field names and words of a JSON Schema (as z.toJSONSchema writes it); tolerates any JSON. */
export function schemaVocabulary(schema: unknown): Vocabulary {
  const fields = new Set<string>();
  const words = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const properties = record.properties;
    if (properties && typeof properties === 'object') {
      for (const [name, child] of Object.entries(properties)) {
        fields.add(name);
        walk(child);
      }
    }
    if (Array.isArray(record.enum)) for (const v of record.enum) if (typeof v === 'string') words.add(v);
    if (typeof record.const === 'string') words.add(record.const);
    // An absent key reads undefined, which walk skips.
    for (const key of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties', 'prefixItems']) {
      walk(record[key]);
    }
    // Object.values of a truthy value that is not an object gives nothing walk keeps (letters, nothing).
    if (record.$defs) walk(Object.values(record.$defs));
  };
  walk(schema);
  for (const f of fields) words.add(f);
  return { fields, words };
}
