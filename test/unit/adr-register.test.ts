import { describe, expect, it } from 'vitest';
import { looksLikePatientOrClaimId } from '#cli/commands/adr.ts';
import {
  ADR_ID,
  ADR_REFERENCE,
  adrClosedEvent,
  adrIdOf,
  adrOpenedEvent,
  adrRegister,
  daysLeft,
} from '#shared/audit-trail/adr-register.ts';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { chartOpenedEvent, PERSON_SUBJECTS } from '#shared/audit-trail/person-events.ts';

const AGENCY = 'agency-d';
const CK = `${AGENCY}.ck${'c'.repeat(30)}`;

describe('the register of documentation requests', () => {
  it('is one id per chart, day and reference, so logging a request twice logs it once', () => {
    const id = adrIdOf(CK, '2026-12-01', 'ADR-1');
    expect(id).toMatch(ADR_ID);
    expect(adrIdOf(CK, '2026-12-01', 'ADR-1')).toBe(id);
    expect(adrIdOf(CK, '2026-12-02', 'ADR-1')).not.toBe(id);
    expect(adrIdOf(CK, '2026-12-01')).not.toBe(id);
    expect(adrIdOf(`${AGENCY}.ck${'d'.repeat(30)}`, '2026-12-01', 'ADR-1')).not.toBe(id);
    const adr = { adrId: id, chartKey: CK, received: '2026-12-01', due: '2027-01-15', reference: 'ADR-1' };
    const a = adrOpenedEvent({ agencyId: AGENCY, adr, actor: 'arn:p', at: '2026-12-01T10:00:00Z' });
    const b = adrOpenedEvent({ agencyId: AGENCY, adr, actor: 'arn:q', at: '2026-12-01T11:00:00Z' });
    expect(auditEventId(a)).toBe(auditEventId(b));
    expect(a.subject).toBe(PERSON_SUBJECTS.adrs);
    // Closed once: a second close is the same event, whatever it says.
    const close = (sha: string) =>
      adrClosedEvent({ agencyId: AGENCY, adr, sent: '2026-12-20', packetSha256: sha, actor: 'p', at: 'x' });
    expect(auditEventId(close('a'))).toBe(auditEventId(close('b')));
    expect(auditEventId(close('a'))).not.toBe(auditEventId(a));
  });

  it('folds opened and closed events into requests, soonest due first', () => {
    const adr = (chart: string, received: string, due: string) => ({
      adrId: adrIdOf(chart, received),
      chartKey: chart,
      received,
      due,
    });
    const late = adr(CK, '2026-11-01', '2026-12-16');
    const soon = adr(`${AGENCY}.ck${'e'.repeat(30)}`, '2026-11-05', '2026-12-10');
    const events = [
      adrOpenedEvent({ agencyId: AGENCY, adr: late, actor: 'p1', at: 't1' }),
      adrOpenedEvent({ agencyId: AGENCY, adr: soon, actor: 'p2', at: 't2' }),
      adrClosedEvent({
        agencyId: AGENCY,
        adr: late,
        sent: '2026-12-01',
        packetSha256: 'f'.repeat(64),
        actor: 'p3',
        at: 't3',
      }),
      // A close of a request never opened is nothing to show.
      adrClosedEvent({
        agencyId: AGENCY,
        adr: adr(CK, '2020-01-01', '2020-02-01'),
        sent: 'x',
        packetSha256: 'y',
        actor: 'p',
        at: 't',
      }),
    ];
    expect(adrRegister(events)).toEqual([
      { ...soon, openedBy: 'p2', openedAt: 't2' },
      {
        ...late,
        openedBy: 'p1',
        openedAt: 't1',
        closed: { sent: '2026-12-01', packetSha256: 'f'.repeat(64), by: 'p3', at: 't3' },
      },
    ]);
  });

  it('counts calendar days to the due date, negative once past', () => {
    expect(daysLeft('2027-01-15', '2026-12-10')).toBe(36);
    expect(daysLeft('2026-12-10', '2026-12-10')).toBe(0);
    expect(daysLeft('2026-12-10', '2026-12-13')).toBe(-3);
    // Across a leap day and a year's end.
    expect(daysLeft('2028-03-01', '2028-02-28')).toBe(2);
    expect(daysLeft('2027-01-15', '2026-12-31')).toBe(15);
  });

  it('refuses as a reference what looks like a beneficiary id or a claim number, which would be sealed for years', () => {
    for (const id of ['1EG4-TE5-MK73', '1eg4te5mk73', '22128000103', 'ICN-221280001031'])
      expect(looksLikePatientOrClaimId(id)).toBe(true);
    for (const ref of ['ADR-77', 'ADR-2026-0001', 'L-12345678', 'ABCDEFGHIJK', 'A1B2C3D4E5F'])
      expect(looksLikePatientOrClaimId(ref)).toBe(false);
  });

  it("takes a payer's reference of letters, digits and dashes alone", () => {
    expect(ADR_REFERENCE.test('ADR-2026-0001')).toBe(true);
    for (const bad of ['', 'a b', 'x'.repeat(41), 'Smith, John', '<b>'])
      expect(ADR_REFERENCE.test(bad)).toBe(false);
  });
});

describe('a chart opened by a person', () => {
  it('is its own event each time, under the access subject, naming the chart and why, never its content', () => {
    const args = { agencyId: AGENCY, chartKey: CK, version: 2, purpose: 'billing' as const, actor: 'arn:p' };
    const one = chartOpenedEvent({ ...args, at: '2026-12-01T10:00:00.000Z' });
    const two = chartOpenedEvent({ ...args, at: '2026-12-01T10:00:01.000Z' });
    expect(one).toMatchObject({
      type: 'chart.opened',
      subject: PERSON_SUBJECTS.access,
      detail: { chartKey: CK, version: 2, purpose: 'billing' },
    });
    expect(auditEventId(one)).not.toBe(auditEventId(two));
    expect(
      auditEventId(chartOpenedEvent({ ...args, actor: 'arn:q', at: '2026-12-01T10:00:00.000Z' })),
    ).not.toBe(auditEventId(one));
  });
});
