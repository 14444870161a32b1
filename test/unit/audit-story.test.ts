import { describe, expect, it } from 'vitest';
import { adrOpenedEvent } from '#shared/audit-trail/adr-register.ts';
import { auditEventId, chainLink, GENESIS_HASH } from '#shared/audit-trail/chain.ts';
import { chartOpenedEvent } from '#shared/audit-trail/person-events.ts';
import { digestKey, segmentKey, segmentText } from '#shared/audit-trail/segments.ts';
import {
  actorText,
  chartStory,
  relatedSubjects,
  type SealedEvent,
  sealedEvents,
  sealedThrough,
  standingText,
  summarize,
  versionsIn,
} from '#shared/audit-trail/story.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';

const AGENCY = 'agency-s';
const CK = `${AGENCY}.ck${'a'.repeat(30)}`;
const OTHER = `${AGENCY}.ck${'b'.repeat(30)}`;

function event(type: string, subject: string, n: number, detail?: Record<string, unknown>): AuditEvent {
  return {
    type,
    agencyId: AGENCY,
    subject,
    actor: type.startsWith('verdict') ? 'sender:AROA:qa-7' : 'stage:x',
    at: new Date(Date.UTC(2026, 11, 1, 9) + n * 1000).toISOString(),
    idempotencyKey: `k${n}`,
    ...(detail ? { detail } : {}),
  };
}

/** The trail's events, two segments: 0 holds the first three, 1 the rest. */
const EVENTS: AuditEvent[] = [
  event('chart.received', `chart:${CK}:v1`, 0, {
    objectId: 'ob1',
    coderId: 'c-1',
    contentHash: 'f'.repeat(64),
  }),
  event('object.received', 'object:ob1', 1, { accepted: 2 }),
  event('chart.received', `chart:${OTHER}:v1`, 2, { objectId: 'ob1' }),
  event('chart.batched', `chart:${CK}:v1`, 3, {
    batchId: 'b1',
    claimRef: 'CTAAAAAAAAAAAAAA',
    sha256: 'e'.repeat(64),
  }),
  event('batch.handed-off', 'batch:b1', 4, { manifestSha256: 'd'.repeat(64), chartCount: 2 }),
  event('batch.handed-off', 'batch:b2', 5, { manifestSha256: 'c'.repeat(64) }),
];

function sealed(): SealedEvent[] {
  let prev = GENESIS_HASH;
  return EVENTS.map((e, seq) => {
    const link = chainLink(AGENCY, seq, auditEventId(e), prev, e as unknown as Record<string, unknown>);
    prev = link.hash;
    return { segment: seq < 3 ? 0 : 1, link };
  });
}

const story = (over: Partial<Parameters<typeof chartStory>[0]> = {}) =>
  chartStory({ agencyId: AGENCY, chartKey: CK, sealed: sealed(), problems: [], recorded: [], ...over });

describe("a chart's story from its agency's trail", () => {
  it('gathers its versions, the batches that billed it and the files that brought it, each verified', () => {
    const s = story();
    expect(s.versions.map((v) => [v.version, v.events.map((e) => e.type)])).toEqual([
      [1, ['chart.received', 'chart.batched']],
    ]);
    expect(s.batches).toEqual([
      { batchId: 'b1', events: [expect.objectContaining({ type: 'batch.handed-off' })] },
    ]);
    expect(s.sources.map((x) => [x.objectId, x.events.map((e) => e.type)])).toEqual([
      ['ob1', ['object.received']],
    ]);
    expect(s.versions[0]?.events[1]?.standing).toEqual({ state: 'verified', segment: 1, seq: 3 });
    expect(s.verified).toBe(true);
    // Nothing of another chart, or of a batch that did not bill it.
    expect(JSON.stringify(s)).not.toContain(OTHER);
    expect(JSON.stringify(s)).not.toContain('"b2"');
  });

  it('marks what the verification found: the event named, or every event of a segment named', () => {
    const one = story({
      problems: [{ kind: 'modified', agencyId: AGENCY, segment: 1, seq: 3, detail: 'hash' }],
    });
    expect(one.versions[0]?.events.map((e) => e.standing.state)).toEqual(['verified', 'not-verified']);
    expect(one.versions[0]?.events[1]?.standing).toEqual({
      state: 'not-verified',
      segment: 1,
      seq: 3,
      problems: ['modified: hash'],
    });
    // The batch's event is in the same segment, but the problem names another event.
    expect(one.batches[0]?.events[0]?.standing.state).toBe('verified');
    expect(one.verified).toBe(false);
    const whole = story({
      problems: [{ kind: 'bad-signature', agencyId: AGENCY, segment: 1, detail: 'sig' }],
    });
    expect(whole.batches[0]?.events[0]?.standing.state).toBe('not-verified');
    expect(whole.versions[0]?.events[0]?.standing.state).toBe('verified');
  });

  it('adds what the audit table holds and the trail does not yet, and names a table copy that differs', () => {
    const later = event('verdict.agree', `chart:${CK}:v2`, 9, { reviewerId: 'qa-7', corrections: [] });
    const changed = { ...(EVENTS[3] as AuditEvent), detail: { batchId: 'b1', claimRef: 'CTZZZZZZZZZZZZZZ' } };
    const s = story({ recorded: [EVENTS[0] as AuditEvent, changed, later] });
    expect(s.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(s.versions[1]?.events[0]?.standing).toEqual({ state: 'not-sealed-yet' });
    // The same event as sealed stays verified; the changed copy is named, with where the sealed one is.
    expect(s.versions[0]?.events.map((e) => e.standing)).toEqual([
      { state: 'verified', segment: 0, seq: 0 },
      { state: 'table-differs', segment: 1, seq: 3 },
    ]);
    // What the story shows is what was sealed, not the changed copy.
    expect(s.versions[0]?.events[1]?.detail?.claimRef).toBe('CTAAAAAAAAAAAAAA');
    expect(s.verified).toBe(false);
    // Only the table's: a chart nothing is sealed of yet.
    const fresh = chartStory({ agencyId: AGENCY, chartKey: CK, sealed: [], problems: [], recorded: [later] });
    expect(fresh.versions.map((v) => v.version)).toEqual([2]);
    expect(fresh.verified).toBe(false);
    expect(
      chartStory({ agencyId: AGENCY, chartKey: CK, sealed: [], problems: [], recorded: [] }).verified,
    ).toBe(false);
  });

  it('names an event the table holds that an earlier seal should have sealed: deleted, or never chained', () => {
    // Recorded at 09:00:09; the seal before the last was signed at 10:00.
    const later = event('verdict.agree', `chart:${CK}:v1`, 9, { reviewerId: 'qa-7', corrections: [] });
    const overdue = story({ recorded: [later], sealedThrough: '2026-12-01T10:00:00.000Z' });
    expect(overdue.versions[0]?.events.at(-1)?.standing).toEqual({ state: 'missing-from-trail' });
    expect(standingText({ state: 'missing-from-trail' })).toMatch(/^NOT IN THE SEALED TRAIL/);
    expect(overdue.verified).toBe(false);
    // Recorded after it: the last seal may well have come before it was chained.
    expect(
      story({ recorded: [later], sealedThrough: '2026-12-01T09:00:05.000Z' }).versions[0]?.events.at(-1)
        ?.standing,
    ).toEqual({ state: 'not-sealed-yet' });
  });

  it('takes when the seal before the last was signed from the digests, of the agency alone', () => {
    const digest = (agency: string, index: number, signedAt: string): [string, string] => [
      digestKey(agency, index),
      JSON.stringify({ index, signedAt }),
    ];
    const files = new Map([
      digest(AGENCY, 0, '2026-12-01T09:00:00.000Z'),
      digest(AGENCY, 2, '2026-12-01T11:00:00.000Z'),
      digest(AGENCY, 1, '2026-12-01T10:00:00.000Z'),
      digest('other', 3, '2026-12-01T12:00:00.000Z'),
      [digestKey(AGENCY, 9), 'not json'],
    ]);
    expect(sealedThrough(files, AGENCY)).toBe('2026-12-01T10:00:00.000Z');
    expect(sealedThrough(new Map([digest(AGENCY, 0, '2026-12-01T09:00:00.000Z')]), AGENCY)).toBeUndefined();
  });

  it("adds people's own events that name the chart: documentation requests and openings, no other chart's", () => {
    const opened = chartOpenedEvent({
      agencyId: AGENCY,
      chartKey: CK,
      version: 1,
      purpose: 'billing',
      actor: 'arn:b',
      at: 'x',
    });
    const elsewhere = chartOpenedEvent({
      agencyId: AGENCY,
      chartKey: OTHER,
      version: 1,
      purpose: 'billing',
      actor: 'arn:b',
      at: 'y',
    });
    const adr = adrOpenedEvent({
      agencyId: AGENCY,
      adr: { adrId: 'adr-000000000001', chartKey: CK, received: '2026-12-01', due: '2027-01-15' },
      actor: 'arn:c',
      at: 'z',
    });
    // A person's event under a chart's own subject would be a chart's event, not theirs: only these two subjects.
    const misplaced = { ...opened, subject: 'batch:b9', idempotencyKey: 'm' };
    const s = story({ recorded: [opened, elsewhere, adr, misplaced] });
    expect(s.access.map((e) => [e.actor, e.detail?.chartKey])).toEqual([['arn:b', CK]]);
    expect(s.requests.map((e) => e.summary)).toEqual([
      'documentation request adr-000000000001 received 2026-12-01, due 2027-01-15',
    ]);
    expect(JSON.stringify(s)).not.toContain('batch:b9');
    // Not sealed yet, they leave the chart's own story verified.
    expect(s.access[0]?.standing.state).toBe('not-sealed-yet');
    expect(s.verified).toBe(true);
  });

  it("says who AWS vouches sent a person's own event once it is sealed, and only for a person's event", () => {
    const opened = chartOpenedEvent({
      agencyId: AGENCY,
      chartKey: CK,
      version: 1,
      purpose: 'qa-review',
      actor: 'arn:aws:sts::111122223333:assumed-role/qa/qa-7',
      at: '2026-12-01T10:00:00.000Z',
    });
    const links = sealed();
    const last = links.at(-1)?.link as SealedEvent['link'];
    const openedLink = chainLink(
      AGENCY,
      last.seq + 1,
      auditEventId(opened),
      last.hash,
      opened as never,
      'staff:qa-7',
    );
    const withSender = story({ sealed: [...links, { segment: 1, link: openedLink }] });
    expect(withSender.access.map(actorText)).toEqual([
      'arn:aws:sts::111122223333:assumed-role/qa/qa-7 (sent by staff:qa-7)',
    ]);
    expect(story({ recorded: [opened] }).access.map(actorText)).toEqual([
      'arn:aws:sts::111122223333:assumed-role/qa/qa-7 (sender not verified: not sealed)',
    ]);
    // One the chainer refused is shown so, with why: it will never be sealed.
    const refusal = {
      ...event('audit.message-refused', 'audit-queue', 99),
      detail: {
        reason: 'access: the event names another person than the one who sent it',
        eventId: auditEventId(opened),
      },
    };
    expect(
      story({ recorded: [opened], refusals: [refusal] }).access.map((e) => standingText(e.standing)),
    ).toEqual(['REFUSED BY THE CHAINER: access: the event names another person than the one who sent it']);
    // A stage's event is its stage's: who sent it to the chainer is not what a reader asks.
    expect(
      actorText({ subject: `chart:${CK}:v1`, actor: 'stage:x', sentBy: 'sender:AROAX:codetrail-x' }),
    ).toBe('stage:x');
  });

  it('reads the sealed events of one agency from the segment files, in chain order, past a broken line', () => {
    const links = sealed().map((s) => s.link);
    const files = new Map([
      [segmentKey(AGENCY, 1), `${segmentText(links.slice(3))}not json\n`],
      [segmentKey(AGENCY, 0), segmentText(links.slice(0, 3))],
      [segmentKey('agency-t', 0), segmentText(links.slice(0, 1))],
      [`audit-trail/${AGENCY}/digests/0000000000.json`, '{}'],
    ]);
    const read = sealedEvents(files, AGENCY);
    expect(read.map((s) => [s.segment, s.link.seq])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 3],
      [1, 4],
      [1, 5],
    ]);
    expect(versionsIn([...EVENTS, event('x', `chart:${CK}:v7`, 7)], CK)).toEqual([1, 7]);
    expect(relatedSubjects(EVENTS)).toEqual(['batch:b1', 'object:ob1']);
  });

  it('says what a validation judged the chart against, and what it grouped to', () => {
    expect(
      summarize({
        type: 'chart.validated',
        detail: {
          findings: [{ ruleId: 'HH-1', severity: 'warn' }],
          tables: [
            { table: 'icd10cm', version: 'FY2026', inForce: true, sample: false },
            { table: 'codeFirst', version: 'codetrail-starter', inForce: true, sample: true },
            { table: 'pdgm', version: 'CY2025', inForce: true, sample: true },
            { table: 'hospicePrincipal', version: 'FY2024', inForce: false, sample: false },
          ],
          grouping: { hipps: '1AA11', clinicalGroup: 'MMTA', pdgmVersion: 'CY2025', sample: true },
        },
      }),
    ).toBe(
      'validated: HH-1 (warn); grouped to HIPPS 1AA11 (PDGM CY2025, sample); tables icd10cm FY2026, codeFirst codetrail-starter (sample), pdgm CY2025 (sample), hospicePrincipal FY2024 (NOT IN FORCE)',
    );
  });

  it('says each kind of event in a line of ids, codes and figures', () => {
    expect(
      summarize({ type: 'chart.validated', detail: { findings: [{ ruleId: 'DX-1', severity: 'warn' }] } }),
    ).toBe('validated: DX-1 (warn)');
    expect(summarize({ type: 'chart.validated', detail: { findings: [] } })).toBe('validated: no findings');
    expect(
      summarize({
        type: 'chart.denied',
        detail: { claimRef: 'CT1', reasonCodes: ['CO-50'], family: 'medical_necessity' },
      }),
    ).toBe('denied on claimRef CT1: CO-50 (medical_necessity); remarks none');
    expect(
      summarize({
        type: 'verdict.corrected',
        detail: { reviewerId: 'qa-7', corrections: [{}, {}], status: 'QA_CORRECTED' },
      }),
    ).toBe('QA corrected by reviewer qa-7: 2 correction(s), QA_CORRECTED');
    expect(summarize({ type: 'chart.superseded', detail: { newerVersion: 2, nested: { x: 1 } } })).toBe(
      'newerVersion 2',
    );
    expect(summarize({ type: 'chart.redriven' })).toBe('chart.redriven');
  });
});
