import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdrClose, runAdrList, runAdrOpen } from '#cli/commands/adr.ts';
import { type PacketEvidence, runAuditPacket } from '#cli/commands/audit-packet.ts';
import { readChartHistory, renderChartHistory } from '#cli/commands/history.ts';
import { runQaShow } from '#cli/commands/qa.ts';
import { loadConfigFile, pipelineTarget, runInput } from '#cli/commands/start.ts';
import { localActor, type Target } from '#cli/lib/target.ts';
import { actAs } from '#cli/local/iam-enforcement.ts';
import { type LocalPipeline, startLocalPipeline } from '#cli/local/pipeline.ts';
import { localSenderId } from '#cli/local/sender-ids.ts';
import { adrIdOf, adrOpenedEvent } from '#shared/audit-trail/adr-register.ts';
import { auditEventId } from '#shared/audit-trail/chain.ts';
import { REFUSED_MESSAGES_SUBJECT } from '#shared/audit-trail/chainer.ts';
import { chartOpenedEvent } from '#shared/audit-trail/person-events.ts';
import { actorText, standingText } from '#shared/audit-trail/story.ts';
import { createLocalKeyService } from '#shared/aws/local-key-service.ts';
import { chartKeyOf, chartSubject, memberKeyOf, sha256Hex } from '#shared/identity/identifiers.ts';
import { launchChromium } from '../support/browser.ts';

/**
 * A chart's story on the examples, as an auditor asks for it: `codetrail history` by the EMR chart id, a
 * claimRef and the payer's ICN, over the run `npm start` makes (sealed and verified), with a stack kept up.
 */
const AGENCY = 'demo-agency';
let pipeline: LocalPipeline;
let target: Target;

beforeAll(async () => {
  const config = loadConfigFile('examples');
  pipeline = await startLocalPipeline({ config, keyFile: 'examples/local-dev.key', prefix: 'history' });
  await runInput(pipeline, 'examples');
  // The person running the commands is the machine's user, as the local runtime's SenderId names them.
  target = pipelineTarget(pipeline, config);
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
});

const keys = createLocalKeyService('examples/local-dev.key');

describe('codetrail history on the examples', () => {
  it("tells HH-1004's story by its chart id, claimRef and ICN alike, every event verified once sealed", async () => {
    const chartKey = await chartKeyOf(keys, AGENCY, 'HH-1004');
    // Before the sealer runs, the story comes from the audit table alone, and says so.
    const early = await readChartHistory(target, { chartId: 'HH-1004', agency: AGENCY });
    expect(early.trail).toBeUndefined();
    expect(early.story.verified).toBe(false);
    expect(early.story.versions[0]?.events.every((e) => e.standing.state === 'not-sealed-yet')).toBe(true);

    await pipeline.runJob('audit-sealer');
    const byId = await readChartHistory(target, { chartId: 'HH-1004', agency: AGENCY });
    expect(byId.story.chartKey).toBe(chartKey);
    expect(byId.trail?.ok).toBe(true);
    expect(byId.story.verified).toBe(true);
    const [v1] = byId.story.versions;
    expect(v1?.version).toBe(1);
    // Receipt, validation, sampling, batch, then the payer's paid, reversed and paid again.
    expect(v1?.events.map((e) => e.type)).toEqual([
      'chart.received',
      'chart.validated',
      'chart.not-sampled',
      'chart.batched',
      'claim.paid',
      'claim.reversed',
      'claim.paid',
    ]);
    expect(v1?.events.map((e) => e.actor)).toContain('stage:denial-ingestion');
    const claimRef = byId.current[0]?.claimRef ?? '';
    expect(claimRef).toMatch(/^CT/);
    // The batch it was billed in, with the manifest's hash, and the file it came in, with its receipt.
    expect(byId.story.batches).toHaveLength(1);
    expect(byId.story.batches[0]?.events.map((e) => e.type)).toContain('batch.handed-off');
    expect(byId.story.sources.flatMap((s) => s.events.map((e) => e.type))).toContain('object.received');

    const byClaim = await readChartHistory(target, { claimRef, agency: AGENCY });
    expect(byClaim.story).toEqual(byId.story);
    // The ICN of the first payment and of the reversal (CLP07), and of the corrected payment.
    for (const icn of ['22128000103', '22128000104']) {
      const byIcn = await readChartHistory(target, { icn, agency: AGENCY });
      expect(byIcn.story).toEqual(byId.story);
    }

    // A patient's Medicare beneficiary id with a date of service in the chart's period, written either way.
    const byMember = await readChartHistory(target, {
      memberId: 'syn-mbr-1004',
      from: '2022-03-15',
      to: '2022-03-15',
      agency: AGENCY,
    });
    expect(byMember.story).toEqual(byId.story);

    const text = renderChartHistory(byId);
    expect(text).toContain(`Chart ${chartKey} of ${AGENCY}`);
    expect(text).toContain('Audit trail: verified');
    expect(text).toContain(`billed in batch`);
    expect(text).toContain('manifest batches/demo-agency/');
    // No EMR chart id, patient or ICN in what it prints.
    expect(text).not.toMatch(/HH-1004|22128000103/);
  });

  it('refuses a chart it cannot find, in one line, naming what to give', async () => {
    const chartKey = await chartKeyOf(keys, AGENCY, 'HH-1001');
    const history = await readChartHistory(target, { chartKey });
    expect(history.story.verified).toBe(true);
    expect(history.misfiled).toBe(0);
    // A reviewer's role may add items under its own `access` partition; one dressed as the chart's own
    // verdict (as a stage's) is not shown in the story, but counted and warned of.
    const forged = {
      type: 'verdict.agree',
      agencyId: AGENCY,
      subject: chartSubject(chartKey, 1),
      actor: 'stage:qa-result',
      at: '2026-12-08T00:00:00.000Z',
      idempotencyKey: 'forged',
    };
    await actAs(`person:qa-reviewer@${AGENCY}`, () =>
      pipeline.clients.dynamo.send(
        new PutCommand({
          TableName: pipeline.resources.auditTable,
          Item: {
            ...forged,
            eventId: auditEventId(forged),
            pk: `AUDIT#${AGENCY}#access`,
            sk: `EVT#${auditEventId(forged)}`,
          },
        }),
      ),
    );
    const guarded = await readChartHistory(target, { chartKey });
    expect(guarded.misfiled).toBe(1);
    expect(guarded.story).toEqual(history.story);
    expect(renderChartHistory(guarded)).toContain(
      'WARNING: 1 audit-table item(s) are not what their partition says',
    );
    await expect(readChartHistory(target, { chartId: 'HH-0000', agency: AGENCY })).rejects.toThrow(
      'demo-agency has no chart version and no audit event for that chart',
    );
    await expect(readChartHistory(target, { icn: '99999999999', agency: AGENCY })).rejects.toThrow(
      '--icn: no payer answer of demo-agency carried that claim number',
    );
    await expect(readChartHistory(target, { claimRef: 'CT0000000000000Z', agency: AGENCY })).rejects.toThrow(
      '--claim-ref: no batch of demo-agency handed that claimRef to billing',
    );
    await expect(readChartHistory(target, { chartId: 'HH-1001' })).rejects.toThrow('--agency');
    await expect(
      readChartHistory(target, {
        memberId: 'SYN-MBR-1004',
        from: '2021-01-01',
        to: '2021-12-31',
        agency: AGENCY,
      }),
    ).rejects.toThrow('--mbi: no chart version of demo-agency names that member id in those dates');
    await expect(
      readChartHistory(target, { chartId: 'HH-1001', from: '2022-01-01', agency: AGENCY }),
    ).rejects.toThrow('--from and --to go with --mbi');
    // Two charts of one patient (an admission and the next): listed, for the person to name one.
    const other = await chartKeyOf(keys, AGENCY, 'HH-1002');
    await actAs('stage:intake', async () => {
      const memberKey = await memberKeyOf(pipeline.ports.keys, AGENCY, 'SYN-MBR-1004');
      await pipeline.ports.members.add({
        agencyId: AGENCY,
        memberKey,
        chartKey: other,
        version: 1,
        periodFrom: '2022-03-20',
        periodThrough: '2022-05-18',
      });
    });
    await expect(readChartHistory(target, { memberId: 'SYN-MBR-1004', agency: AGENCY })).rejects.toThrow(
      `--mbi: 2 charts name that member id in those dates`,
    );
    // Narrowed to dates only the first chart's period holds, it is the one.
    expect(
      (await readChartHistory(target, { memberId: 'SYN-MBR-1004', to: '2022-03-10', agency: AGENCY })).story
        .chartKey,
    ).toBe(await chartKeyOf(keys, AGENCY, 'HH-1004'));
    await expect(
      readChartHistory(target, { chartId: 'HH-1001', claimRef: 'CT0000000000000Z' }),
    ).rejects.toThrow('name the chart once');
  });

  it("writes HH-1011's audit packet: the chart as coded and as corrected, the story, the hashes, one offline page", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'codetrail-packet-')), 'HH-1011');
    const packet = await runAuditPacket(target, { chartId: 'HH-1011', agency: AGENCY }, { out });
    expect(packet.ok).toBe(true);
    expect(packet.text).toContain('every event sealed and verified, every hash matches');
    const files = readdirSync(out, { recursive: true }).map(String).sort();
    expect(files).toEqual([
      'charts',
      'charts/v1-as-coded.json',
      'charts/v1-as-corrected.json',
      'evidence.json',
      'index.html',
      'manifest.json',
      'story.json',
      'verification.json',
    ]);
    // Owner-only: the packet holds the chart.
    expect(statSync(join(out, 'charts')).mode & 0o077).toBe(0);
    expect(statSync(join(out, 'index.html')).mode & 0o077).toBe(0);
    // The manifest holds every other file's SHA-256; its own is the packet's.
    const manifestText = readFileSync(join(out, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as { files: Record<string, string> };
    for (const [name, sha] of Object.entries(manifest.files))
      expect(sha256Hex(readFileSync(join(out, name)))).toBe(sha);
    expect(Object.keys(manifest.files)).toHaveLength(files.length - 2);
    expect(packet.packetSha256).toBe(sha256Hex(manifestText));
    const evidence = JSON.parse(readFileSync(join(out, 'evidence.json'), 'utf8')) as PacketEvidence;
    expect(evidence.versions[0]?.artifactKeyNamesReceiptHash).toBe(true);
    // Billing billed the chart as QA corrected it.
    expect(evidence.versions[0]?.billed?.file).toBe('as-corrected');
    expect(evidence.versions[0]?.corrected?.sha256).toBe(
      sha256Hex(readFileSync(join(out, 'charts/v1-as-corrected.json'))),
    );
    expect(evidence.batches.every((b) => b.matches && b.recordedSha256 === b.lockedSha256)).toBe(true);
    expect(evidence.trail.map((t) => t.key)).toEqual([
      'audit-trail/demo-agency/segments/0000000000.ndjson',
      'audit-trail/demo-agency/digests/0000000000.json',
    ]);
    // A second packet of the same chart, into a folder with something in it, is refused.
    await expect(runAuditPacket(target, { chartId: 'HH-1011', agency: AGENCY }, { out })).rejects.toThrow(
      '--out: the folder is not empty',
    );

    // The page opens in a browser with the network off, asking for nothing beyond itself.
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ offline: true });
      const asked: string[] = [];
      await context.route('**/*', (route) => {
        asked.push(route.request().url());
        return route.request().url().startsWith('file://') ? route.continue() : route.abort();
      });
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      expect(asked).toEqual([pathToFileURL(join(out, 'index.html')).href]);
      expect(await page.title()).toContain('Audit packet');
      const text = await page.locator('body').innerText();
      expect(text).toContain('Every event of this chart is sealed');
      expect(text).toContain('HH-1011');
      expect(text).toContain('As corrected by QA');
      expect(text).toContain('verdict.corrected');
      expect(await page.locator('script, link, img, iframe').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('logs a documentation request, lists it with days left, closes it with the packet sent, and tells it in the story', async () => {
    const chartKey = await chartKeyOf(keys, AGENCY, 'HH-1009');
    const opened = await runAdrOpen(
      target,
      { chartId: 'HH-1009', agency: AGENCY },
      { received: '2026-12-01', reference: 'ADR-77' },
    );
    const adrId = adrIdOf(chartKey, '2026-12-01', 'ADR-77');
    expect(opened).toBe(
      `${adrId}: documentation request for ${chartKey} received 2026-12-01, due 2027-01-15`,
    );
    expect(await runAdrOpen(target, { chartKey }, { received: '2026-12-01', reference: 'ADR-77' })).toBe(
      `${adrId} is logged already (due 2027-01-15)`,
    );
    const listed = await runAdrList(target, {
      agency: AGENCY,
      now: new Date('2026-12-10T12:00:00Z'),
      timeZone: 'UTC',
    });
    expect(listed).toContain(adrId);
    expect(listed).toMatch(/2027-01-15\s+36\s+ADR-77/);
    expect(
      await runAdrList(target, {
        agency: AGENCY,
        now: new Date('2027-01-21T02:00:00Z'),
        timeZone: 'America/Chicago',
      }),
    ).toContain('OVERDUE 5');
    await expect(
      runAdrOpen(target, { chartKey }, { received: '2026-12-01', reference: '1EG4-TE5-MK73' }),
    ).rejects.toThrow('--reference: looks like a beneficiary id or a claim number');
    await expect(runAdrOpen(target, { chartKey }, { received: '2026-02-30' })).rejects.toThrow(
      '--received: not a date (YYYY-MM-DD)',
    );
    expect(await runAdrList(target, { agency: 'demo-branch-east' })).toBe(
      'No open documentation request for demo-branch-east.',
    );

    const out = join(mkdtempSync(join(tmpdir(), 'codetrail-adr-')), 'packet');
    const packet = await runAuditPacket(target, { chartKey }, { out });
    // The request logged a moment ago is not sealed yet: the chart's own story is, and the packet holds.
    expect(packet.ok).toBe(true);
    // A packet changed after it was written is refused, and so is another chart's.
    writeFileSync(join(out, 'story.json'), '{}');
    await expect(runAdrClose(target, adrId, { agency: AGENCY, packet: out })).rejects.toThrow(
      '--packet: story.json is missing or changed since the packet was written',
    );
    const other = join(mkdtempSync(join(tmpdir(), 'codetrail-adr-')), 'other');
    await runAuditPacket(target, { chartId: 'HH-1001', agency: AGENCY }, { out: other });
    await expect(runAdrClose(target, adrId, { agency: AGENCY, packet: other })).rejects.toThrow(
      "--packet: not a packet of the request's chart",
    );
    const closed = await runAdrClose(target, adrId, {
      agency: AGENCY,
      packetSha256: packet.packetSha256,
      sent: '2026-12-20',
    });
    expect(closed).toBe(`${adrId}: answered 2026-12-20 with packet sha256 ${packet.packetSha256}`);
    await expect(
      runAdrClose(target, adrId, { agency: AGENCY, packetSha256: packet.packetSha256 }),
    ).rejects.toThrow('answered already on 2026-12-20');
    expect(await runAdrList(target, { agency: AGENCY })).toBe(
      'No open documentation request for demo-agency.',
    );
    expect(await runAdrList(target, { agency: AGENCY, all: true })).toContain(
      `2026-12-20, packet ${packet.packetSha256.slice(0, 12)}`,
    );
    await expect(
      runAdrClose(target, 'adr-000000000000', { agency: AGENCY, packetSha256: packet.packetSha256 }),
    ).rejects.toThrow('demo-agency has no such documentation request');

    // A reviewer opens a chart waiting for QA: that too is in its story.
    const waiting = await chartKeyOf(keys, AGENCY, 'HH-1007');
    await runQaShow(target, waiting, 2);

    await pipeline.runUntilQuiet();
    await pipeline.runJob('audit-sealer');
    const history = await readChartHistory(target, { chartKey });
    expect(history.story.verified).toBe(true);
    expect(history.story.requests.map((e) => e.type)).toEqual(['adr.opened', 'adr.closed']);
    expect(history.story.requests[1]?.detail?.packetSha256).toBe(packet.packetSha256);
    expect(history.story.access.map((e) => [e.type, e.actor, e.detail?.purpose])).toEqual([
      ['chart.opened', localActor(), 'audit-packet'],
    ]);
    // Sealed, with who AWS (here the local runtime's SenderId) says sent it: the compliance role's session.
    const sender = `sender:${localSenderId(`person:compliance@${AGENCY}`)}`;
    expect(history.story.access.map(actorText)).toEqual([`${localActor()} (sent by ${sender})`]);
    expect(history.story.requests.map((e) => e.sentBy)).toEqual([sender, sender]);
    expect(renderChartHistory(history)).toContain('Documentation requests');
    expect(renderChartHistory(history)).toContain(`(sent by ${sender})`);
    const reviewed = await readChartHistory(target, { chartKey: waiting });
    expect(reviewed.story.access.map((e) => [e.detail?.version, e.detail?.purpose])).toEqual([
      [2, 'qa-review'],
    ]);

    // A chart opening recorded in another person's name (the role may PutItem under `access`, and send):
    // the chainer refuses it, at once, and the refusal is in the agency's trail with who really sent it.
    const forged = chartOpenedEvent({
      agencyId: AGENCY,
      chartKey: waiting,
      version: 2,
      purpose: 'qa-review',
      actor: 'local:someone-else',
      at: '2026-12-08T01:00:00.000Z',
    });
    await actAs(`person:qa-reviewer@${AGENCY}`, () => target.ports.audit.record(forged));
    await pipeline.runUntilQuiet();
    expect(await pipeline.deadLetters()).toEqual([]);
    const refusals = await pipeline.ports.audit.list(AGENCY, REFUSED_MESSAGES_SUBJECT);
    expect(refusals.map((e) => e.detail)).toEqual([
      {
        reason: 'access: the event names another person than the one who sent it',
        sentBy: `sender:${localSenderId(`person:qa-reviewer@${AGENCY}`)}`,
        eventId: auditEventId(forged),
      },
    ]);
    await pipeline.runJob('audit-sealer');
    const after = await readChartHistory(target, { chartKey: waiting });
    // Never chained: the story shows it as the table's alone, refused, and why.
    const shown = after.story.access.filter((e) => e.actor === 'local:someone-else');
    expect(shown.map((e) => [actorText(e), standingText(e.standing)])).toEqual([
      [
        'local:someone-else (sender not verified: not sealed)',
        'REFUSED BY THE CHAINER: access: the event names another person than the one who sent it',
      ],
    ]);
    expect(renderChartHistory(after)).toContain('REFUSED BY THE CHAINER');
    // The register is read as it was sealed: a request's due date rewritten in the audit table afterwards
    // (a person's PutItem cannot be made conditional) is not believed, and is warned of.
    const openedEvent = adrOpenedEvent({
      agencyId: AGENCY,
      adr: { adrId, chartKey, received: '2026-12-01', due: '2027-06-30', reference: 'ADR-77' },
      actor: 'local:auditor',
      at: '2026-12-08T00:00:00.000Z',
    });
    await actAs(`person:compliance@${AGENCY}`, () =>
      pipeline.clients.dynamo.send(
        new PutCommand({
          TableName: pipeline.resources.auditTable,
          Item: {
            ...openedEvent,
            eventId: auditEventId(openedEvent),
            pk: `AUDIT#${AGENCY}#adrs`,
            sk: `EVT#${auditEventId(openedEvent)}`,
          },
        }),
      ),
    );
    const register = await runAdrList(target, { agency: AGENCY, all: true });
    expect(register).toContain('WARNING: 1 audit-table item(s) of the register are not what was sealed');
    expect(register).toContain('2027-01-15');
    expect(register).not.toContain('2027-06-30');
    // Another chart's story holds none of it.
    const unrelated = await readChartHistory(target, { chartId: 'HH-1004', agency: AGENCY });
    expect(unrelated.story.requests).toEqual([]);
    expect(unrelated.story.access).toEqual([]);
  });
});
