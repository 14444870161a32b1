import type { Ports } from '#shared/aws/ports.ts';
import type { Config } from '#shared/model/config.ts';
import { readCoderHistory } from '#shared/runtime/coder-history.ts';
import { coderStanding, fmtProportion } from '#shared/sampling/coder-standing.ts';
import { samplingFactors } from '#shared/sampling/sampling-policy.ts';
import { table } from '../lib/summary.ts';

/** One coder's sampling rate now, and why. */
export interface CoderPlan {
  agencyId: string;
  coderId: string;
  probation: string;
  reviews: number;
  codeAccuracy: string;
  recentDenials: number;
  /** The rate a clean home health chart of this coder gets now (chart risk factors can raise it). */
  rate: number;
  why: string[];
}

/**
 * `codetrail qa plan`: the effective sampling rate of each coder now, from the coder ledger and the
 * policy, with every coder-level factor that sets it (base rate, probation, a manager's rate, recent
 * coding-related denials, accuracy under the target). Chart-level factors (hospice, clinical groups,
 * warn findings, denials of a diagnosis category) are listed once: they raise a chart's rate above its
 * coder's.
 */
export async function qaPlan(ports: Ports, config: Config, opts: { agency?: string }, now = new Date()) {
  const at = now.toISOString();
  const sampling = config.sampling;
  const plans: CoderPlan[] = [];
  for (const agency of config.agencies) {
    if (opts.agency && agency.id !== opts.agency) continue;
    for await (const coderId of ports.coders.coders(agency.id)) {
      const history = await readCoderHistory(ports.coders, agency.id, coderId, sampling, at);
      const standing = coderStanding(coderId, history, sampling, at);
      const factors = samplingFactors(
        { chartKey: '', version: 1, coderId, lineOfBusiness: 'home_health', findingRuleIds: [] },
        { standing, categoryDenials: 0 },
        sampling,
      ).sort((a, b) => b.rate - a.rate);
      plans.push({
        agencyId: agency.id,
        coderId,
        probation: standing.probation.exitsNow
          ? 'leaves at next chart'
          : standing.probation.inProbation
            ? 'in probation'
            : standing.probation.reason,
        reviews: standing.charts.n,
        codeAccuracy:
          standing.codes.n === 0
            ? 'no review yet'
            : `${fmtProportion(standing.codes)} of ${standing.codes.n}`,
        recentDenials: standing.recentDenials,
        rate: factors[0]?.rate ?? sampling.baseRate,
        why: factors.map((f) => `${f.factor} ${f.rate}: ${f.detail}`),
      });
    }
  }
  const risk = sampling.risk;
  const chartFactors = [
    `hospice charts ${risk.hospice}`,
    `charts with warn findings ${risk.warnFindings}`,
    `principal categories with a coding denial in ${risk.recentDenials.days} days ${risk.recentDenials.rate}`,
    ...Object.entries(risk.clinicalGroups).map(([group, rate]) => `PDGM clinical group ${group} ${rate}`),
  ];
  return { plans, chartFactors };
}

export async function runQaPlan(
  ports: Ports,
  config: Config,
  opts: { agency?: string; json?: boolean },
): Promise<string> {
  const plan = await qaPlan(ports, config, opts);
  if (opts.json) return JSON.stringify(plan, null, 2);
  if (plan.plans.length === 0) return 'No coder has coded a chart that reached QA sampling yet.';
  return [
    table(
      [
        'agency',
        'coder',
        'rate',
        'probation',
        'reviews',
        'code accuracy [95% CI] of codes',
        'denials',
        'why',
      ],
      plan.plans.map((p) => [
        p.agencyId,
        p.coderId,
        p.rate,
        p.probation,
        p.reviews,
        p.codeAccuracy,
        p.recentDenials,
        p.why[0] ?? '',
      ]),
    ),
    '',
    `A chart's rate is the highest of its coder's and these chart factors: ${plan.chartFactors.join('; ')}.`,
  ].join('\n');
}
