import { REFUSED_MESSAGES_SUBJECT } from '#shared/audit-trail/chainer.ts';
import { filedAs, PERSON_SUBJECTS } from '#shared/audit-trail/person-events.ts';
import {
  actorText,
  type ChartStory,
  chartStory,
  relatedSubjects,
  type StoryEvent,
  sealedEvents,
  sealedThrough,
  standingText,
  versionsIn,
} from '#shared/audit-trail/story.ts';
import { type TrailReport, verifyTrail } from '#shared/audit-trail/verify.ts';
import type { AuditEvent } from '#shared/aws/ports.ts';
import {
  agencyOfChartKey,
  CLAIM_REF,
  chartKeyOf,
  chartSubject,
  memberKeyOf,
  parseChartSubject,
  payerClaimKeyOf,
} from '#shared/identity/identifiers.ts';
import type { ChartState } from '#shared/model/chart-state.ts';
import { agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { readStackTrail, stackPublicKey, trailWindow } from '../lib/stack-trail.ts';
import { agencyNamedBy, type Target } from '../lib/target.ts';
import { actAs } from '../local/iam-enforcement.ts';

/** How `codetrail history` is told which chart: exactly one of these. */
export interface HistoryLookup {
  /** The EMR's chart id: made into its chartKey here, with the stack's MAC key; it goes nowhere else. */
  chartId?: string;
  chartKey?: string;
  /** codetrail's claim reference (CLM01 / CLP01). */
  claimRef?: string;
  /** The payer's own claim number (CLP07, the ICN): found through its keyed HMAC. */
  icn?: string;
  /** A patient's payer member id (the Medicare beneficiary id), with `from`/`to`: found through its keyed HMAC. */
  memberId?: string;
  /** With `memberId`: the dates of service asked about (YYYY-MM-DD); a chart whose period meets them matches. */
  from?: string;
  to?: string;
  agency?: string;
}

/** A chart's story as read from a stack: the story, the trail's verification, and each version as it stands. */
export interface ChartHistory {
  story: ChartStory;
  /** The agency's trail, verified; undefined while nothing of the agency is sealed yet. */
  trail: TrailReport | undefined;
  /** Each version's state now, newest first. */
  current: ChartState[];
  /** The public halves (PEM) the trail was verified with. */
  publicKeys: string[];
  /** Audit-table items not shown: filed under a subject they do not name, or not a person's own event. */
  misfiled: number;
  /** The agency's trail objects as read from the audit bucket (key to text): what was verified. */
  trailFiles: ReadonlyMap<string, string>;
}

/**
 * `codetrail history`: one chart's whole story, as the agency's compliance role reads it. The chart is
 * named by its EMR chart id, its chartKey, a claimRef or the payer's ICN. Its events come from the
 * agency's sealed trail, verified with the signing key's public half, and from the audit table for what
 * is not sealed yet; an event whose table copy no longer matches what was sealed is named.
 */
export async function readChartHistory(
  target: Target,
  lookup: HistoryLookup,
  opts: { publicKey?: string[] } = {},
): Promise<ChartHistory> {
  const { agencyId, chartKey } = await resolveChart(target, lookup);
  // Everything read as the agency's compliance role, as an auditor with its access would.
  return actAs(agencyRole(PERSON_ROLES.compliance, agencyId), async () => {
    const current = await target.ports.charts.versions(chartKey);
    // Only the agency's own trail is read: any object at all means something of it is sealed.
    const files = await readStackTrail(target.ports.artifacts, [agencyId]);
    const publicKeys =
      files.size > 0
        ? (opts.publicKey ?? [await stackPublicKey(target.clients, target.resources, agencyId)])
        : [];
    const trail = files.size > 0 ? verifyTrail(files, publicKeys, [agencyId]) : undefined;
    const sealed = sealedEvents(files, agencyId);

    const recorded: AuditEvent[] = [];
    let misfiled = 0;
    // Only items that are what their partition says: an item a person's role put under its own subject
    // dressed as a chart's or a stage's event is counted, never shown (the chainer refuses it too).
    const listed = async (subject: string) => {
      for (const e of await target.ports.audit.list(agencyId, subject))
        if (filedAs(agencyId, subject, e)) recorded.push(e);
        else misfiled += 1;
    };
    const versions = new Set([
      ...current.map((s) => s.version),
      ...versionsIn(
        sealed.map((s) => s.link.event as AuditEvent),
        chartKey,
      ),
    ]);
    for (const version of versions) await listed(chartSubject(chartKey, version));
    const chartEvents = [...recorded, ...sealed.map((s) => s.link.event as AuditEvent)].filter(
      (e) => parseChartSubject(String(e.subject))?.chartKey === chartKey,
    );
    // What the chart's events name (its batches, its files), and what people reported of it.
    for (const subject of [...relatedSubjects(chartEvents), ...Object.values(PERSON_SUBJECTS)])
      await listed(subject);
    // The messages the chainer refused: an event one names is shown as refused, not as waiting to be sealed.
    const refusals = (await target.ports.audit.list(agencyId, REFUSED_MESSAGES_SUBJECT)).filter((e) =>
      filedAs(agencyId, REFUSED_MESSAGES_SUBJECT, e),
    );
    const story = chartStory({
      agencyId,
      chartKey,
      sealed,
      problems: trail?.problems ?? [],
      recorded,
      refusals,
      sealedThrough: sealedThrough(files, agencyId),
    });
    if (story.versions.length === 0 && current.length === 0)
      throw new Error(`${agencyId} has no chart version and no audit event for that chart`);
    return { story, trail, current, publicKeys, misfiled, trailFiles: files };
  });
}

/**
 * The agency and chartKey a lookup names (exactly one of a chart id, a chartKey, a claimRef, an ICN),
 * found as the agency's compliance role.
 */
export async function resolveChart(
  target: Target,
  lookup: HistoryLookup,
): Promise<{ agencyId: string; chartKey: string }> {
  const given = [lookup.chartId, lookup.chartKey, lookup.claimRef, lookup.icn, lookup.memberId].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1)
    throw new Error('name the chart once: a chart id, --chart-key, --claim-ref, --icn or --mbi');
  if (lookup.memberId === undefined && (lookup.from !== undefined || lookup.to !== undefined))
    throw new Error('--from and --to go with --mbi (the dates of service asked about)');
  // Refuses a bad day, or --from after --to, before anything is read.
  trailWindow(lookup.from, lookup.to);
  if (lookup.chartKey !== undefined && agencyOfChartKey(lookup.chartKey) === undefined)
    throw new Error('--chart-key: not a chartKey (<agency>.ck and 30 hex digits)');
  if (lookup.claimRef !== undefined && !CLAIM_REF.test(lookup.claimRef))
    throw new Error('--claim-ref: not a claimRef (CT and 14 characters)');
  const agencyId = agencyNamedBy(
    target,
    lookup.agency,
    lookup.chartKey === undefined ? undefined : agencyOfChartKey(lookup.chartKey),
    'the chartKey',
  );
  const chartKey = await actAs(agencyRole(PERSON_ROLES.compliance, agencyId), () =>
    chartKeyFor(target, agencyId, lookup),
  );
  return { agencyId, chartKey };
}

/** The chartKey a lookup names, found as the compliance role. */
async function chartKeyFor(target: Target, agencyId: string, lookup: HistoryLookup): Promise<string> {
  if (lookup.chartKey !== undefined) return lookup.chartKey;
  if (lookup.chartId !== undefined) return chartKeyOf(target.ports.keys, agencyId, lookup.chartId);
  if (lookup.memberId !== undefined) return memberChart(target, agencyId, lookup);
  let claimRef = lookup.claimRef;
  if (lookup.icn !== undefined) {
    const icnKey = await payerClaimKeyOf(target.ports.keys, agencyId, lookup.icn);
    claimRef = await target.ports.remittances.payerClaimOf(agencyId, icnKey);
    // The number is not echoed: it may be anything the person typed.
    if (!claimRef) throw new Error(`--icn: no payer answer of ${agencyId} carried that claim number`);
  }
  const claim = claimRef === undefined ? undefined : await target.ports.remittances.findClaim(claimRef);
  if (!claim || claim.agencyId !== agencyId)
    throw new Error(
      lookup.icn !== undefined
        ? `--icn: the claim that number answered is in no batch of ${agencyId}`
        : `--claim-ref: no batch of ${agencyId} handed that claimRef to billing`,
    );
  return claim.chartKey;
}

/**
 * The one chart whose version names the member id, in a period that meets the dates asked about. Several
 * charts (a patient's admissions, or hospice and home health) are listed, for the person to name one.
 */
async function memberChart(target: Target, agencyId: string, lookup: HistoryLookup): Promise<string> {
  const memberKey = await memberKeyOf(target.ports.keys, agencyId, lookup.memberId ?? '');
  const window = trailWindow(lookup.from, lookup.to);
  const matches = (await target.ports.members.charts(agencyId, memberKey)).filter(
    (e) => !window || (e.periodFrom <= window.to.slice(0, 10) && e.periodThrough >= window.from.slice(0, 10)),
  );
  const charts = [...new Set(matches.map((e) => e.chartKey))];
  // The id is not echoed: it is the patient's.
  if (charts.length === 0)
    throw new Error(`--mbi: no chart version of ${agencyId} names that member id in those dates`);
  if (charts.length > 1)
    throw new Error(
      `--mbi: ${charts.length} charts name that member id in those dates: ${matches
        .map((e) => `${e.chartKey} v${e.version} (${e.periodFrom} to ${e.periodThrough})`)
        .join(', ')}; name one with --chart-key, or narrow --from and --to`,
    );
  return charts[0] as string;
}

function eventLine(e: StoryEvent): string {
  const problems = e.standing.state === 'not-verified' ? `: ${e.standing.problems.join('; ')}` : '';
  return `  ${e.at}  ${e.type.padEnd(22)} ${actorText(e)}\n      ${e.summary}\n      [${standingText(e.standing)}${problems}]`;
}

/** The history as a person reads it: the verdict on the trail, then each version, batch and file. */
export function renderChartHistory({ story, trail, current, misfiled }: ChartHistory): string {
  const lines = [`Chart ${story.chartKey} of ${story.agencyId}`];
  if (misfiled > 0)
    lines.push(
      `WARNING: ${misfiled} audit-table item(s) are not what their partition says (an event filed under another subject, or not one a person records): not shown, and never chained`,
    );
  lines.push(
    trail === undefined
      ? `Audit trail: nothing of ${story.agencyId} sealed yet: every event below is the audit table's alone`
      : trail.ok
        ? `Audit trail: verified (${trail.events} event(s) in ${trail.segments} segment(s)); this chart's events: ${story.verified ? 'all sealed and verified' : 'some not sealed yet or not verified (marked)'}`
        : `Audit trail: NOT verified: ${trail.problems.length} problem(s) (codetrail audit verify names them); this chart's events are marked`,
  );
  const now = new Map(current.map((s) => [s.version, s]));
  for (const { version, events } of story.versions) {
    const state = now.get(version);
    const standing = state
      ? ` — now ${state.status}${state.claimRef ? `, claimRef ${state.claimRef}` : ''}${state.grouping ? `, HIPPS ${state.grouping.hipps}` : ''}`
      : '';
    lines.push('', `Version ${version}${standing}`, ...events.map(eventLine));
  }
  for (const { batchId, events } of story.batches)
    lines.push('', `Batch ${batchId}`, ...(events.length ? events.map(eventLine) : ['  (no event)']));
  for (const { objectId, events } of story.sources)
    lines.push('', `File ${objectId}`, ...(events.length ? events.map(eventLine) : ['  (no event)']));
  if (story.requests.length > 0) lines.push('', 'Documentation requests', ...story.requests.map(eventLine));
  if (story.access.length > 0) lines.push('', 'Opened by people', ...story.access.map(eventLine));
  return lines.join('\n');
}
