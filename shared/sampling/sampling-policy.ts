import type { LineOfBusiness } from '#shared/model/chart.ts';
import type { SamplingDecision, SamplingFactor } from '#shared/model/chart-state.ts';
import type { SamplingConfig } from '#shared/model/config.ts';
import { type CoderStanding, fmt } from './coder-standing.ts';

/** What the policy knows of one validated chart version: identifiers, codes and rule ids, no PHI. */
export interface SamplingChart {
  chartKey: string;
  version: number;
  coderId: string;
  lineOfBusiness: LineOfBusiness;
  /** PDGM clinical group letter (home health, when grouped). */
  clinicalGroup?: string;
  /** ICD-10-CM category (3 characters) of the principal diagnosis. */
  category?: string;
  /** Rule ids of the chart's findings (all severities that let it through: warn). */
  findingRuleIds: readonly string[];
}

export interface SamplingContext {
  standing: CoderStanding;
  /** Coding-related denials of the principal's category in the window (any coder). */
  categoryDenials: number;
}

/**
 * The sampling policy. Every factor that applies asks for a rate; the chart's rate is the highest, and
 * the chart is sampled when its keyed draw is under it. Every factor is recorded with its reason, the
 * deciding one first, so a QA manager (and an auditor) can see why a chart was, or was not, reviewed.
 *
 * Factors: the base rate; probation; a manager's rate for the coder; hospice; high-risk PDGM clinical
 * groups; warn findings; coding-related denials of the coder or of the principal's category; and a
 * code-accuracy lower bound under the target (after minReviewedCharts). Sampled charts go to senior
 * review when the coder is listed or in probation, or the chart is hospice, in a listed clinical group,
 * or carries a listed (critical) rule's finding.
 */
export function decideSampling(
  chart: SamplingChart,
  context: SamplingContext,
  config: SamplingConfig,
  draw: number,
): SamplingDecision {
  const factors = samplingFactors(chart, context, config);
  const deciding = factors.reduce((best, f) => (f.rate > best.rate ? f : best));
  const ordered = [deciding, ...factors.filter((f) => f !== deciding)];
  const sampled = draw < deciding.rate;
  const decision: SamplingDecision = {
    sampled,
    rule: deciding.factor,
    rate: deciding.rate,
    draw,
    reason: `${deciding.factor} (${deciding.detail}): draw ${draw.toFixed(4)} ${sampled ? '<' : '>='} rate ${deciding.rate}`,
    factors: ordered,
  };
  if (sampled) {
    const senior = seniorReasons(chart, context, config);
    decision.queue = senior.length > 0 ? 'qa-review-senior' : 'qa-review';
    if (senior.length > 0) decision.senior = senior;
  }
  return decision;
}

/** Every factor that applies to the chart, in a fixed order (the base rate always). */
export function samplingFactors(
  chart: SamplingChart,
  context: SamplingContext,
  config: SamplingConfig,
): SamplingFactor[] {
  const { standing, categoryDenials } = context;
  const risk = config.risk;
  const factors: SamplingFactor[] = [
    { factor: 'base-rate', rate: config.baseRate, detail: 'every validated chart' },
  ];
  if (standing.probation.inProbation)
    factors.push({ factor: 'probation', rate: config.probation.rate, detail: standing.probation.reason });
  const coderRate = config.coderRates[chart.coderId];
  if (coderRate !== undefined)
    factors.push({ factor: 'coder-rate', rate: coderRate, detail: `the rate set for ${chart.coderId}` });
  if (chart.lineOfBusiness === 'hospice')
    factors.push({ factor: 'hospice', rate: risk.hospice, detail: 'hospice chart' });
  // Matched, not indexed: a chart without a group finds no rate whatever the keys.
  const groupRate = Object.entries(risk.clinicalGroups).find(([group]) => group === chart.clinicalGroup)?.[1];
  if (groupRate !== undefined)
    factors.push({
      factor: 'clinical-group',
      rate: groupRate,
      detail: `PDGM clinical group ${chart.clinicalGroup}`,
    });
  if (chart.findingRuleIds.length > 0)
    factors.push({
      factor: 'warn-findings',
      rate: risk.warnFindings,
      detail: `findings ${[...new Set(chart.findingRuleIds)].join(', ')}`,
    });
  if (standing.recentDenials > 0)
    factors.push({
      factor: 'coder-denials',
      rate: risk.recentDenials.rate,
      detail: `${standing.recentDenials} coding-related denial(s) of ${chart.coderId} in ${risk.recentDenials.days} days`,
    });
  if (categoryDenials > 0)
    factors.push({
      factor: 'category-denials',
      rate: risk.recentDenials.rate,
      detail: `${categoryDenials} coding-related denial(s) of category ${chart.category} in ${risk.recentDenials.days} days`,
    });
  if (standing.belowTarget)
    factors.push({
      factor: 'below-target',
      rate: risk.belowTarget,
      detail: `code accuracy lower bound ${fmt(standing.codes.lower)} < ${fmt(config.accuracyTarget)} over ${standing.codes.n} codes`,
    });
  return factors;
}

function seniorReasons(chart: SamplingChart, context: SamplingContext, config: SamplingConfig): string[] {
  const senior = config.senior;
  const reasons: string[] = [];
  if (senior.coders.includes(chart.coderId))
    reasons.push(`coder ${chart.coderId} is listed for senior review`);
  if (senior.probation && context.standing.probation.inProbation) reasons.push('coder in probation');
  if (senior.hospice && chart.lineOfBusiness === 'hospice') reasons.push('hospice chart');
  if (senior.clinicalGroups.some((group) => group === chart.clinicalGroup))
    reasons.push(`PDGM clinical group ${chart.clinicalGroup}`);
  const critical = chart.findingRuleIds.filter((id) => senior.ruleIds.includes(id));
  if (critical.length > 0) reasons.push(`critical findings ${[...new Set(critical)].join(', ')}`);
  return reasons;
}
