import { createQaResultService } from '#functions/qa-result/service.ts';
import type { ChartInput } from '#shared/model/chart.ts';
import type { ChartState, QaOutcome } from '#shared/model/chart-state.ts';
import type { StaffMember } from '#shared/model/config.ts';
import type { Dispute, DisputeResolution, Verdict } from '#shared/model/messages.ts';
import type { Correction } from '#shared/model/qa.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import type { QueueName } from '#shared/topology.ts';
import { homeHealthChart } from './charts.ts';
import { fixedClock, memoryPorts } from './memory-ports.ts';
import { SAMPLE_NOTHING } from './sample-nothing.ts';
import { testConfig } from './test-agencies.ts';

/** The keyed chart id of the chart under review (a keyed id, as intake makes them: no PHI). */
// As chartKeyOf makes it: the agency, then the HMAC part (draws and claimRefs hash only that part).
export const CHART_KEY = 'test-agency.ck-qa-result-1';
export const ARTIFACT_KEY = `charts/test-agency/${CHART_KEY}/v1-0123456789ab.json`;
/** The SQS SenderId the world's messages arrive with unless a test names another, and the actor it makes. */
export const TEST_SENDER = 'AROATESTROLE:qa-tester';
export const SENDER_ACTOR = `sender:${TEST_SENDER}`;

/** When the chart was sampled; the clock of the service stands at NOW. */
export const NOW = '2026-11-23T12:00:00.000Z';

/** Corrections reviewers make in these tests: the chart is coded I69.351 (1), I50.22 (2). */
export const FIX = {
  /** Replaces the heart failure code by a more specific one: minor, confirmed one of two. */
  specificity: {
    sequence: 2,
    code: 'I50.32',
    category: 'specificity',
    severity: 'minor',
    direction: 'neutral',
  },
  /** A different principal diagnosis: major. */
  principal: {
    sequence: 1,
    code: 'I69.354',
    category: 'principal-selection',
    severity: 'major',
    direction: 'neutral',
  },
  /** A missed comorbidity added at a new sequence. */
  added: {
    sequence: 3,
    code: 'E11.9',
    category: 'missed-comorbidity',
    severity: 'major',
    direction: 'under-coded',
  },
  /** Removes the heart failure code: not supported by the documentation. */
  unsupported: {
    sequence: 2,
    remove: true,
    category: 'unsupported-code',
    severity: 'minor',
    direction: 'over-coded',
  },
} satisfies Record<string, Correction>;

/** A review of the chart by qa-1 as the stage stores it, for charts a test puts past the first review. */
export function storedReview(over: Partial<QaOutcome> = {}): QaOutcome {
  return {
    outcome: 'corrected',
    reviewerId: 'qa-1',
    reviewedAt: '2026-11-03T10:00:00Z',
    corrections: [FIX.principal, FIX.specificity],
    score: { chartAccurate: false, codesReviewed: 2, codesConfirmed: 0 },
    ...over,
  };
}

interface WorldOptions {
  /** Sampling settings over "sample nothing, no second reviews". */
  sampling?: Record<string, unknown>;
  staff?: StaffMember[];
  /** The chart version as the table holds it, over a SAMPLED chart of coder-a on the qa-review queue. */
  state?: Partial<ChartState>;
  /** The chart as received (the artifact), over the clean home health chart of coder-a. */
  chart?: Partial<ChartInput>;
}

/**
 * The qa-result service over in-memory ports, with one chart version put in place as an earlier stage
 * would have left it (by default SAMPLED for review, coded I69.351 and I50.22 by coder-a), and messages
 * about it. The state is put in directly, so a test can start from any point of the review loop.
 */
export async function qaWorld(options: WorldOptions = {}) {
  const mem = memoryPorts({ clock: fixedClock(NOW) });
  const config = testConfig({
    sampling: { ...SAMPLE_NOTHING, secondReviewRate: 0, ...options.sampling },
    staff: options.staff ?? [],
  });
  const deps = { ports: mem.portsFor('qa-result'), config, clock: fixedClock(NOW), tables: tablesInForce };
  const raw = createQaResultService(deps);
  // Every message arrives as SQS delivers it: with the identity that sent it.
  // (An explicit `undefined` is a message without one.)
  const service = {
    handle: (message: Parameters<typeof raw.handle>[0], ...sender: [string | undefined] | []) =>
      raw.handle(message, sender.length > 0 ? sender[0] : TEST_SENDER),
  };
  await mem.ports.artifacts.putJson('artifacts', ARTIFACT_KEY, homeHealthChart(options.chart));
  const state: ChartState = {
    chartKey: CHART_KEY,
    version: 1,
    agencyId: 'test-agency',
    status: 'SAMPLED',
    lineOfBusiness: 'home_health',
    payerType: 'medicare',
    coderId: 'coder-a',
    contentHash: '0123456789abcdef',
    artifactKey: ARTIFACT_KEY,
    sourceObject: 'object-1',
    receivedAt: '2026-11-02T11:00:00.000Z',
    updatedAt: '2026-11-02T11:00:00.000Z',
    principalCategory: 'I69',
    sampling: {
      sampled: true,
      rule: 'coder-rate',
      rate: 1,
      draw: 0.5,
      queue: 'qa-review',
      reason: 'coder-rate: a manager rate of 100% for coder-a',
      factors: [],
    },
    reviewRequestedAt: '2026-11-02T11:00:00.000Z',
    ...options.state,
  };
  await mem.ports.charts.create(state);

  const ledger = async () => {
    const out = [];
    for await (const r of mem.ports.coders.reviews('test-agency', 'coder-a')) out.push(r);
    return out;
  };
  return {
    mem,
    service,
    deps,
    /** The chart version now. */
    state: async () => {
      const now = await mem.ports.charts.get(CHART_KEY, 1);
      if (!now) throw new Error('the chart version is gone');
      return now;
    },
    /** Audit events of one type, in the order they were recorded. */
    events: (type: string) => mem.events().filter((e) => e.type === type),
    /** Every audit event type recorded. */
    eventTypes: () => mem.events().map((e) => e.type),
    /** The coder's review records in the ledger. */
    ledger,
    disputes: () => mem.ports.coders.disputes('test-agency', 'coder-a'),
    take: (queue: QueueName) => mem.take(queue),
    verdict: (over: Partial<Verdict> = {}): Verdict => ({
      kind: 'verdict',
      agencyId: 'test-agency',
      chartKey: CHART_KEY,
      version: 1,
      reviewerId: 'qa-1',
      round: 'first',
      outcome: 'agree',
      corrections: [],
      reviewedAt: '2026-11-03T10:00:00Z',
      ...over,
    }),
    dispute: (over: Partial<Dispute> = {}): Dispute => ({
      kind: 'dispute',
      agencyId: 'test-agency',
      chartKey: CHART_KEY,
      version: 1,
      coderId: 'coder-a',
      corrections: [0],
      disputedAt: '2026-11-05T09:00:00Z',
      ...over,
    }),
    resolution: (over: Partial<DisputeResolution> = {}): DisputeResolution => ({
      kind: 'dispute-resolution',
      agencyId: 'test-agency',
      chartKey: CHART_KEY,
      version: 1,
      reviewerId: 'qa-senior',
      outcome: 'overturned',
      resolvedAt: '2026-11-06T09:00:00Z',
      ...over,
    }),
  };
}

export type QaWorld = Awaited<ReturnType<typeof qaWorld>>;

/** A chart under dispute: reviewed by qa-1 with `review`'s corrections, coder-a disputing `disputed`. */
export function disputedState(review: Partial<QaOutcome> = {}, disputed = [0]): Partial<ChartState> {
  return {
    status: 'BATCHED',
    qa: storedReview(review),
    dispute: { corrections: disputed, disputedAt: '2026-11-05T09:00:00Z' },
    disputeRequestedAt: '2026-11-05T09:00:01.000Z',
  };
}
