import { describe, expect, it } from 'vitest';
import { readReceipt } from '#cli/lib/receipts.ts';

/** Receipts as stored: schema 2, and schema 1 (Object-Locked copies can never be rewritten), keys left out. */
const counts = { read: 1, accepted: 1, quarantined: 0, superseded: 0, duplicates: 0 };
const common = {
  objectId: 'ob1',
  agencyId: 'a',
  format: 'fhir-bulk',
  bytes: 10,
  receivedAt: '2026-11-01T00:00:00Z',
  finishedAt: '2026-11-01T00:00:01Z',
  segments: 1,
  counts,
  issueCount: 0,
};

describe('reading a stored receipt', () => {
  it('reads schema 2 as it is', () => {
    const stored = {
      ...common,
      schemaVersion: 2,
      source: { objectId: 'ob1', bucket: 'b', etag: 'e' },
      files: [{ objectId: 'ob2', resourceType: 'Patient', bytes: 3, lines: 1 }],
    };
    expect(readReceipt(stored)).toEqual(stored);
  });

  it('reads schema 1 in the current shape, leaving its object keys out', () => {
    const read = readReceipt({
      ...common,
      schemaVersion: 1,
      source: { bucket: 'b', key: 'exports/a/Doe_Jane.ndjson', etag: 'e' },
      files: [{ key: 'exports/a/drop/Patient.ndjson', resourceType: 'Patient', bytes: 3, lines: 1 }],
    });
    expect(read.schemaVersion).toBe(2);
    expect(read.source).toEqual({ objectId: 'ob1', bucket: 'b', etag: 'e' });
    expect(read.files).toEqual([
      { objectId: 'unknown (schema 1)', resourceType: 'Patient', bytes: 3, lines: 1 },
    ]);
    expect(JSON.stringify(read)).not.toMatch(/Doe_Jane|exports\//);
  });

  it('refuses what is no receipt', () => {
    expect(() => readReceipt({ schemaVersion: 3 })).toThrow();
    expect(() => readReceipt(null)).toThrow();
  });
});
