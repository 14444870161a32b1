import { createHash } from 'node:crypto';
import type { SamplingDecision } from '#shared/model/chart-state.ts';
import type { Config } from '#shared/model/config.ts';

export interface SamplingInput {
  chartKey: string;
  version: number;
  coderId: string;
  hasWarnings: boolean;
}

/**
 * Whether QA re-reviews a clean chart, and why. The draw is a hash of the chartKey (itself keyed), so
 * it is deterministic (a redelivered message decides the same way) yet unpredictable to coders.
 */
export function decideSampling(input: SamplingInput, sampling: Config['sampling']): SamplingDecision {
  const draw = drawFor(input.chartKey, input.version);
  const coderRate = sampling.coderRates[input.coderId];
  let rule = 'base-rate';
  let rate = sampling.baseRate;
  if (coderRate !== undefined) {
    rule = 'coder-rate';
    rate = coderRate;
  }
  if (
    input.hasWarnings &&
    sampling.warningsRaiseRateTo !== undefined &&
    sampling.warningsRaiseRateTo > rate
  ) {
    rule = 'warnings';
    rate = sampling.warningsRaiseRateTo;
  }
  const sampled = draw < rate;
  const decision: SamplingDecision = {
    sampled,
    rule,
    rate,
    draw,
    reason: `${rule}: draw ${draw.toFixed(4)} ${sampled ? '<' : '>='} rate ${rate}`,
  };
  if (sampled) {
    decision.queue = sampling.seniorReviewCoders.includes(input.coderId) ? 'qa-review-senior' : 'qa-review';
  }
  return decision;
}

export function drawFor(chartKey: string, version: number): number {
  const digest = createHash('sha256').update(`sample|${chartKey}|${version}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
