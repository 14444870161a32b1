import { describe, expect, it } from 'vitest';
import { agencyInSubject, runAuditEvents } from '#cli/commands/audit.ts';
import { AGENCY_PLACEHOLDER, agencyQueueUrl, concreteQueues, isHumanQueue } from '#shared/topology.ts';
import { memoryPorts } from '../support/memory-ports.ts';

/** Each agency has its own human queues: one URL template stands for them (issue 13, per-agency scope). */
describe("an agency's own queues", () => {
  const template = `http://127.0.0.1:1/000000000000/ct-qa-review_${AGENCY_PLACEHOLDER}`;

  it('fills the template with the agency, and only with an agency id', () => {
    expect(agencyQueueUrl(template, 'north-branch')).toBe(
      'http://127.0.0.1:1/000000000000/ct-qa-review_north-branch',
    );
    for (const bad of ['', 'Jane Doe', '../x', 'a/b', 'A', `${'a'.repeat(33)}`])
      expect(() => agencyQueueUrl(template, bad), bad).toThrow('not an agency id');
    expect(() => agencyQueueUrl('http://127.0.0.1:1/000000000000/ct-billing', 'a')).toThrow(
      'not a per-agency queue URL',
    );
  });

  it('lists every concrete queue: a Lambda queue once, a human kind once per agency, named by both', () => {
    const urls = { billing: 'http://h/0/ct-billing', 'qa-review': template };
    expect(concreteQueues(urls, ['north', 'south'])).toEqual([
      ['billing', 'http://h/0/ct-billing'],
      ['qa-review_north', 'http://127.0.0.1:1/000000000000/ct-qa-review_north'],
      ['qa-review_south', 'http://127.0.0.1:1/000000000000/ct-qa-review_south'],
    ]);
    expect(concreteQueues(urls, [])).toEqual([['billing', 'http://h/0/ct-billing']]);
  });

  it('names the human kinds', () => {
    expect(
      ['qa-review', 'qa-review-senior', 'coded-batches'].every((q) => isHumanQueue(q as 'qa-review')),
    ).toBe(true);
    expect(isHumanQueue('billing')).toBe(false);
  });
});

describe("an audit subject's agency", () => {
  it("is read from a chart's chartKey or a coder's subject, never guessed from anything else", () => {
    expect(agencyInSubject('chart:north.ck0123abcd:v2')).toBe('north');
    expect(agencyInSubject('coder:north:coder-1')).toBe('north');
    expect(agencyInSubject('chart:ck0123abcd:v2')).toBeUndefined();
    expect(agencyInSubject('batch:b20261207-0123456789ab')).toBeUndefined();
    expect(agencyInSubject('object:ob0123')).toBeUndefined();
    expect(agencyInSubject('coder:Jane Doe:x')).toBeUndefined();
  });

  it("reads a chart's events under its own agency, and refuses an --agency that is not the subject's", async () => {
    const { ports } = memoryPorts();
    const target = { ports, agencies: ['north', 'south'], description: 'test stack' };
    const subject = 'chart:north.ck01:v1';
    await ports.audit.record({
      type: 'chart.validated',
      agencyId: 'north',
      subject,
      actor: 'stage:validation',
      at: '2026-12-07T10:00:00.000Z',
      idempotencyKey: 'validated',
    });
    expect(await runAuditEvents(target, subject)).toContain('chart.validated');
    await expect(runAuditEvents(target, subject, { agency: 'south' })).rejects.toThrow(
      "--agency: the subject is north's",
    );
    // A batch names no agency: with several served, the command asks for one.
    await expect(runAuditEvents(target, 'batch:b20261207-0123456789ab')).rejects.toThrow(
      'name the agency with --agency: test stack serves north, south',
    );
  });
});
